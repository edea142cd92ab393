import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import Testing

/// Must match `CrashRecord` in Tests/SQLiteCrashWriter/main.swift.
struct CrashRecord: StorableRecord {
    static let recordKind = "crash_record"
    static let sensitiveFields: Set<String> = ["secret"]
    static let indexes: [RecordIndex<CrashRecord>] = [RecordIndex("txn") { .integer(Int64($0.txn)) }]
    var txn: Int
    var slot: Int
    var secret: String
    var recordKey: RecordKey { RecordKey("\(txn)-\(slot)") }
}

@Suite("Crash safety")
struct CrashTests {
    static func writerBinary() -> URL? {
        let base = Bundle.main.bundleURL
        for candidate in [base, base.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("SQLiteCrashWriter")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    @Test("a writer killed with SIGKILL 20 times loses no committed transaction and leaves no partial one")
    func killedWriter() async throws {
        let binary = try #require(CrashTests.writerBinary(), "SQLiteCrashWriter is built beside the tests")
        let fixture = try Fixture()
        defer { fixture.remove() }
        let path = fixture.path("crash.sqlite")
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.derived(from: Array("crash-test master secret".utf8), using: crypto)
        var next = 0
        var committed: Set<Int> = []
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = binary
            process.arguments = [path, String(next)]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            usleep(UInt32.random(in: 60_000...300_000))
            kill(process.processIdentifier, SIGKILL)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            for pipe in [output] {
                try? pipe.fileHandleForReading.close()
                try? pipe.fileHandleForWriting.close()
            }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                if line.hasPrefix("committed "), let n = Int(line.dropFirst(10)) { committed.insert(n) }
            }
            let store = try SQLiteStore(
                path: path,
                configuration: SQLiteConfiguration(protection: RecordProtection(crypto: crypto, keys: keys))
            )
            let byTransaction = try store.read(purpose: Purpose(constant: "crash-check")) { db in
                var counts: [Int: Int] = [:]
                try db.forEach(RecordQuery<CrashRecord>.all) { record in
                    #expect(record.secret == "secret \(record.txn) \(record.slot)")
                    counts[record.txn, default: 0] += 1
                    return true
                }
                return counts
            }
            for txn in committed {
                #expect(byTransaction[txn] == 1 + txn % 7, "committed transaction \(txn) is incomplete")
            }
            for (txn, count) in byTransaction { #expect(count == 1 + txn % 7, "transaction \(txn) is partial") }
            let verification = try await store.auditLog.verify()
            #expect(verification.isValid, "\(verification.problem ?? "")")
            next = (byTransaction.keys.max() ?? -1) + 1
        }
        #expect(committed.count > 20)
    }
}
