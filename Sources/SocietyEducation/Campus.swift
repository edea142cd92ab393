public import Foundation
public import SocietyCertificates
public import SocietyCore
public import SocietyServices

extension CertificateType {
    /// 中考成绩通知单: senior-secondary entrance exam scores, held by the student. DOMAINS.md found
    /// no field list: the subjects are Taizhou's common ones (an **assumption**), each a claim the
    /// student may disclose alone (SD-JWT) — a school sees the total, not every subject.
    public static let examScores = CertificateType(
        code: "exam-scores",
        name: "中考成绩通知单",
        englishName: "Senior-secondary entrance exam scores",
        holderKind: .resident,
        claims: [
            .init("name", "姓名", .personName),
            .init("exam_number", "准考证号", .pattern(#"\d{10,14}"#, description: "10–14 digits")),
            .init("year", "年度", .count),
            .init("chinese", "语文", .quantity),
            .init("mathematics", "数学", .quantity),
            .init("english", "英语", .quantity),
            .init("physics", "物理", .quantity),
            .init("chemistry", "化学", .quantity),
            .init("politics_history", "道德与法治·历史", .quantity),
            .init("physical_education", "体育与健康", .quantity),
            .init("total", "总分", .quantity),
        ]
    )
}

/// A step of a meal batch's way to the plate ("一码清"): supplier, kitchen, delivery, school,
/// serving. DOMAINS.md found no field list: modelled from first principles.
public enum MealStep: String, Hashable, Sendable, Codable, CaseIterable {
    /// The supplier delivered the ingredients (with their inspection certificate).
    case supplied
    /// The central kitchen cooked the batch.
    case cooked
    /// The batch left the kitchen, sealed, with its temperature.
    case delivered
    /// The school received it.
    case received
    /// Served to pupils.
    case served
}

/// One event of a batch: what happened, where, when, and the digest of the event before it —
/// a hash chain, so that an event changed or removed later is found.
public struct MealEvent: Hashable, Sendable, Codable {
    /// The batch code (批次码).
    public let batch: String
    /// Its place in the chain (0 first).
    public let sequence: Int
    /// The step.
    public let step: MealStep
    /// Who: the supplier's, kitchen's or school's credit code or id.
    public let actor: String
    /// When.
    public let at: Date
    /// What, in words (ingredients and certificate, dish, temperature, pupils served).
    public let detail: String
    /// The digest (hex) of the previous event, or 64 zeros for the first.
    public let previous: String
    /// This event's digest (hex) over all the above.
    public let digest: String

    /// An event as stored or received from another system; ``EducationService/verify(_:crypto:)``
    /// checks a chain of them.
    public init(
        batch: String,
        sequence: Int,
        step: MealStep,
        actor: String,
        at: Date,
        detail: String,
        previous: String,
        digest: String
    ) {
        self.batch = batch
        self.sequence = sequence
        self.step = step
        self.actor = actor
        self.at = at
        self.detail = detail
        self.previous = previous
        self.digest = digest
    }
}

extension MealEvent: StorableRecord {
    /// The table name.
    public static let recordKind = "edu_meal_event"
    /// By batch, by actor (a recall finds a supplier's batches).
    public static let indexes: [RecordIndex<MealEvent>] = [
        RecordIndex("batch") { .text($0.batch) },
        RecordIndex("actor") { .text($0.actor) },
    ]
    /// `BATCH#SEQUENCE`.
    public var recordKey: RecordKey { RecordKey("\(batch)#\(sequence)") }
}

/// A course resource in the catalogue (课程资源): subject, grade, title, who provides it, its licence.
public struct CourseResource: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The subject.
    public let subject: String
    /// The grade, 1–12.
    public let grade: Int
    /// The title.
    public let title: String
    /// The provider (a school, the bureau, a marketplace provider).
    public let provider: String
    /// The licence, e.g. CC BY 4.0.
    public let licence: String

    /// A resource; the grade is 1–12.
    public init(
        id: String,
        subject: String,
        grade: Int,
        title: String,
        provider: String,
        licence: String
    ) throws(EducationError) {
        guard !id.isEmpty, !title.isEmpty, (1...12).contains(grade) else {
            throw .invalid("a resource has an id, a title and a grade 1–12")
        }
        self.id = id
        self.subject = subject
        self.grade = grade
        self.title = title
        self.provider = provider
        self.licence = licence
    }
}

extension CourseResource: StorableRecord {
    /// The table name.
    public static let recordKind = "edu_course_resource"
    /// By subject.
    public static let indexes: [RecordIndex<CourseResource>] = [RecordIndex("subject") { .text($0.subject) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// What a school reports for the smart-campus indicator (智慧校园). The criteria are an
/// **assumption** (no national checklist was found): campus network in every classroom, the
/// teaching platform in use, the canteen on "一码清", and the school on the enrolment platform.
public struct SmartCampusReport: Hashable, Sendable, Codable {
    /// The school.
    public let school: String
    /// Network in every classroom.
    public let classroomNetwork: Bool
    /// The teaching platform used weekly.
    public let teachingPlatform: Bool
    /// Meals traced by batch code.
    public let mealTraceability: Bool
    /// Enrolment online.
    public let onlineEnrolment: Bool

    /// A report.
    public init(
        school: String,
        classroomNetwork: Bool,
        teachingPlatform: Bool,
        mealTraceability: Bool,
        onlineEnrolment: Bool
    ) {
        self.school = school
        self.classroomNetwork = classroomNetwork
        self.teachingPlatform = teachingPlatform
        self.mealTraceability = mealTraceability
        self.onlineEnrolment = onlineEnrolment
    }

    /// Whether it meets every criterion.
    public var isSmart: Bool { classroomNetwork && teachingPlatform && mealTraceability && onlineEnrolment }
}

extension SmartCampusReport: StorableRecord {
    /// The table name.
    public static let recordKind = "edu_smart_campus"
    /// The school.
    public var recordKey: RecordKey { RecordKey(school) }
}

/// Student financial aid (学生资助): the national grant for senior-secondary and vocational
/// students, 2,300 yuan a year from 2024 (DOMAINS.md, M), for students of households in economic
/// difficulty as the household economic verification finds them (by envelope).
public struct StudentAidPolicy: Hashable, Sendable, Codable {
    /// The yearly grant.
    public var annualGrant: Money
    /// The version recorded with every decision.
    public var version: String

    /// The policy; the defaults are DOMAINS.md's.
    public init(annualGrant: Money = Money(fen: 230_000), version: String = "国家助学金 2024") {
        self.annualGrant = annualGrant
        self.version = version
    }
}

/// A student-aid application (service `edu.student-aid`) and its decision.
public struct StudentAidApplication: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The student (encrypted at rest).
    public let student: ResidentID
    /// The school year it is for, e.g. 2027.
    public let year: Int
    /// The application on the shared life cycle: submitted, accepted, reviewed by the rules,
    /// completed `approved` or `rejected`.
    public let lifecycle: ServiceApplication
    /// The rules, explained.
    public let decision: ExplainedDecision
    /// The grant (zero when rejected).
    public let amount: Money
    /// The one-card instruction that paid it.
    public internal(set) var paidBy: String?
}

extension StudentAidApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "edu_student_aid"
    /// The student.
    public static let sensitiveFields: Set<String> = ["student"]
    /// One a student a year (keyed hash).
    public static let indexes: [RecordIndex<StudentAidApplication>] = [
        RecordIndex(searchable: "student_year") { .text("\($0.student.unmasked)|\($0.year)") }
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}
