public import Foundation
public import SocietyCore
public import SocietyJSON

/// How ``FamilyDoctorService/exportFHIR(team:options:)`` writes a bundle.
public struct FHIRExportOptions: Hashable, Sendable {
    /// The base of every entry's `fullUrl` (`<base>/<type>/<id>`), against which the relative
    /// references resolve. The default is a placeholder under the reserved `.invalid` domain;
    /// a deployment sets its FHIR server's base.
    public var baseURL: String
    /// Whether patients carry the full citizen identity number, gender and birth date. Off by
    /// default: a patient is identified by a keyed-hash pseudonym only, and doctors' names are masked.
    public var revealPersonalData: Bool
    /// Whether contracts that are no longer current (renewed, terminated, expired) are included.
    public var includeEnded: Bool

    /// Options; the defaults export current contracts with pseudonymous patients.
    public init(
        baseURL: String = "https://fhir.taizhou.invalid/r4",
        revealPersonalData: Bool = false,
        includeEnded: Bool = false
    ) {
        self.baseURL = baseURL
        self.revealPersonalData = revealPersonalData
        self.includeEnded = includeEnded
    }
}

/// The code systems and identifier systems the export uses. The `urn:taizhou:` systems are this
/// SDK's own (no national FHIR code system for them was found); `urn:cn:gb11643:resident-id` and
/// `urn:cn:gb32100:credit-code` name the national standards the values follow (an assumption, to
/// replace with the OIDs a national FHIR implementation guide assigns).
public enum FHIRSystems {
    /// Patient pseudonyms (keyed hashes of the identity number).
    public static let patientPseudonym = "urn:taizhou:health:patient-pseudonym"
    /// Citizen identity numbers, only with ``FHIRExportOptions/revealPersonalData``.
    public static let residentID = "urn:cn:gb11643:resident-id"
    /// Unified social credit codes.
    public static let creditCode = "urn:cn:gb32100:credit-code"
    /// Doctor-team ids.
    public static let team = "urn:taizhou:health:doctor-team"
    /// Team roles.
    public static let teamRole = "urn:taizhou:health:team-role"
    /// Contract ids.
    public static let contract = "urn:taizhou:health:family-doctor-contract"
    /// Service packages.
    public static let servicePackage = "urn:taizhou:health:service-package"
}

/// Builds the FHIR R4 resources for a team and its contracts: `Organization`, `Practitioner`,
/// `CareTeam`, `Patient`, `EpisodeOfCare` and `Contract`, in a `Bundle` of type `collection`
/// whose references all resolve within the bundle.
public struct FHIRExporter: Sendable {
    /// The options.
    public let options: FHIRExportOptions

    /// An exporter with `options`.
    public init(options: FHIRExportOptions = FHIRExportOptions()) { self.options = options }

    /// The bundle. `pseudonyms` gives each contracted resident's pseudonym (hex).
    public func bundle(
        team: DoctorTeam,
        contracts: [FamilyDoctorContract],
        packages: [Identifier<ServicePackage>: ServicePackage],
        pseudonyms: [ResidentID: String],
        generated: Date
    ) throws -> JSONValue {
        var entries: [JSONValue] = []
        func add(_ type: String, _ id: String, _ resource: JSONObject) throws {
            guard FHIRIdentifiers.isID(id) else { throw HealthError.invalidTeam("\"\(id)\" is not a FHIR id") }
            var resource = resource
            resource["resourceType"] = .string(type)
            resource["id"] = .string(id)
            entries.append(["fullUrl": .string("\(options.baseURL)/\(type)/\(id)"), "resource": .object(resource)])
        }
        let organizationID = "org-\(team.institution.creditCode.value)"
        let organization: JSONValue = ["reference": .string("Organization/\(organizationID)")]
        try add(
            "Organization",
            organizationID,
            [
                "identifier": [
                    ["system": .string(FHIRSystems.creditCode), "value": .string(team.institution.creditCode.value)]
                ],
                "active": true,
                "name": .string(team.institution.name),
            ]
        )
        var participants: [JSONValue] = []
        for member in team.members {
            let id = "\(team.id.rawValue)-m\(member.number)"
            let name = options.revealPersonalData ? member.name.unmasked : member.name.masked
            try add("Practitioner", id, ["active": true, "name": [["text": .string(name)]]])
            participants.append([
                "role": [
                    [
                        "coding": [["system": .string(FHIRSystems.teamRole), "code": .string(member.role.rawValue)]],
                        "text": .string(member.role.chineseName),
                    ]
                ],
                "member": ["reference": .string("Practitioner/\(id)")],
                "onBehalfOf": organization,
            ])
        }
        try add(
            "CareTeam",
            team.id.rawValue,
            [
                "identifier": [["system": .string(FHIRSystems.team), "value": .string(team.id.rawValue)]],
                "status": "active",
                "name": .string(team.name),
                "category": [["text": "家庭医生团队 family-doctor team"]],
                "participant": .array(participants),
                "managingOrganization": [organization],
            ]
        )
        var patientsAdded = Set<String>()
        for contract in contracts {
            guard let pseudonym = pseudonyms[contract.resident] else {
                throw HealthError.invalidDate("no pseudonym for the resident of \(contract.id)")
            }
            let patientID = "p-" + pseudonym.prefix(32)
            let patient: JSONValue = ["reference": .string("Patient/\(patientID)")]
            if patientsAdded.insert(patientID).inserted {
                var resource: JSONObject = ["active": true]
                var identifiers: [JSONValue] = [
                    ["system": .string(FHIRSystems.patientPseudonym), "value": .string(pseudonym)]
                ]
                if options.revealPersonalData {
                    identifiers.append([
                        "system": .string(FHIRSystems.residentID), "value": .string(contract.resident.unmasked),
                    ])
                    resource["gender"] = .string(contract.resident.sex == .male ? "male" : "female")
                    resource["birthDate"] = .string(contract.resident.birthDate.iso8601)
                }
                resource["identifier"] = .array(identifiers)
                try add("Patient", patientID, resource)
            }
            var period: JSONObject = ["start": .string(contract.term.from.iso8601)]
            period["end"] = .string(contract.lastDay.iso8601)
            try add(
                "EpisodeOfCare",
                "eoc-\(contract.id.rawValue)",
                [
                    "identifier": [["system": .string(FHIRSystems.contract), "value": .string(contract.id.rawValue)]],
                    "status": .string(episodeStatus(contract)),
                    "type": [["text": "家庭医生签约服务 family-doctor contracted care"]],
                    "patient": patient,
                    "managingOrganization": organization,
                    "period": .object(period),
                    "team": [["reference": .string("CareTeam/\(team.id.rawValue)")]],
                ]
            )
            var resource: JSONObject = [
                "identifier": [["system": .string(FHIRSystems.contract), "value": .string(contract.id.rawValue)]],
                "status": .string(contractStatus(contract)),
                "issued": .string(contract.signedOn.iso8601),
                "applies": .object(period),
                "subject": [patient],
                "authority": [organization],
            ]
            if case .expired = contract.state { resource["expirationType"] = ["text": "expired"] }
            if let package = packages[contract.package] {
                resource["topicCodeableConcept"] = [
                    "coding": [
                        [
                            "system": .string(FHIRSystems.servicePackage), "code": .string(package.id.rawValue),
                            "display": .string(package.name),
                        ]
                    ]
                ]
                resource["term"] = [
                    [
                        "offer": ["text": .string(package.items.map(\.name).joined(separator: "、"))],
                        "asset": [
                            [
                                "valuedItem": [
                                    [
                                        "net": [
                                            "value": .number(Double(package.price.fen) / 100),
                                            "currency": "CNY",
                                        ]
                                    ]
                                ]
                            ]
                        ],
                    ]
                ]
            }
            try add("Contract", contract.id.rawValue, resource)
        }
        let timestamp = ISO8601DateFormatter().string(from: generated)
        return [
            "resourceType": "Bundle", "type": "collection", "timestamp": .string(timestamp), "entry": .array(entries),
        ]
    }

    /// `Contract.status` (R4 code system contract-status): a signed or active contract is
    /// `executed`; renewed is `renewed`; terminated and expired are `terminated`.
    func contractStatus(_ contract: FamilyDoctorContract) -> String {
        switch contract.state {
        case .signed, .active: "executed"
        case .renewed: "renewed"
        case .terminated, .expired: "terminated"
        }
    }

    /// `EpisodeOfCare.status`: planned before the term, active in it, finished after it, cancelled
    /// when terminated before the term began.
    func episodeStatus(_ contract: FamilyDoctorContract) -> String {
        switch contract.state {
        case .signed: "planned"
        case .active: "active"
        case .renewed, .expired: "finished"
        case .terminated(_, let date): date < contract.term.from ? "cancelled" : "finished"
        }
    }
}

extension TeamRole {
    /// The role's Chinese name.
    public var chineseName: String {
        switch self {
        case .generalPractitioner: "全科医生"
        case .nurse: "护士"
        case .publicHealthDoctor: "公共卫生医生"
        }
    }
}

extension FHIRExporter {
    /// Appointments as a FHIR R4 collection `Bundle`: a `Patient` per patient (by pseudonym, the
    /// identity only with ``FHIRExportOptions/revealPersonalData``), a `Practitioner` per doctor, an
    /// `Appointment` per appointment (its slot's start and, for the end, `minutes` later) and an
    /// `Encounter` (class AMB) for each visit that took place — arrived, or finished once seen.
    /// `slots` gives each appointment's slot by id; `pseudonyms` each patient's pseudonym (hex).
    public func appointments(
        _ appointments: [Appointment],
        slots: [String: AppointmentSlot],
        pseudonyms: [ResidentID: String],
        minutes: Int = 30,
        generated: Date
    ) throws -> JSONValue {
        var entries: [JSONValue] = []
        var added = Set<String>()
        func add(_ type: String, _ id: String, _ resource: JSONObject) throws {
            guard FHIRIdentifiers.isID(id) else { throw HealthError.invalidTeam("\"\(id)\" is not a FHIR id") }
            guard added.insert("\(type)/\(id)").inserted else { return }
            var resource = resource
            resource["resourceType"] = .string(type)
            resource["id"] = .string(id)
            entries.append(["fullUrl": .string("\(options.baseURL)/\(type)/\(id)"), "resource": .object(resource)])
        }
        let stamp = ISO8601DateFormatter()
        stamp.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        for appointment in appointments.sorted(by: { $0.id < $1.id }) {
            guard let slot = slots[appointment.slot] else {
                throw HealthError.invalidDate("no slot \(appointment.slot) for appointment \(appointment.id)")
            }
            guard let pseudonym = pseudonyms[appointment.patient] else {
                throw HealthError.invalidDate("no pseudonym for the patient of \(appointment.id)")
            }
            let patientID = "p-" + pseudonym.prefix(32)
            var patient: JSONObject = [
                "active": true,
                "identifier": [["system": .string(FHIRSystems.patientPseudonym), "value": .string(pseudonym)]],
            ]
            if options.revealPersonalData {
                patient["identifier"] = [
                    ["system": .string(FHIRSystems.patientPseudonym), "value": .string(pseudonym)],
                    ["system": .string(FHIRSystems.residentID), "value": .string(appointment.patient.unmasked)],
                ]
                patient["gender"] = .string(appointment.patient.sex == .male ? "male" : "female")
                patient["birthDate"] = .string(appointment.patient.birthDate.iso8601)
            }
            try add("Patient", patientID, patient)
            let doctorID = "dr-\(appointment.doctor)"
            try add("Practitioner", doctorID, ["active": true, "name": [["text": .string(appointment.doctor)]]])
            let start = stamp.string(from: slot.start)
            let end = stamp.string(from: slot.start.addingTimeInterval(Double(minutes) * 60))
            let status: String =
                switch appointment.state {
                case .booked: "booked"
                case .checkedIn: "arrived"
                case .completed: "fulfilled"
                case .cancelled: "cancelled"
                case .noShow: "noshow"
                }
            let participation = appointment.state == .cancelled ? "declined" : "accepted"
            try add(
                "Appointment",
                appointment.id,
                [
                    "status": .string(status),
                    "serviceType": [["text": .string(slot.department)]],
                    "start": .string(start),
                    "end": .string(end),
                    "minutesDuration": .number(Double(minutes)),
                    "participant": [
                        ["actor": ["reference": .string("Patient/\(patientID)")], "status": .string(participation)],
                        ["actor": ["reference": .string("Practitioner/\(doctorID)")], "status": "accepted"],
                    ],
                ]
            )
            guard appointment.state == .checkedIn || appointment.state == .completed else { continue }
            var period: JSONObject = ["start": .string(start)]
            if appointment.state == .completed { period["end"] = .string(end) }
            try add(
                "Encounter",
                "enc-\(appointment.id)",
                [
                    "status": .string(appointment.state == .completed ? "finished" : "arrived"),
                    "class": [
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB",
                        "display": "ambulatory",
                    ],
                    "subject": ["reference": .string("Patient/\(patientID)")],
                    "participant": [["individual": ["reference": .string("Practitioner/\(doctorID)")]]],
                    "appointment": [["reference": .string("Appointment/\(appointment.id)")]],
                    "period": .object(period),
                ]
            )
        }
        return [
            "resourceType": "Bundle", "type": "collection", "timestamp": .string(stamp.string(from: generated)),
            "entry": .array(entries),
        ]
    }
}

extension FHIRSystems {
    /// The national immunisation programme's vaccines (``NIPVaccine`` raw values).
    public static let nipVaccine = "urn:taizhou:health:nip-vaccine"
}

extension FHIRExporter {
    /// Immunisation records as a FHIR R4 collection `Bundle`: a `Patient` per child (by pseudonym,
    /// the identity only with ``FHIRExportOptions/revealPersonalData``) and an `Immunization` per
    /// record — `protocolApplied` names the series and dose it counts for in `statuses` (computed
    /// from the same records), and a record that counts for none is `isSubpotent` with the reason.
    /// `pseudonyms` gives each child's pseudonym (hex).
    public func immunizations(
        _ records: [ImmunisationRecord],
        statuses: [ImmunisationStatus],
        pseudonyms: [ResidentID: String],
        generated: Date
    ) throws -> JSONValue {
        var counted: [String: ScheduledDose] = [:]
        var reasons: [String: String] = [:]
        var schedules: [ResidentID: String] = [:]
        for status in statuses {
            schedules[status.child] = status.schedule
            for dose in status.doses { if let record = dose.record { counted[record] = dose.dose } }
            for uncounted in status.uncounted { reasons[uncounted.record] = uncounted.reason }
        }
        var entries: [JSONValue] = []
        var added = Set<String>()
        func add(_ type: String, _ id: String, _ resource: JSONObject) throws {
            guard FHIRIdentifiers.isID(id) else { throw HealthError.invalidImmunisation("\"\(id)\" is not a FHIR id") }
            guard added.insert("\(type)/\(id)").inserted else { return }
            var resource = resource
            resource["resourceType"] = .string(type)
            resource["id"] = .string(id)
            entries.append(["fullUrl": .string("\(options.baseURL)/\(type)/\(id)"), "resource": .object(resource)])
        }
        for record in records.sorted(by: { ($0.date, $0.id) < ($1.date, $1.id) }) {
            guard let pseudonym = pseudonyms[record.child] else {
                throw HealthError.invalidImmunisation("no pseudonym for the child of \(record.id)")
            }
            let patientID = "p-" + pseudonym.prefix(32)
            var patient: JSONObject = [
                "active": true,
                "identifier": [["system": .string(FHIRSystems.patientPseudonym), "value": .string(pseudonym)]],
            ]
            if options.revealPersonalData {
                patient["identifier"] = [
                    ["system": .string(FHIRSystems.patientPseudonym), "value": .string(pseudonym)],
                    ["system": .string(FHIRSystems.residentID), "value": .string(record.child.unmasked)],
                ]
                patient["gender"] = .string(record.child.sex == .male ? "male" : "female")
                patient["birthDate"] = .string(record.child.birthDate.iso8601)
            }
            try add("Patient", patientID, patient)
            var immunization: JSONObject = [
                "status": "completed",
                "vaccineCode": [
                    "coding": [
                        [
                            "system": .string(FHIRSystems.nipVaccine), "code": .string(record.vaccine.rawValue),
                            "display": .string(record.vaccine.chineseName),
                        ]
                    ],
                    "text": .string(record.vaccine.chineseName),
                ],
                "patient": ["reference": .string("Patient/\(patientID)")],
                "occurrenceDateTime": .string(record.date.iso8601),
                "primarySource": true,
                "lotNumber": .string(record.lot),
                "location": ["display": .string(record.clinic)],
            ]
            if let dose = counted[record.id] {
                immunization["protocolApplied"] = [
                    [
                        "series": .string(dose.series),
                        "authority": ["display": .string(schedules[record.child] ?? "")],
                        "targetDisease": [["text": .string(dose.series)]],
                        "doseNumberPositiveInt": .number(Double(dose.number)),
                    ]
                ]
            } else if let reason = reasons[record.id] {
                immunization["isSubpotent"] = true
                immunization["subpotentReason"] = [["text": .string(reason)]]
            }
            try add("Immunization", "imm-\(record.id)", immunization)
        }
        let stamp = ISO8601DateFormatter()
        stamp.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        return [
            "resourceType": "Bundle", "type": "collection", "timestamp": .string(stamp.string(from: generated)),
            "entry": .array(entries),
        ]
    }
}
