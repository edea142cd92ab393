import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
public import SocietyJSON
public import SocietyServices

/// 出生一件事 (plan item 7): a newborn's birth medical certificate, household registration, medical
/// insurance and social security card as one application of four parts. The hospital's certificate
/// reaches public security by envelope; public security's registration (the child's identity
/// number) reaches the medical-insurance bureau by envelope; the bureau's enrolment lets the one-card
/// office issue the card.
public enum NewbornBundle {
    /// The bundle's catalogue code.
    public static let bundle = "newborn"
    /// 出生医学证明 (the hospital, for the health commission).
    public static let birthCertificate = "birth-medical-certificate"
    /// 户口登记 (public security).
    public static let householdRegistration = "newborn-household-registration"
    /// 医保参保 (the medical-insurance bureau).
    public static let medicalInsurance = "newborn-medical-insurance"
    /// 社保卡申领 (the one-card office).
    public static let socialSecurityCard = "newborn-social-security-card"
    /// The data service of birth certificates (the hospital to public security).
    public static let birthService = "health.birth-certificates"
    /// The data service of newborn registrations (public security to the medical-insurance bureau).
    public static let registrationService = "ps.newborn-registrations"

    /// The four catalogue entries and the bundle.
    public static func catalogue(timeLimit: TimeLimit) throws(CatalogueError) -> ([ServiceEntry], ServiceBundle) {
        func entry(
            _ code: String,
            _ name: String,
            _ department: String,
            _ basis: String,
            _ materials: [ServiceEntry.Material]
        )
            throws(CatalogueError) -> ServiceEntry
        {
            try ServiceEntry(
                code: code,
                name: name,
                department: department,
                legalBasis: [basis],
                applicant: .resident,
                materials: materials,
                channels: [.online, .counter],
                timeLimit: timeLimit,
                outcome: .decision
            )
        }
        let entries = [
            try entry(birthCertificate, "出生医学证明 (birth medical certificate)", "hospital", "母婴保健法", []),
            try entry(
                householdRegistration,
                "新生儿户口登记 (newborn household registration)",
                "public-security",
                "户口登记条例",
                [.exchange(service: birthService, replaces: "birth medical certificate")]
            ),
            try entry(
                medicalInsurance,
                "新生儿医保参保 (newborn medical insurance)",
                "medical-insurance",
                "社会保险法",
                [.exchange(service: registrationService, replaces: "household register")]
            ),
            try entry(
                socialSecurityCard,
                "社会保障卡申领 (social security card)",
                "onecard",
                "社会保险法",
                [.exchange(service: registrationService, replaces: "household register")]
            ),
        ]
        return (
            entries,
            try ServiceBundle(
                code: bundle,
                name: "出生一件事",
                parts: [birthCertificate, householdRegistration, medicalInsurance, socialSecurityCard]
            )
        )
    }
}

/// 出生医学证明: the birth medical certificate a hospital issues. The child has no identity number
/// yet; the mother is named by hers.
public struct BirthCertificate: Hashable, Sendable, Codable {
    /// The certificate's number: a letter and nine digits (**assumption**: the national form's
    /// number prints as one serial letter followed by nine digits).
    public let number: String
    /// The child's name.
    public let name: PersonName
    /// The child's sex.
    public let sex: Sex
    /// The day of birth.
    public let born: CalendarDate
    /// The hospital.
    public let hospital: CreditCode
    /// The mother (encrypted at rest).
    public let mother: ResidentID
    /// The household's district, where the child will be registered.
    public let district: DivisionCode

    /// A certificate; the number is a letter and nine digits.
    public init(
        number: String,
        name: PersonName,
        sex: Sex,
        born: CalendarDate,
        hospital: CreditCode,
        mother: ResidentID,
        district: DivisionCode
    ) throws(HealthError) {
        let characters = Array(number.utf8)
        guard characters.count == 10, let first = characters.first, (65...90).contains(first),
            characters.dropFirst().allSatisfy({ (48...57).contains($0) })
        else { throw HealthError.invalidCertificate("\(number) is not a letter and nine digits") }
        self.number = number
        self.name = name
        self.sex = sex
        self.born = born
        self.hospital = hospital
        self.mother = mother
        self.district = district
    }

    /// The data of its envelope to public security.
    public var envelopeData: JSONValue {
        [
            "number": .string(number), "name": .string(name.unmasked), "sex": .string(sex.rawValue),
            "born": .string(born.iso8601), "hospital": .string(hospital.value), "mother": .string(mother.unmasked),
            "district": .string(district.code),
        ]
    }

    /// Reads a certificate back from an envelope's data; malformed data throws.
    public init(envelope data: JSONValue) throws(HealthError) {
        guard let number = data["number"]?.stringValue, let name = data["name"]?.stringValue,
            let sexText = data["sex"]?.stringValue, let sex = Sex(rawValue: sexText),
            let born = data["born"]?.stringValue, let hospital = data["hospital"]?.stringValue,
            let mother = data["mother"]?.stringValue, let district = data["district"]?.stringValue
        else { throw HealthError.invalidCertificate("a birth certificate's envelope lacks a field") }
        let parts: (PersonName, CalendarDate, CreditCode, ResidentID, DivisionCode)
        do {
            parts = (
                try PersonName(name), try CalendarDate(iso8601: born), try CreditCode(hospital), try ResidentID(mother),
                try DivisionCode(district)
            )
        } catch {
            throw HealthError.invalidCertificate("\(error)")
        }
        try self.init(
            number: number,
            name: parts.0,
            sex: sex,
            born: parts.1,
            hospital: parts.2,
            mother: parts.3,
            district: parts.4
        )
    }
}

extension BirthCertificate: StorableRecord {
    /// The table name.
    public static let recordKind = "health_birth_certificate"
    /// The child's name and the mother are personal data.
    public static let sensitiveFields: Set<String> = ["name", "mother"]
    /// The number.
    public var recordKey: RecordKey { RecordKey(number) }
}

/// Public security's newborn registration (新生儿入户) as the synthetic city runs it: the child gets
/// an identity number in the household's district — the next sequence for the day of birth and sex
/// (GB 11643: odd for boys, even for girls) — on the hospital's certificate received by envelope.
/// **Assumption**: registration follows the certificate at once, without the parents' household
/// booklet (which the real office also checks).
public struct NewbornRegistration: Hashable, Sendable, Codable {
    /// The birth certificate's number.
    public let certificate: String
    /// The child's identity number (encrypted at rest).
    public let child: ResidentID
    /// The day registered.
    public let registeredOn: CalendarDate

    /// The data of its envelope to the medical-insurance bureau.
    public var envelopeData: JSONValue {
        [
            "certificate": .string(certificate), "child": .string(child.unmasked),
            "registeredOn": .string(registeredOn.iso8601),
        ]
    }
}

extension NewbornRegistration: StorableRecord {
    /// The table name.
    public static let recordKind = "ps_newborn_registration"
    /// The child is personal data.
    public static let sensitiveFields: Set<String> = ["child"]
    /// By the certificate.
    public var recordKey: RecordKey { RecordKey(certificate) }
}

/// The sequences already given per district, day and sex.
struct NewbornSequence: Hashable, Sendable, Codable, StorableRecord {
    let key: String
    var last: Int
    static let recordKind = "ps_newborn_sequence"
    var recordKey: RecordKey { RecordKey(key) }
}

/// The synthetic city's public-security office, for the newborn bundle.
public struct NewbornRegistrationOffice: Sendable {
    /// The store purpose.
    public static let purpose = Purpose(constant: "ps.household-registration")
    let ports: ServicePorts

    /// The office on its ports.
    public init(ports: ServicePorts) { self.ports = ports.logging(as: "public-security") }

    /// Registers the child of the certificate received by envelope (data as
    /// ``BirthCertificate/envelopeData``); registering the same certificate again returns the
    /// registration kept.
    public func register(_ notice: OpenedEnvelope) async throws(HealthError) -> NewbornRegistration {
        let certificate: BirthCertificate
        do {
            certificate = try BirthCertificate(envelope: notice.claims.data)
        } catch {
            throw .malformedNotice("\(error)")
        }
        let today = CalendarDate(ports.clock.now())
        do {
            return try await ports.store.write(purpose: Self.purpose) { db in
                if let kept = try await db.get(NewbornRegistration.self, key: RecordKey(certificate.number)) {
                    return kept
                }
                let key = "\(certificate.district.code)|\(certificate.born.iso8601)|\(certificate.sex.rawValue)"
                var sequence =
                    try await db.get(NewbornSequence.self, key: RecordKey(key)) ?? NewbornSequence(key: key, last: -1)
                // Odd sequences for boys, even for girls, counting up from 1 and 2.
                let next = sequence.last < 0 ? (certificate.sex == .male ? 1 : 2) : sequence.last + 2
                guard next <= 999 else { throw HealthError.invalidDate("no sequence left for \(key)") }
                sequence.last = next
                let child = try ResidentID(
                    addressCode: certificate.district,
                    birthDate: certificate.born,
                    sequence: next,
                    today: today
                )
                let registration = NewbornRegistration(
                    certificate: certificate.number,
                    child: child,
                    registeredOn: today
                )
                try await db.put(sequence)
                try await db.put(registration)
                return registration
            }
        } catch let error as HealthError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .storage("\(error)")
        }
    }
}

/// The synthetic city's medical-insurance bureau, for the newborn bundle: enrols the child in the
/// urban and rural residents' basic medical insurance on public security's registration received by
/// envelope. **Assumption**: a newborn's first year is free of contributions when enrolled within 3
/// months of birth (the common rule; Jiangsu's cities set the details).
public struct NewbornEnrolment: Hashable, Sendable, Codable, StorableRecord {
    /// The child (encrypted at rest).
    public let child: ResidentID
    /// The day enrolled.
    public let enrolledOn: CalendarDate
    /// Whether the first year is free (enrolled within 3 months of birth).
    public let firstYearFree: Bool

    /// The table name.
    public static let recordKind = "mi_newborn_enrolment"
    /// The child is personal data.
    public static let sensitiveFields: Set<String> = ["child"]
    /// The keyed hash of the child's number.
    public var recordKey: RecordKey { RecordKey(sensitive: child.unmasked) }

    /// Enrols the child named by public security's notice (data as
    /// ``NewbornRegistration/envelopeData``) into `store` under `purpose`, once.
    public static func enrol(
        _ notice: OpenedEnvelope,
        in ports: ServicePorts,
        purpose: Purpose = Purpose(constant: "mi.enrolment")
    ) async throws(HealthError) -> NewbornEnrolment {
        guard let childText = notice.claims.data["child"]?.stringValue, let child = try? ResidentID(childText) else {
            throw .malformedNotice("a newborn registration names the child")
        }
        let today = CalendarDate(ports.clock.now())
        let enrolment = NewbornEnrolment(
            child: child,
            enrolledOn: today,
            firstYearFree: today <= child.birthDate.adding(months: 3)
        )
        do {
            return try await ports.store.write(purpose: purpose) { db in
                if let kept = try await db.get(NewbornEnrolment.self, key: enrolment.recordKey) { return kept }
                try await db.put(enrolment)
                return enrolment
            }
        } catch {
            throw .storage("\(error)")
        }
    }
}

/// The hospital's side: issuing birth certificates.
public struct BirthCertificates: Sendable {
    /// The store purpose.
    public static let purpose = Purpose(constant: "health.birth-certificates")
    let ports: ServicePorts

    /// The hospital's register on its ports.
    public init(ports: ServicePorts) { self.ports = ports.logging(as: "births") }

    /// Issues `certificate`; a number already used is refused.
    @discardableResult
    public func issue(_ certificate: BirthCertificate) async throws(HealthError) -> BirthCertificate {
        guard certificate.born <= CalendarDate(ports.clock.now()) else {
            throw .invalidDate("a birth certificate for a birth to come")
        }
        do {
            try await ports.store.write(purpose: Self.purpose) { db in
                if try await db.get(BirthCertificate.self, key: certificate.recordKey) != nil {
                    throw HealthError.duplicate("birth certificate \(certificate.number)")
                }
                try await db.put(certificate)
            }
            return certificate
        } catch let error as HealthError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }
}
