import Foundation
public import SocietyCore
public import SocietyExchange
import SocietyJSON

/// A death reported by the population register (public security or civil affairs) by envelope.
///
/// Kept with the digest of the envelope that carried it, so that a cancelled card or a fraud alert
/// can point at the evidence.
public struct DeathRecord: Hashable, Sendable, Codable, StorableRecord {
    /// Who died.
    public let resident: ResidentID
    /// The date of death.
    public let dateOfDeath: CalendarDate
    /// The reporting party.
    public let reportedBy: Party
    /// SHA-256 or SM3 of the envelope, `ALG:BASE64URL`.
    public let envelopeDigest: String
    /// The keyed hash of the resident (joins with payments).
    public let holderPseudonym: String

    /// The table name.
    public static let recordKind = "onecard_death"
    /// The resident is encrypted at rest.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// Deaths by holder pseudonym.
    public static let indexes: [RecordIndex<DeathRecord>] = [RecordIndex("holder") { .text($0.holderPseudonym) }]
    /// One record per person, stored under a keyed hash.
    public var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

/// An employment registration reported by HR & social security by envelope: while it is active, an
/// unemployment benefit to the same person is suspicious.
public struct EmploymentRecord: Hashable, Sendable, Codable, StorableRecord {
    /// The registration's id at the source.
    public let id: String
    /// The employee.
    public let resident: ResidentID
    /// The employer.
    public let employer: CreditCode
    /// First and last day of employment (`until` nil while employed).
    public let period: ValidityPeriod
    /// The envelope that carried it, `ALG:BASE64URL`.
    public let envelopeDigest: String
    /// The keyed hash of the resident.
    public let holderPseudonym: String

    /// The table name.
    public static let recordKind = "onecard_employment"
    /// The resident is encrypted at rest.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// Registrations by holder pseudonym.
    public static let indexes: [RecordIndex<EmploymentRecord>] = [
        RecordIndex("holder") { .text($0.holderPseudonym) }
    ]
    /// The source's id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// Reads the data of opened envelopes into notices, refusing any other shape.
enum NoticeData {
    static func string(_ data: JSONValue, _ name: String) throws(OneCardError) -> String {
        try read { () throws(DataFieldError) in try data.text(name) }
    }

    static func date(_ data: JSONValue, _ name: String) throws(OneCardError) -> CalendarDate {
        try read { () throws(DataFieldError) in try data.parsed(name, as: CalendarDate.self) }
    }

    static func resident(_ data: JSONValue, _ name: String) throws(OneCardError) -> ResidentID {
        try read { () throws(DataFieldError) in try data.parsed(name, as: ResidentID.self) }
    }

    /// Passes a field error on as this module's malformed-notice error.
    private static func read<T>(_ body: () throws(DataFieldError) -> T) throws(OneCardError) -> T {
        do {
            return try body()
        } catch {
            throw .malformedNotice(error.description)
        }
    }
}
