// bench-discovery: proactive discovery over a whole synthetic Taizhou, against the same rule written
// as one SQL query in the sqlite3 shell over the same data, in the same run.
//
// The city (default 4,500,000 residents, ≈ 1.6 M households) is generated once into SQLite twice
// over: as the SDK stores it (one record per household: the head's identity and the members'
// pseudonymous facts, encrypted at rest) and as a plain `members` table imported by the shell from
// CSV. The SDK side streams every household record, decrypts it and runs
// `ProactiveDiscovery.signals`; the shell runs one GROUP BY query with the same four signals. Both
// must find the same households.
//
// Run: cd Benchmarks && swift run -c release bench-discovery [RESIDENTS]

import BenchSupport
import Foundation
import SocietyAssistance
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import SocietySynthetic

/// A household as the big-data bureau pools it for discovery: the head's identity (to re-identify
/// a household that fires a signal) and each member's pseudonymous facts, both encrypted at rest.
struct PooledHouseholdRecord: StorableRecord {
    var id: String
    var division: String
    var head: ResidentID
    var facts: [ProactiveDiscovery.MemberFacts]

    static let recordKind = "pooled_household"
    static let sensitiveFields: Set<String> = ["head", "facts"]
    var recordKey: RecordKey { RecordKey(id) }
}

let residents = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 4_500_000
let today = CalendarDate(daysSinceEpoch: 20_786)
let policy = AssistancePolicy.defaultPolicy
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-discovery-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let crypto = OpenSSLCryptoProvider()
let store = try SQLiteStore(
    path: directory.appendingPathComponent("pooled.sqlite").path,
    configuration: SQLiteConfiguration(
        protection: RecordProtection(crypto: crypto, keys: try StaticKeyProvider.random(using: crypto))
    )
)

print("bench-discovery: \(residents) residents")
let generationStart = Date()
var csv = "household,division,age,alive,income,employment,disabled,medical\n"
var households = 0
var batch: [PooledHouseholdRecord] = []
let csvPath = directory.appendingPathComponent("members.csv")
_ = FileManager.default.createFile(atPath: csvPath.path, contents: nil)
let csvFile = try FileHandle(forWritingTo: csvPath)
for household in try SyntheticCity(seed: 42, residents: residents, today: today).households() {
    households += 1
    guard let head = household.members.first?.resident.id else { continue }
    var record = PooledHouseholdRecord(
        id: household.id.rawValue,
        division: household.division.code,
        head: head,
        facts: []
    )
    for person in household.members {
        let facts = ProactiveDiscovery.MemberFacts(
            age: person.resident.age(on: today),
            alive: person.resident.isAlive,
            monthlyIncome: person.monthlyIncome,
            employed: person.employment == .employed,
            disabled: person.disability != nil,
            medicalSpending: person.medicalSpending
        )
        record.facts.append(facts)
        csv +=
            "\(household.id.rawValue),\(household.division.code),\(facts.age),\(facts.alive ? 1 : 0),"
            + "\(facts.monthlyIncome.fen),\(person.employment.rawValue),\(facts.disabled ? 1 : 0),"
            + "\(facts.medicalSpending.fen)\n"
    }
    batch.append(record)
    if batch.count == 5_000 {
        try store.write { db in try db.put(contentsOf: batch) }
        batch.removeAll(keepingCapacity: true)
        csvFile.write(Data(csv.utf8))
        csv = ""
    }
}
try store.write { db in try db.put(contentsOf: batch) }
csvFile.write(Data(csv.utf8))
try csvFile.close()
print(
    String(
        format: "generated %d households into the store and a CSV in %.0f s",
        households,
        Date().timeIntervalSince(generationStart)
    )
)

// The shell's copy: plain columns, an index on household.
let shellDB = directory.appendingPathComponent("shell.sqlite").path
let importScript = ".mode csv\n.import \(csvPath.path) members\nCREATE INDEX members_household ON members(household);\n"
_ = try runSQLiteShell(shellDB, importScript)

func peakMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return .nan }
    return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? .nan) / 1024
}

// The same four signals as ProactiveDiscovery, over living members (numbers in fen; CAST because
// `.import` creates text columns).
let near = policy.nearLine.fen
let query = """
    SELECT COUNT(*) FROM (
      SELECT household,
        CAST(ROUND(1.0 * SUM(CAST(income AS INTEGER)) / COUNT(*)) AS INTEGER) AS per_capita,
        MAX(CAST(disabled AS INTEGER)) AS any_disabled,
        MAX(CASE WHEN employment = 'employed' THEN 1 ELSE 0 END) AS any_employed,
        MAX(CASE WHEN CAST(age AS INTEGER) BETWEEN 16 AND 59 THEN 1 ELSE 0 END) AS any_working_age,
        SUM(CAST(medical AS INTEGER)) AS medical, COUNT(*) AS living, MAX(CAST(age AS INTEGER)) AS age
      FROM members WHERE alive = '1' GROUP BY household
    ) WHERE per_capita < \(near)
      OR (any_disabled = 1 AND any_employed = 0 AND any_working_age = 1)
      OR medical >= 3000000
      OR (living = 1 AND age >= 70);
    """
var shellCount = 0
var sdkCount = 0
let scanner = ProactiveDiscovery(policy: policy, today: today)
let (sdk, shell) = try measurePair(
    "SDK discovery (stream, decrypt, signals)",
    against: "sqlite3 shell, one SQL query",
    operations: households,
    runs: 3
) {
    var found = 0
    try store.read(purpose: Purpose(constant: "assistance.discovery")) { db in
        try db.forEach(RecordQuery<PooledHouseholdRecord>.all) { record in
            if try !scanner.signals(record.facts).signals.isEmpty { found += 1 }
            return true
        }
    }
    sdkCount = found
} baseline: {
    shellCount = Int(try runSQLiteShell(shellDB, query).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}
print(
    String(
        format: "SDK: median %.1f s; shell: median %.1f s → SDK takes %.2f× the shell's time (goal ≤ 5×)",
        sdk.median,
        shell.median,
        sdk.median / shell.median
    )
)
print("households found: SDK \(sdkCount), shell \(shellCount)\(sdkCount == shellCount ? " (same)" : " (DIFFERENT)")")
print(String(format: "peak RSS of this process: %.0f MB (goal ≤ 500 MB for the scan)", peakMegabytes()))
