public import SocietyCore
public import SocietyExchange

/// The plan's four health master databases (全员人口、电子健康档案、电子病历、卫生资源) and its
/// public-health notifications (妇幼健康、预防接种、食源性疾病) as data services of the exchange's
/// catalogue, each field with its data level (GB/T 43697) and sensitivity. Health information
/// about a person is sensitive personal information (PIPL art. 28) and, gathered city-wide,
/// important data: such fields are `important`, so their envelopes travel encrypted; the health
/// resources are facts about institutions, `general` and public.
public enum HealthMasterData {
    /// The population master database (全员人口信息库).
    public static let population = "health.population"
    /// Electronic health records (电子健康档案).
    public static let healthRecords = "health.ehr"
    /// Electronic medical records (电子病历).
    public static let medicalRecords = "health.emr"
    /// Health resources: institutions, beds, staff (卫生资源).
    public static let resources = "health.resources"
    /// Maternal and child health notifications (妇幼健康).
    public static let maternalChild = "health.maternal-child"
    /// Vaccination notifications (预防接种).
    public static let vaccination = "health.vaccination"
    /// Food-borne disease case reports (食源性疾病).
    public static let foodborneDisease = "health.foodborne-disease"

    /// The catalogue entries, provided by `provider` (the health commission's platform) for
    /// `purposes`.
    public static func services(provider: Party, purposes: Set<Purpose>) -> [DataService] {
        func personal(_ names: [String]) -> [DataService.Field] {
            names.map { DataService.Field(name: $0, level: .important, sensitivity: .sensitivePersonal) }
        }
        func identity(_ names: [String]) -> [DataService.Field] {
            names.map { DataService.Field(name: $0, level: .important, sensitivity: .personal) }
        }
        func open(_ names: [String]) -> [DataService.Field] {
            names.map { DataService.Field(name: $0, level: .general, sensitivity: .public) }
        }
        let catalogue: [(String, [DataService.Field])] = [
            (population, identity(["resident", "name", "sex", "birthDate", "division", "vitalStatus"])),
            (
                healthRecords,
                identity(["resident"]) + personal(["chronicConditions", "allergies", "followUps", "vaccinations"])
            ),
            (
                medicalRecords,
                identity(["resident", "encounter"]) + personal(["diagnoses", "prescriptions", "reports"])
            ),
            (resources, open(["institution", "kind", "district", "beds", "doctors", "nurses"])),
            (
                maternalChild,
                identity(["mother", "child"]) + personal(["pregnancyWeeks", "deliveryDate", "birthWeight"])
            ),
            (vaccination, identity(["child"]) + personal(["vaccine", "dose", "date", "site"])),
            (
                foodborneDisease,
                identity(["patient"]) + personal(["onsetDate", "symptoms", "suspectedFood", "district"])
            ),
        ]
        return catalogue.map { DataService(id: $0.0, provider: provider, fields: $0.1, purposes: purposes) }
    }
}

/// One health institution in the health-resources database: no personal data.
public struct HealthResource: Hashable, Sendable, Codable {
    /// The kind of institution.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// 医院.
        case hospital
        /// 基层医疗卫生机构 (community health centres, township hospitals, village clinics).
        case primaryCare
        /// 专业公共卫生机构 (disease control, maternal and child health).
        case publicHealth
    }

    /// The institution.
    public let institution: CreditCode
    /// Its name.
    public let name: String
    /// Its kind.
    public let kind: Kind
    /// The county it is in.
    public let district: DivisionCode
    /// Beds, doctors, nurses.
    public let beds: Int
    /// Licensed doctors (执业医师).
    public let doctors: Int
    /// Registered nurses.
    public let nurses: Int

    /// A resource; counts are not negative and the name is not empty.
    public init(
        institution: CreditCode,
        name: String,
        kind: Kind,
        district: DivisionCode,
        beds: Int,
        doctors: Int,
        nurses: Int
    ) throws(HealthError) {
        guard !name.isEmpty, beds >= 0, doctors >= 0, nurses >= 0 else {
            throw .invalidTeam("a health resource has a name and counts of 0 or more")
        }
        self.institution = institution
        self.name = name
        self.kind = kind
        self.district = district
        self.beds = beds
        self.doctors = doctors
        self.nurses = nurses
    }
}

extension HealthResource: StorableRecord {
    /// The table name.
    public static let recordKind = "health_resource"
    /// By district.
    public static let indexes: [RecordIndex<HealthResource>] = [RecordIndex("district") { .text($0.district.code) }]
    /// The institution's credit code.
    public var recordKey: RecordKey { RecordKey(institution.value) }
}

/// A diagnosis code of ICD-10 (the classification China's medical records use, GB/T 14396): a
/// letter, two digits, and optionally a point and one to four more characters (`J06.9`, `E11`).
public struct DiagnosisCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The code.
    public let value: String

    /// Checks the shape; refused otherwise.
    public init(_ text: String) throws(HealthError) {
        guard text.wholeMatch(of: /[A-Z]\d{2}(\.[0-9A-Z]{1,4})?/) != nil else {
            throw .invalidCertificate("\(text) is not an ICD-10 code (a letter, two digits, optionally .x)")
        }
        value = text
    }

    public var description: String { value }
}

/// One entry of a patient's electronic medical record (电子病历): a visit's diagnoses and
/// prescriptions.
public struct MedicalRecordEntry: Hashable, Sendable, Codable {
    /// The entry's id.
    public let id: String
    /// The patient (encrypted at rest).
    public let patient: ResidentID
    /// The visit (the appointment's id).
    public let encounter: String
    /// The day.
    public let date: CalendarDate
    /// The diagnoses (encrypted at rest).
    public let diagnoses: [DiagnosisCode]
    /// The prescriptions, as written (encrypted at rest).
    public let prescriptions: [String]

    /// An entry; it names at least one diagnosis.
    public init(
        id: String,
        patient: ResidentID,
        encounter: String,
        date: CalendarDate,
        diagnoses: [DiagnosisCode],
        prescriptions: [String]
    ) throws(HealthError) {
        guard !id.isEmpty, !diagnoses.isEmpty else { throw .invalidCertificate("an entry has an id and a diagnosis") }
        self.id = id
        self.patient = patient
        self.encounter = encounter
        self.date = date
        self.diagnoses = diagnoses
        self.prescriptions = prescriptions
    }
}

extension MedicalRecordEntry: StorableRecord {
    /// The table name.
    public static let recordKind = "health_emr_entry"
    /// Everything about the patient is personal data.
    public static let sensitiveFields: Set<String> = ["patient", "diagnoses", "prescriptions"]
    /// By patient (keyed hash).
    public static let indexes: [RecordIndex<MedicalRecordEntry>] = [
        RecordIndex(searchable: "patient") { .text($0.patient.unmasked) }
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}
