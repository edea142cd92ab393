public import SocietyCore

/// What the housing services refuse or fail with.
public enum HousingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense; nothing was changed.
    case invalid(String)
    /// No unit, account, application or record with this id.
    case notFound(String)
    /// A registration the unit's state does not allow (the move, the state, why).
    case refused(String, state: String, reason: String)
    /// Already there (a unit registered twice, an account opened twice).
    case exists(String)
    /// A notice by envelope was not in the agreed shape.
    case malformedNotice(String)
    /// The store refused or failed.
    case store(StoreError)
    /// Something else failed.
    case failed(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .refused(let move, let state, let reason): "\(move) refused on a unit that is \(state): \(reason)"
        case .exists(let what): "\(what) already exists"
        case .malformedNotice(let reason): "malformed notice: \(reason)"
        case .store(let error): "store: \(error)"
        case .failed(let reason): reason
        }
    }

    /// The case's name, for logs.
    public var caseName: String {
        switch self {
        case .invalid: "invalid"
        case .notFound: "notFound"
        case .refused: "refused"
        case .exists: "exists"
        case .malformedNotice: "malformedNotice"
        case .store: "store"
        case .failed: "failed"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as HousingError: self = error
        case let error as StoreError: self = .store(error)
        default: self = .failed(String(describing: error))
        }
    }
}

/// 登记类型: the kind of a registration, with its code (DOMAINS.md, Housing).
public enum RegistrationType: Int, Hashable, Sendable, Codable, CaseIterable {
    /// 首次登记 (a mortgage's first registration too: the right type says which right).
    case first = 100
    /// 转移登记.
    case transfer = 200
    /// 变更登记.
    case change = 300
    /// 注销登记 (of the unit, or of a mortgage right).
    case cancellation = 400
    /// 更正登记.
    case correction = 500
    /// 异议登记.
    case objection = 600
    /// 预告登记.
    case advanceNotice = 700
    /// 查封登记 (and its lifting).
    case seizure = 800
    /// 其他登记.
    case other = 900
}

/// 权利类型: the right registered. A mortgage is a right type (23), not a registration type.
public enum RightType: String, Hashable, Sendable, Codable, CaseIterable {
    /// 国有建设用地使用权/房屋所有权: land-use right and building ownership together.
    case ownership
    /// 抵押权 (code 23).
    case mortgage

    /// The right type's code where DOMAINS.md gives one.
    public var code: Int? { self == .mortgage ? 23 : nil }
}

/// Who holds a right: a resident or an organisation.
public enum Holder: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A person.
    case resident(ResidentID)
    /// An organisation (a developer, a bank, an employer).
    case organisation(CreditCode)

    /// The key the store hashes to find a holder's units.
    var key: String {
        switch self {
        case .resident(let id): "r:\(id.unmasked)"
        case .organisation(let code): "o:\(code.value)"
        }
    }

    /// Masked for a person.
    public var description: String {
        switch self {
        case .resident(let id): id.masked
        case .organisation(let code): code.value
        }
    }
}

/// A mortgage on a unit.
public struct Mortgage: Hashable, Sendable, Codable {
    /// The registration's business number.
    public let id: String
    /// The lender.
    public let mortgagee: CreditCode
    /// The debt secured.
    public let amount: Money
    /// The day registered.
    public let registeredOn: CalendarDate
    /// The certification's number (不动产证明).
    public let certification: CertificateNumber
}

/// One line of a unit's register (登记簿): what was registered, when, under which business number.
public struct RegisterEntry: Hashable, Sendable, Codable {
    /// The business number.
    public let number: String
    /// The registration's type.
    public let type: RegistrationType
    /// The right it concerns.
    public let right: RightType
    /// The day.
    public let on: CalendarDate
    /// What changed, in words (no personal value).
    public let summary: String
}

/// The register page of one real-estate unit: where and what it is, who holds it under which
/// certificate, what encumbers it, and every registration made on it.
public struct RealEstateUnit: Hashable, Sendable, Codable {
    /// A restriction on the unit.
    public enum Restriction: Hashable, Sendable, Codable {
        /// 查封: seized by a court; no transfer, mortgage or cancellation until lifted.
        case seizure(court: String, caseNumber: String, on: CalendarDate)
        /// 预告登记: promised to `beneficiary` (a pre-sale purchase); disposing of it to anyone else
        /// without their consent is void (Civil Code art. 221), so transfers go only to them.
        case advanceNotice(beneficiary: Holder, on: CalendarDate)
        /// 异议登记: someone disputes the register; registrations proceed, marked as disputed,
        /// and the objection lapses after 15 days unless a suit follows (Civil Code art. 220).
        case objection(by: Holder, on: CalendarDate)

        var name: String {
            switch self {
            case .seizure: "seized"
            case .advanceNotice: "under advance notice"
            case .objection: "under objection"
            }
        }
    }

    /// The unit.
    public let unit: UnitNumber
    /// 坐落: its address.
    public internal(set) var location: String
    /// 用途: its use (住宅, 商业, …).
    public internal(set) var use: String
    /// Floor area in hundredths of a square metre.
    public internal(set) var area: Int
    /// The holders of the ownership right (empty once cancelled).
    public internal(set) var holders: [Holder]
    /// The certificate of the ownership right in force.
    public internal(set) var certificate: CertificateNumber?
    /// Mortgages in force.
    public internal(set) var mortgages: [Mortgage]
    /// Restrictions in force.
    public internal(set) var restrictions: [Restriction]
    /// Whether the unit was cancelled (demolished, merged).
    public internal(set) var cancelled: Bool
    /// Every registration, oldest first.
    public internal(set) var history: [RegisterEntry]

    /// The unit's state in words: `cancelled`, `seized`, …, or `registered`.
    public var state: String {
        if cancelled { return "cancelled" }
        if restrictions.contains(where: { if case .seizure = $0 { true } else { false } }) { return "seized" }
        return restrictions.first?.name ?? (mortgages.isEmpty ? "registered" : "mortgaged")
    }

    var isSeized: Bool { restrictions.contains { if case .seizure = $0 { true } else { false } } }

    /// The area in m², as printed.
    public var areaText: String { "\(area / 100).\(DecimalText.padded(area % 100, width: 2))" }
}

extension RealEstateUnit: StorableRecord {
    /// The table name.
    public static let recordKind = "housing_unit"
    /// The holders, and those named by restrictions, are personal data.
    public static let sensitiveFields: Set<String> = ["holders", "restrictions"]
    /// By parcel.
    public static let indexes: [RecordIndex<RealEstateUnit>] = [RecordIndex("parcel") { .text($0.unit.parcel) }]
    /// The unit number.
    public var recordKey: RecordKey { RecordKey(unit.value) }
}

/// Who holds which unit: one row per holder and unit, found through a keyed hash of the holder, so
/// an official's look-up by holder never scans the register.
public struct Holding: Hashable, Sendable, Codable {
    /// The holder (encrypted at rest).
    public let holder: Holder
    /// The unit.
    public let unit: UnitNumber
}

extension Holding: StorableRecord {
    /// The table name.
    public static let recordKind = "housing_holding"
    /// The holder is personal data.
    public static let sensitiveFields: Set<String> = ["holder"]
    /// By holder (keyed hash).
    public static let indexes: [RecordIndex<Holding>] = [RecordIndex(searchable: "holder") { .text($0.holder.key) }]
    /// Holder and unit.
    public var recordKey: RecordKey { RecordKey(sensitive: "\(holder.key)|\(unit.value)") }
}

/// What anyone may see of a unit on the public map: no holder, no certificate, no amount. Kept as a
/// record of its own, written with every registration, so a public search reads no personal data
/// at all.
public struct PublicUnit: Hashable, Sendable, Codable {
    /// The unit.
    public let unit: String
    /// 坐落.
    public let location: String
    /// 用途.
    public let use: String
    /// Area, m².
    public let area: String
    /// `registered`, `mortgaged`, `seized`, …
    public let state: String
    /// The last registration's type and day.
    public let lastRegistration: String

    init(_ unit: RealEstateUnit) {
        self.unit = unit.unit.value
        location = unit.location
        use = unit.use
        area = unit.areaText
        state = unit.state
        lastRegistration = unit.history.last.map { "\($0.type) \($0.on.iso8601)" } ?? ""
        parcel = unit.unit.parcel
    }

    /// The parcel (the unit's first 19 characters).
    public let parcel: String
}

extension PublicUnit: StorableRecord {
    /// The table name.
    public static let recordKind = "housing_public_unit"
    /// By parcel, for the map search.
    public static let indexes: [RecordIndex<PublicUnit>] = [RecordIndex("parcel") { .text($0.parcel) }]
    /// The unit number.
    public var recordKey: RecordKey { RecordKey(unit) }
}
