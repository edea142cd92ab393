import Foundation
import SocietyCore
import Testing

/// `taizhou education` and `taizhou draw` on a fresh state folder: the lottery re-run from the
/// command the allocation prints.
@Suite("taizhou education")
struct EducationCLITests {
    @Test("commit, apply, allocate with a lottery; the printed re-run command gives the same winners")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-edu")
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        _ = try succeed([
            "education", "school", "--id", "S-SY", "--name", "泰州市实验小学", "--district", "321202", "--school-district",
            "海陵-实验", "--places", "3",
        ])
        let committed = try succeed(["education", "commit", "--school", "S-SY"])
        let commitment = try #require(committed.split(separator: " ").dropFirst(2).first.map(String.init))
        var children: [String] = []
        for n in 1...6 {
            let child = try succeed([
                "id", "make", "--district", "321202", "--born", "2021-03-01", "--sequence", "\(200 + n)",
            ])
            .trimmingCharacters(in: .whitespacesAndNewlines)
            children.append(child)
            _ = try succeed([
                "education", "apply", "--id", "E2027-000\(n)", "--child", child, "--school", "S-SY", "--facts",
                n == 1 ? "household,property" : "household",
            ])
        }
        let allocated = try succeed(["education", "allocate", "--school", "S-SY"])
        #expect(allocated.contains("S-SY: 3 admitted of 3 places, 3 referred"))
        #expect(allocated.contains("(commitment \(commitment))"))
        for child in children { #expect(!allocated.contains(child)) }
        let rerun = try #require(allocated.split(separator: "\n").first { $0.hasPrefix("re-run: taizhou ") })
        let arguments = rerun.dropFirst("re-run: taizhou ".count).split(separator: " ").map(String.init)
        let again = try succeed(arguments)
        #expect(again.contains("the seed matches the commitment"))
        let winners = try #require(again.split(separator: "\n").first { $0.hasPrefix("winners: ") })
        for winner in winners.dropFirst("winners: ".count).split(separator: ", ") {
            #expect(try succeed(["education", "show", "--id", String(winner)]).contains("admitted"))
        }
        #expect(try succeed(["education", "show", "--id", "E2027-0001"]).contains("admitted — 户房一致: all 1 admitted"))
        let published = try succeed(["education", "lottery", "--school", "S-SY"])
        #expect(published.contains(#""signature":""#) && published.contains(#""commitment":"\#(commitment)""#))

        let forged = try run(arguments.map { $0 == commitment ? String(repeating: "0", count: 64) : $0 })
        #expect(forged.status == 1 && forged.standardError.contains("not the commitment"))
        _ = try succeed([
            "education", "meal", "--batch", "B-0001", "--step", "supplied", "--actor", "91320214745555318W", "--detail",
            "青菜",
        ])
        let skipped = try run([
            "education", "meal", "--batch", "B-0001", "--step", "served", "--actor", "S-SY", "--detail", "x",
        ])
        #expect(skipped.status == 1)
        #expect(try succeed(["education", "trace", "--batch", "B-0001"]).contains("chain verified"))
    }
}
