import Foundation
public import SocietyCore
public import SocietyExchange
import SocietyJSON

/// The one-card service: cards, their uses, the payout ledger and settlements, on any
/// ``SocietyCore/RecordStore``.
///
/// Every operation is one store transaction, so a refused operation leaves nothing behind, and a
/// store configured with auditing records every change and every read of personal fields.
/// Operations that touch the store are `async`, as the store port is: on a network database they
/// wait without holding a thread.
///
/// ```swift
/// let service = try OneCardService(store: store, crypto: crypto, keys: keys, clock: SystemWallClock())
/// let card = try await service.apply(
///     holder: holder, generation: .third, issuingBank: bank, bankAccount: account,
///     uses: CardGeneration.third.supportedUses)
/// try await service.apply(.issue(number, on: today), to: card.id)
/// try await service.apply(.activate, to: card.id)
/// let outcome = try await service.submit(instruction)   // pays once, however often submitted
/// ```
public struct OneCardService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purpose {
        /// Card life cycle and uses.
        public static let cards = "onecard.cards"
        /// Paying and reversing benefits.
        public static let payments = "onecard.payments"
        /// Fraud monitoring scans.
        public static let monitoring = "onecard.fraud-monitoring"
    }

    private let store: any RecordStore
    private let crypto: any CryptoProvider
    private let pseudonyms: AuditSubjectHasher
    private let clock: any WallClock
    /// Which digest names envelopes in evidence (`sha256` or `sm3` for the national profile).
    public let digest: DigestAlgorithm

    /// A service on `store`. Pseudonyms (keyed hashes that group a person's records without their
    /// identity number) use the key provider's ``SocietyCore/KeyPurpose/searchableHash`` key.
    public init(
        store: any RecordStore,
        crypto: any CryptoProvider,
        keys: any KeyProvider,
        clock: any WallClock,
        digest: DigestAlgorithm = .sha256
    ) throws {
        self.store = store
        self.crypto = crypto
        self.clock = clock
        self.digest = digest
        self.pseudonyms = AuditSubjectHasher(
            key: try keys.currentKey(for: .searchableHash),
            digest: digest,
            crypto: crypto
        )
    }

    var today: CalendarDate { CalendarDate(clock.now()) }

    /// The holder's keyed hash, hex.
    public func pseudonym(of holder: ResidentID) throws -> String {
        Hex.encode(try pseudonyms.subject(kind: "holder", id: holder.unmasked))
    }

    func pseudonym(of account: BankAccount) throws -> String {
        Hex.encode(try pseudonyms.subject(kind: "account", id: account.unmasked))
    }

    // MARK: Cards

    /// Records an application; refused when the holder already has a current card.
    public func apply(
        holder: ResidentID,
        generation: CardGeneration,
        issuingBank: CreditCode,
        bankAccount: BankAccount,
        uses: Set<CardUse>
    ) async throws -> SocialSecurityCard {
        let id = try Identifier<SocialSecurityCard>("card-" + Hex.encode(try crypto.randomBytes(count: 8)))
        let card = try SocialSecurityCard(
            id: id,
            holder: holder,
            generation: generation,
            issuingBank: issuingBank,
            bankAccount: bankAccount,
            enabledUses: uses
        )
        try await store.write(purpose: Purpose.cards) { db in
            if try await currentCard(of: holder, in: db) != nil { throw OneCardError.holderAlreadyHasCard }
            try await db.put(card)
        }
        return card
    }

    /// Applies a life-cycle event to a card.
    @discardableResult
    public func apply(
        _ event: CardEvent,
        to cardID: Identifier<SocialSecurityCard>
    ) async throws -> SocialSecurityCard {
        try await store.write(purpose: Purpose.cards) { db in
            var card = try await card(cardID, in: db)
            try card.apply(event)
            try await db.put(card)
            return card
        }
    }

    /// Replaces a card: the old one is unusable at once, the new one (same holder, account and uses,
    /// new number) is issued in the same transaction.
    public func replace(
        _ cardID: Identifier<SocialSecurityCard>,
        newNumber: CardNumber
    ) async throws -> SocialSecurityCard {
        let newID = try Identifier<SocialSecurityCard>("card-" + Hex.encode(try crypto.randomBytes(count: 8)))
        let issued = today
        return try await store.write(purpose: Purpose.cards) { db in
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
    }

    /// The card with `id`.
    public func card(_ id: Identifier<SocialSecurityCard>) async throws -> SocialSecurityCard {
        try await store.read(purpose: Purpose.cards) { db in try await card(id, in: db) }
    }

    /// The holder's current card, if any.
    public func currentCard(of holder: ResidentID) async throws -> SocialSecurityCard? {
        try await store.read(purpose: Purpose.cards) { db in try await currentCard(of: holder, in: db) }
    }

    /// Authorizes a use and records it (the store audits the record).
    public func use(
        _ use: CardUse,
        card cardID: Identifier<SocialSecurityCard>,
        acceptedBy: String
    ) async throws -> CardUseRecord {
        let now = clock.now()
        let id = "use-" + Hex.encode(try crypto.randomBytes(count: 8))
        return try await store.write(purpose: Purpose.cards) { db in
            let card = try await card(cardID, in: db)
            try card.authorize(use, on: CalendarDate(now))
            let record = CardUseRecord(id: id, card: cardID, use: use, acceptedBy: acceptedBy, time: now)
            try await db.put(record)
            return record
        }
    }

    /// Handles a death record received by envelope (data `{"resident": ID, "dateOfDeath": "YYYY-MM-DD"}`):
    /// keeps it with the envelope's digest and cancels the holder's current card.
    @discardableResult
    public func recordDeath(_ notice: OpenedEnvelope) async throws -> DeathRecord {
        let resident = try NoticeData.resident(notice.claims.data, "resident")
        let date = try NoticeData.date(notice.claims.data, "dateOfDeath")
        let record = DeathRecord(
            resident: resident,
            dateOfDeath: date,
            reportedBy: notice.claims.issuer,
            envelopeDigest: try envelopeDigest(notice),
            holderPseudonym: try pseudonym(of: resident)
        )
        try await store.write(purpose: Purpose.cards) { db in
            try await db.put(record)
            if var card = try await currentCard(of: resident, in: db) {
                try card.apply(.cancel(.deceased(on: date)))
                try await db.put(card)
            }
        }
        return record
    }

    /// Keeps an employment registration received by envelope (data `{"registration": ID,
    /// "resident": ID, "employer": CREDITCODE, "from": DATE, "until": DATE?}`).
    @discardableResult
    public func recordEmployment(_ notice: OpenedEnvelope) async throws -> EmploymentRecord {
        let data = notice.claims.data
        let resident = try NoticeData.resident(data, "resident")
        let employerText = try NoticeData.string(data, "employer")
        let employer: CreditCode
        let period: ValidityPeriod
        do {
            employer = try CreditCode(employerText)
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
            envelopeDigest: try envelopeDigest(notice),
            holderPseudonym: try pseudonym(of: resident)
        )
        try await store.write(purpose: Purpose.cards) { db in try await db.put(record) }
        return record
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
    public func submit(_ instruction: PaymentInstruction) async throws -> PaymentOutcome {
        try await submit([instruction])[0]
    }

    /// Submits a batch in one transaction: all of it is posted, or none of it (a refused instruction
    /// refuses the batch). Instructions posted earlier come back as ``PaymentOutcome/alreadyPosted(_:)``.
    public func submit(_ batch: [PaymentInstruction]) async throws -> [PaymentOutcome] {
        let postedOn = today
        return try await store.write(purpose: Purpose.payments) { db in
            var outcomes: [PaymentOutcome] = []
            outcomes.reserveCapacity(batch.count)
            var cards: [ResidentID: SocialSecurityCard] = [:]
            for instruction in batch {
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
                        throw OneCardError.notReversible(id: originalID, reason: "holder, programme or amount differ")
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
            return outcomes
        }
    }

    private func posting(
        _ instruction: PaymentInstruction,
        card: Identifier<SocialSecurityCard>,
        account: BankAccount,
        state: String,
        on date: CalendarDate
    ) throws -> PaymentRecord {
        let holder = try pseudonym(of: instruction.holder)
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
    public func totals(programme: Programme? = nil, period: PayPeriod? = nil) async throws -> LedgerTotals {
        try await store.read(purpose: Purpose.payments) { db in
            var totals = LedgerTotals()
            let query: RecordQuery<PaymentRecord> =
                if let period { .filter("period", equals: .integer(period.number)) } else if let programme {
                    .filter("programme", equals: .text(programme.rawValue))
                } else { .all }
            try await db.forEach(query) { record in
                if let programme, record.instruction.programme != programme { return true }
                if let period, record.instruction.period != period { return true }
                try totals.add(record)
                return true
            }
            return totals
        }
    }

    /// Walks the whole ledger and checks the double-entry invariants: every record's lines sum to
    /// zero, the funds' balances mirror the holders' balances, and no payment is reversed twice.
    public func verifyLedger() async throws -> LedgerCheck {
        try await store.read(purpose: Purpose.payments) { db in
            var check = LedgerCheck()
            var reversed = Set<String>()
            try await db.forEach(RecordQuery<PaymentRecord>.all) { record in
                check.records += 1
                if !record.isBalanced { check.problems.append("record \(record.instruction.id) does not balance") }
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
            if check.fundDebits != check.holderCredits {
                check.problems.append("fund debits \(check.fundDebits) ≠ holder credits \(check.holderCredits)")
            }
            return check
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
    ) async throws -> MedicalSettlement {
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
        try await store.write(purpose: Purpose.payments) { db in
            guard let card = try await currentCard(of: holder, in: db) else { throw OneCardError.noCurrentCard }
            try card.authorize(.medicalInsuranceSettlement, on: date)
            try await db.put(settlement)
        }
        return settlement
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

    func envelopeDigest(_ envelope: OpenedEnvelope) throws -> String {
        "\(digest.rawValue):\(Base64URL.encode(try crypto.digest(digest, of: Array(envelope.text.utf8))))"
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
