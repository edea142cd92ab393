import Foundation
import SocietyCore
import SocietyJSON
import SocietyOneCard
import SocietyTesting
import Testing

/// A store whose every transaction fails, as a closed database would.
struct ClosedStore: RecordStore {
    func read<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T {
        throw StoreError.invalidHandle("closed")
    }

    func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        throw StoreError.invalidHandle("closed")
    }
}

@Suite("The one-card follows the service recipe: purposes, typed errors, logging, progress")
struct OneCardRecipeTests {
    @Test("every declared purpose is a valid code, distinct, as the audit log records it")
    func purposes() throws {
        let declared = [
            OneCardService.Purposes.cards, OneCardService.Purposes.payments, OneCardService.Purposes.monitoring,
        ]
        #expect(declared.map(\.code) == ["onecard.cards", "onecard.payments", "onecard.fraud-monitoring"])
        #expect(Set(declared).count == declared.count)
        for purpose in declared { #expect(try Purpose(purpose.code) == purpose) }
    }

    @Test("port failures arrive wrapped in OneCardError and are logged by case name")
    func portFailures() async throws {
        let capture = LogCapture()
        let clock = try OneCardFixture<InMemoryStore>.clock("2026-11-29")
        let memory = try InMemoryStore(clock: clock)
        let ports = ServicePorts(
            store: ClosedStore(),
            crypto: memory.crypto,
            keys: memory.keys,
            clock: clock,
            logger: capture.logger()
        )
        let service = try OneCardService(ports: ports)
        let closed = OneCardError.store(.invalidHandle("closed"))
        await #expect(throws: closed) { try await service.card(Identifier("card-00")) }
        await #expect(throws: closed) { try await service.verifyLedger() }
        await #expect(throws: closed) { try await FraudMonitor(logger: capture.logger()).alerts(in: ClosedStore()) }
        #expect(closed.isPortFailure)
        #expect(!OneCardError.noCurrentCard.isPortFailure)
        let warnings = capture.lines.filter { $0.level == .warning }
        #expect(warnings.map { $0.metadata["operation"] } == ["card", "verifyLedger", "fraudScan"])
        #expect(warnings.allSatisfy { $0.metadata["error"] == "store" })

        var keyless = ports
        keyless.keys = StaticKeyProvider(keys: [:])
        #expect(throws: OneCardError.keys(.noCurrentKey(.searchableHash))) { try OneCardService(ports: keyless) }
    }

    @Test("the main flow logs each operation as component onecard, and never a personal value")
    func logging() async throws {
        let capture = LogCapture()
        let city = try OneCardFixture(logger: capture.logger())
        for n in 1...3 { try await city.activatedCard(n) }
        await #expect(throws: OneCardError.holderAlreadyHasCard) {
            try await city.service.apply(
                holder: city.resident(1),
                generation: .third,
                issuingBank: city.bank,
                bankAccount: city.account(1),
                uses: []
            )
        }
        let card = try #require(try await city.service.currentCard(of: city.resident(2)))
        _ = try await city.service.use(.transit, card: card.id, acceptedBy: "bus-1")
        let third = try #require(try await city.service.currentCard(of: city.resident(3)))
        _ = try await city.service.replace(third.id, newNumber: CardNumber("B00000003"))
        let batch = [
            try city.payment("pension-09", 1, .pension, period: "2026-09"),
            try city.payment("pension-10", 1, .pension, period: "2026-10"),
            try city.payment("dibao-10-2", 2),
        ]
        _ = try await city.service.submit(batch)
        _ = try await city.service.submit(batch)
        _ = try await city.service.submit(
            try PaymentInstruction(
                id: "rev-dibao-10-2",
                programme: .minimumLiving,
                holder: city.resident(2),
                period: PayPeriod("2026-10"),
                amount: Money(fen: 96_000),
                kind: .reversal(of: "dibao-10-2")
            )
        )
        _ = try await city.service.totals()
        #expect(try await city.service.verifyLedger().isBalanced)
        _ = try await city.service.settle(
            id: "s-1",
            holder: city.resident(2),
            hospital: CreditCode("91320214745555318W"),
            total: Money(fen: 1_080_000)
        )
        let phone = "13812345678"
        try await city.service.recordDeath(
            try await city.notice(
                service: "ps.death-register",
                data: ["resident": .string(try city.resident(1).unmasked), "dateOfDeath": "2026-09-20"]
            )
        )
        try await city.service.recordEmployment(
            try await city.notice(
                service: "hrss.employment-register",
                data: [
                    "registration": "reg-1", "resident": .string(try city.resident(2).unmasked),
                    "employer": "91320214745555318W", "from": "2026-01-01", "contactPhone": .string(phone),
                ]
            )
        )
        let alerts = try await FraudMonitor(logger: capture.logger()).alerts(in: city.store)
        #expect(alerts.map(\.rule) == ["paid-after-death"])

        let lines = capture.lines
        #expect(lines.count >= 20)
        #expect(lines.allSatisfy { $0.metadata["component"] == "onecard" && $0.metadata["operation"] != nil })
        let operations = Set(lines.compactMap { $0.metadata["operation"].map { "\($0)" } })
        #expect(
            operations.isSuperset(of: [
                "apply", "event", "currentCard", "use", "replace", "submit", "totals", "verifyLedger", "settle",
                "recordDeath", "recordEmployment", "fraudScan",
            ])
        )
        #expect(lines.contains { $0.level == .warning && $0.metadata["error"] == "holderAlreadyHasCard" })
        let pseudonym = try city.service.pseudonym(of: city.resident(1))
        #expect(lines.contains { $0.metadata["operation"] == "recordDeath" && $0.metadata["holder"] == "\(pseudonym)" })

        var secrets = [phone, "B00000003"]
        for n in 1...3 {
            let resident = try city.resident(n)
            #expect(resident.unmasked.count == 18)
            secrets += [resident.unmasked, try city.account(n).unmasked, "A" + DecimalText.padded(n, width: 8)]
        }
        for line in lines {
            for secret in secrets {
                #expect(!line.text.contains(secret), "\(line.message) logs \(secret.prefix(4))…")
            }
        }
    }

    @Test("a payout run of 2,500 instructions reports increasing counts ending at the total; scans report too")
    func progress() async throws {
        let city = try OneCardFixture()
        for n in 0..<10 { try await city.activatedCard(200 + n) }
        let batch = try (0..<2_500).map { index in
            try city.payment("run-\(index)", 200 + index % 10, .fiscalSubsidy, fen: 100)
        }
        let capture = LogCapture()
        let outcomes = try await city.service.submit(batch, progress: capture.progress)
        #expect(outcomes.count == 2_500)
        var reports = capture.reported
        #expect(reports.map(\.completed) == [1_000, 2_000, 2_500])
        #expect(reports.allSatisfy { $0.task == "payout run" && $0.total == 2_500 })

        capture.clearReports()
        #expect(try await city.service.verifyLedger(progress: capture.progress).records == 2_500)
        reports = capture.reported
        #expect(reports.map(\.completed) == [1_000, 2_000, 2_500])
        #expect(reports.allSatisfy { $0.task == "ledger verification" && $0.total == 2_500 })

        capture.clearReports()
        #expect(try await city.service.totals(programme: .fiscalSubsidy, progress: capture.progress).records == 2_500)
        #expect(capture.reported.last == WorkProgress(task: "ledger totals", completed: 2_500, total: 2_500))

        capture.clearReports()
        _ = try await FraudMonitor().alerts(in: city.store, progress: capture.progress)
        let rules = FraudMonitor.standardRules.count
        #expect(capture.reported.map(\.completed) == Array(1...rules))
        #expect(capture.reported.allSatisfy { $0.task == "fraud scan" && $0.total == rules })
    }
}
