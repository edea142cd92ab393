public import SocietyCertificates
public import SocietyCore
public import SocietyServices

/// What the market supervision service refuses or fails with.
public enum MarketSupervisionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// Not found.
    case notFound(String)
    /// Already there.
    case duplicate(String)
    /// A move the record's state does not allow.
    case illegal(move: String, state: String)
    /// Refused by the rules, explained.
    case refused(ExplainedDecision)
    /// The public draw refused or failed.
    case draw(String)
    /// The store or another port failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .duplicate(let what): "\(what) already exists"
        case .illegal(let move, let state): "cannot \(move): it is \(state)"
        case .refused(let decision): "refused — \(decision.explanation)"
        case .draw(let reason): "draw: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as MarketSupervisionError: self = error
        default: self = .store(String(describing: error))
        }
    }
}

/// A market entity (市场主体) on the register, keyed by its unified social credit code: its name,
/// its legal representative (personal data: encrypted at rest, masked in every disclosure), its
/// district and the industry the random inspections select it by.
public struct MarketEntity: Hashable, Sendable, Codable {
    /// The unified social credit code (GB 32100).
    public let code: CreditCode
    /// The registered name.
    public var name: String
    /// The legal representative's name (encrypted at rest).
    public var representative: PersonName
    /// The legal representative's identity number (encrypted at rest).
    public var representativeID: ResidentID
    /// The district (GB/T 2260).
    public var district: DivisionCode
    /// The industry, a plan's selector (e.g. `food-sales`, `catering`, `pharmacy`).
    public var industry: String
    /// The day it was registered.
    public var registered: CalendarDate

    /// An entity; a name and an industry of 1–128 characters.
    public init(
        code: CreditCode,
        name: String,
        representative: PersonName,
        representativeID: ResidentID,
        district: DivisionCode,
        industry: String,
        registered: CalendarDate
    ) throws(MarketSupervisionError) {
        guard (1...128).contains(name.count) else { throw .invalid("an entity's name has 1–128 characters") }
        guard (1...128).contains(industry.count) else { throw .invalid("an entity's industry has 1–128 characters") }
        self.code = code
        self.name = name
        self.representative = representative
        self.representativeID = representativeID
        self.district = district
        self.industry = industry
        self.registered = registered
    }
}

extension MarketEntity: StorableRecord {
    /// The table name.
    public static let recordKind = "market_entity"
    /// The legal representative's name and identity number.
    public static let sensitiveFields: Set<String> = ["representative", "representativeID"]
    /// By industry (a plan's candidates) and district.
    public static let indexes: [RecordIndex<MarketEntity>] = [
        RecordIndex("industry") { .text($0.industry) },
        RecordIndex("district") { .text($0.district.code) },
    ]
    /// The credit code (public: organisations are public actors).
    public var recordKey: RecordKey { RecordKey(code.value) }
}

/// The kinds of licence the market supervision department issues.
public enum LicenceKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// 营业执照: the business licence; its number is the entity's unified social credit code.
    case business
    /// 食品经营许可证: the food business licence, numbered ``FoodBusinessLicenceNumber``.
    case foodBusiness = "food-business"
    /// 药品经营许可证: the drug business licence (number shape not recorded: 1–32 characters).
    case drugBusiness = "drug-business"
    /// 医疗器械经营许可证: the medical-device business licence (number shape not recorded: 1–32
    /// characters).
    case medicalDevice = "medical-device"

    /// The official name.
    public var name: String {
        switch self {
        case .business: "营业执照"
        case .foodBusiness: "食品经营许可证"
        case .drugBusiness: "药品经营许可证"
        case .medicalDevice: "医疗器械经营许可证"
        }
    }
}

/// A food business licence number (食品经营许可证编号): `JY` followed by 14 digits — the business
/// type (1 digit), the area (2 + 2 + 2 digits: province, city, county), a sequence (6 digits) and a
/// check digit (1), as DOMAINS.md records it.
///
/// Only the **shape** is validated: the check digit's algorithm was not found in any source we
/// could read, so a number with a wrong check digit is accepted. Replace ``init(_:)``'s check when
/// the algorithm is published.
public struct FoodBusinessLicenceNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The number, `JY` and 14 digits.
    public let value: String

    /// Validates the shape: `JY` then exactly 14 ASCII digits.
    public init(_ text: String) throws(MarketSupervisionError) {
        let characters = Array(text.utf8)
        guard characters.count == 16, text.hasPrefix("JY"),
            characters[2...].allSatisfy({ (0x30...0x39).contains($0) })
        else { throw .invalid("a food business licence number is JY and 14 digits") }
        value = text
    }

    private func digits(_ range: Range<Int>) -> String {
        String(Array(value)[(range.lowerBound + 2)..<(range.upperBound + 2)])
    }

    /// The business-type digit (主体业态).
    public var businessType: String { digits(0..<1) }
    /// The area: six digits, province, city and county (GB/T 2260 form).
    public var area: String { digits(1..<7) }
    /// The sequence number within the area.
    public var sequence: String { digits(7..<13) }
    /// The check digit (not verified: its algorithm was not found).
    public var checkDigit: String { digits(13..<14) }

    /// The number: licences are public.
    public var description: String { value }
}

/// A licence granted to a market entity.
public struct Licence: Hashable, Sendable, Codable {
    /// Valid or revoked.
    public enum State: String, Hashable, Sendable, Codable {
        /// In force.
        case valid
        /// Revoked (吊销) or cancelled (注销).
        case revoked
    }

    /// The licence number (for a business licence, the credit code).
    public let number: String
    /// The kind.
    public let kind: LicenceKind
    /// The holder.
    public let holder: CreditCode
    /// The business scope (经营范围 / 经营项目).
    public let scope: String
    /// The validity.
    public let validity: ValidityPeriod
    /// The state.
    public internal(set) var state: State

    /// A valid licence; its number is checked for its kind: a business licence's is the holder's
    /// credit code, a food business licence's a ``FoodBusinessLicenceNumber``, the others 1–32
    /// characters.
    public init(
        number: String,
        kind: LicenceKind,
        holder: CreditCode,
        scope: String,
        validity: ValidityPeriod
    ) throws(MarketSupervisionError) {
        switch kind {
        case .business:
            guard number == holder.value else {
                throw .invalid("a business licence's number is the holder's credit code")
            }
        case .foodBusiness: _ = try FoodBusinessLicenceNumber(number)
        case .drugBusiness, .medicalDevice:
            guard (1...32).contains(number.count), !number.contains(where: \.isWhitespace) else {
                throw .invalid("a \(kind.rawValue) licence number has 1–32 characters and no space")
            }
        }
        guard (1...256).contains(scope.count) else { throw .invalid("a licence's scope has 1–256 characters") }
        self.number = number
        self.kind = kind
        self.holder = holder
        self.scope = scope
        self.validity = validity
        self.state = .valid
    }
}

extension Licence: StorableRecord {
    /// The table name.
    public static let recordKind = "market_licence"
    /// By holder.
    public static let indexes: [RecordIndex<Licence>] = [RecordIndex("holder") { .text($0.holder.value) }]
    /// The kind and the number.
    public var recordKey: RecordKey { RecordKey("\(kind.rawValue):\(number)") }
}

extension CertificateType {
    /// 市场主体许可证照: a market entity's licence (business, food business, drug or medical-device
    /// business), held by the entity and verified offline by whoever it presents it to.
    public static let marketLicence = CertificateType(
        code: "market-licence",
        name: "市场主体许可证照",
        englishName: "Market entity licence",
        holderKind: .organization,
        claims: [
            .init("entity_name", "名称", .text),
            .init("licence_kind", "证照类型", .choice(LicenceKind.allCases.map(\.rawValue))),
            .init("licence_number", "许可证编号", .text),
            .init("scope", "经营范围", .text),
            .init("legal_representative", "法定代表人", .personName),
            .init("valid_until", "有效期至", .date, required: false),
        ]
    )
}
