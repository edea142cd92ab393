// bench-onecard: payouts per second through the one-card ledger (batches of 1,000 instructions, each
// batch one transaction, every record encrypted and audited as in production), then a fraud scan
// over the whole ledger with all five rules, with its peak memory.
//
// The service and the store port are async; the work runs in a nonisolated function, so that
// awaiting them does not hop to the main thread and back around every call (see bench-exchange).
//
// Run: cd Benchmarks && swift run -c release bench-onecard [INSTRUCTIONS]   (default 1,000,000)

import BenchSupport
import Foundation
import SocietyCore
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import Synchronization

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
let holders = max(1, (count + 11) / 12)  // one instruction per holder per month for a year
let crypto = OpenSSLCryptoProvider()
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-onecard-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let keys = try StaticKeyProvider.random(using: crypto)
let clock = FixedWallClock(Date(timeIntervalSince1970: 1_795_000_000))
let store = try SQLiteStore(
    path: directory.appendingPathComponent("ledger.sqlite").path,
    configuration: SQLiteConfiguration(
        protection: RecordProtection(crypto: crypto, keys: keys),
        audit: StoreAuditing(actor: "bench/onecard", origin: "bench", clock: clock)
    )
)
let service = try OneCardService(ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock))
let bank = try CreditCode("91320214745555318W")

func resident(_ n: Int) throws -> ResidentID {
    try ResidentID(
        addressCode: DivisionCode("321202"),
        birthDate: CalendarDate(daysSinceEpoch: -10_000 + n % 20_000),
        sequence: (n / 20_000) % 1000  // unique (birth date, sequence) for 20 million holders
    )
}

func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return .nan }
    return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? .nan) / 1024
}

try await run()

/// Sets up the cards, pays the instructions, retries some and scans for fraud.
func run() async throws {
    print("bench-onecard: \(count) instructions for \(holders) holders")
    var residents: [ResidentID] = []
    let setupStart = Date()
    for n in 0..<holders {
        let id = try resident(n)
        residents.append(id)
        let body = "62220215" + String(format: "%010d", n)
        let account = try BankAccount(body + String(BankAccount.checkDigit(for: body)))
        let card = try await service.apply(
            holder: id,
            generation: .third,
            issuingBank: bank,
            bankAccount: account,
            uses: [.pensionPayment]
        )
        try await service.apply(
            .issue(CardNumber(String(format: "A%08d", n % 100_000_000)), on: CalendarDate(clock.now())),
            to: card.id
        )
        try await service.apply(.activate, to: card.id)
    }
    print(String(format: "setup: %d cards in %.1f s", holders, Date().timeIntervalSince(setupStart)))

    let batchSize = 1000
    var instructions: [PaymentInstruction] = []
    instructions.reserveCapacity(count)
    for n in 0..<count {
        instructions.append(
            try PaymentInstruction(
                id: "pension-\(n)",
                programme: .pension,
                holder: residents[n % holders],
                period: PayPeriod(year: 2026, month: 1 + (n / holders) % 12),
                amount: Money(fen: 250_000)
            )
        )
    }
    // Ten deliberate frauds: the same holder paid twice for one month, for the scan to find.
    for n in 0..<min(10, count) {
        instructions.append(
            try PaymentInstruction(
                id: "pension-duplicate-\(n)",
                programme: .pension,
                holder: residents[n % holders],
                period: PayPeriod(year: 2026, month: 1),
                amount: Money(fen: 250_000)
            )
        )
    }
    let payStart = DispatchTime.now().uptimeNanoseconds
    for start in stride(from: 0, to: instructions.count, by: batchSize) {
        _ = try await service.submit(Array(instructions[start..<min(start + batchSize, instructions.count)]))
    }
    let paySeconds = Double(DispatchTime.now().uptimeNanoseconds - payStart) / 1e9
    print(
        String(
            format: "payouts: %.0f instructions/s (%.1f s for %d, batches of %d)",
            Double(count) / paySeconds,
            paySeconds,
            count,
            batchSize
        )
    )

    let retryStart = DispatchTime.now().uptimeNanoseconds
    _ = try await service.submit(Array(instructions[0..<min(count, 10_000)]))
    let retrySeconds = Double(DispatchTime.now().uptimeNanoseconds - retryStart) / 1e9
    print(String(format: "retried instructions recognised: %.0f/s", Double(min(count, 10_000)) / retrySeconds))

    let before = peakResidentMegabytes()
    let scanStart = DispatchTime.now().uptimeNanoseconds
    // The report closure is @Sendable (the store runs the scan on its own threads): count in a mutex.
    let alerted = Mutex(0)
    try await FraudMonitor().scan(store) { alert in
        let alerts = alerted.withLock { alerts in
            alerts += 1
            return alerts
        }
        if alerts <= 3 { print("  alert: \(alert.rule): \(alert.finding) \(alert.instructions.prefix(4))") }
    }
    let alerts = alerted.withLock { $0 }
    let scanSeconds = Double(DispatchTime.now().uptimeNanoseconds - scanStart) / 1e9
    print(
        String(
            format:
                "fraud scan (5 rules): %.1f s, %.0f payments/s, %d alerts (10 planted), peak RSS %.0f MB (before the scan %.0f MB)",
            scanSeconds,
            Double(count) / scanSeconds,
            alerts,
            peakResidentMegabytes(),
            before
        )
    )
    let check = try await service.verifyLedger()
    print("ledger balanced: \(check.isBalanced), \(check.records) records, fund debits \(check.fundDebits)")
}
