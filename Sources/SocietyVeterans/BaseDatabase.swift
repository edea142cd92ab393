public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// One field of the veteran base database with where it came from.
public struct ProvenancedField: Hashable, Sendable, Codable {
    /// The value as the source department sent it.
    public let value: JSONValue
    /// The envelope that carried it, `ALG:BASE64URL`.
    public let envelopeDigest: String
    /// The sending party.
    public let issuer: Party
    /// The data service.
    public let service: String
    /// When the sender sealed it (`iat`): a later value replaces an earlier one, never the reverse.
    public let issuedAt: Date
    /// When this bureau received it.
    public let receivedAt: Date
}

/// The veteran base database (退役军人基础信息库) for one person: fields assembled from other
/// departments by envelope, each with its provenance, so that every value can be traced to the
/// signed envelope that carried it.
public struct VeteranBaseRecord: Hashable, Sendable, Codable {
    /// The person.
    public let resident: ResidentID
    /// The fields, by name.
    public var fields: [String: ProvenancedField]

    /// An empty record.
    public init(resident: ResidentID, fields: [String: ProvenancedField] = [:]) {
        self.resident = resident
        self.fields = fields
    }
}

extension VeteranBaseRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "veteran_base"
    /// The person and the fields are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["resident", "fields"]
    /// One record per person, under a keyed hash.
    public var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

/// Which data service may supply which fields: configuration, so that a department cannot write
/// a field it does not own (HR cannot change an assistance status).
public struct VeteranDataSources: Hashable, Sendable {
    /// Allowed field names per data-service id.
    public var fields: [String: Set<String>]

    /// The defaults: employment from HR & social security, assistance from civil affairs.
    public init(
        fields: [String: Set<String>] = [
            "hrss.veteran-employment": [
                "employmentStatus", "employer", "employedSince", "unemploymentRegistered", "skillTraining",
            ],
            "ca.veteran-assistance": ["assistanceCategory", "assistanceSince", "assistanceAmount"],
        ]
    ) {
        self.fields = fields
    }
}
