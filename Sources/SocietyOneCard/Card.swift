public import SocietyCore

/// The number printed on a social security card (社会保障卡卡号). It changes when a card is
/// replaced; the social security number (the holder's ``ResidentID``) does not.
///
/// Assumed shape: one upper-case letter and eight digits, as on the cards issued in Jiangsu (the
/// national card specification leaves the format to the issuing province). Card numbers identify a
/// person's card, so they print masked.
public struct CardNumber: Hashable, Sendable, CanonicalTextCodable, Masked {
    private let value: String

    /// Why text is not a card number.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not one upper-case letter followed by eight digits.
        case malformed(length: Int)

        public var description: String {
            switch self {
            case .malformed(let length):
                "card number must be one upper-case letter and eight digits (got \(length) characters)"
            }
        }
    }

    /// Validates a card number.
    public init(_ text: String) throws(ValidationError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 9, bytes[0] >= UInt8(ascii: "A"), bytes[0] <= UInt8(ascii: "Z"),
            bytes[1...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw .malformed(length: text.count) }
        self.value = text
    }

    /// A card number is personal information.
    public static var sensitivity: Sensitivity { .personal }
    /// One number is general data.
    public static var dataLevel: DataLevel { .general }
    /// `A1****678`.
    public var masked: String { Masking.keep(value, prefix: 2, suffix: 3) }
    /// The full number.
    public var unmasked: String { value }

    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { value }
}

/// The bank account (bank card number) linked to a social security card: where every payout goes.
///
/// 12–19 digits with a valid Luhn check digit (ISO/IEC 7812), the form Chinese bank cards use.
/// Financial account numbers are sensitive personal information (PIPL art. 28): encrypted at rest
/// and printed as `622202******1234`.
public struct BankAccount: Hashable, Sendable, CanonicalTextCodable, Masked {
    private let value: String

    /// Why text is not a bank card number.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not 12–19 digits.
        case malformed(length: Int)
        /// The Luhn check digit does not match.
        case checkDigitMismatch

        public var description: String {
            switch self {
            case .malformed(let length): "bank account must be 12–19 digits (got \(length) characters)"
            case .checkDigitMismatch: "bank account's Luhn check digit does not match"
            }
        }
    }

    /// Validates a bank card number.
    public init(_ text: String) throws(ValidationError) {
        let bytes = Array(text.utf8)
        guard (12...19).contains(bytes.count), bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw .malformed(length: text.count) }
        guard BankAccount.luhnSum(bytes) % 10 == 0 else { throw .checkDigitMismatch }
        self.value = text
    }

    /// The Luhn sum of all digits (valid when divisible by 10).
    static func luhnSum(_ digits: [UInt8]) -> Int {
        var sum = 0
        for (offset, byte) in digits.reversed().enumerated() {
            var digit = Int(byte - UInt8(ascii: "0"))
            if offset % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return sum
    }

    /// The check digit that makes `body` (digits without the check digit) Luhn-valid: for synthetic data.
    public static func checkDigit(for body: String) -> Character {
        let sum = luhnSum(Array(body.utf8) + [UInt8(ascii: "0")])
        return Character(String((10 - sum % 10) % 10))
    }

    /// Financial account numbers are sensitive personal information.
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One account is general data.
    public static var dataLevel: DataLevel { .general }
    /// The issuer prefix (6) and the last four digits: `622202******1234`.
    public var masked: String { Masking.keep(value, prefix: 6, suffix: 4) }
    /// The full number.
    public var unmasked: String { value }

    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { value }
}

/// What a social security card can be used for ("居民服务一卡通").
public enum CardUse: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    /// 就业登记 — employment registration.
    case employmentRegistration
    /// 医保结算 — medical-insurance settlement.
    case medicalInsuranceSettlement
    /// 养老金发放 — pension payment.
    case pensionPayment
    /// 救助金发放 — civil-affairs assistance payment.
    case assistancePayment
    /// 财政补贴 — fiscal subsidies.
    case fiscalSubsidy
    /// 人才服务 — talent services.
    case talentServices
    /// 交通出行 — public transit.
    case transit
    /// 图书借阅 — library lending.
    case library
    /// 景区入园 — scenic-spot entry.
    case scenicSpotEntry
    /// 生活缴费 — paying water, electricity, gas and property-fee bills from the card's account.
    case livingPayment

    public static func < (lhs: CardUse, rhs: CardUse) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The card generation, which decides the uses the chip supports.
///
/// Assumption (configuration in a real deployment): second-generation cards carry the six
/// social-security uses of the plan; third-generation cards (with SM-algorithm keys, contactless)
/// add the residents' service uses — transit, library, scenic spots, bill payments.
public enum CardGeneration: Int, Codable, Hashable, Sendable, CaseIterable {
    /// 第二代社会保障卡.
    case second = 2
    /// 第三代社会保障卡.
    case third = 3

    /// The uses a card of this generation supports.
    public var supportedUses: Set<CardUse> {
        let core: Set<CardUse> = [
            .employmentRegistration, .medicalInsuranceSettlement, .pensionPayment, .assistancePayment,
            .fiscalSubsidy, .talentServices,
        ]
        return self == .second ? core : Set(CardUse.allCases)
    }
}

/// Why a card was cancelled.
public enum CancellationReason: Hashable, Sendable, Codable {
    /// The holder died; the date comes from a death record received by envelope.
    case deceased(on: CalendarDate)
    /// The holder left the programme (moved away, insured elsewhere).
    case leftProgramme
}

/// Where a card is in its life.
///
/// ```
/// applied → issued → activated ⇄ suspended
///                     activated / suspended → replaced      (terminal; a new card is issued)
/// applied / issued / activated / suspended → cancelled      (terminal)
/// ```
public enum CardState: Hashable, Sendable, Codable {
    /// The holder applied; no card number yet.
    case applied
    /// Printed and handed over, not yet activated.
    case issued
    /// In use.
    case activated
    /// Temporarily blocked: reported lost, or suspended by the issuer.
    case suspended(reportedLost: Bool)
    /// Superseded by a new card (same social security number, new card number).
    case replaced(by: Identifier<SocialSecurityCard>)
    /// Closed for good.
    case cancelled(CancellationReason)

    /// A short name for output and indexes.
    public var name: String {
        switch self {
        case .applied: "applied"
        case .issued: "issued"
        case .activated: "activated"
        case .suspended(let lost): lost ? "reported-lost" : "suspended"
        case .replaced: "replaced"
        case .cancelled: "cancelled"
        }
    }

    /// Whether the card still counts as the holder's card (at most one such card per person).
    public var isCurrent: Bool {
        switch self {
        case .applied, .issued, .activated, .suspended: true
        case .replaced, .cancelled: false
        }
    }
}

/// A move in a card's life; ``SocialSecurityCard/apply(_:)`` refuses the illegal ones.
public enum CardEvent: Hashable, Sendable {
    /// The card is printed with its number.
    case issue(CardNumber, on: CalendarDate)
    /// The holder activates it.
    case activate
    /// The holder reports it lost (临时挂失).
    case reportLost
    /// The issuer suspends it.
    case suspend
    /// A lost or suspended card is restored (解挂).
    case restore
    /// A new card replaces this one.
    case replace(by: Identifier<SocialSecurityCard>)
    /// The card is closed.
    case cancel(CancellationReason)

    /// A short name for errors and audit.
    public var name: String {
        switch self {
        case .issue: "issue"
        case .activate: "activate"
        case .reportLost: "report-lost"
        case .suspend: "suspend"
        case .restore: "restore"
        case .replace: "replace"
        case .cancel: "cancel"
        }
    }
}

/// A social security card (社会保障卡): the resident's "one card" for benefits and services.
public struct SocialSecurityCard: Hashable, Sendable, Codable {
    /// The card record's id (stays with this physical card; a replacement gets a new one).
    public let id: Identifier<SocialSecurityCard>
    /// The social security number: the holder's citizen identity number.
    public let holder: ResidentID
    /// The printed card number, once issued.
    public private(set) var cardNumber: CardNumber?
    /// The card generation.
    public let generation: CardGeneration
    /// The bank that issued the financial account on the card.
    public let issuingBank: CreditCode
    /// The account every payout goes to.
    public var bankAccount: BankAccount
    /// Issue and expiry dates, once issued.
    public private(set) var validity: ValidityPeriod?
    /// The uses the holder enabled (a subset of what the generation supports).
    public private(set) var enabledUses: Set<CardUse>
    /// Where the card is in its life.
    public private(set) var state: CardState

    /// Creates a card application.
    public init(
        id: Identifier<SocialSecurityCard>,
        holder: ResidentID,
        generation: CardGeneration,
        issuingBank: CreditCode,
        bankAccount: BankAccount,
        enabledUses: Set<CardUse>
    ) throws(OneCardError) {
        let unsupported = enabledUses.subtracting(generation.supportedUses)
        if let use = unsupported.min() { throw .useNotSupportedByGeneration(use, generation) }
        self.id = id
        self.holder = holder
        self.generation = generation
        self.issuingBank = issuingBank
        self.bankAccount = bankAccount
        self.enabledUses = enabledUses
        self.state = .applied
    }

    /// Applies a life-cycle event, or throws ``OneCardError/illegalTransition(from:event:)``
    /// and leaves the card unchanged.
    public mutating func apply(_ event: CardEvent) throws(OneCardError) {
        switch (state, event) {
        case (.applied, .issue(let number, let date)):
            cardNumber = number
            do {
                validity = try ValidityPeriod(from: date, until: date.adding(years: 10))
            } catch {
                throw .illegalTransition(from: state.name, event: event.name)
            }
            state = .issued
        case (.issued, .activate):
            state = .activated
        case (.activated, .reportLost):
            state = .suspended(reportedLost: true)
        case (.activated, .suspend):
            state = .suspended(reportedLost: false)
        case (.suspended, .restore):
            state = .activated
        case (.activated, .replace(let successor)), (.suspended, .replace(let successor)):
            state = .replaced(by: successor)
        case (.applied, .cancel(let reason)), (.issued, .cancel(let reason)), (.activated, .cancel(let reason)),
            (.suspended, .cancel(let reason)):
            state = .cancelled(reason)
        default:
            throw .illegalTransition(from: state.name, event: event.name)
        }
    }

    /// Checks that `use` may be carried out with this card on `date`.
    public func authorize(_ use: CardUse, on date: CalendarDate) throws(OneCardError) {
        guard state == .activated else { throw .cardNotActive(state: state.name) }
        guard generation.supportedUses.contains(use) else { throw .useNotSupportedByGeneration(use, generation) }
        guard enabledUses.contains(use) else { throw .useNotEnabled(use) }
        if let validity, !validity.contains(date) { throw .cardExpired }
    }

    /// Enables or disables a use; only uses the generation supports can be enabled.
    public mutating func setUse(_ use: CardUse, enabled: Bool) throws(OneCardError) {
        guard !enabled || generation.supportedUses.contains(use) else {
            throw .useNotSupportedByGeneration(use, generation)
        }
        if enabled { enabledUses.insert(use) } else { enabledUses.remove(use) }
    }
}

extension SocialSecurityCard: DataClassified, CustomStringConvertible, CustomDebugStringConvertible {
    /// Holds an identity number and a bank account.
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One card is general data.
    public static var dataLevel: DataLevel { .general }

    /// A masked summary safe for logs and terminals.
    public var description: String {
        "SocialSecurityCard(\(id), holder \(holder.masked), card \(cardNumber?.masked ?? "-"), "
            + "account \(bankAccount.masked), generation \(generation.rawValue), \(state.name))"
    }

    /// The same masked summary.
    public var debugDescription: String { description }
}

extension SocialSecurityCard: StorableRecord {
    /// The table name.
    public static let recordKind = "onecard_card"
    /// The holder and the account are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["holder", "bankAccount", "cardNumber"]
    /// Cards are found by holder (keyed hash) and by state.
    public static let indexes: [RecordIndex<SocialSecurityCard>] = [
        RecordIndex(searchable: "holder") { .text($0.holder.unmasked) },
        RecordIndex("state") { .text($0.state.name) },
    ]
    /// The record id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}
