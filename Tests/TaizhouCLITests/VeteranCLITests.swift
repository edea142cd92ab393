import Foundation
import Testing

/// The veterans' CLI flow in a state folder, paying through the one-card department's ledger.
@Suite("taizhou veteran")
struct VeteranCLITests {
    static let resident = "150102198807303035"

    func run(_ arguments: [String], in directory: URL) throws -> CLIRun {
        try CLIRunner.run(arguments + ["--state", "city"], in: directory)
    }

    @Test("register → place → honour → pay through the one-card exactly once → show, masked")
    func lifecycle() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-veteran-cli-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let registered = try run(
            [
                "veteran", "register", "--resident", Self.resident, "--name", "张志强", "--branch", "navy", "--enlisted",
                "2006-09-01", "--discharged", "2011-09-01", "--rank", "sergeant", "--placement", "assignedWork",
                "--care", "disabledVeteran",
            ],
            in: directory
        )
        #expect(registered.status == 0, "\(registered.standardError)")
        #expect(registered.standardOutput.contains(": 张** 1501**********3035, navy 2006-09-01–2011-09-01, sergeant"))
        #expect(!registered.standardOutput.contains("张志强"))
        let id = String(registered.standardOutput.prefix { $0 != ":" })
        let early = try run(["veteran", "place", "--veteran", id, "--step", "complete"], in: directory)
        #expect(early.standardError == "error: a placement that is transferred cannot complete\n")
        for step in [
            ["--step", "report", "--date", "2011-09-10"], ["--step", "arrange", "--employer", "91320214745555318W"],
            ["--step", "complete", "--date", "2011-11-01"],
        ] {
            let placed = try run(["veteran", "place", "--veteran", id] + step, in: directory)
            #expect(placed.status == 0, "\(placed.standardError)")
        }
        let wrong = try run(
            ["veteran", "honour", "--veteran", id, "--kind", "mostBeautifulVeteran", "--year", "2025", "--by", "9132"],
            in: directory
        )
        #expect(wrong.status != 0)
        let honour = try run(
            [
                "veteran", "honour", "--veteran", id, "--kind", "mostBeautifulVeteran", "--year", "2025", "--by",
                "91320214745555318W",
            ],
            in: directory
        )
        #expect(honour.standardOutput == "\(id): mostBeautifulVeteran 2025\n")
        // Without a card the payment is refused, and nothing else is held back.
        let refused = try run(["veteran", "pay", "--period", "2026-11"], in: directory)
        #expect(refused.status == 1, "a run with a refused payment exits 1")
        #expect(
            refused.standardError
                == "refused: instruction vpc-2026-11-\(id): holder 1501**********3035: the holder has no current social security card\n"
        )
        #expect(refused.standardOutput == "posted 0, already posted 0, refused 1, net amount posted now ¥0.00\n")
        let applied = try run(
            [
                "onecard", "apply", "--holder", Self.resident, "--bank", "91320214745555318W", "--account",
                "6222021500000000032",
            ],
            in: directory
        )
        let card = String(applied.standardOutput.split(separator: " ").first ?? "")
        _ = try run(["onecard", "issue", "--card", card, "--number", "A12345672"], in: directory)
        _ = try run(["onecard", "activate", "--card", card], in: directory)
        let paid = try run(["veteran", "pay", "--period", "2026-11"], in: directory)
        #expect(paid.standardOutput == "posted 1, already posted 0, refused 0, net amount posted now ¥2,500.00\n")
        let again = try run(["veteran", "pay", "--period", "2026-11"], in: directory)
        #expect(again.standardOutput.hasPrefix("posted 0, already posted 1"))
        let totals = try run(["onecard", "totals"], in: directory)
        #expect(totals.standardOutput.contains("programme veteransPreferentialCare: ¥2,500.00"))
        #expect(totals.standardOutput.contains("ledger balanced"))
        let shown = try run(["veteran", "show", "--resident", Self.resident], in: directory)
        #expect(shown.lines.contains("placement: employer 91320214745555318W on 2011-11-01"))
        #expect(shown.lines.contains("honour: mostBeautifulVeteran 2025 by 91320214745555318W"))
        for output in [shown.standardOutput, paid.standardOutput, refused.standardOutput] {
            #expect(!output.contains(Self.resident))
            #expect(!output.contains("张志强"))
        }
    }
}
