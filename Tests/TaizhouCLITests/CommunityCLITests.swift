import Foundation
import SocietyCore
import Testing

/// `taizhou community` on a fresh state folder.
@Suite("taizhou community")
struct CommunityCLITests {
    static let (elder, mother) = ("321202196005010117", "321202199003150021")

    @Test(
        "a grid, its special groups for its own worker only (looks recorded), a bill through the one-card, rural monitoring"
    )
    func flow() throws {
        let workspace = try CLIWorkspace("tz-community", secrets: [Self.elder, Self.mother, "6222021500000000016"])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        _ = try succeed([
            "community", "grid", "--id", "G-03", "--name", "凤凰社区第3网格", "--district", "321202", "--worker", "W0301",
        ])
        _ = try succeed(["community", "assign", "--grid", "G-03", "--person", Self.elder, "--household", "hh-17"])
        _ = try succeed(["community", "assign", "--grid", "G-03", "--person", Self.mother, "--household", "hh-18"])
        _ = try succeed(["disability", "register", "--person", Self.mother, "--category", "visual", "--level", "2"])
        let roster = try succeed([
            "community", "groups", "--grid", "G-03", "--worker", "W0301", "--purpose", "visit", "--dibao", Self.elder,
        ])
        #expect(roster.contains("2 residents, 2 in special groups — 低保对象 1, 残疾人 1"))
        #expect(roster.contains("3212**********0117 (hh-17): 低保对象") && roster.contains("(hh-18): 残疾人"))
        let stranger = try run(["community", "groups", "--grid", "G-03", "--worker", "W0901", "--purpose", "visit"])
        #expect(stranger.status == 1 && stranger.standardError.contains("worker W0901 is not assigned to grid G-03"))
        let looks = try succeed(["community", "looks", "--grid", "G-03"])
        #expect(
            looks.contains("W0901 visit: refused: not assigned to the grid (0)")
                && looks.contains("W0301 visit: shown (2)")
        )
        #expect(
            try run(["community", "groups", "--grid", "G-03", "--worker", "W0301", "--purpose", "curiosity"]).status
                == 2
        )

        let applied = try succeed([
            "onecard", "apply", "--holder", Self.elder, "--bank", "91320214745555318W", "--account",
            "6222021500000000016",
        ])
        let card = String(applied.split(separator: " ").first ?? "")
        _ = try succeed(["onecard", "issue", "--card", card, "--number", "A12345670"])
        _ = try succeed(["onecard", "activate", "--card", card])
        let bill = [
            "community", "bill", "--payer", Self.elder, "--payee", "91320214745555318W", "--payee-name", "泰州市自来水公司",
            "--kind", "water", "--number", "W2026110017", "--account", "SH-00017", "--period", "2026-11", "--amount",
            "86.50", "--due", "2026-12-20",
        ]
        let requested = try succeed(bill)
        #expect(requested.contains("水费 86.50 yuan for 2026-11") && requested.hasSuffix("requested\n"))
        #expect(try succeed(bill) == requested)
        let id = "util-91320214745555318W-W2026110017"
        #expect(try succeed(["community", "settle", "--id", id, "--paid", "B-77"]).contains("paid, reference B-77"))
        #expect(try run(["community", "settle", "--id", id, "--cancel"]).status == 1)
        #expect(try run(["community", "settle", "--id", id, "--cancel", "--retry"]).status == 2)

        let monitored = try succeed([
            "community", "monitor", "--household", "rh-1", "--village", "321281101203", "--members", "4", "--income",
            "20000", "--medical", "25000",
        ])
        #expect(monitored.contains("rh-1: on the monitoring list") && monitored.contains("✗ lowIncome: income 5000.00"))
        #expect(try succeed(["community", "monitoring"]).contains("1 household(s) monitored"))
        let early = try run([
            "community", "monitor", "--household", "rh-1", "--village", "321281101203", "--members", "4", "--income",
            "40000", "--eliminate",
        ])
        #expect(early.status == 1 && early.standardError.contains("(< 6 months)"))
        _ = try succeed([
            "community", "point", "--id", "V3-health", "--village", "321281101203", "--service", "health", "--name",
            "三村卫生室",
        ])
        #expect(
            try succeed(["community", "coverage", "--village", "321281101203"]).contains(
                "321281101203: missing 社保服务站、互助养老点"
            )
        )
        let bad = try run([
            "community", "monitor", "--household", "rh-9", "--village", "3212811012", "--members", "4", "--income", "1",
        ])
        #expect(bad.status == 2)
    }
}
