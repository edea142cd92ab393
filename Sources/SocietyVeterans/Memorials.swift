public import SocietyCore

/// A martyr (烈士), as approved and recorded by the veterans' affairs bureau.
///
/// Martyrs are honoured publicly, but the record still holds a name and, for the family's
/// benefits, an identity number when one exists; both print masked and are encrypted at rest.
public struct Martyr: Hashable, Sendable, Codable {
    /// The record id.
    public let id: Identifier<Martyr>
    /// The name.
    public let name: PersonName
    /// The identity number, for martyrs who had one.
    public let resident: ResidentID?
    /// The day of sacrifice.
    public let diedOn: CalendarDate
    /// The day the martyr was approved (烈士评定).
    public let approvedOn: CalendarDate
    /// Where the martyr is commemorated, if recorded.
    public let facility: Identifier<MemorialFacility>?

    /// Creates a record, refusing an approval before the day of sacrifice.
    public init(
        id: Identifier<Martyr>,
        name: PersonName,
        resident: ResidentID? = nil,
        diedOn: CalendarDate,
        approvedOn: CalendarDate,
        facility: Identifier<MemorialFacility>? = nil
    ) throws(VeteranError) {
        guard approvedOn >= diedOn else { throw .invalidRecord("approved on \(approvedOn), before \(diedOn)") }
        self.id = id
        self.name = name
        self.resident = resident
        self.diedOn = diedOn
        self.approvedOn = approvedOn
        self.facility = facility
    }
}

extension Martyr: StorableRecord {
    /// The table name.
    public static let recordKind = "veteran_martyr"
    /// Name and identity number are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["name", "resident"]
    /// Martyrs by memorial facility.
    public static let indexes: [RecordIndex<Martyr>] = [
        RecordIndex("facility") { $0.facility.map { .text($0.rawValue) } }
    ]
    /// The record id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}

/// A memorial facility for martyrs (烈士纪念设施), graded by the level that protects it.
public struct MemorialFacility: Hashable, Sendable, Codable {
    /// The protection level.
    public enum Level: String, Codable, Hashable, Sendable, CaseIterable {
        /// 国家级.
        case national
        /// 省级.
        case provincial
        /// 市级.
        case municipal
        /// 县级.
        case county
        /// 零散烈士墓 — a scattered grave, not graded.
        case scatteredGrave
    }

    /// The facility id.
    public let id: Identifier<MemorialFacility>
    /// The name.
    public let name: String
    /// The protection level.
    public let level: Level
    /// Where it is.
    public let division: DivisionCode
    /// The unit that looks after it.
    public let custodian: CreditCode?

    /// Creates a facility.
    public init(
        id: Identifier<MemorialFacility>,
        name: String,
        level: Level,
        division: DivisionCode,
        custodian: CreditCode? = nil
    ) {
        self.id = id
        self.name = name
        self.level = level
        self.division = division
        self.custodian = custodian
    }
}

extension MemorialFacility: StorableRecord {
    /// The table name.
    public static let recordKind = "veteran_memorial"
    /// Facilities by division.
    public static let indexes: [RecordIndex<MemorialFacility>] = [RecordIndex("division") { .text($0.division.code) }]
    /// The facility id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}

/// An outstanding "Rongyao home" (优秀“戎耀之家”): a unit recognised for serving veterans — a
/// veterans' service station, or an enterprise founded or staffed by veterans.
public struct RongyaoHome: Hashable, Sendable, Codable {
    /// What kind of unit.
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        /// 退役军人服务站.
        case serviceStation
        /// 退役军人创办或吸纳就业的企业.
        case enterprise
    }

    /// The organization recognised.
    public let organization: CreditCode
    /// Its name.
    public let name: String
    /// What kind of unit.
    public let kind: Kind
    /// Where it is.
    public let division: DivisionCode
    /// The year it was recognised.
    public let recognisedIn: Int

    /// Creates a record.
    public init(organization: CreditCode, name: String, kind: Kind, division: DivisionCode, recognisedIn: Int) {
        self.organization = organization
        self.name = name
        self.kind = kind
        self.division = division
        self.recognisedIn = recognisedIn
    }
}

extension RongyaoHome: StorableRecord {
    /// The table name.
    public static let recordKind = "veteran_rongyao_home"
    /// Units by division.
    public static let indexes: [RecordIndex<RongyaoHome>] = [RecordIndex("division") { .text($0.division.code) }]
    /// One record per organization.
    public var recordKey: RecordKey { RecordKey(organization.value) }
}
