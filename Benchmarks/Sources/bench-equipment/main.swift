// bench-equipment: the special-equipment early warning (overdue periodic inspections) over a city's
// registered devices, against the same scan written by hand as SQL in the sqlite3 shell over an
// equivalent plain table, in the same run.
//
// The devices (default 1,000,000) go into SQLite twice over: as the SDK keeps them — one
// `SpecialEquipment` record each in an encrypted store, indexed by the next inspection's day — and
// as a plain table the shell imports from CSV, with an index on the due day, as a person writing the
// query would add. The SDK runs `MarketSupervisionService.equipmentWarnings(on:overdueOnly: true)`
// (one range query on the index; each overdue record decoded into a warning) and
// `overdueEquipmentCount(on:)`; the shell runs `SELECT … WHERE next_inspection < ? ORDER BY
// next_inspection` and `SELECT count(*) …`. Both must find the same number of devices.
//
// Run: cd Benchmarks && swift run -c release bench-equipment [DEVICES] [RUNS]

import BenchSupport
import Foundation
import Logging
import SocietyCore
import SocietyDraw
import SocietyMarketSupervision
import SocietyOpenSSL
import SocietySQLite
import SocietyServices

let arguments = CommandLine.arguments.dropFirst()
let devices = arguments.first.flatMap(Int.init) ?? 1_000_000
let runs = arguments.dropFirst().first.flatMap(Int.init) ?? 7
let today = try CalendarDate(iso8601: "2026-09-21")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-equipment-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let crypto = OpenSSLCryptoProvider()
let keys = try StaticKeyProvider.random(using: crypto)
let store = try SQLiteStore(
    path: directory.appendingPathComponent("market.sqlite").path,
    configuration: SQLiteConfiguration(protection: RecordProtection(crypto: crypto, keys: keys))
)
let ports = ServicePorts(
    store: store,
    crypto: crypto,
    keys: keys,
    clock: FixedWallClock(today.startInstant.addingTimeInterval(36_000)),
    logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
)
let service = MarketSupervisionService(
    ports: ports,
    draws: DrawService(ports: ports, signer: try crypto.generateSigningKey(.ed25519), kid: "bench"),
    calendar: try PublishedCalendar.official()
)

/// Seconds with two decimals, without `String(format:)`.
func seconds(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

print("bench-equipment: \(devices) devices, \(runs) runs")
let generationStart = Date()
let categories = SpecialEquipmentCategory.allCases
let users = try (0..<1_000).map { n in
    try CreditCode(
        authority: .marketRegulation,
        type: "1",
        division: DivisionCode("321202"),
        organizationBody: "MA" + String(100_000 + n)
    )
}
let csvPath = directory.appendingPathComponent("equipment.csv")
_ = FileManager.default.createFile(atPath: csvPath.path, contents: nil)
let csvFile = try FileHandle(forWritingTo: csvPath)
var batch: [SpecialEquipment] = []
var csv = ""
// Due days spread evenly from 30 days ago to three years ahead: about 2.7 % overdue.
for n in 0..<devices {
    let category = categories[n % categories.count]
    let due = today.adding(days: -30 + (n &* 7_919) % 1_095)
    let last = due.adding(months: -12)
    let device = SpecialEquipment(
        id: "SE" + String(10_000_000 + n),
        category: category,
        user: users[n % users.count],
        location: "泰州市海陵区设备 \(n)",
        inUseSince: last,
        registered: last,
        registeredLate: false,
        lastInspection: last,
        lastPassed: true,
        nextInspection: due
    )
    batch.append(device)
    csv += "\(device.id),\(category.rawValue),\(device.user.value),\(device.location),\(due.daysSinceEpoch)\n"
    if batch.count == 50_000 {
        let records = batch
        try await store.write(purpose: MarketSupervisionService.Purposes.equipment) { db in
            try await db.put(contentsOf: records)
        }
        batch.removeAll(keepingCapacity: true)
        csvFile.write(Data(csv.utf8))
        csv = ""
    }
}
let rest = batch
try await store.write(purpose: MarketSupervisionService.Purposes.equipment) { db in try await db.put(contentsOf: rest) }
csvFile.write(Data(csv.utf8))
try csvFile.close()
print(
    "generated \(devices) devices into the store and a CSV in \(seconds(Date().timeIntervalSince(generationStart))) s"
)

// The shell's copy: plain columns, an index on the due day.
let shellDB = directory.appendingPathComponent("shell.sqlite").path
_ = try runSQLiteShell(
    shellDB,
    """
    CREATE TABLE equipment(id TEXT PRIMARY KEY, category TEXT, user TEXT, location TEXT, next_inspection INTEGER);
    .mode csv
    .import \(csvPath.path) equipment
    CREATE INDEX equipment_next ON equipment(next_inspection);
    """
)
let day = today.daysSinceEpoch
let rowsQuery = """
    .mode list
    SELECT id, category, user, next_inspection FROM equipment WHERE next_inspection < \(day) ORDER BY next_inspection;
    """
let countQuery = "SELECT count(*) FROM equipment WHERE next_inspection < \(day);\n"

var sdkRows = 0
var shellRows = 0
let (sdk, shell) = try await measurePairAsync(
    "SDK equipmentWarnings (index range, records decoded)",
    against: "sqlite3 shell, SELECT … WHERE next_inspection < today",
    operations: 1,
    runs: runs
) {
    sdkRows = try await service.equipmentWarnings(on: today, overdueOnly: true).count
} baseline: {
    shellRows = try runSQLiteShell(shellDB, rowsQuery).split(separator: "\n").count
}
var sdkCount = 0
var shellCount = 0
let (sdkCounting, shellCounting) = try await measurePairAsync(
    "SDK overdueEquipmentCount",
    against: "sqlite3 shell, SELECT count(*)",
    operations: 1,
    runs: runs
) {
    sdkCount = try await service.overdueEquipmentCount(on: today)
} baseline: {
    shellCount = Int(try runSQLiteShell(shellDB, countQuery).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}
let ratio = sdk.median / shell.median
print(
    "overdue scan: SDK median \(seconds(sdk.median * 1000)) ms, shell median \(seconds(shell.median * 1000)) ms → "
        + "SDK takes \(seconds(ratio))× the shell's time (goal ≤ 2×: \(ratio <= 2 ? "met" : "NOT met"))"
)
let countRatio = sdkCounting.median / shellCounting.median
print(
    "overdue count: SDK median \(seconds(sdkCounting.median * 1000)) ms, shell median "
        + "\(seconds(shellCounting.median * 1000)) ms → \(seconds(countRatio))×"
)
print("overdue devices: SDK \(sdkRows) (count \(sdkCount)), shell \(shellRows) (count \(shellCount))")
if sdkRows != shellRows || sdkCount != shellCount || sdkRows != sdkCount {
    print("DISAGREE")
    exit(1)
}
