import Foundation
import SocietyCore
import Testing

/// `taizhou eldercare` on a fresh state folder: an assessment, its care plan, an order carried out
/// and rated, the subsidy refused then paid once.
@Suite("taizhou eldercare")
struct ElderlyCareCLITests {
    static let elder = "11010519491231002X"
    static let worker = "321203198506200045"

    @Test("assess → plan → order → rate; the subsidy explained, paid once; bad scores refused")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-elder", secrets: [Self.elder, Self.worker])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        let assessed = try succeed([
            "eldercare", "assess", "--id", "as-1", "--elder", Self.elder, "--assessor", "A01", "--scores",
            "4,4,2,3,3,4,4,3/3,3,2,1/4,4,4,3,4,4,1,1,2/2,2,2,1,3", "--risk-events", "2",
        ])
        #expect(assessed.contains("73/90, 能力中度受损（中度失能）"))
        #expect(assessed.contains("✓ raise: 2 care-risk events in 30 days (≥ 2): one level up"))
        #expect(
            try succeed(["eldercare", "plan", "--id", "plan-1", "--assessment", "as-1"]).contains(
                "dailyLiving: 5 a week"
            )
        )
        _ = try succeed([
            "eldercare", "provider", "--id", "91320214745555318W", "--name", "颐康居家养老服务中心", "--district", "321202",
            "--kinds", "dailyLiving,meals",
        ])
        _ = try succeed([
            "eldercare", "worker", "--id", "W1", "--provider", "91320214745555318W", "--person", Self.worker,
        ])
        _ = try succeed([
            "eldercare", "order", "--id", "o-1", "--elder", Self.elder, "--provider", "91320214745555318W", "--kind",
            "dailyLiving", "--date", CalendarDate(Date()).iso8601, "--plan", "plan-1",
        ])
        _ = try succeed(["eldercare", "move", "--id", "o-1", "--assign", "W1"])
        let early = try run(["eldercare", "move", "--id", "o-1", "--rate", "5"])
        #expect(early.status == 1 && early.standardError.contains("cannot rate: it is assigned"))
        _ = try succeed(["eldercare", "move", "--id", "o-1", "--check-in"])
        _ = try succeed(["eldercare", "move", "--id", "o-1", "--check-out", "协助洗漱、午餐"])
        #expect(try succeed(["eldercare", "move", "--id", "o-1", "--rate", "4"]).contains("o-1: rated"))
        #expect(try succeed(["eldercare", "quality", "--provider", "91320214745555318W"]).contains("mean 4.0 stars"))

        let refused = try run(["eldercare", "subsidy", "--elder", Self.elder, "--month", "2026-12"])
        #expect(refused.status == 1 && refused.standardOutput.contains("✗ economic-difficulty"))
        let applied = try succeed([
            "onecard", "apply", "--holder", Self.elder, "--bank", "91320214745555318W", "--account",
            "6222021500000000016",
        ])
        let card = String(applied.split(separator: " ").first ?? "")
        _ = try succeed(["onecard", "issue", "--card", card, "--number", "A12345670"])
        _ = try succeed(["onecard", "activate", "--card", card])
        let month = String(CalendarDate(Date()).iso8601.prefix(7))
        let paid = try succeed(["eldercare", "subsidy", "--elder", Self.elder, "--month", month, "--difficulty"])
        #expect(paid.contains("200.00 yuan paid"))
        #expect(try succeed(["eldercare", "subsidy", "--elder", Self.elder, "--month", month, "--difficulty"]) == paid)

        let short = try run([
            "eldercare", "assess", "--id", "as-2", "--elder", Self.elder, "--assessor", "A01", "--scores", "4,4",
        ])
        #expect(short.status == 2 && short.standardError.contains("26 scores are needed, 2 given"))
        let high = try run([
            "eldercare", "assess", "--id", "as-3", "--elder", Self.elder, "--assessor", "A01", "--scores",
            "4,4,4,4,4,4,4,4/4,4,4,4/4,4,4,4,4,4,1,1,2/2,2,4,3,4",
        ])
        #expect(high.status == 2 && high.standardError.contains("B.2.4 上下楼梯: 4 is outside 0–3"))
    }
}
