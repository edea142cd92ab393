import Foundation
import SocietyCore
import Testing

/// `taizhou clinic` on a fresh state folder, with the fee settled through `taizhou onecard`'s card.
@Suite("taizhou clinic")
struct ClinicCLITests {
    static let patient = "32120219900315003X"
    static let other = "321203198506200045"

    @Test("release, book, a taken slot refused, pay once, report, the family doctor reads only with consent")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-clinic", secrets: [Self.patient, Self.other])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        let applied = try succeed(
            [
                "onecard", "apply", "--holder", Self.patient, "--bank", "91320214745555318W", "--account",
                "6222021500000000016",
            ]
        )
        let card = String(applied.split(separator: " ").first ?? "")
        _ = try succeed(["onecard", "issue", "--card", card, "--number", "A12345670"])
        _ = try succeed(["onecard", "activate", "--card", card])
        let code = "113212000142871106"
        #expect(
            try succeed(
                [
                    "clinic", "release", "--code", code, "--department", "儿科", "--doctor", "D0042", "--weekdays",
                    "1,2,3,4,5,6,7",
                    "--times", "08:00,08:30,09:00", "--on-site", "1", "--fee", "10",
                ]
            ).contains("24 slot(s) released")
        )
        let tomorrow = CalendarDate(Date()).adding(days: 1).iso8601
        let slots = try succeed(["clinic", "slots", "--code", code, "--department", "儿科", "--day", tomorrow])
        #expect(
            slots.contains("D0042|\(tomorrow)|08:00 10.00 yuan") && !slots.contains("09:00"),
            "on-site slot kept back"
        )
        let slot = "D0042|\(tomorrow)|08:00"
        #expect(
            try succeed(["clinic", "book", "--slot", slot, "--patient", Self.patient, "--id", "apt-1"]).contains(
                "booked"
            )
        )
        let taken = try run(["clinic", "book", "--slot", slot, "--patient", Self.other, "--id", "apt-2"])
        #expect(taken.status == 1 && taken.standardError.contains("is taken"))
        #expect(try succeed(["clinic", "pay", "--id", "apt-1"]).contains("paid (apt-apt-1)"))
        _ = try succeed(["clinic", "check-in", "--id", "apt-1"])
        _ = try succeed(["clinic", "complete", "--id", "apt-1"])
        _ = try succeed([
            "clinic", "report", "--id", "apt-1", "--report", "rep-1", "--title", "血常规", "--findings", "正常",
        ])
        #expect(try succeed(["clinic", "reports", "--patient", Self.patient]).contains("血常规: 正常"))
        let refused = try run(["clinic", "reports", "--patient", Self.patient, "--team", "team-7"])
        #expect(refused.status == 1)
        _ = try succeed(["clinic", "consent", "--patient", Self.patient, "--team", "team-7", "--until", "2099-12-31"])
        #expect(try succeed(["clinic", "reports", "--patient", Self.patient, "--team", "team-7"]).contains("rep-1"))
    }
}
