public import Foundation
public import SocietyCore
public import SocietyOneCard
public import SocietyServices

/// What a household pays for through the one-card's account (生活缴费).
public enum UtilityKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// 水费.
    case water
    /// 电费.
    case electricity
    /// 燃气费.
    case gas
    /// 物业费.
    case propertyFee

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .water: "水费"
        case .electricity: "电费"
        case .gas: "燃气费"
        case .propertyFee: "物业费"
        }
    }
}

/// A bill a utility or property company issues to a household's payer.
public struct UtilityBill: Hashable, Sendable, Codable {
    /// The company's bill number: 1–32 letters, digits or `-`.
    public let number: String
    /// The company (unified social credit code).
    public let payee: CreditCode
    /// The company's name, as the payer sees it.
    public let payeeName: String
    /// What for.
    public let kind: UtilityKind
    /// The household's customer number at the company.
    public let account: String
    /// Who pays: the cardholder.
    public let payer: ResidentID
    /// The month billed.
    public let period: PayPeriod
    /// The amount, positive.
    public let amount: Money
    /// Due by.
    public let due: CalendarDate

    /// A bill, checking its number, account and amount.
    public init(
        number: String,
        payee: CreditCode,
        payeeName: String,
        kind: UtilityKind,
        account: String,
        payer: ResidentID,
        period: PayPeriod,
        amount: Money,
        due: CalendarDate
    ) throws(CommunityError) {
        func isCode(_ text: String) -> Bool {
            (1...32).contains(text.utf8.count)
                && text.utf8.allSatisfy { byte in
                    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                        || byte == UInt8(ascii: "-")
                }
        }
        guard isCode(number) else {
            throw .invalid("bill number \(Masking.keep(number, prefix: 2, suffix: 2)) is not 1–32 letters, digits or -")
        }
        guard isCode(account) else { throw .invalid("customer number is not 1–32 letters, digits or -") }
        guard !payeeName.isEmpty else { throw .invalid("a bill names its company") }
        guard amount.fen > 0 else { throw .invalid("a bill's amount is positive") }
        self.number = number
        self.payee = payee
        self.payeeName = payeeName
        self.kind = kind
        self.account = account
        self.payer = payer
        self.period = period
        self.amount = amount
        self.due = due
    }

    /// The payment request's id: the company and its bill number, so a bill is requested once.
    public var paymentID: String { "util-\(payee.value)-\(number)" }
}

/// A payment request through the one-card (a payment instruction to the card's bank): debit the
/// cardholder's account by the bill's amount in favour of the company. A state machine —
/// requested → paid or failed; failed → requested again (a retry); requested → cancelled — whose
/// illegal moves throw.
public struct UtilityPayment: Hashable, Sendable, Codable {
    /// Where the request stands.
    public enum State: String, Hashable, Sendable, Codable {
        /// Sent to the bank.
        case requested
        /// The bank debited the account.
        case paid
        /// The bank refused (insufficient funds, account frozen); may be retried.
        case failed
        /// Withdrawn before it was paid.
        case cancelled
    }

    /// One move, for the history.
    public struct Change: Hashable, Sendable, Codable {
        /// What happened.
        public let what: String
        /// When.
        public let at: Date
    }

    /// The idempotency key (``UtilityBill/paymentID``).
    public let id: String
    /// The bill.
    public let bill: UtilityBill
    /// The card it goes through.
    public let card: Identifier<SocialSecurityCard>
    /// The account debited (encrypted at rest).
    public let bankAccount: BankAccount
    /// The payer's keyed hash, for the payer's list.
    public let payerKey: String
    /// The state.
    public internal(set) var state: State
    /// The bank's reference once paid.
    public internal(set) var reference: String?
    /// Every move.
    public internal(set) var history: [Change]
}

extension UtilityPayment: StorableRecord {
    /// The table name.
    public static let recordKind = "community_utility_payment"
    /// The bill (it names the payer) and the account.
    public static let sensitiveFields: Set<String> = ["bill", "bankAccount"]
    /// By payer and by state.
    public static let indexes: [RecordIndex<UtilityPayment>] = [
        RecordIndex("payer") { .text($0.payerKey) }, RecordIndex("state") { .text($0.state.rawValue) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// Utility-fee relief (水电气费减免) for households in the listed special groups, paid monthly
/// through the one-card's `utilityFeeRelief` programme. No Taizhou figure was found: the amount is
/// an **assumption** (20 yuan a household a month), the groups dibao and people in poverty.
public struct UtilityReliefPolicy: Hashable, Sendable, Codable {
    /// A household's relief a month.
    public var monthly: Money
    /// The groups whose households receive it.
    public var groups: Set<SpecialGroup>
    /// Recorded with every decision.
    public var version: String

    /// The policy; the defaults are the assumptions above.
    public init(
        monthly: Money = Money(fen: 2_000),
        groups: Set<SpecialGroup> = [.dibao, .poverty],
        version: String = "utility-relief (assumption)"
    ) {
        self.monthly = monthly
        self.groups = groups
        self.version = version
    }
}

/// A month's relief decision for a household, and the instruction that paid it.
public struct UtilityRelief: Hashable, Sendable {
    /// Why, or why not.
    public let decision: ExplainedDecision
    /// The one-card instruction's id when paid.
    public let instruction: String?
    /// The amount paid (zero when refused).
    public let amount: Money
}
