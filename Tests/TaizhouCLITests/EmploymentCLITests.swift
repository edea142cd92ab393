import Foundation
import SocietyCore
import Testing

/// `taizhou employment` on a fresh state folder, paying through `taizhou onecard`'s cards.
@Suite("taizhou employment")
struct EmploymentCLITests {
    static let worker = "321202196005010117"
    static let quitter = "11010519491231002X"

    @Test("register, claim with its rules, pay once, a full fair refuses, the warning; numbers masked")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-emp", secrets: [Self.worker, Self.quitter])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })

        let applied = try succeed(
            [
                "onecard", "apply", "--holder", Self.worker, "--bank", "91320214745555318W", "--account",
                "6222021500000000016",
            ]
        )
        let card = String(applied.split(separator: " ").first ?? "")
        _ = try succeed(["onecard", "issue", "--card", card, "--number", "A12345670"])
        _ = try succeed(["onecard", "activate", "--card", card])

        let registered = try succeed(
            [
                "employment", "register", "--id", "reg-1", "--resident", Self.worker, "--district", "321202", "--on",
                "2026-11-02", "--loss", "contractExpired", "--industry", "C",
            ]
        )
        #expect(registered.contains("registered reg-1: 3212**********0117 in 321202 from 2026-11-02"))
        _ = try succeed(
            [
                "employment", "contributions", "--resident", Self.worker, "--months", "70", "--last", "2026-10",
                "--industry", "C", "--district", "321202",
            ]
        )
        let claim = try succeed(["employment", "claim", "--id", "ub-1", "--resident", Self.worker])
        #expect(claim.contains("approved ub-1: 18 months of"), "\(claim)")
        #expect(claim.contains("✓ contributions-one-year: 70 months of unemployment-insurance contributions ≥ 12"))

        _ = try succeed(
            [
                "employment", "register", "--id", "reg-2", "--resident", Self.quitter, "--district", "321203", "--on",
                "2026-11-02", "--loss", "resigned", "--industry", "F",
            ]
        )
        let rejected = try run(["employment", "claim", "--id", "ub-2", "--resident", Self.quitter])
        #expect(rejected.status == 1)
        #expect(rejected.standardOutput.contains("✗ involuntary-loss: job lost by resigned, by the person's will"))
        let bad = try run([
            "employment", "register", "--id", "r", "--resident", Self.worker, "--district", "321202",
            "--loss", "fired", "--industry", "C",
        ])
        #expect(bad.status == 2, "an unknown reason is bad input: \(bad.standardError)")

        let month = String(CalendarDate(Date()).iso8601.prefix(7))  // the claim's month, China time
        #expect(try succeed(["employment", "pay", "--month", month]).contains("1 paid now"))
        #expect(try succeed(["employment", "pay", "--month", month]).contains("0 paid now"))

        _ = try succeed(
            [
                "employment", "fair", "schedule", "--id", "fair-1", "--name", "冬季招聘会", "--district", "321202", "--date",
                "2026-12-12", "--capacity", "1",
            ]
        )
        #expect(
            try succeed(["employment", "fair", "book", "--id", "fair-1", "--resident", Self.worker]).contains("place 1")
        )
        let full = try run(["employment", "fair", "book", "--id", "fair-1", "--resident", Self.quitter])
        #expect(full.status == 1)
        #expect(full.standardError.contains("is full (1 places)"))

        let warning = try succeed(["employment", "warning", "--month", "2026-11", "--all"])
        #expect(warning.contains("district 321202"), "\(warning)")
        #expect(warning.contains("notRated"))
    }
}
