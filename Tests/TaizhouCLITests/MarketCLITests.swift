import Foundation
import SocietyCore
import Testing

/// `taizhou market` on a fresh state folder.
@Suite("taizhou market")
struct MarketCLITests {
    static let representative = "321202196005010117"
    static let codes = [
        "91321202MA1X2C3D85", "91321202MA1Y4E5F4N", "91321202MA20GH7K2B", "92321202MA21JK8L2F", "92321202MA22LM9N2P",
        "92321202MA23NP0QXT",
    ]

    @Test(
        "register, licence, a plan committed then drawn without conflicts, results, disclosure re-run by the draw tool, equipment warnings, a recall"
    )
    func flow() throws {
        let workspace = try CLIWorkspace("tz-market", secrets: [Self.representative])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        for (index, code) in Self.codes.enumerated() {
            _ = try succeed([
                "market", "entity", "--code", code, "--name", "海陵区第\(index + 1)食品商行", "--representative", "张伟",
                "--representative-id", Self.representative, "--district", "321202", "--industry", "food-sales",
                "--registered", "2020-05-06",
            ])
        }
        let licence = [
            "market", "licence", "--kind", "food-business", "--holder", Self.codes[0], "--scope", "预包装食品销售",
            "--from", "2022-01-01", "--number",
        ]
        #expect(try succeed(licence + ["JY13212020012345"]).contains("食品经营许可证 JY13212020012345 granted"))
        #expect(try run(licence + ["JY1321202001234"]).status == 2)
        #expect(try run(licence + ["JY13212020012345"]).status == 1)
        for (id, name) in [("ZF-001", "李娜"), ("ZF-003", "陈静"), ("ZF-004", "杨磊")] {
            _ = try succeed(["market", "inspector", "--id", id, "--name", name])
        }
        for code in Self.codes {
            _ = try succeed([
                "market", "inspector", "--id", "ZF-X\(code.suffix(3))", "--name", "王芳", "--link", "\(code):亲属",
            ])
        }
        let classified = try succeed([
            "market", "credit", "--entity", Self.codes[5], "--event", "e-1", "--kind", "major-penalty", "--on",
            "2026-06-01",
            "--detail", "销售过期食品",
        ])
        #expect(classified.contains("class C, score 55"))
        let plan = try succeed([
            "market", "plan", "--id", "2026-food-q4", "--title", "食品销售双随机抽查", "--industry", "food-sales",
        ])
        #expect(plan.contains("entities: commitment "))
        let drawn = try succeed(["market", "draw", "--id", "2026-food-q4"])
        // Class C is drawn at 20 % (1 of 1); every entity's linked inspector is left out.
        #expect(drawn.contains("\(Self.codes[5]) (class C) ← "))
        for line in drawn.split(separator: "\n").dropFirst() {
            let code = String(line.dropFirst(2).prefix(18))
            let paired = line.components(separatedBy: "; left out").first ?? ""
            #expect(!paired.contains("ZF-X\(code.suffix(3))") && line.contains("left out: ZF-X\(code.suffix(3)): 亲属"))
        }
        #expect(try run(["market", "draw", "--id", "2026-food-q4"]).status == 1)
        let result = try succeed([
            "market", "result", "--plan", "2026-food-q4", "--entity", Self.codes[5], "--outcome",
            "rectification-ordered",
            "--findings", "进货查验记录不全",
        ])
        #expect(result.contains("发现问题，已责令改正; rectify by "))
        let disclosure = try succeed(["market", "disclose", "--plan", "2026-food-q4"])
        #expect(disclosure.contains("法定代表人 张* (3212**********0117)"))
        let rerun = disclosure.split(separator: "\n").last.map(String.init) ?? ""
        #expect(rerun.hasPrefix("re-run the entity draw: taizhou draw rerun --seed "))
        let arguments = rerun.components(separatedBy: "taizhou ").last?.split(separator: " ").map(String.init) ?? []
        let replay = try succeed(arguments)
        #expect(replay.contains("the seed matches the commitment"))

        #expect(
            try succeed([
                "market", "equipment", "--id", "31103212020001", "--category", "3000", "--user", Self.codes[0],
                "--location",
                "东进路1号1号梯", "--in-use-since", "2025-11-01", "--last-inspection", "2025-11-20",
            ]).contains("(电梯): next inspection by 2026-11-20, request by 2026-10-20; registered late")
        )
        #expect(
            try succeed(["market", "warnings", "--on", "2026-12-01", "--overdue"]).contains("overdue 31103212020001")
        )
        _ = try succeed(["market", "inspected", "--id", "31103212020001", "--on", "2026-11-30"])
        #expect(try succeed(["market", "warnings", "--on", "2026-12-01", "--overdue"]).contains("0 warning(s)"))

        _ = try succeed([
            "market", "produce", "--batch", "B1101", "--product", "速冻水饺", "--kind", "food", "--producer", Self.codes[0],
            "--produced", "2026-11-01", "--quantity", "1000",
        ])
        _ = try succeed([
            "market", "transfer", "--batch", "B1101", "--from", Self.codes[0], "--to", Self.codes[1], "--quantity",
            "400",
        ])
        _ = try succeed([
            "market", "transfer", "--batch", "B1101", "--from", Self.codes[1], "--to", Self.codes[3], "--quantity",
            "150",
        ])
        #expect(
            try run([
                "market", "transfer", "--batch", "B1101", "--from", Self.codes[3], "--to", Self.codes[4], "--quantity",
                "151",
            ]).status == 1
        )
        let recall = try succeed(["market", "recall", "--batch", "B1101", "--reason", "检出致病菌"])
        #expect(
            recall.contains("2 holder(s)")
                && recall.contains("\(Self.codes[3]) at depth 2 via \(Self.codes[1]): received 150, holds 150")
        )
    }
}
