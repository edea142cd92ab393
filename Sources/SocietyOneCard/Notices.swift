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
        guard let text = data[name]?.stringValue else { throw .malformedNotice("\"\(name)\" is missing or not text") }
        return text
    }

    static func date(_ data: JSONValue, _ name: String) throws(OneCardError) -> CalendarDate {
        let text = try string(data, name)
        do {
            return try CalendarDate(iso8601: text)
        } catch {
            throw .malformedNotice("\"\(name)\": \(error)")
        }
    }

    static func resident(_ data: JSONValue, _ name: String) throws(OneCardError) -> ResidentID {
        let text = try string(data, name)
        do {
            return try ResidentID(text)
        } catch {
            throw .malformedNotice("\"\(name)\": \(error)")
        }
    }
}
