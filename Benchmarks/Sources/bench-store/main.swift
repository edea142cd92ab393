// bench-store: the SQLite reference store against the sqlite3 shell, in the same run.
//
// 1. Load N synthetic residents (2 indexed fields, the identity number sealed with AES-256-GCM and
//    stored under a keyed-hash key) with `SQLiteStore.load` in transactions of 10,000, against the
//    sqlite3 shell importing the same rows as CSV and then building the same indexes (a UNIQUE key
//    and the 2 indexes), in alternating runs (measurePair). Then, for comparison, the same rows
//    through `put(contentsOf:)` in write transactions of 10,000 (indexes kept up to date per row),
//    and an audited load of N/10.
// 2. Get min(N, 100,000) records by key, each in a read transaction of its own and then all in
//    one; stream-scan all N records with decoding and decryption; peak RSS (VmHWM, reset through
//    /proc/self/clear_refs) for a scan of N/10 and of N, to show memory stays flat.
// 3. Audit: append entries in transactions of 1,000, then verify the whole log.
//
// The put, get and scan workloads run twice: through the synchronous `read`/`write(purpose:_:)` on
// the calling thread (for tools and bulk loads), and through the async `RecordStore` port that
// services use (lines ending "(async port)", each compared with its synchronous twin). The async
// workloads are awaited from nonisolated functions, as a server's tasks would, not from top-level
// code, whose main actor would add a hop to the main thread around every transaction.
//
// Run: cd Benchmarks && swift run -c release bench-store [N] [put] [get] [scan] [audit]
//      (N defaults to 1,000,000; with no phase named, all four run; `once` times one load, for
//      profiling with `perf record -g`)

import BenchSupport
import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite

struct BenchResident: StorableRecord {
    static let recordKind = "resident"
    static let sensitiveFields: Set<String> = ["id"]
    static let indexes: [RecordIndex<BenchResident>] = [
        RecordIndex("district") { .text($0.district) },
        RecordIndex("birth_year") { .integer(Int64($0.birthYear)) },
    ]
    var id: ResidentID
    var name: String
    var district: String
    var birthYear: Int
    var income: Int
    var recordKey: RecordKey { RecordKey(sensitive: id.unmasked) }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 1_000_000
let named = Set(arguments.filter { Int($0) == nil })
func runs(_ phase: String) -> Bool { named.isEmpty || named.contains(phase) }
let districts = ["321202", "321203", "321204", "321281", "321282", "321283"]
/// The purpose of every read the benchmark makes.
let statistics = Purpose(constant: "statistics")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-store-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
func removeDatabase(_ name: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path(name) + suffix) }
}

func peakKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}

/// User + system CPU seconds of the whole process so far (every thread).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

print("bench-store: \(count) synthetic residents, SQLite \(SQLiteLibrary.version), 2 cores")

// MARK: Data, generated before timing (the shell's CSV is too)
var residents: [BenchResident] = []
residents.reserveCapacity(count)
var csv = "id,name,district,birth_year,income\n"
for n in 0..<count {
    let district = districts[n % districts.count]
    let birth = try CalendarDate(year: 1930 + (n / 977) % 90, month: 1 + n % 12, day: 1 + (n / 12) % 28)
    let id = try ResidentID(addressCode: DivisionCode(district), birthDate: birth, sequence: (n / 3) % 1000)
    let resident = BenchResident(
        id: id,
        name: "居民\(n)",
        district: district,
        birthYear: birth.year,
        income: 1000 + (n * 7919) % 90000
    )
    residents.append(resident)
    csv += "\(id.unmasked),\(resident.name),\(district),\(birth.year),\(resident.income)\n"
}
// Identity numbers repeat in this synthetic set once (district, date, sequence) repeats; keep
// distinct ones so that both sides insert the same number of rows.
var seen = Set<String>()
residents = residents.filter { seen.insert($0.id.unmasked).inserted }
csv = "id,name,district,birth_year,income\n"
for r in residents { csv += "\(r.id.unmasked),\(r.name),\(r.district),\(r.birthYear),\(r.income)\n" }
seen = []
let rows = residents.count
try csv.write(toFile: path("rows.csv"), atomically: true, encoding: .utf8)
csv = ""
print("rows: \(rows) distinct identity numbers")

// MARK: 1. Bulk put vs the sqlite3 shell
func shellImport() throws {
    removeDatabase("shell.sqlite")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [
        path("shell.sqlite"),
        // The shell prints the new journal mode; keep the report clean.
        ".output /dev/null",
        "PRAGMA journal_mode=WAL;",
        ".output stdout",
        "CREATE TABLE residents (id TEXT, name TEXT, district TEXT, birth_year INTEGER, income INTEGER);",
        ".mode csv",
        ".import --skip 1 \(path("rows.csv")) residents",
        "CREATE UNIQUE INDEX residents_id ON residents (id);",
        "CREATE INDEX residents_district ON residents (district);",
        "CREATE INDEX residents_birth ON residents (birth_year);",
    ]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchmarkFailure(description: "sqlite3 failed") }
}

let crypto = OpenSSLCryptoProvider()
let keys = try StaticKeyProvider.random(using: crypto)
let protection = RecordProtection(crypto: crypto, keys: keys)
let batch = 10_000

/// A new store with the benchmark's settings (`BENCH_WAL_PAGES`, `BENCH_CACHE_KIB` override them).
func newStore(_ name: String, audited: Bool = false) throws -> SQLiteStore {
    removeDatabase(name)
    var configuration = SQLiteConfiguration(protection: protection)
    if let pages = ProcessInfo.processInfo.environment["BENCH_WAL_PAGES"].flatMap(Int.init) {
        configuration.walAutocheckpointPages = pages
    }
    if let cache = ProcessInfo.processInfo.environment["BENCH_CACHE_KIB"].flatMap(Int.init) {
        configuration.cacheKibibytes = cache
    }
    if audited { configuration.audit = StoreAuditing(actor: "bench", origin: "bench/audit") }
    return try SQLiteStore(path: path(name), configuration: configuration)
}

/// Loads every resident (or the first `limit`) into a new store in transactions of `batch`.
@MainActor func bulkLoad(_ name: String, audited: Bool = false, limit: Int = rows) throws {
    let summary = try newStore(name, audited: audited).load(
        residents[..<limit],
        purpose: audited ? Purpose(constant: "load") : nil,
        batchSize: batch
    )
    guard summary.stored == limit else { throw BenchmarkFailure(description: "load stored \(summary)") }
}

/// Puts every resident into a new store, one write transaction per `batch` records.
@MainActor func bulkPut(_ name: String) throws {
    let store = try newStore(name)
    var start = 0
    while start < rows {
        let end = min(start + batch, rows)
        try store.write { db in try db.put(contentsOf: residents[start..<end]) }
        start = end
    }
}

/// ``bulkPut(_:)`` through the async port: the same transactions of `batch`, awaited.
func bulkPutAsync(_ name: String, _ residents: [BenchResident]) async throws {
    let store = try newStore(name)
    var start = 0
    while start < rows {
        let end = min(start + batch, rows)
        let records = residents[start..<end]
        try await store.write(purpose: nil) { db in try await db.put(contentsOf: records) }
        start = end
    }
}

/// Gets each of `keys` through the async port, each in a read transaction of its own.
func getEachAsync(_ store: SQLiteStore, _ keys: [RecordKey]) async throws {
    var missing = 0
    for key in keys {
        let found = try await store.read(purpose: statistics) { db in
            try await db.get(BenchResident.self, key: key)
        }
        if found == nil { missing += 1 }
    }
    guard missing == 0 else { throw BenchmarkFailure(description: "\(missing) keys not found") }
}

/// Gets every one of `keys` through the async port in one read transaction.
func getAllAsync(_ store: SQLiteStore, _ keys: [RecordKey]) async throws {
    let missing = try await store.read(purpose: statistics) { db in
        var missing = 0
        for key in keys where try await db.get(BenchResident.self, key: key) == nil { missing += 1 }
        return missing
    }
    guard missing == 0 else { throw BenchmarkFailure(description: "\(missing) keys not found") }
}

/// Streams the first `limit` residents (all with `nil`) through the async port, decoding each, as
/// the synchronous scan of phase 2 does.
func scanAsync(_ store: SQLiteStore, limit: Int?) async throws -> Int {
    let (seen, income) = try await store.read(purpose: statistics) { db in
        var seen = 0
        var income = 0
        var query = RecordQuery<BenchResident>.all
        query.limit = limit
        try await db.forEach(query) { resident in
            seen += 1
            income &+= resident.income
            return true
        }
        return (seen, income)
    }
    guard seen == (limit ?? rows) else { throw BenchmarkFailure(description: "scan saw \(seen) records") }
    return income
}

if runs("put") {
    let (load, shell) = try measurePair(
        "SQLiteStore load (batches of \(batch))",
        against: "sqlite3 shell .import + 3 indexes",
        operations: rows,
        runs: 5,
        subject: { try bulkLoad("store.sqlite") },
        baseline: shellImport
    )
    report(load, against: shell, goal: 0.5)
    fflush(nil)  // progress shows when the output goes to a file
    print("  store samples (s): \(load.samples.map { String(format: "%.2f", $0) })")
    print("  shell samples (s): \(shell.samples.map { String(format: "%.2f", $0) })")

    let put = try measure("SQLiteStore put(contentsOf:) (batches of \(batch))", operations: rows, runs: 1, warmup: 0) {
        try bulkPut("put.sqlite")
    }
    report(put, against: shell)
    fflush(nil)  // progress shows when the output goes to a file
    removeDatabase("put.sqlite")

    let putAsync = try await measureAsync(
        "SQLiteStore put(contentsOf:) (batches of \(batch)) (async port)",
        operations: rows,
        runs: 1,
        warmup: 0
    ) { try await bulkPutAsync("put-async.sqlite", residents) }
    report(putAsync, against: put)
    fflush(nil)  // progress shows when the output goes to a file
    removeDatabase("put-async.sqlite")

    let auditedCount = max(1, rows / 10)
    let audited = try measure(
        "SQLiteStore load audited (\(auditedCount), batches of \(batch))",
        operations: auditedCount,
        runs: 3,
        warmup: 0
    ) { try bulkLoad("audited.sqlite", audited: true, limit: auditedCount) }
    report(audited)
    fflush(nil)  // progress shows when the output goes to a file
    removeDatabase("audited.sqlite")
} else if runs("scan") || runs("get") || named.contains("once") {
    // `once` alone: one timed load, for profiling (`perf record -g … bench-store N once`).
    let cpuBefore = cpuSeconds()
    let once = try measure("SQLiteStore load once", operations: rows, runs: 1, warmup: 0) {
        try bulkLoad("store.sqlite")
    }
    report(once)
    print(String(format: "  CPU, all threads: %.2f µs per record", (cpuSeconds() - cpuBefore) * 1e6 / Double(rows)))
    fflush(nil)
}
// Keys for the point reads of phase 2: spread over the whole set, in a scattered order.
let getKeys = runs("get") ? (0..<min(rows, 100_000)).map { residents[($0 &* 7919) % rows].recordKey } : []
residents = []

// MARK: 2. Point reads by key
if runs("get") {
    let store = try SQLiteStore(path: path("store.sqlite"), configuration: SQLiteConfiguration(protection: protection))
    // The synchronous and async gets alternate (measurePairAsync), so that other load falls on both.
    let (eachAsync, each) = try await measurePairAsync(
        "get by key, a read transaction each (async port)",
        against: "get by key, a read transaction each",
        operations: getKeys.count,
        runs: 5
    ) {
        try await getEachAsync(store, getKeys)
    } baseline: {
        var missing = 0
        for key in getKeys {
            // `Database`: the synchronous read, which an async closure could otherwise resolve past.
            let found = try store.read(purpose: statistics) { (db: Database) in
                try db.get(BenchResident.self, key: key)
            }
            if found == nil { missing += 1 }
        }
        guard missing == 0 else { throw BenchmarkFailure(description: "\(missing) keys not found") }
    }
    report(each)
    report(eachAsync, against: each)
    fflush(nil)  // progress shows when the output goes to a file

    let (allAsync, all) = try await measurePairAsync(
        "get by key, all in one read transaction (async port)",
        against: "get by key, all in one read transaction",
        operations: getKeys.count,
        runs: 5
    ) {
        try await getAllAsync(store, getKeys)
    } baseline: {
        var missing = 0
        try store.read(purpose: statistics) { (db: Database) in
            for key in getKeys where try db.get(BenchResident.self, key: key) == nil { missing += 1 }
        }
        guard missing == 0 else { throw BenchmarkFailure(description: "\(missing) keys not found") }
    }
    report(all)
    report(allAsync, against: all)
    fflush(nil)  // progress shows when the output goes to a file
}

// MARK: 2. Streaming scan with decoding
if runs("scan") {
    let store = try SQLiteStore(path: path("store.sqlite"), configuration: SQLiteConfiguration(protection: protection))
    func scan(limit: Int?) throws -> Int {
        var seen = 0
        var income = 0
        try store.read(purpose: statistics) { db in
            var query = RecordQuery<BenchResident>.all
            query.limit = limit
            try db.forEach(query) { resident in
                seen += 1
                income &+= resident.income
                return true
            }
        }
        guard seen == (limit ?? rows) else { throw BenchmarkFailure(description: "scan saw \(seen) records") }
        return income
    }
    _ = try scan(limit: rows / 10)
    resetPeak()
    let baseline = peakKilobytes()
    _ = try scan(limit: rows / 10)
    let peakTenth = peakKilobytes()
    resetPeak()
    let cpuBefore = cpuSeconds()
    let scanned = try measure("streaming scan, decode + decrypt", operations: rows, runs: 3, warmup: 0) {
        _ = try scan(limit: nil)
    }
    let cpuPerRecord = (cpuSeconds() - cpuBefore) * 1e6 / Double(3 * rows)
    let peakAll = peakKilobytes()
    report(scanned)
    print(String(format: "  CPU, all threads: %.2f µs per record", cpuPerRecord))
    fflush(nil)  // progress shows when the output goes to a file
    print(
        String(
            format:
                "scan: %.0f records/s (goal ≥ 500000: %@); peak RSS before %d KiB, scanning %d: %d KiB, scanning %d: %d KiB",
            scanned.rate,
            scanned.rate >= 500_000 ? "met" : "NOT met",
            baseline,
            rows / 10,
            peakTenth,
            rows,
            peakAll
        )
    )

    resetPeak()
    let cpuBeforeAsync = cpuSeconds()
    let scannedAsync = try await measureAsync(
        "streaming scan, decode + decrypt (async port)",
        operations: rows,
        runs: 3,
        warmup: 0
    ) { _ = try await scanAsync(store, limit: nil) }
    let cpuPerRecordAsync = (cpuSeconds() - cpuBeforeAsync) * 1e6 / Double(3 * rows)
    let peakAllAsync = peakKilobytes()
    report(scannedAsync, against: scanned)
    print(
        String(
            format: "  CPU, all threads: %.2f µs per record; peak RSS scanning %d: %d KiB",
            cpuPerRecordAsync,
            rows,
            peakAllAsync
        )
    )
    fflush(nil)  // progress shows when the output goes to a file
}

// MARK: 3. Audit log
if runs("audit") {
    let auditCount = 500_000
    let auditBatch = 1000
    let auditStore = try SQLiteStore(
        path: path("audit.sqlite"),
        configuration: SQLiteConfiguration(protection: protection)
    )
    let log = auditStore.auditLog
    let entries = (0..<auditBatch).map { n in
        AuditEntry(
            time: Date(timeIntervalSince1970: 1_750_000_000 + Double(n)),
            actor: "12321200MB0000000X/assistance",
            action: "read",
            subject: Array(repeating: UInt8(n % 251), count: 32),
            purpose: "最低生活保障审核",
            outcome: .success,
            envelopeDigest: Array(repeating: 0xAB, count: 32)
        )
    }
    let append = try await measureAsync(
        "audit append (batches of \(auditBatch))",
        operations: auditCount,
        runs: 1,
        warmup: 0
    ) {
        for _ in 0..<(auditCount / auditBatch) { try await log.append(entries) }
    }
    report(append)
    fflush(nil)  // progress shows when the output goes to a file
    print(
        String(
            format: "audit append: %.0f entries/s (goal ≥ 50000: %@)",
            append.rate,
            append.rate >= 50_000 ? "met" : "NOT met"
        )
    )
    let verify = try await measureAsync("audit verify", operations: auditCount, runs: 3, warmup: 1) {
        let result = try await log.verify()
        guard result.isValid, result.size == auditCount else { throw BenchmarkFailure(description: "verify failed") }
    }
    report(verify)
    fflush(nil)  // progress shows when the output goes to a file
    print(
        String(
            format: "audit verify: %.0f entries/s (goal ≥ 500000: %@)",
            verify.rate,
            verify.rate >= 500_000 ? "met" : "NOT met"
        )
    )
}

// MARK: 4. The whole city's audit logs
// Every store's log in a demo's state folder, one after the other as the demo's audit step walks
// them: the logs the services wrote (some with a tree head after every entry), not the synthetic
// one above. Make the folder first with `taizhou demo --residents 500000 --state DIR`, then run
// `BENCH_CITY_STATE=DIR bench-store 1000 city-audit`.
if named.contains("city-audit") {
    guard let folder = ProcessInfo.processInfo.environment["BENCH_CITY_STATE"] else {
        throw BenchmarkFailure(
            description: "city-audit needs BENCH_CITY_STATE=DIR, a state folder made by `taizhou demo --state DIR`"
        )
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        .filter { $0.hasSuffix(".sqlite") && !$0.hasSuffix(".replay.sqlite") }
        .sorted()
    guard !files.isEmpty else { throw BenchmarkFailure(description: "no store files in \(folder)") }
    let logs = try files.map { try SQLiteAuditLog(path: "\(folder)/\($0)", crypto: crypto, createIfMissing: false) }
    var sizes: [Int] = []
    for log in logs { sizes.append(try await log.size()) }
    let total = sizes.reduce(0, +)
    print("city-audit: \(logs.count) logs, \(total) entries, the largest \(sizes.max() ?? 0)")
    @Sendable func walkAll() async throws {
        for log in logs {
            let result = try await log.verify()
            guard result.isValid else { throw BenchmarkFailure(description: "a log does not verify") }
        }
    }
    // The first walk is the demo's case: each store's readers open and fill their caches.
    let first = try await measureAsync("city audit verify, first walk", operations: total, runs: 1, warmup: 0) {
        try await walkAll()
    }
    report(first)
    let walk = try await measureAsync("city audit verify (\(logs.count) logs)", operations: total, runs: 5, warmup: 0) {
        try await walkAll()
    }
    report(walk)
    print(
        String(
            format: "city audit verify: %.0f entries/s (goal ≥ 1000000: %@)",
            walk.rate,
            walk.rate >= 1_000_000 ? "met" : "NOT met"
        )
    )
}
