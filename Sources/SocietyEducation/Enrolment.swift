public import SocietyCore
public import SocietyDraw
public import SocietyServices

/// What the education service refuses or fails with.
public enum EducationError: Error, Hashable, Sendable, CustomStringConvertible {
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
    case draw(DrawError)
    /// The one-card refused or failed.
    case oneCard(String)
    /// A batch's chain does not verify (why).
    case broken(String)
    /// The store or another port failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .duplicate(let what): "\(what) already exists"
        case .illegal(let move, let state): "cannot \(move): it is \(state)"
        case .refused(let decision): "refused — \(decision.explanation)"
        case .draw(let error): "draw: \(error)"
        case .oneCard(let reason): "one-card: \(reason)"
        case .broken(let reason): "the chain is broken: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as EducationError: self = error
        case let error as DrawError: self = .draw(error)
        default: self = .store(String(describing: error))
        }
    }
}

/// The facts an application states, checked by the bureau by envelope (household registration,
/// real-estate register, residence permits).
public enum EnrolmentFact: String, Hashable, Sendable, Codable, CaseIterable {
    /// The child's household registration (户籍) is in the school district.
    case household
    /// The family's home (房产) is in the school district.
    case property
    /// A parent holds a residence permit (居住证) in the county: children of people who moved.
    case residencePermit
}

/// A priority class (招生类别): its rank (1 first) and the facts an application needs to be in it.
public struct PriorityClass: Hashable, Sendable, Codable {
    /// A stable id.
    public let id: String
    /// The name, e.g. 户房一致.
    public let name: String
    /// The facts it needs, all of them.
    public let needs: Set<EnrolmentFact>

    /// A class.
    public init(id: String, name: String, needs: Set<EnrolmentFact>) {
        self.id = id
        self.name = name
        self.needs = needs
    }
}

/// The enrolment policy: the priority classes in order. The order is local (DOMAINS.md: "the
/// priority order by household registration and property is local — configuration"); the default
/// is a common one, an **assumption**: household and home in the district (户房一致), then the
/// household only, then the home only, then residence permits.
public struct EnrolmentPolicy: Hashable, Sendable, Codable {
    /// The classes, first first.
    public var classes: [PriorityClass]
    /// The version recorded with every allocation.
    public var version: String

    /// A policy; the default classes are the assumption above.
    public init(classes: [PriorityClass] = EnrolmentPolicy.commonClasses, version: String = "assumption 2027") {
        self.classes = classes
        self.version = version
    }

    /// The assumed default classes.
    public static let commonClasses = [
        PriorityClass(id: "household-property", name: "户房一致", needs: [.household, .property]),
        PriorityClass(id: "household", name: "有户无房", needs: [.household]),
        PriorityClass(id: "property", name: "有房无户", needs: [.property]),
        PriorityClass(id: "residence-permit", name: "随迁子女", needs: [.residencePermit]),
    ]

    /// The first class whose needs `facts` meet, or `nil`.
    public func priorityClass(of facts: Set<EnrolmentFact>) -> PriorityClass? {
        classes.first { $0.needs.isSubset(of: facts) }
    }
}

/// A school taking first-year pupils (起始年级) in a school district.
public struct School: Hashable, Sendable, Codable {
    /// The school's code.
    public let id: String
    /// The name.
    public let name: String
    /// The county.
    public let district: DivisionCode
    /// The school district (学区) it serves.
    public let schoolDistrict: String
    /// First-year places.
    public let places: Int
    /// Public or private (公民同招: they enrol together).
    public let isPublic: Bool

    /// A school with places.
    public init(
        id: String,
        name: String,
        district: DivisionCode,
        schoolDistrict: String,
        places: Int,
        isPublic: Bool = true
    ) throws(EducationError) {
        guard !id.isEmpty, !name.isEmpty, !schoolDistrict.isEmpty, places > 0 else {
            throw .invalid("a school has an id, a name, a school district and places")
        }
        self.id = id
        self.name = name
        self.district = district
        self.schoolDistrict = schoolDistrict
        self.places = places
        self.isPublic = isPublic
    }
}

extension School: StorableRecord {
    /// The table name.
    public static let recordKind = "edu_school"
    /// By school district.
    public static let indexes: [RecordIndex<School>] = [RecordIndex("school_district") { .text($0.schoolDistrict) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// An enrolment application (入学申请): the child, the school, the facts verified, and — once
/// allocated — the outcome with its reason.
public struct EnrolmentApplication: Hashable, Sendable, Codable {
    /// Where it stands.
    public enum Outcome: String, Hashable, Sendable, Codable {
        /// Waiting for the allocation.
        case pending
        /// Admitted.
        case admitted
        /// Not admitted: the bureau places the child (统筹安排).
        case referred
    }

    /// The application number: public, and what the lottery draws (no name, no identity number).
    public let id: String
    /// The child (encrypted at rest).
    public let child: ResidentID
    /// The school.
    public let school: String
    /// The facts verified.
    public let facts: Set<EnrolmentFact>
    /// The outcome.
    public internal(set) var outcome: Outcome
    /// Why, in words.
    public internal(set) var reason: String?

    /// An application.
    public init(id: String, child: ResidentID, school: String, facts: Set<EnrolmentFact>) throws(EducationError) {
        guard id.wholeMatch(of: /[A-Za-z0-9\-]{1,32}/) != nil else {
            throw .invalid("an application number is 1–32 letters, digits or '-'")
        }
        self.id = id
        self.child = child
        self.school = school
        self.facts = facts
        self.outcome = .pending
    }
}

extension EnrolmentApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "edu_enrolment_application"
    /// The child.
    public static let sensitiveFields: Set<String> = ["child"]
    /// By school, by child (keyed hash).
    public static let indexes: [RecordIndex<EnrolmentApplication>] = [
        RecordIndex("school") { .text($0.school) },
        RecordIndex(searchable: "child") { .text($0.child.unmasked) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A school's allocation: each class in order, admitted whole while places last; the class that
/// does not fit is drawn by public lottery for the places left; the rest are referred.
public struct Allocation: Hashable, Sendable, Codable {
    /// The school.
    public let school: String
    /// The places.
    public let places: Int
    /// Admitted application numbers.
    public let admitted: [String]
    /// Referred application numbers.
    public let referred: [String]
    /// The lottery, when one class was oversubscribed.
    public let lottery: DrawResult?
    /// Each class's line: applicants, places, how decided.
    public let decision: ExplainedDecision
}
