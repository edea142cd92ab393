import Foundation
import SocietyCore
import SocietySQLite
import Testing

@Suite("Background checkpoints")
struct CheckpointTests {
    static func point(_ n: Int) -> ServicePoint {
        ServicePoint(
            code: "SP-\(n)",
            town: "海陵",
            capacity: n,
            kind: .clinic,
            location: .init(latitude: 32.49, longitude: 119.92),
            openDays: [1, 2, 3],
            note: String(repeating: "备注", count: 200)
        )
    }

    /// A store in `fixture` whose WAL is checkpointed past `pages` pages.
    static func store(
        _ fixture: Fixture,
        _ name: String = "store.sqlite",
        pages: Int,
        background: Bool = true
    ) throws
        -> SQLiteStore
    {
        var configuration = SQLiteConfiguration()
        configuration.walAutocheckpointPages = pages
        configuration.checkpointsInBackground = background
        return try SQLiteStore(path: fixture.path(name), configuration: configuration)
    }

    /// The length of the `-wal` file beside `path`.
    static func walBytes(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
    }

    /// Frames in the store's WAL, as a passive checkpoint from the sqlite3 shell reports them
    /// (`busy|log|checkpointed`).
    static func walFrames(_ path: String) throws -> Int {
        let fields = try sqliteShell(path, "PRAGMA wal_checkpoint(PASSIVE);")
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
        return try #require(fields.count == 3 ? Int(fields[1]) : nil)
    }

    @Test("past the WAL's limit, checkpoints run off the commits and the WAL starts over; every commit is kept")
    func checkpointsOffTheCommitPath() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        var store: SQLiteStore? = try CheckpointTests.store(fixture, pages: 20)
        for n in 0..<400 { try store?.write { db in try db.put(CheckpointTests.point(n)) } }
        let runs = try #require(store?.backgroundCheckpoints())
        #expect(runs >= 1)
        // Everything is in the database file now, so the next commit starts the WAL over: it holds
        // that commit's pages only, not the 400 commits' (more than a thousand without checkpoints).
        try store?.write { db in try db.put(CheckpointTests.point(400)) }
        let frames = try CheckpointTests.walFrames(fixture.path())
        #expect(frames > 0 && frames < 20, "\(frames) frames in the WAL")
        store = nil
        let reopened = try CheckpointTests.store(fixture, pages: 20)
        #expect(try reopened.read { db in try db.count(RecordQuery<ServicePoint>.all) } == 401)
        #expect(
            try reopened.read { db in try db.get(ServicePoint.self, key: RecordKey("SP-399")) }
                == CheckpointTests.point(399)
        )
    }

    @Test("a WAL many times the limit is truncated once it is all in the database file and no one is using it")
    func longWALTruncated() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try CheckpointTests.store(fixture, pages: 5)
        // One commit of far more than 4 × 5 pages.
        try store.write { db in try db.put(contentsOf: (0..<300).map(CheckpointTests.point)) }
        let runs = try #require(store.backgroundCheckpoints())
        #expect(runs >= 1)
        #expect(try CheckpointTests.walBytes(fixture.path()) == 0)
        #expect(try store.read { db in try db.count(RecordQuery<ServicePoint>.all) } == 300)
    }

    @Test("after a bulk load the WAL is emptied in the background, so that reads come from the database file")
    func loadTruncatesTheWAL() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try CheckpointTests.store(fixture, pages: 50)
        let summary = try store.load((0..<5_000).map(CheckpointTests.point), batchSize: 500)
        #expect(summary.loaded == 5_000 && summary.batches == 10)
        #expect(try #require(store.backgroundCheckpoints()) >= 1)
        #expect(try CheckpointTests.walBytes(fixture.path()) == 0)
        #expect(try store.read { db in try db.count(RecordQuery<ServicePoint>.all) } == 5_000)
        #expect(
            try store.read { db in try db.get(ServicePoint.self, key: RecordKey("SP-4999")) }
                == CheckpointTests.point(4_999)
        )
    }

    @Test("with checkpoints in the commits (SQLite's way) or none at all, no background checkpoint runs")
    func inCommitsOrNone() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try CheckpointTests.store(fixture, "commits.sqlite", pages: 20, background: false)
        for n in 0..<100 { try store.write { db in try db.put(CheckpointTests.point(n)) } }
        #expect(store.backgroundCheckpoints() == nil)
        #expect(try CheckpointTests.walFrames(fixture.path("commits.sqlite")) < 40)
        let unbounded = try CheckpointTests.store(fixture, "none.sqlite", pages: 0)
        for n in 0..<100 { try unbounded.write { db in try db.put(CheckpointTests.point(n)) } }
        #expect(unbounded.backgroundCheckpoints() == nil)
        #expect(try CheckpointTests.walFrames(fixture.path("none.sqlite")) >= 100)
    }
}
