import Foundation
import SocietyCore
import Testing

/// `taizhou board build` on a fresh state folder and next to a user's files.
@Suite("taizhou board")
struct BoardCLITests {
    @Test("a board from what the state folder holds; never written over a folder that is not a board's")
    func build() throws {
        let workspace = try CLIWorkspace("tz-board", secrets: [])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        // Only the market store exists: its overdue elevator is the one warning besides the plan's.
        _ = try succeed([
            "market", "entity", "--code", "91321202MA1X2C3D85", "--name", "海陵区第1食品商行", "--representative", "张伟",
            "--representative-id", "321202196005010117", "--district", "321202", "--industry", "food-sales",
            "--registered", "2020-05-06",
        ])
        _ = try succeed([
            "market", "equipment", "--id", "31103212020001", "--category", "3000", "--user", "91321202MA1X2C3D85",
            "--location", "东进路1号1号梯", "--in-use-since", "2024-11-01", "--last-inspection", "2024-11-20",
        ])
        let built = try succeed(["board", "build", "--out", "site"])
        #expect(built.contains("site/index.html: 0 of 6 indicators measured") && built.contains("1 slow project(s)"))
        let page = try String(
            contentsOf: workspace.directory.appendingPathComponent("site/index.html"),
            encoding: .utf8
        )
        #expect(page.contains("特种设备超期未检") && page.contains("尚未采集") && !page.contains("<script"))
        // Built again: its own folder is rewritten.
        _ = try succeed(["board", "build", "--out", "site"])
        try FileManager.default.createDirectory(
            at: workspace.directory.appendingPathComponent("mine"),
            withIntermediateDirectories: true
        )
        try Data("notes".utf8).write(to: workspace.directory.appendingPathComponent("mine/notes.txt"))
        let refused = try run(["board", "build", "--out", "mine"])
        #expect(refused.status == 1 && refused.standardError.contains("not a progress board's"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: workspace.directory.appendingPathComponent("mine").path)
                == ["notes.txt"]
        )
    }
}
