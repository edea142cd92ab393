public import SocietyCore

/// A member's role in a family-doctor team (家庭医生团队).
public enum TeamRole: String, Codable, Hashable, Sendable, CaseIterable {
    /// 全科医生 — general practitioner; every team is led by one.
    case generalPractitioner
    /// 护士 — nurse.
    case nurse
    /// 公共卫生医生 — public-health doctor.
    case publicHealthDoctor
}

/// One member of a team.
public struct TeamMember: Hashable, Sendable, Codable {
    /// The member's number within the team (`1`, `2`, …): how visits name who made them.
    public let number: Int
    /// The member's registered name; printed masked.
    public let name: PersonName
    /// What the member does in the team.
    public let role: TeamRole

    /// Creates a member.
    public init(number: Int, name: PersonName, role: TeamRole) {
        self.number = number
        self.name = name
        self.role = role
    }
}

/// A family-doctor team: a primary-care institution's general practitioner, nurses and public-health
/// doctors, who together take on a number of contracted residents (plan items 7 and 8).
public struct DoctorTeam: Hashable, Sendable, Codable {
    /// The team's id: 1–64 characters from `A–Z a–z 0–9 - .`, so that it is also a FHIR id.
    public let id: Identifier<DoctorTeam>
    /// The team's name, e.g. "海陵区城东社区卫生服务中心 1 号团队".
    public var name: String
    /// The primary-care institution the team belongs to (社区卫生服务中心, 乡镇卫生院).
    public let institution: Organization
    /// The members; exactly one or more general practitioners lead.
    public private(set) var members: [TeamMember]
    /// How many residents the team may serve under current contracts at once.
    public private(set) var capacity: Int

    /// Creates a team, refusing one without a general practitioner, with duplicate member numbers,
    /// a capacity below one or an id that is not a FHIR id.
    public init(
        id: Identifier<DoctorTeam>,
        name: String,
        institution: Organization,
        members: [TeamMember],
        capacity: Int
    ) throws(HealthError) {
        guard id.rawValue.utf8.count <= 64,
            id.rawValue.utf8.allSatisfy({ FHIRIdentifiers.isIDByte($0) })
        else { throw .invalidTeam("id \(id) must be 1–64 characters from A–Z a–z 0–9 - .") }
        guard !name.isEmpty, name.count <= 128 else { throw .invalidTeam("name must be 1–128 characters") }
        guard members.contains(where: { $0.role == .generalPractitioner }) else {
            throw .invalidTeam("a team needs a general practitioner")
        }
        guard Set(members.map(\.number)).count == members.count else {
            throw .invalidTeam("member numbers must be unique")
        }
        guard capacity >= 1 else { throw .invalidTeam("capacity must be at least 1 (got \(capacity))") }
        self.id = id
        self.name = name
        self.institution = institution
        self.members = members
        self.capacity = capacity
    }

    /// Changes the capacity; lowering it below the current contracts is checked by the service.
    public mutating func setCapacity(_ value: Int) throws(HealthError) {
        guard value >= 1 else { throw .invalidTeam("capacity must be at least 1 (got \(value))") }
        capacity = value
    }

    /// The member with `number`, if any.
    public func member(_ number: Int) -> TeamMember? { members.first { $0.number == number } }
}

extension DoctorTeam: DataClassified, CustomStringConvertible {
    /// Members' names are personal information.
    public static var sensitivity: Sensitivity { .personal }
    /// One team is general data.
    public static var dataLevel: DataLevel { .general }

    /// A masked summary: members' names show their first character only.
    public var description: String {
        let people = members.map { "\($0.number) \($0.name.masked) \($0.role.rawValue)" }.joined(separator: ", ")
        return "DoctorTeam(\(id), \(name), \(institution.creditCode), capacity \(capacity), [\(people)])"
    }
}

extension DoctorTeam: StorableRecord {
    /// The table name.
    public static let recordKind = "health_team"
    /// Members' names are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["members"]
    /// Teams by institution.
    public static let indexes: [RecordIndex<DoctorTeam>] = [
        RecordIndex("institution") { .text($0.institution.creditCode.value) }
    ]
    /// The team id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}

/// The character set FHIR R4 allows in a resource id (`[A-Za-z0-9\-\.]{1,64}`).
enum FHIRIdentifiers {
    static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    static func isID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy(isIDByte)
    }
}
