import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
import SocietyJSON

/// The one-card service: cards, their uses, the payout ledger and settlements, on the
/// department's ``SocietyCore/ServicePorts``.
///
/// Every operation is one store transaction, so a refused operation leaves nothing behind, and a
/// store configured with auditing records every change and every read of personal fields, under
/// one of the ``Purposes``. Operations that touch the store are `async`, as the store port is: on
/// a network database they wait without holding a thread. Every one throws ``OneCardError``
/// only: refusals by the rules, and the ports' failures wrapped (``OneCardError/store(_:)``, …).
///
/// ```swift
/// let ports = ServicePorts(store: store, crypto: crypto, keys: keys, clock: SystemWallClock())
/// let service = try OneCardService(ports: ports)
/// let card = try await service.apply(
///     holder: holder, generation: .third, issuingBank: bank, bankAccount: account,
///     uses: CardGeneration.third.supportedUses)
/// try await service.apply(.issue(number, on: today), to: card.id)
/// try await service.apply(.activate, to: card.id)
/// let outcome = try await service.submit(instruction)   // pays once, however often submitted
/// ```
public struct OneCardService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purposes {
        /// Card life cycle and uses.
        public static let cards = Purpose(constant: "onecard.cards")
        /// Paying and reversing benefits.
        public static let payments = Purpose(constant: "onecard.payments")
        /// Fraud monitoring scans.
        public static let monitoring = Purpose(constant: "onecard.fraud-monitoring")
    }

    private let ports: ServicePorts
    private let pseudonyms: AuditSubjectHasher

    /// A service on the department's ports, logging as component `onecard`. Pseudonyms (keyed
    /// hashes that group a person's records without their identity number) use the key provider's
    /// ``SocietyCore/KeyPurpose/searchableHash`` key; envelope evidence and pseudonyms use the
    /// profile's digest.
    ///
    /// Throws ``OneCardError/keys(_:)`` when there is no searchable-hash key.
    public init(ports: ServicePorts) throws(OneCardError) {
        let ports = ports.logging(as: "onecard")
        self.ports = ports
        self.pseudonyms = try ports.logger.synchronousOneCardOperation("init") {
            AuditSubjectHasher(
                key: try ports.keys.currentKey(for: .searchableHash),
                digest: ports.profile.digest,
                crypto: ports.crypto
            )
        }
    }

    private var store: any RecordStore { ports.store }
    private var logger: Logger { ports.logger }
    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    /// The holder's keyed hash, hex.
    public func pseudonym(of holder: ResidentID) throws(OneCardError) -> String {
        try logger.synchronousOneCardOperation("pseudonym") { try holderPseudonym(holder) }
    }

    func holderPseudonym(_ holder: ResidentID) throws -> String {
        Hex.encode(try pseudonyms.subject(kind: "holder", id: holder.unmasked))
    }

    func pseudonym(of account: BankAccount) throws -> String {
        Hex.encode(try pseudonyms.subject(kind: "account", id: account.unmasked))
    }

    private func newCardID() throws -> Identifier<SocialSecurityCard> {
        try Identifier<SocialSecurityCard>("card-" + Hex.encode(try ports.crypto.randomBytes(count: 8)))
    }

    // MARK: Cards

    /// Records an application; refused when the holder already has a current card.
    public func apply(
        holder: ResidentID,
        generation: CardGeneration,
        issuingBank: CreditCode,
        bankAccount: BankAccount,
        uses: Set<CardUse>
    ) async throws(OneCardError) -> SocialSecurityCard {
        try await logger.oneCardOperation("apply") {
            let card = try SocialSecurityCard(
                id: try newCardID(),
                holder: holder,
                generation: generation,
                issuingBank: issuingBank,
                bankAccount: bankAccount,
                enabledUses: uses
            )
            try await store.write(purpose: Purposes.cards) { db in
                if try await currentCard(of: holder, in: db) != nil { throw OneCardError.holderAlreadyHasCard }
                try await db.put(card)
            }
            logger.info(
                "card applied for",
                metadata: [
                    "operation": "apply", "card": "\(card.id.rawValue)", "generation": "\(generation.rawValue)",
                    "uses": "\(uses.count)",
                ]
            )
            return card
        }
    }

    /// Applies a life-cycle event to a card.
    @discardableResult
    public func apply(
        _ event: CardEvent,
        to cardID: Identifier<SocialSecurityCard>
    ) async throws(OneCardError) -> SocialSecurityCard {
        try await logger.oneCardOperation("event") {
            let changed = try await store.write(purpose: Purposes.cards) { db in
                var card = try await card(cardID, in: db)
                try card.apply(event)
                try await db.put(card)
                return card
            }
            logger.info(
                "card event applied",
                metadata: [
                    "operation": "event", "card": "\(cardID.rawValue)", "event": "\(event.name)",
                    "state": "\(changed.state.name)",
                ]
            )
            return changed
        }
    }

    /// Replaces a card: the old one is unusable at once, the new one (same holder, account and uses,
    /// new number) is issued in the same transaction.
    public func replace(
        _ cardID: Identifier<SocialSecurityCard>,
        newNumber: CardNumber
    ) async throws(OneCardError) -> SocialSecurityCard {
        try await logger.oneCardOperation("replace") {
            let newID = try newCardID()
            let issued = today
            let replacement = try await store.write(purpose: Purposes.cards) { db in
                var old = try await card(cardID, in: db)
                try old.apply(.replace(by: newID))
                var successor = try SocialSecurityCard(
                    id: newID,
                    holder: old.holder,
                    generation: old.generation,
                    issuingBank: old.issuingBank,
                    bankAccount: old.bankAccount,
                    enabledUses: old.enabledUses
                )
                try successor.apply(.issue(newNumber, on: issued))
                try await db.put(old)
                try await db.put(successor)
                return successor
            }
            logger.info(
                "card replaced",
                metadata: ["operation": "replace", "card": "\(cardID.rawValue)", "successor": "\(newID.rawValue)"]
            )
            return replacement
        }
    }

    /// The card with `id`.
    public func card(_ id: Identifier<SocialSecurityCard>) async throws(OneCardError) -> SocialSecurityCard {
        try await logger.oneCardOperation("card") {
            logger.debug("card read", metadata: ["operation": "card", "card": "\(id.rawValue)"])
            return try await store.read(purpose: Purposes.cards) { db in try await card(id, in: db) }
        }
    }

    /// The holder's current card, if any.
    public func currentCard(of holder: ResidentID) async throws(OneCardError) -> SocialSecurityCard? {
        try await logger.oneCardOperation("currentCard") {
            let card = try await store.read(purpose: Purposes.cards) { db in
                try await currentCard(of: holder, in: db)
            }
            logger.debug(
                "current card looked up",
                metadata: ["operation": "currentCard", "card": "\(card?.id.rawValue ?? "none")"]
            )
            return card
        }
    }

    /// Authorizes a use and records it (the store audits the record).
    public func use(
        _ use: CardUse,
        card cardID: Identifier<SocialSecurityCard>,
        acceptedBy: String
    ) async throws(OneCardError) -> CardUseRecord {
        try await logger.oneCardOperation("use") {
            let now = ports.clock.now()
            let id = "use-" + Hex.encode(try ports.crypto.randomBytes(count: 8))
            let record = try await store.write(purpose: Purposes.cards) { db in
                let card = try await card(cardID, in: db)
                try card.authorize(use, on: CalendarDate(now))
                let record = CardUseRecord(id: id, card: cardID, use: use, acceptedBy: acceptedBy, time: now)
                try await db.put(record)
                return record
            }
            logger.debug(
                "card use authorized",
                metadata: ["operation": "use", "card": "\(cardID.rawValue)", "use": "\(use.rawValue)"]
            )
            return record
        }
    }

    /// Handles a death record received by envelope (data `{"resident": ID, "dateOfDeath": "YYYY-MM-DD"}`):
    /// keeps it with the envelope's evidence digest and cancels the holder's current card.
    @discardableResult
    public func recordDeath(_ notice: OpenedEnvelope) async throws(OneCardError) -> DeathRecord {
        try await logger.oneCardOperation("recordDeath") {
            let resident = try NoticeData.resident(notice.claims.data, "resident")
            let date = try NoticeData.date(notice.claims.data, "dateOfDeath")
            let record = DeathRecord(
                resident: resident,
                dateOfDeath: date,
                reportedBy: notice.claims.issuer,
                envelopeDigest: try notice.evidence(digest: ports.profile.digest, crypto: ports.crypto),
                holderPseudonym: try holderPseudonym(resident)
            )
            let cancelled = try await store.write(purpose: Purposes.cards) { db in
                try await db.put(record)
                guard var card = try await currentCard(of: resident, in: db) else { return false }
                try card.apply(.cancel(.deceased(on: date)))
                try await db.put(card)
                return true
            }
            logger.info(
                "death recorded",
                metadata: [
                    "operation": "recordDeath", "holder": "\(record.holderPseudonym)",
                    "issuer": "\(notice.claims.issuer)", "evidence": "\(record.envelopeDigest)",
                    "cardCancelled": "\(cancelled)",
                ]
            )
            return record
        }
    }

    /// Keeps an employment registration received by envelope (data `{"registration": ID,
    /// "resident": ID, "employer": CREDITCODE, "from": DATE, "until": DATE?}`).
    @discardableResult
    public func recordEmployment(_ notice: OpenedEnvelope) async throws(OneCardError) -> EmploymentRecord {
        try await logger.oneCardOperation("recordEmployment") {
            let data = notice.claims.data
            let resident = try NoticeData.resident(data, "resident")
            let employer: CreditCode
            let period: ValidityPeriod
            do {
                employer = try CreditCode(try NoticeData.string(data, "employer"))
                let until = data["until"]?.stringValue != nil ? try NoticeData.date(data, "until") : nil
                period = try ValidityPeriod(from: try NoticeData.date(data, "from"), until: until)
            } catch let error as OneCardError {
                throw error
            } catch {
                throw OneCardError.malformedNotice("\(error)")
            }
            let record = EmploymentRecord(
                id: try NoticeData.string(data, "registration"),
                resident: resident,
                employer: employer,
                period: period,
                envelopeDigest: try notice.evidence(digest: ports.profile.digest, crypto: ports.crypto),
                holderPseudonym: try holderPseudonym(resident)
            )
            try await store.write(purpose: Purposes.cards) { db in try await db.put(record) }
            logger.info(
                "employment registration recorded",
                metadata: [
                    "operation": "recordEmployment", "holder": "\(record.holderPseudonym)",
                    "issuer": "\(notice.claims.issuer)", "evidence": "\(record.envelopeDigest)",
                ]
            )
            return record
        }
    }

    // MARK: Payments

    /// The outcome of submitting an instruction.
    public enum PaymentOutcome: Hashable, Sendable {
        /// Posted now.
        case posted(PaymentRecord)
        /// Already posted by an earlier submission of the same instruction: nothing was paid again.
        case alreadyPosted(PaymentRecord)

        /// The record, however it got there.
        public var record: PaymentRecord {
            switch self {
            case .posted(let record), .alreadyPosted(let record): record
            }
        }
    }

    /// Pays (or reverses) one instruction, exactly once.
    public func submit(_ instruction: PaymentInstruction) async throws(OneCardError) -> PaymentOutcome {
        try await submit([instruction])[0]
    }

    /// Submits a batch in one transaction: all of it is posted, or none of it (a refused instruction
    /// refuses the batch). Instructions posted earlier come back as ``PaymentOutcome/alreadyPosted(_:)``.
    ///
    /// A payout run reports to `progress` (task `"payout run"`) every 1,000 instructions and once
    /// at the end.
    public func submit(
        _ batch: [PaymentInstruction],
        progress: ProgressHandler? = nil
    ) async throws(OneCardError) -> [PaymentOutcome] {
        try await logger.oneCardOperation("submit") {
            let postedOn = today
            logger.debug("payout run started", metadata: ["operation": "submit", "instructions": "\(batch.count)"])
            let results = try await store.write(purpose: Purposes.payments) { db in
                var meter = ProgressMeter("payout run", total: batch.count, handler: progress)
                var outcomes: [PaymentOutcome] = []
                outcomes.reserveCapacity(batch.count)
                var cards: [ResidentID: SocialSecurityCard] = [:]
                for instruction in batch {
                    defer { meter.advance() }
                    if let existing = try await db.get(PaymentRecord.self, key: RecordKey(instruction.id)) {
                        guard existing.instruction == instruction else {
                            throw OneCardError.conflictingInstruction(id: instruction.id)
                        }
                        outcomes.append(.alreadyPosted(existing))
                        continue
                    }
                    let record: PaymentRecord
                    switch instruction.kind {
                    case .payment:
                        let card: SocialSecurityCard
                        if let cached = cards[instruction.holder] {
                            card = cached
                        } else {
                            guard let found = try await currentCard(of: instruction.holder, in: db) else {
                                throw OneCardError.noCurrentCard
                            }
                            cards[instruction.holder] = found
                            card = found
                        }
                        record = try posting(
                            instruction,
                            card: card.id,
                            account: card.bankAccount,
                            state: card.state.name,
                            on: postedOn
                        )
                    case .reversal(let originalID):
                        guard let original = try await db.get(PaymentRecord.self, key: RecordKey(originalID)) else {
                            throw OneCardError.unknownInstruction(id: originalID)
                        }
                        guard original.instruction.kind == .payment else {
                            throw OneCardError.notReversible(id: originalID, reason: "it is itself a reversal")
                        }
                        guard original.instruction.holder == instruction.holder,
                            original.instruction.programme == instruction.programme,
                            original.instruction.amount == instruction.amount
                        else {
                            throw OneCardError.notReversible(
                                id: originalID,
                                reason: "holder, programme or amount differ"
                            )
                        }
                        let earlier = try await db.count(
                            RecordQuery<PaymentRecord>.filter("reverses", equals: .text(originalID))
                        )
                        guard earlier == 0 else {
                            throw OneCardError.notReversible(id: originalID, reason: "it was already reversed")
                        }
                        record = try posting(
                            instruction,
                            card: original.card,
                            account: original.bankAccount,
                            state: original.cardState,
                            on: postedOn
                        )
                    }
                    try await db.put(record)
                    outcomes.append(.posted(record))
                }
                meter.finish()
                return outcomes
            }
            let posted = results.count { if case .posted = $0 { true } else { false } }
            logger.info(
                "payout run posted",
                metadata: [
                    "operation": "submit", "instructions": "\(batch.count)", "posted": "\(posted)",
                    "alreadyPosted": "\(batch.count - posted)",
                ]
            )
            return results
        }
    }

    private func posting(
        _ instruction: PaymentInstruction,
        card: Identifier<SocialSecurityCard>,
        account: BankAccount,
        state: String,
        on date: CalendarDate
    ) throws -> PaymentRecord {
        let holder = try holderPseudonym(instruction.holder)
        let amount = instruction.kind == .payment ? instruction.amount : Money(fen: -instruction.amount.fen)
        // Debit the programme's fund, credit the holder: the two lines always sum to zero.
        let lines = [
            PostingLine(account: "fund:\(instruction.programme.rawValue)", amount: amount),
            PostingLine(account: "holder:\(holder)", amount: Money(fen: -amount.fen)),
        ]
        return PaymentRecord(
            instruction: instruction,
            lines: lines,
            card: card,
            bankAccount: account,
            cardState: state,
            holderPseudonym: holder,
            accountPseudonym: try pseudonym(of: account),
            postedOn: date
        )
    }

    /// Net amounts paid per programme and period (reversals subtracted), from a streaming scan.
    ///
    /// The scan reports to `progress` (task `"ledger totals"`) every 1,000 records and once at the
    /// end; with a handler, the matching records are counted first so the reports carry a total.
    public func totals(
        programme: Programme? = nil,
        period: PayPeriod? = nil,
        progress: ProgressHandler? = nil
    ) async throws(OneCardError) -> LedgerTotals {
        try await logger.oneCardOperation("totals") {
            let result = try await store.read(purpose: Purposes.payments) { db in
                var totals = LedgerTotals()
                let query: RecordQuery<PaymentRecord> =
                    if let period { .filter("period", equals: .integer(period.number)) } else if let programme {
                        .filter("programme", equals: .text(programme.rawValue))
                    } else { .all }
                let total = progress == nil ? nil : try await db.count(query)
                var meter = ProgressMeter("ledger totals", total: total, handler: progress)
                try await db.forEach(query) { record in
                    meter.advance()
                    if let programme, record.instruction.programme != programme { return true }
                    if let period, record.instruction.period != period { return true }
                    try totals.add(record)
                    return true
                }
                meter.finish()
                return totals
            }
            logger.debug(
                "ledger totals computed",
                metadata: [
                    "operation": "totals", "programme": "\(programme?.rawValue ?? "all")",
                    "period": "\(period?.description ?? "all")", "records": "\(result.records)",
                ]
            )
            return result
        }
    }

    /// Walks the whole ledger and checks the double-entry invariants: every record's lines sum to
    /// zero, the funds' balances mirror the holders' balances, and no payment is reversed twice.
    ///
    /// The walk reports to `progress` (task `"ledger verification"`) every 1,000 records and once
    /// at the end; with a handler, the records are counted first so the reports carry a total.
    public func verifyLedger(progress: ProgressHandler? = nil) async throws(OneCardError) -> LedgerCheck {
        try await logger.oneCardOperation("verifyLedger") {
            let result = try await store.read(purpose: Purposes.payments) { db in
                var check = LedgerCheck()
                var reversed = Set<String>()
                let total = progress == nil ? nil : try await db.count(RecordQuery<PaymentRecord>.all)
                var meter = ProgressMeter("ledger verification", total: total, handler: progress)
                try await db.forEach(RecordQuery<PaymentRecord>.all) { record in
                    meter.advance()
                    check.records += 1
                    if !record.isBalanced {
                        check.problems.append("record \(record.instruction.id) does not balance")
                    }
                    for line in record.lines {
                        if line.account.hasPrefix("fund:") {
                            check.fundDebits = try check.fundDebits.adding(line.amount)
                        } else {
                            check.holderCredits = try check.holderCredits.adding(Money(fen: -line.amount.fen))
                        }
                    }
                    if case .reversal(let original) = record.instruction.kind, !reversed.insert(original).inserted {
                        check.problems.append("payment \(original) is reversed twice")
                    }
                    return true
                }
                meter.finish()
                if check.fundDebits != check.holderCredits {
                    check.problems.append("fund debits \(check.fundDebits) ≠ holder credits \(check.holderCredits)")
                }
                return check
            }
            let metadata: Logger.Metadata = [
                "operation": "verifyLedger", "records": "\(result.records)", "problems": "\(result.problems.count)",
            ]
            if result.isBalanced {
                logger.info("ledger verified", metadata: metadata)
            } else {
                logger.warning("ledger does not balance", metadata: metadata)
            }
            return result
        }
    }

    /// Records a hospital settlement, split by `policy`, after checking that the insured's card may
    /// be used for medical-insurance settlement.
    public func settle(
        id: String,
        holder: ResidentID,
        hospital: CreditCode,
        total: Money,
        policy: SettlementPolicy = SettlementPolicy()
    ) async throws(OneCardError) -> MedicalSettlement {
        try await logger.oneCardOperation("settle") {
            let date = today
            let (fund, selfPaid) = try policy.split(total)
            let settlement = try MedicalSettlement(
                id: id,
                holder: holder,
                hospital: hospital,
                date: date,
                total: total,
                fundPaid: fund,
                selfPaid: selfPaid
            )
            try await store.write(purpose: Purposes.payments) { db in
                guard let card = try await currentCard(of: holder, in: db) else { throw OneCardError.noCurrentCard }
                try card.authorize(.medicalInsuranceSettlement, on: date)
                try await db.put(settlement)
            }
            logger.info("settlement recorded", metadata: ["operation": "settle", "hospital": "\(hospital.value)"])
            return settlement
        }
    }

    // MARK: Helpers

    func card(_ id: Identifier<SocialSecurityCard>, in db: any RecordReading) async throws -> SocialSecurityCard {
        guard let card = try await db.get(SocialSecurityCard.self, key: RecordKey(id.rawValue)) else {
            throw OneCardError.unknownCard(id.rawValue)
        }
        return card
    }

    func currentCard(of holder: ResidentID, in db: any RecordReading) async throws -> SocialSecurityCard? {
        try await db.fetch(RecordQuery<SocialSecurityCard>.filter("holder", equals: .text(holder.unmasked)))
            .first { $0.state.isCurrent }
    }
}

/// Net totals of a ledger scan.
public struct LedgerTotals: Hashable, Sendable {
    /// Net paid per programme.
    public var byProgramme: [Programme: Money] = [:]
    /// Net paid per period.
    public var byPeriod: [PayPeriod: Money] = [:]
    /// Net paid overall.
    public var total = Money.zero
    /// Number of payment records counted (reversals included).
    public var records = 0

    mutating func add(_ record: PaymentRecord) throws {
        let amount = record.holderAmount
        byProgramme[record.instruction.programme] = try (byProgramme[record.instruction.programme] ?? .zero).adding(
            amount
        )
        byPeriod[record.instruction.period] = try (byPeriod[record.instruction.period] ?? .zero).adding(amount)
        total = try total.adding(amount)
        records += 1
    }
}

/// The result of ``OneCardService/verifyLedger()``.
public struct LedgerCheck: Hashable, Sendable {
    /// Records walked.
    public var records = 0
    /// Σ of the fund lines (what the programmes paid out, net).
    public var fundDebits = Money.zero
    /// Σ of the holder lines, sign-flipped (what the holders received, net).
    public var holderCredits = Money.zero
    /// Everything that breaks an invariant; empty when the ledger is sound.
    public var problems: [String] = []

    /// Whether every invariant holds.
    public var isBalanced: Bool { problems.isEmpty }
}
