// The child process of the crash-safety test: writes numbered transactions to a store until it is
// killed, printing "committed N" after each commit returns. The parent kills it with SIGKILL at a
// random moment and checks that every printed transaction is complete in the file, that no
// transaction is partial, and that the audit log verifies.
//
// With `load` instead of a transaction number it bulk-loads records without end (a load killed
// midway must be undone when the store is opened again), printing "loading" once it started.
//
// Usage: SQLiteCrashWriter PATH FIRST-TRANSACTION | SQLiteCrashWriter PATH load
import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite

/// Must match `CrashRecord` in the tests.
struct CrashRecord: StorableRecord {
    static let recordKind = "crash_record"
    static let sensitiveFields: Set<String> = ["secret"]
    static let indexes: [RecordIndex<CrashRecord>] = [RecordIndex("txn") { .integer(Int64($0.txn)) }]
    var txn: Int
    var slot: Int
    var secret: String
    var recordKey: RecordKey { RecordKey("\(txn)-\(slot)") }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, arguments[2] == "load" || Int(arguments[2]) != nil else {
    FileHandle.standardError.write(Data("usage: SQLiteCrashWriter PATH FIRST-TRANSACTION|load\n".utf8))
    exit(2)
}
do {
    let crypto = OpenSSLCryptoProvider()
    let keys = try StaticKeyProvider.derived(from: Array("crash-test master secret".utf8), using: crypto)
    let store = try SQLiteStore(
        path: arguments[1],
        configuration: SQLiteConfiguration(
            protection: RecordProtection(crypto: crypto, keys: keys),
            audit: StoreAuditing(actor: "crash-writer", origin: "test.example/crash")
        )
    )
    if arguments[2] == "load" {
        FileHandle.standardOutput.write(Data("loading\n".utf8))
        let endless = (0..<Int.max).lazy.map { n in CrashRecord(txn: -1, slot: n, secret: "loaded \(n)") }
        try store.load(endless, purpose: Purpose(constant: "crash-test"), batchSize: 500)
        exit(0)
    }
    var txn = Int(arguments[2]) ?? 0
    while true {
        let size = 1 + txn % 7
        try store.write(purpose: Purpose(constant: "crash-test")) { db in
            for slot in 0..<size { try db.put(CrashRecord(txn: txn, slot: slot, secret: "secret \(txn) \(slot)")) }
        }
        FileHandle.standardOutput.write(Data("committed \(txn)\n".utf8))
        txn += 1
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
