public import Foundation
public import SocietyCore

/// A programme that pays benefits through the card (the payer side of every posting).
public enum Programme: String, Codable, Hashable, Sendable, CaseIterable {
    /// 养老金 — basic pension.
    case pension
    /// 低保 — minimum-living allowance (dibao).
    case minimumLiving
    /// 特困供养 — extreme-poverty support.
    case extremePoverty
    /// 临时救助 — temporary assistance.
    case temporaryAssistance
    /// 失业保险金 — unemployment benefit.
    case unemploymentBenefit
    /// 财政补贴 — fiscal subsidies (e.g. the disability "two subsidies").
    case fiscalSubsidy
    /// 水电气费减免 — utility-fee relief for low-income households.
    case utilityFeeRelief
    /// 物价补贴 — price subsidies paid while the price-linkage mechanism is on.
    case priceSubsidy
    /// 优抚金 — veterans' preferential-care payments.
    case veteransPreferentialCare
    /// 人才补贴 — talent subsidies.
    case talentSubsidy
    /// 就业补贴 — employment subsidies (skill upgrade, entrepreneurship).
    case employmentSubsidy
    /// 育儿补贴 — the childcare subsidy for children under 3.
    case childcareSubsidy
    /// 经济困难老年人护理补贴 — the care subsidy for older people in economic difficulty.
    case elderlyCareSubsidy
    /// 国家助学金 — the national student grant.
    case studentAid
}

/// A calendar month a payment is for (`2026-11`).
public struct PayPeriod: Hashable, Comparable, Sendable, CanonicalTextCodable, CustomStringConvertible {
    /// The year.
    public let year: Int
    /// The month, 1–12.
    public let month: Int

    /// Creates a period, refusing impossible months.
    public init(year: Int, month: Int) throws(OneCardError) {
        guard (1900...9999).contains(year), (1...12).contains(month) else { throw .invalidPeriod("\(year)-\(month)") }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`.
    public init(_ text: String) throws(OneCardError) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1])
        else { throw .invalidPeriod(text) }
        try self.init(year: year, month: month)
    }

    /// The month containing `date`.
    public init(containing date: CalendarDate) {
        self.year = date.year
        self.month = date.month
    }

    /// `yyyymm` as an integer, for indexes.
    public var number: Int64 { Int64(year * 100 + month) }
    /// The first day of the month.
    public var firstDay: CalendarDate {
        (try? CalendarDate(year: year, month: month, day: 1)) ?? CalendarDate(daysSinceEpoch: 0)
    }
    /// `YYYY-MM`.
    public var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }

    public static func < (lhs: PayPeriod, rhs: PayPeriod) -> Bool { lhs.number < rhs.number }

    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(OneCardError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { description }
}

/// A programme's instruction to pay (or to take back) a benefit.
///
/// The ``id`` is the idempotency key: the programme chooses it (e.g. `dibao-2026-11-<household>`),
/// and however often the instruction is submitted — a retry after a timeout, a re-run after a
/// crash — it pays once.
public struct PaymentInstruction: Hashable, Sendable, Codable {
    /// The idempotency key: 1–64 characters from `A–Z a–z 0–9 - _ . :`.
    public let id: String
    /// Who pays.
    public let programme: Programme
    /// Who is paid: the social security number.
    public let holder: ResidentID
    /// The month the payment is for.
    public let period: PayPeriod
    /// The amount, positive.
    public let amount: Money
    /// A payment, or the reversal of an earlier instruction.
    public let kind: Kind

    /// Payment or reversal.
    public enum Kind: Hashable, Sendable, Codable {
        /// Pays `amount` to the holder.
        case payment
        /// Takes back the payment made by instruction `of`, e.g. when eligibility ended.
        case reversal(of: String)
    }

    /// Creates an instruction, checking its id and amount.
    public init(
        id: String,
        programme: Programme,
        holder: ResidentID,
        period: PayPeriod,
        amount: Money,
        kind: Kind = .payment
    ) throws(OneCardError) {
        guard (1...64).contains(id.utf8.count),
            id.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: ":")
            })
        else { throw .invalidInstructionID(id) }
        guard amount.fen > 0 else { throw .invalidAmount(amount) }
        self.id = id
        self.programme = programme
        self.holder = holder
        self.period = period
        self.amount = amount
        self.kind = kind
    }
}

/// One side of a double-entry posting: an account and a signed amount (debit positive).
public struct PostingLine: Hashable, Sendable, Codable {
    /// `fund:<programme>` or `holder:<pseudonym>`.
    public let account: String
    /// Debit (positive) or credit (negative), in fen.
    public let amount: Money
}

/// What the ledger keeps for one instruction: the instruction, its balanced lines, and the card
/// facts at the time of payment that fraud monitoring needs.
public struct PaymentRecord: Hashable, Sendable, Codable {
    /// The instruction as received.
    public let instruction: PaymentInstruction
    /// The double-entry lines; they always sum to zero.
    public let lines: [PostingLine]
    /// The card paid to (for payments) or whose payment was taken back (for reversals).
    public let card: Identifier<SocialSecurityCard>
    /// The account paid into.
    public let bankAccount: BankAccount
    /// The card's state when the payment was made.
    public let cardState: String
    /// The keyed hash of the holder: groups a person's payments without their identity number.
    public let holderPseudonym: String
    /// The keyed hash of the bank account.
    public let accountPseudonym: String
    /// When it was posted.
    public let postedOn: CalendarDate

    /// The lines net to zero: the double-entry invariant for this record.
    public var isBalanced: Bool { (try? Money.sum(lines.map(\.amount))) == .zero }

    /// The signed effect on the holder: positive for a payment, negative for a reversal.
    public var holderAmount: Money {
        instruction.kind == .payment ? instruction.amount : Money(fen: -instruction.amount.fen)
    }
}

extension PaymentRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "onecard_payment"
    /// The instruction (holder), the account are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["instruction", "bankAccount"]
    /// Indexes for totals, idempotency of reversals, and the fraud rules.
    public static let indexes: [RecordIndex<PaymentRecord>] = [
        RecordIndex("programme") { .text($0.instruction.programme.rawValue) },
        RecordIndex("period") { .integer($0.instruction.period.number) },
        RecordIndex("holder") { .text($0.holderPseudonym) },
        RecordIndex("account") { .text($0.accountPseudonym) },
        RecordIndex("card_state") { .text($0.cardState) },
        RecordIndex("dup") { record in
            guard record.instruction.kind == .payment else { return nil }
            return .text(
                "\(record.holderPseudonym)|\(record.instruction.programme.rawValue)|\(record.instruction.period)"
            )
        },
        RecordIndex("reverses") { record in
            guard case .reversal(let original) = record.instruction.kind else { return nil }
            return .text(original)
        },
    ]
    /// The idempotency key.
    public var recordKey: RecordKey { RecordKey(instruction.id) }
}

/// A medical-insurance settlement at a hospital: the bill split into what the fund pays and what
/// the insured pays (plan item 11: mobile payment at secondary-and-above hospitals).
public struct MedicalSettlement: Hashable, Sendable, Codable {
    /// The settlement id.
    public let id: String
    /// The insured.
    public let holder: ResidentID
    /// The hospital.
    public let hospital: CreditCode
    /// The day of treatment.
    public let date: CalendarDate
    /// The whole bill.
    public let total: Money
    /// Paid by the medical-insurance fund.
    public let fundPaid: Money
    /// Paid by the insured (through the card's account).
    public let selfPaid: Money

    /// Creates a settlement whose parts add up to the total.
    public init(
        id: String,
        holder: ResidentID,
        hospital: CreditCode,
        date: CalendarDate,
        total: Money,
        fundPaid: Money,
        selfPaid: Money
    ) throws(OneCardError) {
        guard fundPaid.fen >= 0, selfPaid.fen >= 0, (try? fundPaid.adding(selfPaid)) == total else {
            throw .unbalancedSettlement(total: total, fund: fundPaid, selfPaid: selfPaid)
        }
        self.id = id
        self.holder = holder
        self.hospital = hospital
        self.date = date
        self.total = total
        self.fundPaid = fundPaid
        self.selfPaid = selfPaid
    }
}

/// How the fund shares a bill: a deductible (起付线), a reimbursement rate above it, and a cap
/// (封顶线). Amounts are configuration; the defaults are illustrative, not Taizhou's.
public struct SettlementPolicy: Hashable, Sendable, Codable {
    /// The part of each bill the insured pays before the fund pays anything.
    public var deductible: Money
    /// The fund's share above the deductible, in per-mille (700 = 70 %).
    public var ratePerMille: Int64
    /// The most the fund pays for one bill.
    public var cap: Money

    /// A policy; defaults are illustrative assumptions (¥800 deductible, 70 %, ¥300,000 cap).
    public init(
        deductible: Money = Money(fen: 80_000),
        ratePerMille: Int64 = 700,
        cap: Money = Money(fen: 30_000_000)
    ) {
        self.deductible = deductible
        self.ratePerMille = min(max(ratePerMille, 0), 1000)
        self.cap = cap
    }

    /// Splits `total` into fund and self-paid parts.
    public func split(_ total: Money) throws -> (fund: Money, selfPaid: Money) {
        let above = max(Money.zero, try total.subtracting(deductible))
        let fund = min(try above.scaled(by: ratePerMille, over: 1000), cap)
        return (fund, try total.subtracting(fund))
    }
}

extension MedicalSettlement: StorableRecord {
    /// The table name.
    public static let recordKind = "onecard_settlement"
    /// The insured is encrypted at rest.
    public static let sensitiveFields: Set<String> = ["holder"]
    /// Settlements by hospital.
    public static let indexes: [RecordIndex<MedicalSettlement>] = [
        RecordIndex("hospital") { .text($0.hospital.value) },
        RecordIndex("date") { .integer(Int64($0.date.daysSinceEpoch)) },
    ]
    /// The settlement id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// One use of a card (a transit tap, a library loan, a settlement): kept so that every use is on
/// record and audited by the store.
public struct CardUseRecord: Hashable, Sendable, Codable, StorableRecord {
    /// The use's id.
    public let id: String
    /// The card used.
    public let card: Identifier<SocialSecurityCard>
    /// What it was used for.
    public let use: CardUse
    /// Who accepted it (a party or terminal).
    public let acceptedBy: String
    /// When.
    public let time: Date

    /// The table name.
    public static let recordKind = "onecard_use"
    /// Uses by card.
    public static let indexes: [RecordIndex<CardUseRecord>] = [RecordIndex("card") { .text($0.card.rawValue) }]
    /// The use id.
    public var recordKey: RecordKey { RecordKey(id) }
}
