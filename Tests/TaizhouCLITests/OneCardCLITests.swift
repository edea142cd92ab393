import Foundation
import Testing

/// The one-card CLI flow, and exactly-once payment when the paying process is killed mid-run.
@Suite("taizhou onecard")
struct OneCardCLITests {
    static let holders = ["11010519491231002X", "440524188001010014", "150102198807303035"]

    func folder() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-onecard-cli-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Applies for, issues and activates a card for holder `index`; returns its id.
    func activatedCard(_ index: Int, in directory: URL) throws -> String {
        let account = ["6222021500000000016", "6222021500000000024", "6222021500000000032"][index]
        let applied = try CLIRunner.run(
            [
                "onecard", "apply", "--holder", Self.holders[index], "--bank", "91320214745555318W", "--account",
                account,
            ],
            in: directory
        )
        #expect(applied.status == 0, "\(applied.standardError)")
        let id = String(applied.standardOutput.split(separator: " ").first ?? "")
        for step in [["issue", "--card", id, "--number", "A1234567\(index)"], ["activate", "--card", id]] {
            let run = try CLIRunner.run(["onecard"] + step, in: directory)
            #expect(run.status == 0, "\(run.standardError)")
        }
        return id
    }

    @Test("apply → issue → activate → report lost → replace, masked output, illegal moves refused")
    func lifecycle() throws {
        let directory = try folder()
        let id = try activatedCard(0, in: directory)
        let lost = try CLIRunner.run(["onecard", "report-lost", "--card", id], in: directory)
        #expect(lost.standardOutput.contains(": reported-lost, holder 1101**********002X, card A1****670"))
        #expect(!lost.standardOutput.contains("11010519491231002X"))
        #expect(!lost.standardOutput.contains("6222021500000000016"))
        let again = try CLIRunner.run(["onecard", "activate", "--card", id], in: directory)
        #expect(again.status == 1)
        #expect(again.standardError == "error: a card that is reported-lost cannot activate\n")
        let replaced = try CLIRunner.run(["onecard", "replace", "--card", id, "--number", "B12345670"], in: directory)
        #expect(replaced.standardOutput.contains(": issued, holder 1101**********002X, card B1****670"))
        let shown = try CLIRunner.run(["onecard", "show", "--card", id], in: directory)
        #expect(shown.standardOutput.contains(": replaced"))
        let second = try CLIRunner.run(
            [
                "onecard", "apply", "--holder", Self.holders[0], "--bank", "91320214745555318W", "--account",
                "6222021500000000016",
            ],
            in: directory
        )
        #expect(second.standardError == "error: the holder already has a current social security card\n")
        let key = try FileManager.default.attributesOfItem(
            atPath: directory.appendingPathComponent(".taizhou/onecard.sqlite.key").path
        )
        #expect((key[.posixPermissions] as? Int) == 0o600)
    }

    @Test("pay posts each instruction once, even when the paying process is killed and run again")
    func exactlyOnceAfterKill() throws {
        let directory = try folder()
        for index in 0..<3 { _ = try activatedCard(index, in: directory) }
        // 6,000 instructions of ¥1.23 … : ids are the idempotency keys.
        var lines: [String] = []
        var expected: Int64 = 0
        for n in 0..<6000 {
            let fen = Int64(100 + n % 900)
            expected += fen
            lines.append(
                "inst-\(n),fiscalSubsidy,\(Self.holders[n % 3]),2026-\(n % 12 < 9 ? "0" : "")\(n % 12 + 1),\(fen / 100).\(fen % 100 < 10 ? "0" : "")\(fen % 100)"
            )
        }
        let file = directory.appendingPathComponent("instructions.csv")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        // Start paying in small batches and kill the process part-way through, several times.
        for delay in [0.15, 0.3, 0.45] {
            let process = Process()
            process.executableURL = CLIRunner.executable
            process.arguments = ["onecard", "pay", "--batch", "50", file.path]
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try ProcessLaunch.run(process)
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let finish = try CLIRunner.run(["onecard", "pay", "--batch", "500", file.path], in: directory)
        #expect(finish.status == 0, "\(finish.standardError)")
        let again = try CLIRunner.run(["onecard", "pay", file.path], in: directory)
        #expect(again.standardOutput.hasPrefix("posted 0, already posted 6000"))
        let totals = try CLIRunner.run(["onecard", "totals"], in: directory)
        #expect(totals.status == 0, "\(totals.standardError)")
        let yuan = "\(expected / 100).\(expected % 100 < 10 ? "0" : "")\(expected % 100)"
        #expect(totals.standardOutput.contains("over 6000 records"))
        #expect(totals.standardOutput.replacingOccurrences(of: ",", with: "").contains("total ¥\(yuan)"))
        #expect(totals.standardOutput.contains("ledger balanced"))
    }

    @Test("monitor reports a duplicate payment and exits 3")
    func monitor() throws {
        let directory = try folder()
        _ = try activatedCard(1, in: directory)
        let csv =
            "a,minimumLiving,\(Self.holders[1]),2026-10,960.00\nb,minimumLiving,\(Self.holders[1]),2026-10,960.00\n"
        let pay = try CLIRunner.run(["onecard", "pay"], input: Data(csv.utf8), in: directory)
        #expect(pay.standardOutput.hasPrefix("posted 2"))
        let run = try CLIRunner.run(["onecard", "monitor"], in: directory)
        #expect(run.status == 3)
        #expect(
            run.standardOutput.contains(
                "duplicate-period v1: 4405**********0014: 2 payments by minimumLiving for 2026-10 [instructions a b]"
            )
        )
        #expect(!run.standardOutput.contains(Self.holders[1]))
        let bad = try CLIRunner.run(
            ["onecard", "pay"],
            input: Data("x,unknownProgramme,1,2026-10,1\n".utf8),
            in: directory
        )
        #expect(bad.status == 2, "a malformed line is bad input")
        #expect(bad.standardError.hasPrefix("error: line 1:"))
    }
}
