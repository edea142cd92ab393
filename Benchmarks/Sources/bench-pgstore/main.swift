// bench-pgstore: the PostgreSQL record store against PostgreSQL's own tools and against the SQLite
// store, in the same run (issue 17).
//
// 1. Bulk load of N synthetic residents (2 indexed fields; the identity number sealed with
//    AES-256-GCM and stored under a keyed-hash key) with `PostgresRecordStore.bulkLoad`, into a new
//    schema each run, against `psql \copy` of the same rows as CSV into a table with a row number,
//    followed by the same index builds as the store's (the identity number unique, the row number
//    as primary key, the 2 indexes with the row number appended), in alternating runs. Goal ≥ 0.5×.
//    Also reported: against the first baseline, 3 plain index builds without a row number.
// 2. Streaming scan of all N records with decoding and decryption through the async port: the
//    PostgreSQL store against the SQLite store holding the same rows, alternating. Goal ≥ 0.5×.
//
// The server is SOCIETY_POSTGRES_URL, or a throwaway PostgreSQL cluster on loopback started for
// the run (the testing kit's, as the tests use), on the same machine as the benchmark.
//
// Run: cd Benchmarks && swift run -c release bench-pgstore [N, default 1000000] [RUNS, default 3]

import BenchSupport
import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietyPostgres
import SocietySQLite
import SocietyTesting

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

let arguments = Array(CommandLine.arguments.dropFirst())
let count = arguments.first.flatMap { Int($0) } ?? 1_000_000
let runCount = arguments.dropFirst().first.flatMap { Int($0) } ?? 3
let districts = ["321202", "321203", "321204", "321281", "321282", "321283"]
let statistics = Purpose(constant: "statistics")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-pgstore-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

// MARK: Data, generated before timing (psql's CSV is too)
var seen = Set<String>()
var residents: [BenchResident] = []
residents.reserveCapacity(count)
var csv = ""
for n in 0..<count {
    let district = districts[n % districts.count]
    let birth = try CalendarDate(year: 1930 + (n / 977) % 90, month: 1 + n % 12, day: 1 + (n / 12) % 28)
    let id = try ResidentID(addressCode: DivisionCode(district), birthDate: birth, sequence: (n / 3) % 1000)
    guard seen.insert(id.unmasked).inserted else { continue }
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
seen = []
let rows = residents.count
let csvPath = directory.appendingPathComponent("rows.csv").path
try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
csv = ""
let records = residents

let url = try PostgresTestCluster.url()
let location = try PostgresLocation(url: url)
let psql: String = {
    let root = "/usr/lib/postgresql"
    let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init)
        .sorted(by: >)
    for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/psql") {
        return "\(root)/\(version)/bin/psql"
    }
    return "/usr/bin/psql"
}()
print("bench-pgstore: \(rows) synthetic residents, server \(location), 2 cores, \(runCount) runs each")

let crypto = OpenSSLCryptoProvider()
let keys = try StaticKeyProvider.random(using: crypto)
let protection = RecordProtection(crypto: crypto, keys: keys)

/// `psql` running `commands` against the server, failing loudly.
func runPSQL(_ commands: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: psql)
    process.arguments = ["-q", "-v", "ON_ERROR_STOP=1", url] + commands.flatMap { ["-c", $0] }
    process.standardOutput = FileHandle.nullDevice
    // DROP … CASCADE's notices are not part of the report.
    process.environment = ProcessInfo.processInfo.environment.merging(["PGOPTIONS": "-c client_min_messages=warning"]) {
        $1
    }
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchmarkFailure(description: "psql failed: \(commands)") }
}

/// A new schema for one run, dropped first if an earlier run left it.
func freshDatabase(_ schema: String) async throws -> PostgresDatabase {
    let database = try PostgresDatabase(location: location, schema: schema, timeout: .seconds(600))
    try await database.dropSchema()
    return database
}

// MARK: 1. Bulk load vs psql \copy + index builds
func storeLoad() async throws {
    let database = try await freshDatabase("bench_load")
    let store = try await PostgresRecordStore(
        database: database,
        configuration: PostgresStoreConfiguration(protection: protection)
    )
    let loaded = try await store.bulkLoad({ records }, purpose: nil)
    guard loaded == rows else { throw BenchmarkFailure(description: "loaded \(loaded) of \(rows)") }
    await database.shutdown()
}

/// The baseline: the same rows as CSV through `psql \\copy`, then the same index builds as the store's
/// table has — the identity number unique, a row number as primary key, and each of the two
/// indexes with the row number after the value. The row number is what gives an ordered query
/// a stable order among equal values: SQLite appends its rowid to every index by itself,
/// PostgreSQL needs it named, so the store's indexes carry it and a faithful baseline does too.
/// Both sides sort with the same `maintenance_work_mem`.
func copyLoad() throws {
    try runPSQL([
        "DROP SCHEMA IF EXISTS bench_copy CASCADE",
        "CREATE SCHEMA bench_copy",
        "CREATE TABLE bench_copy.residents (row BIGINT GENERATED ALWAYS AS IDENTITY, id TEXT, name TEXT, district TEXT, birth_year INTEGER, income INTEGER)",
        "\\copy bench_copy.residents (id, name, district, birth_year, income) FROM '\(csvPath)' WITH (FORMAT csv)",
        "SET maintenance_work_mem = '256MB'",
        "CREATE UNIQUE INDEX residents_id ON bench_copy.residents (id)",
        "ALTER TABLE bench_copy.residents ADD PRIMARY KEY (row)",
        "CREATE INDEX residents_district ON bench_copy.residents (district, row)",
        "CREATE INDEX residents_birth ON bench_copy.residents (birth_year, row)",
    ])
}

/// The baseline as first measured: no row number, three plain index builds. Reported beside the
/// goal's comparison, so the figures before and after the baseline's change can be compared.
func plainCopyLoad() throws {
    try runPSQL([
        "DROP SCHEMA IF EXISTS bench_copy CASCADE",
        "CREATE SCHEMA bench_copy",
        "CREATE TABLE bench_copy.residents (id TEXT, name TEXT, district TEXT, birth_year INTEGER, income INTEGER)",
        "\\copy bench_copy.residents FROM '\(csvPath)' WITH (FORMAT csv)",
        "SET maintenance_work_mem = '256MB'",
        "CREATE UNIQUE INDEX residents_id ON bench_copy.residents (id)",
        "CREATE INDEX residents_district ON bench_copy.residents (district)",
        "CREATE INDEX residents_birth ON bench_copy.residents (birth_year)",
    ])
}

/// The three timed in turn — store, baseline, plain baseline — after one untimed round, so that
/// load from other processes falls on all alike.
try await storeLoad()
try copyLoad()
try plainCopyLoad()
var loadSamples: [Double] = []
var copySamples: [Double] = []
var plainSamples: [Double] = []
func timed(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
for _ in 0..<runCount {
    loadSamples.append(try await timed { try await storeLoad() })
    copySamples.append(try await timed { try copyLoad() })
    plainSamples.append(try await timed { try plainCopyLoad() })
}
let load = Measurement(name: "PostgresRecordStore.bulkLoad", samples: loadSamples, operationsPerRun: rows)
report(
    load,
    against: Measurement(name: "psql \\copy + the same 4 index builds", samples: copySamples, operationsPerRun: rows),
    goal: 0.5
)
report(
    load,
    against: Measurement(name: "psql \\copy + 3 plain index builds", samples: plainSamples, operationsPerRun: rows)
)
print("samples (s): store \(loadSamples), same indexes \(copySamples), plain \(plainSamples)")

// MARK: 2. Streaming scan vs the SQLite store
let database = try await freshDatabase("bench_scan")
let postgres = try await PostgresRecordStore(
    database: database,
    configuration: PostgresStoreConfiguration(protection: protection)
)
_ = try await postgres.bulkLoad({ records }, purpose: nil)
let sqlitePath = directory.appendingPathComponent("scan.sqlite").path
let sqlite = try SQLiteStore(path: sqlitePath, configuration: SQLiteConfiguration(protection: protection))
_ = try await sqlite.bulkLoad({ records }, purpose: nil)

func scan(_ store: any RecordStore, limit: Int? = nil) async throws {
    let query = limit.map { RecordQuery<BenchResident>.all.limited(to: $0) } ?? .all
    let seen = try await store.read(purpose: statistics) { db in
        var seen = 0
        var income = 0
        try await db.forEach(query) { resident in
            seen += 1
            income &+= resident.income
            return true
        }
        return seen
    }
    guard seen == (limit ?? rows) else { throw BenchmarkFailure(description: "scan saw \(seen) of \(rows)") }
}

/// Peak resident memory (VmHWM) in KiB, and its reset (through /proc/self/clear_refs).
func peakKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}
func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

let (pgScan, sqliteScan) = try await measurePairAsync(
    "PostgreSQL store scan, decode + decrypt",
    against: "SQLite store scan",
    operations: rows,
    runs: runCount,
    subject: { try await scan(postgres) },
    baseline: { try await scan(sqlite) }
)
report(pgScan, against: sqliteScan, goal: 0.5)
// Flat memory: the peak while scanning a tenth of the rows and while scanning all of them.
resetPeak()
let before = peakKilobytes()
try await scan(postgres, limit: rows / 10)
let peakTenth = peakKilobytes()
resetPeak()
try await scan(postgres)
let peakAll = peakKilobytes()
print(
    "PostgreSQL scan peak RSS: before \(before) KiB, scanning \(rows / 10): \(peakTenth) KiB, scanning \(rows): \(peakAll) KiB"
)
try await database.dropSchema()
await database.shutdown()
try runPSQL(["DROP SCHEMA IF EXISTS bench_copy CASCADE", "DROP SCHEMA IF EXISTS bench_load CASCADE"])
