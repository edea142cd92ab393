import Foundation
import SocietyCore
import SocietySQLite
import Testing

@Suite("Persistent replay guard")
struct ReplayGuardTests {
    @Test("an id is new once per issuer, is remembered across restarts, and is forgotten after expiry")
    func replay() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let later = now.addingTimeInterval(600)
        do {
            let guardDB = try SQLiteReplayGuard(path: fixture.path("replay.sqlite"))
            #expect(try await guardDB.markSeen(issuer: "A/x", id: "jti-1", expiresAt: later, now: now))
            #expect(try await guardDB.markSeen(issuer: "A/x", id: "jti-1", expiresAt: later, now: now) == false)
            #expect(try await guardDB.markSeen(issuer: "B/y", id: "jti-1", expiresAt: later, now: now))
        }
        let reopened = try SQLiteReplayGuard(path: fixture.path("replay.sqlite"), pruneInterval: 1)
        #expect(
            try await reopened.markSeen(issuer: "A/x", id: "jti-1", expiresAt: later, now: now.addingTimeInterval(1))
                == false
        )
        // After expiry the id may be used again (the expiry check refuses the old message anyway),
        // and pruning removes expired ids.
        let afterExpiry = later.addingTimeInterval(1)
        #expect(
            try await reopened.markSeen(
                issuer: "C/z",
                id: "other",
                expiresAt: afterExpiry.addingTimeInterval(60),
                now: afterExpiry
            )
        )
        #expect(try await reopened.count() == 1)
        #expect(
            try await reopened.markSeen(
                issuer: "A/x",
                id: "jti-1",
                expiresAt: afterExpiry.addingTimeInterval(60),
                now: afterExpiry
            )
        )
    }

    @Test("concurrent openers of the same message: exactly one sees it as new")
    func concurrent() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let guardDB = try SQLiteReplayGuard(path: fixture.path("replay.sqlite"))
        let now = Date()
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { try await guardDB.markSeen(issuer: "A/x", id: "same", expiresAt: now + 60, now: now) }
            }
            var all: [Bool] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.filter { $0 }.count == 1)
    }
}
