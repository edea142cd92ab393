import Foundation
import SocietyCore
import Testing

/// `taizhou childcare` on a fresh state folder, with children made by `taizhou id make` and their
/// vaccination histories by `taizhou vaccination synthesize`.
@Suite("taizhou childcare")
struct ChildcareCLITests {
    static let code = "91320214745555318W"
    static let parent = "32120219900315003X"

    @Test("file, review, open a class, enrol three, the fourth refused for the ratio; credit, grade, subsidy")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-care", secrets: [Self.parent])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        let today = CalendarDate(Date()).iso8601
        let filed = try succeed([
            "childcare", "file", "--id", Self.code, "--name", "海陵区阳光托育中心", "--district", "321202", "--places",
            "60", "--health-workers", "1", "--cctv-days", "90",
        ])
        #expect(filed.contains("filing submitted on \(today), receipt due by"))
        #expect(try succeed(["childcare", "review", "--id", Self.code]).contains("\(Self.code): filed"))
        _ = try succeed([
            "childcare", "open-class", "--provider", Self.code, "--id", "乳1", "--kind", "infant", "--carers", "1",
        ])
        #expect(try succeed(["childcare", "search", "--district", "321202"]).contains("乳1 (乳儿班) at 海陵区阳光托育中心: 3 free"))
        var children: [String] = []
        for n in 1...4 {
            let child = try succeed([
                "id", "make", "--district", "321202", "--months-old", "8", "--sequence", "\(100 + n)",
            ]).trimmingCharacters(in: .whitespacesAndNewlines)
            children.append(child)
            #expect(try succeed(["vaccination", "synthesize", "--child", child]).contains("dose(s) recorded"))
            _ = try succeed([
                "childcare", "apply", "--id", "a\(n)", "--child", child, "--parent", Self.parent, "--class", "乳1",
            ])
        }
        for n in 1...3 {
            #expect(
                try succeed(["childcare", "enrol", "--id", "a\(n)", "--checked", today]).contains("enrolled in 乳1")
            )
        }
        let fourth = try run(["childcare", "enrol", "--id", "a4", "--checked", today])
        #expect(fourth.status == 1)
        #expect(fourth.standardOutput.contains("refused in 乳1"))
        #expect(fourth.standardOutput.contains("✗ carer-ratio: 4 children for 1 carer(s) at 1:3 > 3"))
        for child in children { #expect(!fourth.standardOutput.contains(child)) }
        #expect(try succeed(["childcare", "search", "--district", "321202"]).contains("no free place"))
        _ = try succeed(["childcare", "attend", "--id", "a1", "--note", "晨检: 正常"])

        _ = try succeed([
            "childcare", "practitioner", "--id", "P1", "--person", Self.parent, "--provider", Self.code,
        ])
        _ = try succeed([
            "childcare", "credit-event", "--id", "c1", "--practitioner", "P1", "--kind", "complaintVerified", "--on",
            today, "--note", "家长投诉属实",
        ])
        #expect(try succeed(["childcare", "credit", "--practitioner", "P1"]).contains("score 90, level A"))

        let scores = ["办托条件=140", "托育队伍=140", "保育照护=180", "卫生保健=140", "养育支持=90", "安全保障=140", "机构管理=90"]
        let grade = try succeed(["childcare", "grade"] + scores.flatMap { ["--score", $0] })
        #expect(grade.contains("grade A") && grade.contains("920 of 1000 points"))
        let vetoed = try succeed(
            ["childcare", "grade"] + scores.flatMap { ["--score", $0] } + ["--veto", "CCTV kept under 90 days"]
        )
        #expect(vetoed.hasPrefix("grade D"))
        let missing = try run(["childcare", "grade", "--score", "办托条件=140"])
        #expect(missing.status == 2 && missing.standardError.contains("no score for"))

        // The subsidy needs the parent's card.
        let applied = try succeed([
            "onecard", "apply", "--holder", Self.parent, "--bank", "91320214745555318W", "--account",
            "6222021500000000016",
        ])
        let card = String(applied.split(separator: " ").first ?? "")
        _ = try succeed(["onecard", "issue", "--card", card, "--number", "A12345670"])
        _ = try succeed(["onecard", "activate", "--card", card])
        let year = String(CalendarDate(Date()).year)
        let paid = try succeed([
            "childcare", "subsidy", "--id", "cs1", "--child", children[0], "--parent", Self.parent, "--year", year,
        ])
        #expect(paid.contains("paid to 3212**********003X's card (cs-cs1)"))
        let again = try run([
            "childcare", "subsidy", "--id", "cs2", "--child", children[0], "--parent", Self.parent, "--year", year,
        ])
        #expect(again.status == 1 && again.standardError.contains("a claim for the child for \(year) (cs1)"))
    }
}
