import Foundation
import Testing

@Suite("taizhou calendar")
struct CalendarCLITests {
    @Test("working-days counts over the 2026 Spring Festival and names the holiday passed")
    func springFestival() throws {
        let run = try CLIRunner.run(["calendar", "working-days", "--from", "2026-02-13", "--add", "5"])
        #expect(run.status == 0)
        #expect(run.lines == ["2026-02-27: 5 working days after 2026-02-13 (across 春节)"])
    }

    @Test("--json gives the date, the count and the holidays crossed")
    func json() throws {
        let run = try CLIRunner.run(["calendar", "working-days", "--from", "2026-09-18", "--add", "20", "--json"])
        #expect(run.status == 0)
        #expect(run.lines == [#"{"date":"2026-10-22","from":"2026-09-18","holidays":["中秋节","国庆节"],"workingDays":20}"#])
    }

    @Test("a count running past the published years is refused with the years known, exit 2")
    func outsideYears() throws {
        let run = try CLIRunner.run(["calendar", "working-days", "--from", "2026-12-15", "--add", "30"])
        #expect(run.status == 2)
        #expect(run.standardOutput.isEmpty)
        #expect(run.standardError.contains("2027-01-01 is outside the published years"))
        #expect(run.standardError.contains("2025, 2026"))
    }

    @Test("bad dates and counts are bad input, exit 2")
    func badOptions() throws {
        let date = try CLIRunner.run(["calendar", "working-days", "--from", "2026-02-30", "--add", "1"])
        #expect(date.status == 2)
        #expect(date.standardError.contains("--from must be a real date"))
        let count = try CLIRunner.run(["calendar", "working-days", "--from", "2026-02-13", "--add=-3"])
        #expect(count.status == 2)
        #expect(count.standardError.contains("--add must not be negative"))
    }

    @Test("years lists each published year with its notice")
    func years() throws {
        let run = try CLIRunner.run(["calendar", "years"])
        #expect(run.status == 0)
        #expect(
            run.lines == [
                "2025: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号), 国务院办公厅, 2024-11-12",
                "2026: 国务院办公厅关于2026年部分节假日安排的通知, 国务院办公厅, 2025-11-04",
            ]
        )
    }

    @Test("--calendar reads a deployment's own schedule; a bad one is refused with the reason and nothing else runs")
    func ownSchedule() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calendar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Test data, not a published schedule: one invented year with one holiday and one worked Saturday.
        let own = folder.appendingPathComponent("own.json")
        try Data(
            #"""
            {"format": "ds.working-calendar/1", "jurisdiction": "TEST", "weekend": [6, 7],
             "years": [{"year": 2030, "source": {"title": "test schedule", "issuer": "tests", "issued": "2029-11-01"},
                        "holidays": [{"name": "test day", "from": "2030-03-04", "to": "2030-03-04"}],
                        "workingWeekendDays": ["2030-03-09"]}]}
            """#.utf8
        ).write(to: own)
        // From Friday 1 March 2030: Monday 4 March is off, 5–8 March are days 1–4, Saturday 9 March day 5.
        let run = try CLIRunner.run([
            "calendar", "working-days", "--calendar", own.path, "--from", "2030-03-01", "--add", "5",
        ])
        #expect(run.status == 0)
        #expect(run.lines == ["2030-03-09: 5 working days after 2030-03-01 (across test day)"])

        let bad = folder.appendingPathComponent("bad.json")
        try Data(#"{"format": "ds.working-calendar/1"}"#.utf8).write(to: bad)
        let refused = try CLIRunner.run(["calendar", "years", "--calendar", bad.path])
        #expect(refused.status == 2)
        #expect(refused.standardOutput.isEmpty)
        #expect(refused.standardError.contains("bad.json: working-calendar schedule: does not read as a schedule"))
        let missing = try CLIRunner.run([
            "calendar", "years", "--calendar", folder.appendingPathComponent("none.json").path,
        ])
        #expect(missing.status == 4)
    }
}
