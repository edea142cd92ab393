// bench-replay: envelope opens per second when two processes share one replay guard on PostgreSQL,
// against the same two processes each with an in-memory guard, in the same run (issue 17).
//
// Each run starts two copies of this program as children. Each child seals N envelopes of its own
// (untimed), waits for a start time the parent gave both, opens them all — every check, and the
// replay guard — and prints how long that took. A run's rate is 2N over the slower child's time.
// Runs alternate PostgreSQL and in-memory; medians are reported. The server is SOCIETY_POSTGRES_URL,
// or a throwaway cluster started for the run (the testing kit's, as the tests use).
//
// Run: cd Benchmarks && swift run -c release bench-replay [N per process, default 2000] [RUNS, default 5]

import BenchSupport
import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import SocietyPostgres
import SocietyTesting

let consumer = try Party("113212000142871106/assistance")
let provider = try Party("91320214745555318W/employment")
let purpose = try Purpose("assistance.verification")
let service = "hrss.employment-status"

/// Seals `count` envelopes, opens them against `guardian` after waiting until `start`, and returns
/// the seconds the opening took.
func openAll(count: Int, guardian: any ReplayGuard, start: Double) async throws -> Double {
    let crypto = OpenSSLCryptoProvider()
    let now = Date()
    let key = try crypto.generateSigningKey(.ed25519)
    var entry = TrustList.PartyEntry(party: consumer, name: "民政")
    entry.keys.append(
        TrustedKey(
            kid: "civil-1",
            algorithm: .ed25519,
            publicKey: key.publicKey.rawRepresentation,
            validFrom: now.addingTimeInterval(-3600),
            validUntil: now.addingTimeInterval(86_400)
        )
    )
    let list = TrustList(
        version: 1,
        issuedAt: now,
        nextUpdate: now.addingTimeInterval(86_400),
        parties: [entry, TrustList.PartyEntry(party: provider, name: "人社")],
        services: [
            DataService(
                id: service,
                provider: provider,
                fields: [.init(name: "employed", level: .general, sensitivity: .personal)],
                purposes: [purpose]
            )
        ],
        grants: [AccessGrant(consumer: consumer, service: service, purposes: [purpose])]
    )
    let sealer = EnvelopeSealer(issuer: consumer, key: key, kid: "civil-1", crypto: crypto, clock: FixedWallClock(now))
    let draft = EnvelopeDraft(audience: provider, service: service, purpose: purpose, data: ["employed": true])
    var envelopes: [String] = []
    envelopes.reserveCapacity(count)
    for _ in 0..<count { envelopes.append(try await sealer.seal(draft)) }
    let opener = EnvelopeOpener(
        me: provider,
        trustList: list,
        crypto: crypto,
        clock: FixedWallClock(now),
        replayGuard: guardian
    )
    let wait = start - Date().timeIntervalSince1970
    if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
    let begin = DispatchTime.now().uptimeNanoseconds
    for envelope in envelopes { _ = try await opener.open(envelope) }
    return Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
}

let arguments = CommandLine.arguments
if arguments.count >= 7, arguments[1] == "--child" {
    // bench-replay --child postgres|memory URL SCHEMA N START
    let count = Int(arguments[5]) ?? 0
    let start = Double(arguments[6]) ?? 0
    if arguments[2] == "postgres" {
        let database = try PostgresDatabase(location: try PostgresLocation(url: arguments[3]), schema: arguments[4])
        let guardian = try await PostgresReplayGuard(database: database)
        print(try await openAll(count: count, guardian: guardian, start: start))
        await database.shutdown()
    } else {
        print(try await openAll(count: count, guardian: InMemoryReplayGuard(), start: start))
    }
    exit(0)
}

let count = arguments.count > 1 ? Int(arguments[1]) ?? 2000 : 2000
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
let url = try PostgresTestCluster.url()
let schema = "bench_replay_\(UInt32.random(in: 0...UInt32.max))"
do {
    // The table exists before the children race on ids, not on the migration.
    let database = try PostgresDatabase(location: try PostgresLocation(url: url), schema: schema)
    _ = try await PostgresReplayGuard(database: database)
    await database.shutdown()
}
let me = URL(fileURLWithPath: CommandLine.arguments[0])

struct ChildFailed: Error, CustomStringConvertible {
    var description: String
}

/// Runs two children in `mode`; returns opens per second over both.
func pairRate(_ mode: String) throws -> Double {
    let start = Date().timeIntervalSince1970 + 3
    var children: [(Process, Pipe)] = []
    for _ in 0..<2 {
        let process = Process()
        process.executableURL = me
        process.arguments = ["--child", mode, url, schema, String(count), String(start)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        children.append((process, pipe))
    }
    var slowest = 0.0
    for (process, pipe) in children {
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let seconds = Double(output.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw ChildFailed(description: "a \(mode) child failed (status \(process.terminationStatus))")
        }
        slowest = max(slowest, seconds)
    }
    return Double(2 * count) / slowest
}

let server = try PostgresLocation(url: url)
print("bench-replay: 2 processes × \(count) Ed25519 envelopes each, \(runs) alternating runs, PostgreSQL at \(server)")
var shared: [Double] = []
var memory: [Double] = []
for _ in 0..<runs {
    shared.append(try pairRate("postgres"))
    memory.append(try pairRate("memory"))
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let (sharedRate, memoryRate) = (median(shared), median(memory))
func rates(_ values: [Double]) -> String { values.map { String(format: "%.0f", $0) }.joined(separator: ", ") }
print(
    String(format: "opens with one PostgreSQL replay guard shared by 2 processes: %.0f per s", sharedRate)
        + " (median; runs \(rates(shared)))"
)
print(
    String(format: "opens with an in-memory guard in each of 2 processes: %.0f per s", memoryRate)
        + " (median; runs \(rates(memory)))"
)
print(
    String(
        format: "ratio: %.2f× (no goal set; the shared guard is what makes the pair replay-safe)",
        sharedRate / memoryRate
    )
)
