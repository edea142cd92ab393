import Foundation
import SocietyCore
import Testing

/// `taizhou disability` on a fresh state folder.
@Suite("taizhou disability")
struct DisabilityCLITests {
    static let person = "32120219900315003X"

    @Test("register, the two subsidies explained and paid once, rehabilitation decided, a renovation's moves")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-disability", secrets: [Self.person])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        #expect(
            try succeed(["disability", "register", "--person", Self.person, "--category", "physical", "--level", "1"])
                .contains("physical level 1")
        )
        let explained = try succeed(["disability", "subsidies", "--person", Self.person, "--dibao"])
        #expect(
            explained.contains("care subsidy 130.00 yuan a month")
                && explained.contains("living subsidy 288.00 yuan a month")
        )
        #expect(explained.contains("✓ difficulty: a dibao family, severe: 30 % of the dibao line"))
        let applied = try succeed([
            "onecard", "apply", "--holder", Self.person, "--bank", "91320214745555318W", "--account",
            "6222021500000000016",
        ])
        let card = String(applied.split(separator: " ").first ?? "")
        _ = try succeed(["onecard", "issue", "--card", card, "--number", "A12345670"])
        _ = try succeed(["onecard", "activate", "--card", card])
        let paid = try succeed(["disability", "subsidies", "--person", Self.person, "--dibao", "--pay", "2026-12"])
        #expect(
            paid.contains("paid care 130.00 yuan for 2026-12") && paid.contains("paid living 288.00 yuan for 2026-12")
        )
        #expect(
            try succeed(["disability", "subsidies", "--person", Self.person, "--dibao", "--pay", "2026-12"]) == paid
        )
        let injured = try succeed(["disability", "subsidies", "--person", Self.person, "--work-injury-care"])
        #expect(injured.contains("care subsidy 0.00 yuan") && injured.contains("✗ no-work-injury-care"))

        _ = try succeed([
            "disability", "designate", "--id", "52321200MJ0000000X", "--name", "泰州市残疾人康复中心", "--categories",
            "autism,physical",
        ])
        let child = try succeed(["id", "make", "--district", "321202", "--born", "2016-05-01", "--sequence", "11"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            try succeed([
                "disability", "rehabilitation", "--id", "rh-1", "--child", child, "--category", "autism",
                "--institution", "52321200MJ0000000X",
            ]).contains("approved")
        )
        let speech = try run([
            "disability", "rehabilitation", "--id", "rh-2", "--child", child, "--category", "speech", "--institution",
            "52321200MJ0000000X",
        ])
        #expect(speech.status == 1 && speech.standardOutput.contains("✗ age: aged"))
        _ = try succeed(["disability", "renovation", "--id", "rn-1", "--person", Self.person, "--needs", "卫生间扶手"])
        let early = try run(["disability", "renovation", "--id", "rn-1", "--survey"])
        #expect(early.status == 1)
        _ = try succeed(["disability", "renovation", "--id", "rn-1", "--accept"])
        #expect(try succeed(["disability", "renovation", "--id", "rn-1", "--complete", "扶手两处"]).contains("completed"))
    }
}
