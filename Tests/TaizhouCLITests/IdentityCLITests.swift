import Foundation
import Testing

@Suite("taizhou id / org / division")
struct IdentityCLITests {
    @Test("valid IDs: one line each, masked, with birth date, sex and division; exit 0")
    func validIDs() throws {
        let run = try CLIRunner.run([
            "id", "check", "--today", "2026-11-29", "11010519491231002X", "440524188001010014",
        ])
        #expect(run.status == 0)
        #expect(
            run.lines == [
                "1101**********002X: valid, born 1949-12-31, female, 110105 (in 北京市)",
                "4405**********0014: valid, born 1880-01-01, male, 440524 (in 广东省)",
            ]
        )
        #expect(!run.standardOutput.contains("11010519491231002X"))
    }

    @Test("a legacy 15-digit number is upgraded and reported valid")
    func legacy() throws {
        let run = try CLIRunner.run(["id", "check", "--today", "2026-11-29", "150102880730303"])
        #expect(run.status == 0)
        #expect(run.lines == ["1501**********3035: valid, born 1988-07-30, male, 150102 (in 内蒙古自治区)"])
    }

    @Test("an invalid ID prints its reason and makes the exit status non-zero")
    func invalidID() throws {
        let run = try CLIRunner.run([
            "id", "check", "--today", "2026-11-29", "11010519491231002X", "110105194912310021",
        ])
        #expect(run.status == 1)
        #expect(run.lines.count == 2)
        #expect(
            run.lines[1]
                == "1101**********0021: invalid: identity number's check character is 1 but the first 17 characters require X"
        )
        #expect(!run.standardOutput.contains("110105194912310021"))
        #expect(!run.standardError.contains("Fatal error"))
    }

    @Test("--json prints one JSON object per line")
    func json() throws {
        let run = try CLIRunner.run(["id", "check", "--json", "--today", "2026-11-29", "11010519491231002X", "123"])
        #expect(run.status == 1)
        let objects = try run.lines.map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(objects.count == 2)
        #expect(objects[0]["valid"] as? Bool == true)
        #expect(objects[0]["birthDate"] as? String == "1949-12-31")
        #expect(objects[0]["sex"] as? String == "female")
        #expect(objects[0]["normalized"] as? String == "1101**********002X")
        #expect(objects[1]["valid"] as? Bool == false)
        #expect((objects[1]["reason"] as? String)?.contains("3 characters") == true)
        #expect(!run.standardOutput.contains("11010519491231002X"))
    }

    @Test("credit codes of REFERENCES.md are valid, with authority, type and division")
    func validCodes() throws {
        let run = try CLIRunner.run(["org", "check", "91110000600037341L", "91310110666007217T", "91320214745555318W"])
        #expect(run.status == 0)
        #expect(
            run.lines[2]
                == "91320214745555318W: valid, authority market regulation (工商), type enterprise (企业), 320214 新吴区, 无锡市, 江苏省"
        )
        #expect(run.lines.count == 3)
    }

    @Test("an invalid credit code prints its reason")
    func invalidCode() throws {
        let run = try CLIRunner.run(["org", "check", "--json", "91110000600037341M"])
        #expect(run.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        #expect(
            object?["reason"] as? String == "credit code's check character is M but the first 17 characters require L"
        )
    }

    @Test("division show prints name, level and chain")
    func division() throws {
        let run = try CLIRunner.run(["division", "show", "321204"])
        #expect(run.status == 0)
        #expect(run.lines == ["321204 姜堰区", "level: county", "chain: 321204 姜堰区 → 321200 泰州市 → 320000 江苏省"])
        let retired = try CLIRunner.run(["division", "show", "321284"])
        #expect(retired.lines.contains("status: retired in 2012"))
    }

    @Test(
        "bad input gives a clear message and a non-zero exit, never a backtrace",
        arguments: [
            ["division", "show", "99"], ["division", "show", "ABCDEF"], ["id", "check"],
            ["id", "check", "--today", "2026-02-30", "x"],
            ["nonsense"],
        ]
    )
    func badInput(arguments: [String]) throws {
        let run = try CLIRunner.run(arguments)
        #expect(run.status != 0)
        #expect(!run.standardError.isEmpty)
        #expect(!run.standardError.contains("Fatal error"))
        #expect(!run.standardError.contains("Backtrace"))
    }
}
