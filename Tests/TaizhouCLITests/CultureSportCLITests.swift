import Foundation
import SocietyCore
import Testing

/// `taizhou venue` and `taizhou sport` on a fresh state folder.
@Suite("taizhou venue and sport")
struct CultureSportCLITests {
    static let visitors = ["32120219900315003X", "321203198506200045", "11010519491231002X"]

    @Test("release, book to the last place, a pass admitted offline in its window and used once; events; coverage")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-venue", secrets: Self.visitors)
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        let tomorrow = CalendarDate(Date()).adding(days: 1)
        _ = try succeed([
            "venue", "register", "--id", "TZ-MUSEUM", "--name", "泰州市博物馆", "--kind", "museum", "--district", "321202",
            "--latitude", "32.4849", "--longitude", "119.9229",
        ])
        #expect(
            try succeed(["venue", "release", "--venue", "TZ-MUSEUM", "--times", "09:00,14:00", "--capacity", "2"])
                .contains("16 slot(s) released")
        )
        let slot = "TZ-MUSEUM|\(tomorrow)|09:00"
        _ = try succeed(["venue", "book", "--slot", slot, "--visitor", Self.visitors[0], "--id", "t-1"])
        _ = try succeed(["venue", "book", "--slot", slot, "--visitor", Self.visitors[1], "--id", "t-2"])
        let full = try run(["venue", "book", "--slot", slot, "--visitor", Self.visitors[2], "--id", "t-3"])
        #expect(full.status == 1 && full.standardError.contains("is full (2)"))
        #expect(
            try succeed(["venue", "slots", "--venue", "TZ-MUSEUM", "--day", tomorrow.iso8601]).contains(
                "14:00: 2 of 2 left"
            )
        )
        let pass = try succeed(["venue", "pass", "--id", "t-1"]).trimmingCharacters(in: .whitespacesAndNewlines)
        for visitor in Self.visitors { #expect(!pass.contains(visitor)) }
        let early = try run(["venue", "gate", "--venue", "TZ-MUSEUM", "--pass", pass])
        #expect(early.status == 1 && early.standardError.contains("too early"))
        // 08:50 China time is 00:50 UTC.
        let inWindow = "\(tomorrow)T00:50:00Z"
        #expect(
            try succeed(["venue", "gate", "--venue", "TZ-MUSEUM", "--pass", pass, "--at", inWindow, "--record"])
                .contains("entry recorded")
        )
        let again = try run(["venue", "gate", "--venue", "TZ-MUSEUM", "--pass", pass, "--at", inWindow, "--record"])
        #expect(again.status == 1 && again.standardError.contains("cannot enter: it is used"))
        let elsewhere = try run(["venue", "gate", "--venue", "TZ-LIBRARY", "--pass", pass, "--at", inWindow])
        #expect(elsewhere.status == 1 && elsewhere.standardError.contains("another venue"))

        _ = try succeed([
            "sport", "event", "--id", "run-1", "--name", "泰州马拉松", "--date", "2027-04-10", "--district", "321202",
            "--capacity", "1",
        ])
        _ = try succeed(["sport", "enrol", "--event", "run-1", "--participant", Self.visitors[0], "--id", "r-1"])
        let late = try run(["sport", "enrol", "--event", "run-1", "--participant", Self.visitors[1], "--id", "r-2"])
        #expect(late.status == 1 && late.standardError.contains("is full (1)"))
        _ = try succeed(["sport", "result", "--id", "r-1", "--rank", "1", "--performance", "1:12:03"])
        #expect(try succeed(["sport", "counts", "--year", "2027"]).contains("2027: 1 event(s)"))
        _ = try succeed([
            "venue", "register", "--id", "TZ-SPORTS", "--name", "泰州体育公园", "--kind", "sportsGround", "--district",
            "321202",
            "--latitude", "32.4550", "--longitude", "119.9230",
        ])
        _ = try succeed([
            "sport", "community", "--id", "C1", "--name", "凤凰社区", "--district", "321202", "--latitude", "32.4604",
            "--longitude", "119.9230", "--population", "8000",
        ])
        _ = try succeed([
            "sport", "community", "--id", "C2", "--name", "城东社区", "--district", "321202", "--latitude", "32.4550",
            "--longitude", "119.9465", "--population", "2000",
        ])
        #expect(
            try succeed(["sport", "coverage"]).contains("321202: 1 of 2 communities, 80.0 % of residents within 1000 m")
        )
    }
}
