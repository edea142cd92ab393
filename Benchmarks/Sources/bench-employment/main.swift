// bench-employment: the unemployment early warning over a whole synthetic Taizhou, against the same
// counts written as hand-made SQL in the sqlite3 shell over the same data, in the same run.
//
// The city (default 4,500,000 residents) is generated once; every worker's contribution history and
// every registration go into an encrypted SQLite store as the SDK keeps them, and into two plain
// tables the shell imports from CSV (with an index on the month, as a person writing the query
// would add). The SDK side runs `EmploymentService.earlyWarning(month:)` — the registrations
// decoded and dated, the employed counted on the store's indexes — and rates every cell; the shell
// runs the GROUP BY queries that give the same counts. Both must agree.
//
// Run: cd Benchmarks && swift run -c release bench-employment [RESIDENTS] [RUNS]

import BenchSupport
import Foundation
import Logging
import SocietyCore
import SocietyEmployment
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietySynthetic

let arguments = CommandLine.arguments.dropFirst()
let residents = arguments.first.flatMap(Int.init) ?? 4_500_000
let runs = arguments.dropFirst().first.flatMap(Int.init) ?? 5
let today = try CalendarDate(iso8601: "2026-12-07")
let month = "2026-11"
let lastDay = "2026-11-30"
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-employment-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let crypto = OpenSSLCryptoProvider()
let keys = try StaticKeyProvider.random(using: crypto)
let store = try SQLiteStore(
    path: directory.appendingPathComponent("employment.sqlite").path,
    configuration: SQLiteConfiguration(protection: RecordProtection(crypto: crypto, keys: keys))
)
let ports = ServicePorts(
    store: store,
    crypto: crypto,
    keys: keys,
    clock: FixedWallClock(today.startInstant.addingTimeInterval(36_000)),
    logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
)
let service = EmploymentService(ports: ports, oneCard: try OneCardService(ports: ports))

print("bench-employment: \(residents) residents, \(runs) runs")
let generationStart = Date()
var histories: [ContributionHistory] = []
var registrations: [UnemploymentRegistration] = []
var contributionsCSV = ""
var registrationsCSV = ""
var historyCount = 0
var registrationCount = 0
let contributionsPath = directory.appendingPathComponent("contributions.csv")
let registrationsPath = directory.appendingPathComponent("registrations.csv")
_ = FileManager.default.createFile(atPath: contributionsPath.path, contents: nil)
_ = FileManager.default.createFile(atPath: registrationsPath.path, contents: nil)
let contributionsFile = try FileHandle(forWritingTo: contributionsPath)
let registrationsFile = try FileHandle(forWritingTo: registrationsPath)

@MainActor func flush() async throws {
    try await service.record(histories)
    let batch = registrations
    try await store.write(purpose: EmploymentService.Purposes.registrations) { db in
        try await db.put(contentsOf: batch)
    }
    historyCount += histories.count
    registrationCount += registrations.count
    histories.removeAll(keepingCapacity: true)
    registrations.removeAll(keepingCapacity: true)
    contributionsFile.write(Data(contributionsCSV.utf8))
    registrationsFile.write(Data(registrationsCSV.utf8))
    contributionsCSV = ""
    registrationsCSV = ""
}

for household in try SyntheticCity(residents: residents, today: today).households() {
    for person in household.members {
        guard let work = person.workHistory(today: today) else { continue }
        let history = try ContributionHistory(
            resident: person.resident.id,
            months: work.contributionMonths,
            lastMonth: work.lastMonth,
            industry: work.industry,
            district: household.division,
            on: today
        )
        histories.append(history)
        contributionsCSV +=
            "\(history.lastMonth),\(history.district.code),\(history.industry),\(history.ageBand.rawValue),"
            + "\(history.sex.rawValue)\n"
        if let registration = work.registration, let loss = JobLossReason(rawValue: registration.jobLoss) {
            let record = try UnemploymentRegistration(
                id: String(format: "reg-%08d", registrationCount + registrations.count + 1),
                resident: person.resident.id,
                district: household.division,
                registeredOn: registration.registeredOn,
                lostJobOn: registration.lostJobOn,
                jobLoss: loss,
                industry: work.industry,
                seekingWork: registration.seekingWork,
                disabled: person.disability != nil
            )
            registrations.append(record)
            registrationsCSV +=
                "\(record.district.code),\(record.industry),\(record.ageBand.rawValue),\(record.sex.rawValue),"
                + "\(record.dibao ? 1 : 0),\(record.disabled ? 1 : 0),\(record.registeredOn.iso8601),\n"
        }
    }
    if histories.count >= 50_000 { try await flush() }
}
try await flush()
try contributionsFile.close()
try registrationsFile.close()
print(
    String(
        format: "generated %d contribution histories and %d registrations into the store and CSV in %.0f s",
        historyCount,
        registrationCount,
        Date().timeIntervalSince(generationStart)
    )
)

// The shell's copy: plain columns, an index on the month.
let shellDB = directory.appendingPathComponent("shell.sqlite").path
_ = try runSQLiteShell(
    shellDB,
    """
    CREATE TABLE contributions(last_month TEXT, district TEXT, industry TEXT, age_band TEXT, sex TEXT);
    CREATE TABLE registrations(district TEXT, industry TEXT, age_band TEXT, sex TEXT, dibao INTEGER,
      disabled INTEGER, registered_on TEXT, ended_on TEXT);
    .mode csv
    .import \(contributionsPath.path) contributions
    .import \(registrationsPath.path) registrations
    CREATE INDEX contributions_month ON contributions(last_month);
    """
)

// The same counts by hand: the employed of the month and the registered on its last day, by each
// dimension the warning cuts by.
var query = ".mode list\n.separator ,\n"
for column in ["district", "industry", "age_band", "sex"] {
    query +=
        "SELECT 'e', '\(column)', \(column), count(*) FROM contributions WHERE last_month = '\(month)' GROUP BY \(column);\n"
}
let active = "registered_on <= '\(lastDay)' AND (ended_on = '' OR ended_on > '\(lastDay)')"
for column in ["district", "industry", "age_band", "sex"] {
    query += "SELECT 'u', '\(column)', \(column), count(*) FROM registrations WHERE \(active) GROUP BY \(column);\n"
}
query += "SELECT 'u', 'dibao', 'yes', count(*) FROM registrations WHERE \(active) AND dibao = '1';\n"
query += "SELECT 'u', 'disability', 'yes', count(*) FROM registrations WHERE \(active) AND disabled = '1';\n"

var sdkSamples: [Double] = []
var shellSamples: [Double] = []
var warning: UnemploymentWarning?
var shellOutput = ""
for run in 0...runs {
    // Alternating, after one unmeasured round of each: load from other processes falls on both.
    let sdkStart = DispatchTime.now().uptimeNanoseconds
    warning = try await service.earlyWarning(month: month)
    let sdkEnd = DispatchTime.now().uptimeNanoseconds
    shellOutput = try runSQLiteShell(shellDB, query)
    let shellEnd = DispatchTime.now().uptimeNanoseconds
    if run > 0 {
        sdkSamples.append(Double(sdkEnd - sdkStart) / 1e9)
        shellSamples.append(Double(shellEnd - sdkEnd) / 1e9)
    }
}
let sdk = Measurement(name: "SDK early warning", samples: sdkSamples, operationsPerRun: historyCount)
let shell = Measurement(name: "sqlite3 shell, GROUP BY queries", samples: shellSamples, operationsPerRun: historyCount)

// The two must agree cell by cell.
let dimension = [
    "district": "district", "industry": "industry", "age_band": "age", "sex": "sex", "dibao": "dibao",
    "disability": "disability",
]
var disagreements = 0
var compared = 0
for line in shellOutput.split(separator: "\n") {
    let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard fields.count == 4, let count = Int(fields[3]), let name = dimension[fields[1]] else { continue }
    let cell = warning?.cells.first { $0.dimension == name && $0.group == fields[2] }
    let mine = fields[0] == "e" ? cell?.employed ?? 0 : cell?.unemployed ?? 0
    compared += 1
    if mine != count {
        disagreements += 1
        print("  differs: \(fields[0]) \(name) \(fields[2]): SDK \(mine), shell \(count)")
    }
}
print(
    String(
        format: "SDK: median %.2f s; shell: median %.2f s → SDK takes %.2f× the shell's time (goal ≤ 2×: %@)",
        sdk.median,
        shell.median,
        sdk.median / shell.median,
        sdk.median / shell.median <= 2 ? "met" : "NOT met"
    )
)
print("cells compared: \(compared), disagreeing: \(disagreements)")
if let city = warning?.city { print("city: \(city.explanation)") }
