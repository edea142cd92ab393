public import SocietyCore
public import SocietyJSON

/// The departments that hold data about residents, each in its own store: the plan's rule that
/// "data-source departments supply the data" and nobody reads another department's tables.
public enum DataSourceDepartment: String, CaseIterable, Hashable, Sendable, Codable {
    /// 人力资源和社会保障局: employment, wages, pensions.
    case humanResources = "hrss"
    /// 自然资源和规划局: real estate.
    case naturalResources = "nr"
    /// 公安局: population register, vehicles.
    case publicSecurity = "ps"
    /// 市场监督管理局: business registrations.
    case marketRegulation = "amr"
    /// 卫生健康委员会: health records.
    case health = "health"
    /// 残疾人联合会: disability register.
    case disabledPersonsFederation = "dpf"
    /// Banks: deposits (answering through the bank regulator's channel).
    case banks = "bank"

    /// The government function, for the trust list's party names.
    public var function: Department.Function? {
        switch self {
        case .humanResources: .humanResourcesAndSocialSecurity
        case .naturalResources: .naturalResources
        case .publicSecurity: .publicSecurity
        case .marketRegulation: .marketRegulation
        case .health: .healthCommission
        case .disabledPersonsFederation: .disabledPersonsFederation
        case .banks: nil
        }
    }

    /// The department's Chinese name.
    public var name: String {
        switch self {
        case .humanResources: "泰州市人力资源和社会保障局"
        case .naturalResources: "泰州市自然资源和规划局"
        case .publicSecurity: "泰州市公安局"
        case .marketRegulation: "泰州市市场监督管理局"
        case .health: "泰州市卫生健康委员会"
        case .disabledPersonsFederation: "泰州市残疾人联合会"
        case .banks: "泰州市银行业协会"
        }
    }

    /// The fields this department's data service can return (the catalogue lists them).
    public var fieldNames: [String] {
        switch self {
        case .humanResources: ["employment", "monthlyWage", "monthlyPension"]
        case .naturalResources: ["dwellings", "floorArea"]
        case .publicSecurity: ["vehicles", "vehicleValue", "dateOfDeath"]
        case .marketRegulation: ["businessOwner"]
        case .health: ["chronic", "medicalSpending", "pregnant"]
        case .disabledPersonsFederation: ["disabilityCategory", "disabilityLevel"]
        case .banks: ["deposits"]
        }
    }

    /// What this department knows about `person`, as the JSON object its data service returns.
    public func facts(of person: SyntheticPerson) -> JSONObject {
        var object = JSONObject()
        switch self {
        case .humanResources:
            object["employment"] = .string(person.employment.rawValue)
            object["monthlyWage"] = .number(Double(person.monthlyWage.fen))
            object["monthlyPension"] = .number(Double(person.monthlyPension.fen))
        case .naturalResources:
            object["dwellings"] = .number(Double(person.dwellings))
            object["floorArea"] = .number(Double(person.floorArea))
        case .publicSecurity:
            object["vehicles"] = .number(Double(person.vehicles))
            object["vehicleValue"] = .number(Double(person.vehicleValue.fen))
            if case .deceased(let date) = person.resident.vitalStatus { object["dateOfDeath"] = .string(date.iso8601) }
        case .marketRegulation:
            object["businessOwner"] = .bool(person.businessOwner)
        case .health:
            object["chronic"] = .array(person.chronicConditions.map(\.rawValue).sorted().map { .string($0) })
            object["medicalSpending"] = .number(Double(person.medicalSpending.fen))
            object["pregnant"] = .bool(person.pregnant)
        case .disabledPersonsFederation:
            if let disability = person.disability {
                object["disabilityCategory"] = .number(Double(disability.category))
                object["disabilityLevel"] = .number(Double(disability.level))
            }
        case .banks:
            object["deposits"] = .number(Double(person.deposits.fen))
        }
        return object
    }
}

/// One resident's facts as one department stores them: the record every department store holds.
///
/// The resident and the facts are personal data, encrypted at rest; the row key is a keyed hash of
/// the identity number.
public struct DepartmentFacts: Hashable, Sendable, Codable, StorableRecord {
    /// Whose facts.
    public let resident: ResidentID
    /// The facts, as the department's data service returns them.
    public let facts: JSONValue

    /// Creates a record.
    public init(resident: ResidentID, facts: JSONValue) {
        self.resident = resident
        self.facts = facts
    }

    /// The table name.
    public static let recordKind = "department_facts"
    /// Both fields are personal data.
    public static let sensitiveFields: Set<String> = ["resident", "facts"]
    /// One record per resident.
    public var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

/// The population register's record of a household, held by civil affairs (who pools it for
/// assistance) with each member's name and identity number encrypted.
public struct HouseholdRecord: Hashable, Sendable, Codable, StorableRecord {
    /// The household.
    public let household: Household
    /// The members' register records.
    public let members: [Resident]

    /// Creates a record.
    public init(household: Household, members: [Resident]) {
        self.household = household
        self.members = members
    }

    /// The table name.
    public static let recordKind = "household"
    /// Composition and members are personal data.
    public static let sensitiveFields: Set<String> = ["household", "members"]
    /// Households by district.
    public static let indexes: [RecordIndex<HouseholdRecord>] = [
        RecordIndex("division") { .text($0.household.registeredDivision.code) }
    ]
    /// The household id.
    public var recordKey: RecordKey { RecordKey(household.id.rawValue) }
}
