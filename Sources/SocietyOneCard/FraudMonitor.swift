public import Logging
public import SocietyCore

/// An alert raised by a fraud rule: which rule (and which version of it) fired, and the evidence —
/// the instruction ids and envelope digests involved — with the holder only as a keyed hash and a
/// masked identity number, no more personal data than a reviewer needs to pull the records.
public struct FraudAlert: Hashable, Sendable, Codable {
    /// The rule's stable id.
    public let rule: String
    /// The rule's version: an alert can be re-checked against the rule text that raised it.
    public let ruleVersion: Int
    /// The holder's keyed hash (joins with the ledger).
    public let holderPseudonym: String
    /// The holder's masked identity number, for a human reader.
    public let maskedHolder: String
    /// Payment instruction ids involved.
    public let instructions: [String]
    /// Digests of the envelopes whose data the rule used.
    public let envelopes: [String]
    /// One sentence saying what was found.
    public let finding: String
}

/// A rule over the ledger and the notices received by envelope.
///
/// Rules stream through the store with queries on declared indexes, holding at most one group of
/// records at a time, so a whole city's ledger is scanned in constant memory.
///
/// A rule runs inside the monitor's read transaction: `db` is valid only until ``scan(_:report:)``
/// returns, and the rule awaits each read, as the store port is `async`.
public protocol FraudRule: Sendable {
    /// A stable id, e.g. `paid-after-death`.
    var id: String { get }
    /// Raised whenever the rule's logic changes.
    var version: Int { get }
    /// Scans the store and reports each alert to `report`.
    func scan(_ db: any RecordReading, report: (FraudAlert) async throws -> Void) async throws
}

/// The fraud monitor (社保基金欺诈监控): runs rules over the ledger.
public struct FraudMonitor: Sendable {
    /// The rules, in the order they run.
    public let rules: [any FraudRule]
    private let logger: Logger

    /// The plan's five rules: payment after death, the same period paid twice, unemployment benefit
    /// while employed or pensioned, payment to a card reported lost, many holders paid into one account.
    public static let standardRules: [any FraudRule] = [
        PaidAfterDeathRule(), DuplicatePeriodPaymentRule(), UnemploymentWhileEmployedRule(),
        PaymentToLostCardRule(), SharedAccountRule(),
    ]

    /// A monitor with `rules`, logging to `logger` (the department's, ``SocietyCore/ServicePorts/logger``)
    /// as component `onecard`: rule ids and alert counts, never a holder. Without one it logs
    /// nowhere, rather than to the process's global logging system.
    public init(
        rules: [any FraudRule] = FraudMonitor.standardRules,
        logger: Logger = Logger(label: "digitalsociety") { _ in SwiftLogNoOpLogHandler() }
    ) {
        self.rules = rules
        var logger = logger
        logger[metadataKey: "component"] = "onecard"
        self.logger = logger
    }

    /// Runs every rule in one read transaction (a consistent snapshot of the ledger), handing each
    /// alert to `report` as it is found, so a scan that raises many alerts need not hold them all.
    ///
    /// `report` is `@Sendable` because the store may run the transaction on a thread of its own;
    /// what it throws ends the scan as ``OneCardError/storage(_:)`` (or as itself, if it is a
    /// ``OneCardError``). The scan reports to `progress` (task `"fraud scan"`) after each rule.
    ///
    /// ```swift
    /// try await FraudMonitor(logger: ports.logger).scan(ports.store) { alert in
    ///     try await reviewQueue.enqueue(alert)
    /// }
    /// ```
    public func scan(
        _ store: any RecordStore,
        progress: ProgressHandler? = nil,
        report: @Sendable (FraudAlert) async throws -> Void
    ) async throws(OneCardError) {
        try await logger.oneCardOperation("fraudScan") {
            try await store.read(purpose: OneCardService.Purposes.monitoring) { db in
                var meter = ProgressMeter("fraud scan", total: rules.count, every: 1, handler: progress)
                for rule in rules {
                    var raised = 0
                    try await rule.scan(db) { alert in
                        raised += 1
                        try await report(alert)
                    }
                    logRule(rule, alerts: raised)
                    meter.advance()
                }
            }
        }
    }

    /// Runs every rule in one read transaction and collects the alerts; reports to `progress`
    /// (task `"fraud scan"`) after each rule.
    ///
    /// ```swift
    /// let alerts = try await FraudMonitor(logger: ports.logger).alerts(in: ports.store)
    /// ```
    public func alerts(
        in store: any RecordStore,
        progress: ProgressHandler? = nil
    ) async throws(OneCardError) -> [FraudAlert] {
        try await logger.oneCardOperation("fraudScan") {
            try await store.read(purpose: OneCardService.Purposes.monitoring) { db in
                var meter = ProgressMeter("fraud scan", total: rules.count, every: 1, handler: progress)
                var alerts: [FraudAlert] = []
                for rule in rules {
                    let before = alerts.count
                    try await rule.scan(db) { alerts.append($0) }
                    logRule(rule, alerts: alerts.count - before)
                    meter.advance()
                }
                return alerts
            }
        }
    }

    private func logRule(_ rule: any FraudRule, alerts: Int) {
        logger.info(
            "fraud rule ran",
            metadata: [
                "operation": "fraudScan", "rule": "\(rule.id)", "ruleVersion": "\(rule.version)",
                "alerts": "\(alerts)",
            ]
        )
    }
}

/// Net effect of a set of payments for one key: payments minus their reversals.
private func unreversed(_ payments: [PaymentRecord], in db: any RecordReading) async throws -> [PaymentRecord] {
    var open: [PaymentRecord] = []
    for record in payments {
        let reversals = try await db.count(
            RecordQuery<PaymentRecord>.filter("reverses", equals: .text(record.instruction.id))
        )
        if reversals == 0 { open.append(record) }
    }
    return open
}

/// A payment for a month that begins after the holder's recorded date of death.
public struct PaidAfterDeathRule: FraudRule {
    /// `paid-after-death`.
    public let id = "paid-after-death"
    /// Version 1.
    public let version = 1

    /// The rule.
    public init() {}

    /// Streams the death records; for each, looks up the holder's payments by pseudonym.
    public func scan(_ db: any RecordReading, report: (FraudAlert) async throws -> Void) async throws {
        try await db.forEach(RecordQuery<DeathRecord>.all) { death in
            let deathPeriod = PayPeriod(containing: death.dateOfDeath)
            let payments = try await db.fetch(
                RecordQuery<PaymentRecord>.filter("holder", equals: .text(death.holderPseudonym))
            )
            .filter { $0.instruction.kind == .payment && $0.instruction.period > deathPeriod }
            let open = try await unreversed(payments, in: db)
            if !open.isEmpty {
                try await report(
                    FraudAlert(
                        rule: id,
                        ruleVersion: version,
                        holderPseudonym: death.holderPseudonym,
                        maskedHolder: death.resident.masked,
                        instructions: open.map(\.instruction.id).sorted(),
                        envelopes: [death.envelopeDigest],
                        finding: "\(open.count) payment(s) for months after the death on \(death.dateOfDeath)"
                    )
                )
            }
            return true
        }
    }
}

/// The same person paid twice for one period by one programme (not counting reversed payments).
public struct DuplicatePeriodPaymentRule: FraudRule {
    /// `duplicate-period`.
    public let id = "duplicate-period"
    /// Version 1.
    public let version = 1

    /// The rule.
    public init() {}

    /// Streams payments ordered by (holder, programme, period), so duplicates are adjacent.
    public func scan(_ db: any RecordReading, report: (FraudAlert) async throws -> Void) async throws {
        var group: [PaymentRecord] = []
        var groupKey = ""
        func flush() async throws {
            defer { group.removeAll(keepingCapacity: true) }
            guard group.count > 1 else { return }
            let open = try await unreversed(group, in: db)
            guard open.count > 1, let first = open.first else { return }
            try await report(
                FraudAlert(
                    rule: id,
                    ruleVersion: version,
                    holderPseudonym: first.holderPseudonym,
                    maskedHolder: first.instruction.holder.masked,
                    instructions: open.map(\.instruction.id).sorted(),
                    envelopes: [],
                    finding:
                        "\(open.count) payments by \(first.instruction.programme.rawValue) for \(first.instruction.period)"
                )
            )
        }
        let query = RecordQuery<PaymentRecord>(field: "dup", condition: .any, order: .ascending("dup"), limit: nil)
        try await db.forEach(query) { record in
            let key = "\(record.holderPseudonym)|\(record.instruction.programme.rawValue)|\(record.instruction.period)"
            guard record.instruction.kind == .payment else { return true }
            if key != groupKey {
                try await flush()
                groupKey = key
            }
            group.append(record)
            return true
        }
        try await flush()
    }
}

/// Unemployment benefit for a month in which the person had an active employment registration or
/// was paid a pension.
public struct UnemploymentWhileEmployedRule: FraudRule {
    /// `unemployment-while-employed`.
    public let id = "unemployment-while-employed"
    /// Version 1.
    public let version = 1

    /// The rule.
    public init() {}

    /// Streams unemployment payments; for each, looks up the holder's registrations and pensions.
    public func scan(_ db: any RecordReading, report: (FraudAlert) async throws -> Void) async throws {
        let query = RecordQuery<PaymentRecord>.filter(
            "programme",
            equals: .text(Programme.unemploymentBenefit.rawValue)
        )
        try await db.forEach(query) { payment in
            guard payment.instruction.kind == .payment,
                try await unreversed([payment], in: db).isEmpty == false
            else { return true }
            let period = payment.instruction.period
            let firstDay = period.firstDay
            let lastDay = firstDay.adding(months: 1).adding(days: -1)
            let registrations = try await db.fetch(
                RecordQuery<EmploymentRecord>.filter("holder", equals: .text(payment.holderPseudonym))
            ).filter { $0.period.from <= lastDay && ($0.period.until.map { $0 >= firstDay } ?? true) }
            let pensionKey = "\(payment.holderPseudonym)|\(Programme.pension.rawValue)|\(period)"
            let pensions = try await unreversed(
                try await db.fetch(RecordQuery<PaymentRecord>.filter("dup", equals: .text(pensionKey))),
                in: db
            )
            guard !registrations.isEmpty || !pensions.isEmpty else { return true }
            var reasons: [String] = []
            if !registrations.isEmpty { reasons.append("an active employment registration") }
            if !pensions.isEmpty { reasons.append("a pension") }
            try await report(
                FraudAlert(
                    rule: id,
                    ruleVersion: version,
                    holderPseudonym: payment.holderPseudonym,
                    maskedHolder: payment.instruction.holder.masked,
                    instructions: ([payment.instruction.id] + pensions.map(\.instruction.id)).sorted(),
                    envelopes: registrations.map(\.envelopeDigest).sorted(),
                    finding:
                        "unemployment benefit for \(period) while the holder had \(reasons.joined(separator: " and "))"
                )
            )
            return true
        }
    }
}

/// A payment made while the holder's card was reported lost.
public struct PaymentToLostCardRule: FraudRule {
    /// `paid-to-lost-card`.
    public let id = "paid-to-lost-card"
    /// Version 1.
    public let version = 1

    /// The rule.
    public init() {}

    /// Streams the payments recorded against a card in the reported-lost state.
    public func scan(_ db: any RecordReading, report: (FraudAlert) async throws -> Void) async throws {
        let query = RecordQuery<PaymentRecord>.filter(
            "card_state",
            equals: .text(CardState.suspended(reportedLost: true).name)
        )
        try await db.forEach(query) { payment in
            guard payment.instruction.kind == .payment else { return true }
            try await report(
                FraudAlert(
                    rule: id,
                    ruleVersion: version,
                    holderPseudonym: payment.holderPseudonym,
                    maskedHolder: payment.instruction.holder.masked,
                    instructions: [payment.instruction.id],
                    envelopes: [],
                    finding:
                        "\(payment.instruction.programme.rawValue) payment for \(payment.instruction.period) to a card reported lost"
                )
            )
            return true
        }
    }
}

/// Payouts of several holders going into one bank account.
public struct SharedAccountRule: FraudRule {
    /// `shared-account`.
    public let id = "shared-account"
    /// Version 1.
    public let version = 1
    /// How many distinct holders paid into one account raise an alert (default 3: a couple's two
    /// cards into one family account is ordinary).
    public let threshold: Int

    /// The rule with its threshold.
    public init(threshold: Int = 3) { self.threshold = max(2, threshold) }

    /// Streams payments ordered by account pseudonym, one account's group at a time.
    public func scan(_ db: any RecordReading, report: (FraudAlert) async throws -> Void) async throws {
        var account = ""
        var holders: [String: String] = [:]
        var instructions: [String] = []
        func flush() async throws {
            defer {
                holders.removeAll(keepingCapacity: true)
                instructions.removeAll(keepingCapacity: true)
            }
            guard holders.count >= threshold, let first = holders.keys.sorted().first else { return }
            try await report(
                FraudAlert(
                    rule: id,
                    ruleVersion: version,
                    holderPseudonym: first,
                    maskedHolder: holders.values.sorted().joined(separator: ","),
                    instructions: instructions.sorted(),
                    envelopes: [],
                    finding: "\(holders.count) holders' payouts go into one bank account"
                )
            )
        }
        let query = RecordQuery<PaymentRecord>(
            field: "account",
            condition: .any,
            order: .ascending("account"),
            limit: nil
        )
        try await db.forEach(query) { payment in
            guard payment.instruction.kind == .payment else { return true }
            if payment.accountPseudonym != account {
                try await flush()
                account = payment.accountPseudonym
            }
            holders[payment.holderPseudonym] = payment.instruction.holder.masked
            if instructions.count < 100 { instructions.append(payment.instruction.id) }
            return true
        }
        try await flush()
    }
}
