import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

@testable import SocietyPostgres

@Suite("PostgreSQL location")
struct PostgresLocationTests {
    @Test("a URL gives host, port, user and database; the description hides the password")
    func parsing() throws {
        let location = try PostgresLocation(
            url: "postgresql://civil:s3cret@db.taizhou.example:6432/city?sslmode=disable"
        )
        #expect(location.host == "db.taizhou.example")
        #expect(location.port == 6432)
        #expect(location.user == "civil")
        #expect(location.password == "s3cret")
        #expect(location.database == "city")
        #expect(location.description == "postgresql://civil@db.taizhou.example:6432/city")
        #expect(try PostgresLocation(url: "postgres://u@h/d").port == 5432)
        #expect(try PostgresLocation(url: "postgres://u@h/d").tls == .disable)
        #expect(try PostgresLocation(url: "postgres://u@h/d?sslmode=require").tls == .require)
        let verified = try PostgresLocation(url: "postgres://u:pw@h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(verified.tls == .verifyFull(rootCertificate: "/etc/ca.pem"))
        #expect(verified.description == "postgresql://u@h:5432/d?sslmode=verify-full&sslrootcert=/etc/ca.pem")
    }

    @Test(
        "a URL the adapter cannot use is refused, without echoing its password",
        arguments: [
            "mysql://u:pw@h/d", "postgresql://h/d", "postgresql://u:pw@h", "postgresql://u:pw@h:0/d",
            "postgresql://u:pw@h/d?sslmode=prefer", "postgresql://u:pw@h/d?sslmode=verify-ca",
            "postgresql://u:pw@h/d?application_name=x",
        ]
    )
    func refused(url: String) {
        #expect {
            try PostgresLocation(url: url)
        } throws: { error in
            guard let error = error as? PostgresStoreError else { return false }
            return error.kind == .invalidLocation && !error.description.contains(":pw@")
        }
    }

    @Test("a schema name must be a plain lower-case identifier")
    func schemaNames() throws {
        let location = PostgresLocation(host: "127.0.0.1", user: "u", database: "d")
        for bad in ["Civil", "1civil", "civil; DROP TABLE x", "", String(repeating: "a", count: 64), "civil\"x"] {
            #expect(throws: PostgresStoreError.self) { try PostgresDatabase(location: location, schema: bad) }
        }
    }

    @Test("an unreachable server is a connection error within the time limit, not a wait for ever")
    func unreachable() async throws {
        let database = try PostgresDatabase(
            location: PostgresLocation(host: "127.0.0.1", port: 1, user: "u", database: "d"),
            schema: "nowhere",
            timeout: .seconds(3)
        )
        // Without the limit this call would wait for ever (the pool keeps retrying); how soon it
        // returns depends on how busy the test run keeps the cooperative pool, so no clock is read.
        await #expect {
            _ = try await PostgresReplayGuard(database: database)
        } throws: { error in
            guard let error = error as? PostgresStoreError else { return false }
            return error.kind == .connection && error.message.contains("within 3")
        }
        await database.shutdown()
    }
}

/// The adapter against a real server (a throwaway cluster unless SOCIETY_POSTGRES_URL is set).
@Suite("PostgreSQL replay guard and audit log", .serialized)
struct PostgresServerTests {
    let crypto = OpenSSLCryptoProvider()

    static func entry(_ n: Int) -> AuditEntry { AuditSamples.entry(n) }

    @Test("an id is new once, a replay until it expires, and new again after; a second guard agrees")
    func replayGuard() async throws {
        let database = try TestServer.database("replay")
        let guardian = try await PostgresReplayGuard(database: database)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let issuer = "113212000142871106/assistance"
        #expect(try await guardian.markSeen(issuer: issuer, id: "a", expiresAt: now + 60, now: now))
        #expect(try await !guardian.markSeen(issuer: issuer, id: "a", expiresAt: now + 60, now: now + 30))
        #expect(try await guardian.markSeen(issuer: "other", id: "a", expiresAt: now + 60, now: now))
        // Another guard on the same schema (another process, in a deployment) sees the same ids.
        let second = try await PostgresReplayGuard(database: database)
        #expect(try await !second.markSeen(issuer: issuer, id: "a", expiresAt: now + 60, now: now + 59))
        #expect(try await second.markSeen(issuer: issuer, id: "a", expiresAt: now + 200, now: now + 61))
        #expect(try await guardian.count() == 2)
        await database.shutdown()
    }

    @Test("two processes opening the same 300 envelope ids at the same moment accept each exactly once")
    func twoProcesses() async throws {
        let location = try TestServer.location()
        var accepted: [Set<String>] = []
        // On a loaded machine one child may start late and find every id taken: that run proves
        // nothing about the race, so it is run again (at most three times) until both won some.
        for _ in 0..<3 {
            let schema = "t_race_\(UInt32.random(in: 0...UInt32.max))"
            // Create the table first, so both children start racing on ids, not on the migration.
            let database = try PostgresDatabase(location: location, schema: schema)
            _ = try await PostgresReplayGuard(database: database)
            await database.shutdown()
            accepted = try Self.race(location, schema, ["300"]).map { Set($0) }
            #expect(accepted[0].isDisjoint(with: accepted[1]), "no id accepted by both processes")
            if !accepted[0].isEmpty, !accepted[1].isEmpty { break }
        }
        #expect(!accepted[0].isEmpty && !accepted[1].isEmpty, "both processes won some ids: they raced")
        #expect(accepted[0].union(accepted[1]) == Set((0..<300).map { "env-\($0)" }), "every id accepted once")
    }

    @Test("the same entries give the same tree heads and proofs as the SQLite log")
    func sameTreeAsSQLite() async throws {
        let database = try TestServer.database("audit")
        let log = try await PostgresAuditLog(
            database: database,
            origin: "taizhou.gov.cn/audit/civil-affairs",
            digest: .sha256,
            crypto: crypto
        )
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try SQLiteAuditLog(path: folder.appendingPathComponent("log.sqlite").path, crypto: crypto)
        #expect(sqlite.digest == .sha256)
        var next = 0
        for batch in [1, 2, 3, 5, 8, 13] {
            let entries = (next..<next + batch).map(Self.entry)
            next += batch
            #expect(try await log.append(entries) == (next - batch)..<next)
            try await sqlite.append(entries)
            let (ours, theirs) = (try await log.treeHead(), try await sqlite.treeHead())
            #expect(ours.size == theirs.size)
            #expect(ours.rootHash == theirs.rootHash)
        }
        #expect(try await log.size() == 32)
        #expect(try await log.entry(at: 7) == Self.entry(7))
        for (index, size) in [(0, 1), (5, 32), (31, 32), (12, 20)] {
            #expect(
                try await log.inclusionProof(index: index, treeSize: size)
                    == sqlite.inclusionProof(index: index, treeSize: size)
            )
        }
        #expect(try await log.consistencyProof(from: 6, to: 32) == sqlite.consistencyProof(from: 6, to: 32))
        await #expect(throws: AuditLogError.self) { try await log.inclusionProof(index: 32, treeSize: 33) }

        let key = try crypto.generateSigningKey(.ed25519)
        let signed = try await log.checkpoint(signingWith: key, keyName: "taizhou-audit")
        #expect(signed.checkpoint.size == 32)
        #expect(signed.checkpoint.rootHash == (try await sqlite.treeHead()).rootHash)
        #expect(try await log.checkpoints().map(\.text) == [signed.text])
        let verified = try await log.verify()
        #expect(verified.problem == nil)
        #expect(verified.size == 32)
        #expect(verified.checkpointsChecked == 7)  // six heads and one checkpoint
        await database.shutdown()
    }

    @Test("the entries are append-only through SQL; an entry altered behind the trigger is found by verify")
    func tampering() async throws {
        let database = try TestServer.database("tamper")
        let log = try await PostgresAuditLog(database: database, origin: "test", digest: .sha256, crypto: crypto)
        try await log.append((0..<10).map(Self.entry))
        let admin = try PostgresAdmin(database)
        let refused = await admin.error("UPDATE \(database.schema).ds_audit_entries SET entry = entry WHERE idx = 3")
        #expect(refused?.sqlState == "P0001", "\(String(describing: refused))")
        #expect(refused?.statement?.hasPrefix("UPDATE") == true)
        #expect(try await log.verify().problem == nil)
        // A superuser can switch the trigger off; the tree still tells.
        let altered = Hex.encode(Self.entry(99).canonicalBytes)
        for sql in [
            "ALTER TABLE \(database.schema).ds_audit_entries DISABLE TRIGGER ds_audit_entries_append_only",
            "UPDATE \(database.schema).ds_audit_entries SET entry = '\\x\(altered)' WHERE idx = 3",
        ] {
            #expect(await admin.error(sql) == nil)
        }
        let verified = try await log.verify()
        #expect(verified.firstBrokenEntry == 3)
        #expect(verified.problem?.contains("entry 3 does not match its leaf hash") == true)
        await database.shutdown()
    }

    @Test("concurrent appenders on separate connections keep one consistent tree")
    func concurrentAppenders() async throws {
        let database = try TestServer.database("appenders")
        let log = try await PostgresAuditLog(database: database, origin: "test", digest: .sha256, crypto: crypto)
        let ranges = try await withThrowingTaskGroup(of: [Range<Int>].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var ranges: [Range<Int>] = []
                    for batch in 0..<10 {
                        ranges.append(
                            try await log.append([
                                Self.entry(worker * 100 + batch * 2), Self.entry(worker * 100 + batch * 2 + 1),
                            ])
                        )
                    }
                    return ranges
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ranges.count == 40)
        #expect(
            ranges.sorted { $0.lowerBound < $1.lowerBound }.map(\.lowerBound) == Array(stride(from: 0, to: 80, by: 2))
        )
        let verified = try await log.verify()
        #expect(verified.size == 80)
        #expect(verified.problem == nil)
        #expect(verified.checkpointsChecked == 40)
        await database.shutdown()
    }

    @Test("TLS: verify-full connects to a server whose certificate checks out, and refuses an untrusted one")
    func tls() async throws {
        let location = try TestServer.location()
        let root = try PostgresTestCluster.rootCertificate()
        var secure = location
        secure.host = "localhost"
        secure.tls = .verifyFull(rootCertificate: root)
        let database = try PostgresDatabase(location: secure, schema: "t_tls_\(UInt32.random(in: 0...UInt32.max))")
        let guardian = try await PostgresReplayGuard(database: database)
        let now = Date()
        #expect(try await guardian.markSeen(issuer: "i", id: "over-tls", expiresAt: now + 60, now: now))
        // The server really speaks TLS on this connection.
        let admin = try PostgresAdmin(database)
        let encrypted = try await database.session { session in
            try await session.rows("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.value(
                0,
                as: Bool.self
            )
        }
        #expect(encrypted == true)
        #expect(await admin.error("SELECT 1") == nil)
        await database.shutdown()

        // A valid certificate of someone else as the only trusted root: the server's is refused.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stranger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stranger = folder.appendingPathComponent("ca.pem")
        let made = Self.spawn(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                folder.appendingPathComponent("ca.key").path, "-out", stranger.path, "-days", "2", "-subj",
                "/CN=localhost",
            ]
        )()
        #expect(made.0 == 0, "openssl: \(made.2)")
        secure.tls = .verifyFull(rootCertificate: stranger.path)
        let refused = try PostgresDatabase(location: secure, schema: "t_tls_refused", timeout: .seconds(5))
        await #expect(throws: PostgresStoreError.self) { _ = try await PostgresReplayGuard(database: refused) }
        await refused.shutdown()
    }

    @Test("two processes appending at the same moment keep one consistent tree")
    func twoAppendingProcesses() async throws {
        let location = try TestServer.location()
        let schema = "t_appenders_\(UInt32.random(in: 0...UInt32.max))"
        let database = try PostgresDatabase(location: location, schema: schema)
        let log = try await PostgresAuditLog(database: database, origin: "test", digest: .sha256, crypto: crypto)
        let starts = try Self.race(location, schema, ["50"], mode: ["audit"]).flatMap { $0.compactMap { Int($0) } }
        // 100 appends of two entries: each got its own place, and together they fill 0 ..< 200.
        #expect(starts.sorted() == Array(stride(from: 0, to: 200, by: 2)))
        let verified = try await log.verify()
        #expect(verified.size == 200)
        #expect(verified.problem == nil)
        #expect(verified.checkpointsChecked == 100)
        await database.shutdown()
    }

    @Test("after a server restart the pool reconnects: nothing committed is lost, nothing is duplicated")
    func serverRestart() async throws {
        let database = try TestServer.restartableDatabase("restart")
        let log = try await PostgresAuditLog(database: database, origin: "test", digest: .sha256, crypto: crypto)
        let guardian = try await PostgresReplayGuard(database: database)
        let store = try await PostgresRecordStore(database: database, configuration: PostgresStoreConfiguration())
        let now = Date()
        try await log.append((0..<5).map(Self.entry))
        #expect(try await guardian.markSeen(issuer: "i", id: "before", expiresAt: now + 600, now: now))
        try await store.write(purpose: nil) { db in
            try await db.put(contentsOf: (0..<5).map { PlainNote(id: "before-\($0)", size: Int64($0)) })
        }
        try TestServer.restart()
        // The pool's connections died with the server; the next operations get new ones. A call
        // that meets a dead connection fails (it was not committed) and is retried by its caller.
        let appended = try await Self.retrying { try await log.append((5..<10).map(Self.entry)) }
        #expect(appended == 5..<10)
        let seen = try await Self.retrying {
            try await guardian.markSeen(issuer: "i", id: "before", expiresAt: now + 600, now: now)
        }
        #expect(!seen, "the id recorded before the restart is still there")
        let verified = try await log.verify()
        #expect(verified.size == 10)
        #expect(verified.problem == nil)
        // The record store's leased connections died too: a write after the restart goes through on
        // a new one, and the rows committed before it are all there, once.
        try await Self.retrying {
            try await store.write(purpose: nil) { db in
                try await db.put(contentsOf: (0..<5).map { PlainNote(id: "after-\($0)", size: Int64($0)) })
            }
        }
        let ids = try await store.read(purpose: nil) { db in try await db.fetch(RecordQuery<PlainNote>.all).map(\.id) }
        #expect(ids == (0..<5).map { "before-\($0)" } + (0..<5).map { "after-\($0)" })
        await database.shutdown()
    }

    @Test("a log hashed with one digest is not continued with another; a newer SDK's schema is refused")
    func refusals() async throws {
        let database = try TestServer.database("refusals")
        _ = try await PostgresAuditLog(database: database, origin: "test", digest: .sha256, crypto: crypto)
        await #expect {
            _ = try await PostgresAuditLog(database: database, origin: "test", digest: .sm3, crypto: crypto)
        } throws: { error in
            (error as? PostgresStoreError)?.kind == .corrupt
        }
        let admin = try PostgresAdmin(database)
        #expect(await admin.error("INSERT INTO \(database.schema).ds_migrations (name) VALUES ('audit-99')") == nil)
        await #expect {
            _ = try await PostgresAuditLog(database: database, origin: "test", digest: .sha256, crypto: crypto)
        } throws: { error in
            guard let error = error as? PostgresStoreError else { return false }
            return error.kind == .corrupt && error.message.contains("audit-99")
        }
        await database.shutdown()
    }

    /// `body`, tried again (up to 20 times, 250 ms apart) while it fails with a connection error.
    static func retrying<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        for _ in 0..<19 {
            do {
                return try await body()
            } catch let error as PostgresStoreError
                where error.kind == .connection || error.sqlState?.hasPrefix("57") == true
            {
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        return try await body()
    }

    /// Starts two PostgresReplayChild processes on `schema` that begin at the same moment, and
    /// returns each one's output lines.
    static func race(
        _ location: PostgresLocation,
        _ schema: String,
        _ count: [String],
        mode: [String] = []
    ) throws -> [[String]] {
        let child = try #require(childBinary(), "PostgresReplayChild is built beside the tests")
        let start = String(Date().timeIntervalSince1970 + 4)
        let runs = (0..<2).map { _ in spawn(child, [location.description, schema] + count + [start] + mode) }
        return runs.map { run in
            let (status, output, error) = run()
            #expect(status == 0, "\(error)")
            return output.split(separator: "\n").map(String.init)
        }
    }

    static func childBinary() -> URL? {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("PostgresReplayChild"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("PostgresReplayChild"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("PostgresReplayChild"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Starts `binary` and returns a function that waits for it and returns status, output, error.
    static func spawn(_ binary: URL, _ arguments: [String]) -> () -> (Int32, String, String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        do {
            try process.run()
        } catch {
            return { (-1, "", "cannot start \(binary.path): \(error)") }
        }
        return {
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            for pipe in [output, error] {
                try? pipe.fileHandleForReading.close()
                try? pipe.fileHandleForWriting.close()
            }
            return (
                process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self)
            )
        }
    }
}

/// Runs administrative SQL on a test's schema through the adapter's own sessions, as a DBA would.
struct PostgresAdmin {
    let database: PostgresDatabase

    init(_ database: PostgresDatabase) throws { self.database = database }

    /// The error `sql` fails with, or `nil` when it succeeds.
    func error(_ sql: String) async -> PostgresStoreError? {
        do {
            try await database.session { session in
                try await session.rows(sql)
                return ()
            }
            return nil
        } catch {
            return error
        }
    }
}
