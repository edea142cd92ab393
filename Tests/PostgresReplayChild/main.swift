import Foundation
import SocietyCore
import SocietyOneCard
import SocietyOpenSSL
import SocietyPostgres
import SocietyTesting

// A process of its own for the PostgreSQL tests, so that they race real processes, not tasks.
//
// PostgresReplayChild URL SCHEMA COUNT [START_AT_UNIX_SECONDS]
//   marks envelope ids env-0 … env-(COUNT-1) seen in the schema's replay guard and prints each id
//   it was the first to see. Two started together race on every id.
// PostgresReplayChild URL SCHEMA COUNT START_AT_UNIX_SECONDS audit
//   appends COUNT batches of two sample audit entries to the schema's audit log and prints the
//   index of each batch's first entry.
// PostgresReplayChild URL SCHEMA COUNT START_AT_UNIX_SECONDS onecard-setup SECRET_HEX
//   issues and activates one-card cards for COUNT residents in a PostgreSQL record store whose
//   keys derive from SECRET_HEX.
// PostgresReplayChild URL SCHEMA COUNT START_AT_UNIX_SECONDS onecard-pay SECRET_HEX BATCH
//   submits the 2026-12 minimum-living payment of each of the COUNT residents, BATCH instructions
//   per payout run, printing "batch I posted P already A" after each run (flushed, so a parent can
//   kill the process between runs).
let arguments = CommandLine.arguments
if arguments.count >= 7, arguments[5].hasPrefix("onecard-"), let count = Int(arguments[3]) {
    do {
        try await OneCardChild.run(arguments, count: count)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}
guard arguments.count >= 4, let count = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: PostgresReplayChild URL SCHEMA COUNT [START_AT [audit]]\n".utf8))
    exit(2)
}
do {
    let database = try PostgresDatabase(location: try PostgresLocation(url: arguments[1]), schema: arguments[2])
    let auditing = arguments.count >= 6 && arguments[5] == "audit"
    let guardian = auditing ? nil : try await PostgresReplayGuard(database: database)
    let log =
        auditing
        ? try await PostgresAuditLog(
            database: database,
            origin: "test",
            digest: .sha256,
            crypto: OpenSSLCryptoProvider()
        )
        : nil
    // Both processes wait for the same moment, so their calls overlap.
    if arguments.count >= 5, let start = Double(arguments[4]) {
        let wait = start - Date().timeIntervalSince1970
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
    }
    let now = Date()
    var lines: [String] = []
    for index in 0..<count {
        if let log {
            let range = try await log.append([AuditSamples.entry(2 * index), AuditSamples.entry(2 * index + 1)])
            lines.append(String(range.lowerBound))
        } else if let guardian {
            let id = "env-\(index)"
            if try await guardian.markSeen(
                issuer: "113212000142871106/assistance",
                id: id,
                expiresAt: now.addingTimeInterval(600),
                now: now
            ) {
                lines.append(id)
            }
        }
    }
    print(lines.joined(separator: "\n"))
    await database.shutdown()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}

/// The one-card modes: a OneCardService on a PostgreSQL record store, as a payout process would run it.
enum OneCardChild {
    static func run(_ arguments: [String], count: Int) async throws {
        let crypto = OpenSSLCryptoProvider()
        let database = try PostgresDatabase(location: try PostgresLocation(url: arguments[1]), schema: arguments[2])
        let text = Array(arguments[6].utf8)
        let secret: [UInt8] = stride(from: 0, to: text.count - 1, by: 2).compactMap {
            UInt8(String(decoding: text[$0...$0 + 1], as: UTF8.self), radix: 16)
        }
        let keys = try StaticKeyProvider.derived(from: secret, using: crypto)
        let clock = FixedWallClock(try CalendarDate(iso8601: "2026-12-10").startInstant.addingTimeInterval(36_000))
        let store = try await PostgresRecordStore(
            database: database,
            configuration: PostgresStoreConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "91320000000000000X/onecard", origin: "test/onecard", clock: clock)
            )
        )
        let service = try OneCardService(
            ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock, profile: .standard)
        )
        if let start = Double(arguments[4]) {
            let wait = start - Date().timeIntervalSince1970
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        }
        let bank = try CreditCode("91320214745555318W")
        if arguments[5] == "onecard-setup" {
            for n in 0..<count {
                let body = "62220215" + DecimalText.padded(n, width: 10)
                let card = try await service.apply(
                    holder: try resident(n),
                    generation: .third,
                    issuingBank: bank,
                    bankAccount: try BankAccount(body + String(BankAccount.checkDigit(for: body))),
                    uses: CardGeneration.third.supportedUses
                )
                try await service.apply(
                    .issue(
                        try CardNumber("A" + DecimalText.padded(n, width: 8)),
                        on: try CalendarDate(iso8601: "2026-01-05")
                    ),
                    to: card.id
                )
                try await service.apply(.activate, to: card.id)
            }
            print("ready")
        } else {
            let size = max(1, Int(arguments.count > 7 ? arguments[7] : "10") ?? 10)
            let instructions = try (0..<count).map { n in
                try PaymentInstruction(
                    id: "pay-2026-12-\(n)",
                    programme: .minimumLiving,
                    holder: try resident(n),
                    period: try PayPeriod("2026-12"),
                    amount: Money(fen: 96_000)
                )
            }
            for (index, start) in stride(from: 0, to: count, by: size).enumerated() {
                let outcomes = try await service.submit(Array(instructions[start..<min(count, start + size)]))
                let posted = outcomes.count { if case .posted = $0 { true } else { false } }
                // Written straight to the file descriptor: nothing buffered is lost to a SIGKILL.
                FileHandle.standardOutput.write(
                    Data("batch \(index) posted \(posted) already \(outcomes.count - posted)\n".utf8)
                )
            }
        }
        await database.shutdown()
    }

    static func resident(_ n: Int) throws -> ResidentID {
        try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(year: 1950 + n % 60, month: 1 + n % 12, day: 1 + n % 28),
            sequence: n % 1000
        )
    }
}
