public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// One call a department let through under a consent: what usage statements and residents'
/// data-use reports are made of. Written in the same transaction as the counters.
public struct MeteredCall: Hashable, Sendable, Codable {
    /// The provider.
    public let provider: Party
    /// The request envelope's id (`jti`): the provider knows it too, and the department's
    /// `exchange.open` audit entry names it.
    public let envelope: String
    /// The consent it was made under.
    public let consent: String
    /// The data service.
    public let service: String
    /// The purpose.
    public let purpose: Purpose
    /// The month, `YYYY-MM`.
    public let month: String
    /// When it was let through.
    public let at: Date

    /// A call record (the registry makes them; a migration or a benchmark may too).
    public init(
        provider: Party,
        envelope: String,
        consent: String,
        service: String,
        purpose: Purpose,
        month: String,
        at: Date
    ) {
        self.provider = provider
        self.envelope = envelope
        self.consent = consent
        self.service = service
        self.purpose = purpose
        self.month = month
        self.at = at
    }
}

extension MeteredCall: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_call"
    /// Calls by provider and month (statements) and by consent (a resident's report).
    public static let indexes: [RecordIndex<MeteredCall>] = [
        RecordIndex("provider_month") { .text("\($0.provider.text)@\($0.month)") },
        RecordIndex("consent") { .text($0.consent) },
    ]
    /// One record per provider and envelope.
    public var recordKey: RecordKey { RecordKey("\(provider.text)@\(envelope)") }
}

/// Who signs a department's statements and reports: its party and a signing key on the trust list.
public struct DocumentSigner: Sendable {
    /// The signing party.
    public let party: Party
    /// Its key.
    public let key: any SigningKey
    /// The key's id on the trust list.
    public let kid: String

    /// A signer.
    public init(party: Party, key: any SigningKey, kid: String) {
        self.party = party
        self.key = key
        self.kid = kid
    }
}

/// A department's signed monthly statement of a provider's calls (计量对账单): per service, the calls
/// let through and the Merkle root of their envelope ids, sorted — so the provider, who keeps the
/// ids of the envelopes it sent, can recompute both and agree or dispute call by call — and the
/// department's audit-log tree head when it signed, to which the bureau can ask for inclusion and
/// consistency proofs.
public struct UsageStatement: Hashable, Sendable {
    /// One service's calls.
    public struct Line: Hashable, Sendable {
        /// The data service.
        public let service: String
        /// The calls let through.
        public let calls: Int
        /// The SHA-256 Merkle root (RFC 9162) of the calls' envelope ids, sorted, as base64url.
        public let root: String
    }

    /// The JWS `typ` of a signed statement.
    public static let type = "ds-usage+jwt"

    /// The department that let the calls through.
    public let department: Party
    /// The provider.
    public let provider: Party
    /// The month, `YYYY-MM`.
    public let month: String
    /// The lines, by service.
    public let lines: [Line]
    /// The department's audit-log size when it signed.
    public let auditSize: Int
    /// The audit log's root hash at that size, base64url.
    public let auditRoot: String
    /// When it was signed.
    public let issuedAt: Date

    /// The calls of all services.
    public var calls: Int { lines.reduce(0) { $0 + $1.calls } }

    /// The statement as the canonical JSON object that is signed.
    public var jsonObject: JSONObject {
        [
            "iss": .string(department.text), "sub": .string(provider.text), "month": .string(month),
            "lines": .array(
                lines.map {
                    ["svc": .string($0.service), "calls": .number(Double($0.calls)), "root": .string($0.root)]
                }
            ),
            "auditSize": .number(Double(auditSize)), "auditRoot": .string(auditRoot),
            "iat": .number(issuedAt.timeIntervalSince1970.rounded(.down)),
        ]
    }

    /// Reads a statement from its signed JSON object.
    public init(jsonObject object: JSONObject) throws(ConsentError) {
        do {
            department = try Party(object["iss"]?.stringValue ?? "")
            provider = try Party(object["sub"]?.stringValue ?? "")
        } catch {
            throw .malformed("\(error)")
        }
        guard let month = object["month"]?.stringValue, case .array(let items) = object["lines"],
            let size = object["auditSize"]?.doubleValue, let root = object["auditRoot"]?.stringValue,
            let issued = object["iat"]?.doubleValue
        else { throw .malformed("a statement is {iss, sub, month, lines, auditSize, auditRoot, iat}") }
        var lines: [Line] = []
        for item in items {
            guard let service = item["svc"]?.stringValue, let calls = item["calls"]?.doubleValue,
                let root = item["root"]?.stringValue, calls >= 0, calls.rounded() == calls
            else { throw .malformed("a line is {svc, calls, root}") }
            lines.append(Line(service: service, calls: Int(calls), root: root))
        }
        self.month = month
        self.lines = lines
        self.auditSize = Int(size)
        self.auditRoot = root
        self.issuedAt = Date(timeIntervalSince1970: issued)
    }

    init(
        department: Party,
        provider: Party,
        month: String,
        lines: [Line],
        auditSize: Int,
        auditRoot: String,
        issuedAt: Date
    ) {
        self.department = department
        self.provider = provider
        self.month = month
        self.lines = lines
        self.auditSize = auditSize
        self.auditRoot = auditRoot
        self.issuedAt = issuedAt
    }

    /// The line a provider computes from the envelope ids of the calls it made to `service`: equal
    /// to the statement's line when both sides counted the same calls.
    public static func line(
        service: String,
        envelopes: [String],
        crypto: any CryptoProvider
    ) throws(ConsentError) -> Line {
        let tree = MerkleTree(algorithm: .sha256, provider: crypto)
        do {
            let leaves = try envelopes.sorted().map { try tree.leafHash(Array($0.utf8)) }
            return Line(
                service: service,
                calls: envelopes.count,
                root: Base64URL.encode(try tree.rootHash(leafHashes: leaves))
            )
        } catch {
            throw .failed("\(error)")
        }
    }
}

/// A usage statement as the department signed it.
public typealias SignedUsageStatement = Signed<UsageStatement>

extension UsageStatement: SignedPayload {
    /// The department.
    public var signer: Party { department }
    /// When it was signed.
    public var signedAt: Date { issuedAt }
    /// The provider and the month.
    public var forgeryLabel: String { "usage statement of \(provider) for \(month)" }
}

extension Signed where Payload == UsageStatement {
    /// The statement.
    public var statement: UsageStatement { payload }
}

/// One use of a resident's data, as a data-use report lists it.
public struct DataUse: Hashable, Sendable {
    /// Who used it: a department's store actor, or a provider.
    public let party: String
    /// What was done: `read`, `put`, …, or `provider call` for a provider's fetch.
    public let action: String
    /// Why (the purpose code).
    public let purpose: String
    /// The consent a provider's call was made under.
    public let consent: String?
    /// The data service a provider called.
    public let service: String?
    /// When.
    public let at: Date
}

/// A department's signed report of every use of one resident's data it recorded (数据使用记录): each
/// read and write of the resident's records in its audit log, and each provider call under the
/// resident's consents, with who, why and when — the list none of the consent standards gives the
/// resident, and that they can check entry by entry against the department's audit log.
public struct DataUseReport: Hashable, Sendable {
    /// The JWS `typ` of a signed report.
    public static let type = "ds-data-use+jwt"
    /// The department.
    public let department: Party
    /// The uses, oldest first.
    public let uses: [DataUse]
    /// The audit-log size the report covers.
    public let auditSize: Int
    /// When it was made.
    public let issuedAt: Date

    /// The report, for the resident: the JSON object that is signed. The resident is not named in
    /// it: the report goes to them alone.
    public var jsonObject: JSONObject {
        [
            "iss": .string(department.text), "auditSize": .number(Double(auditSize)),
            "iat": .number(issuedAt.timeIntervalSince1970.rounded(.down)),
            "uses": .array(
                uses.map { use in
                    var object: JSONObject = [
                        "party": .string(use.party), "action": .string(use.action), "purpose": .string(use.purpose),
                        "at": .number(use.at.timeIntervalSince1970.rounded(.down)),
                    ]
                    if let consent = use.consent { object["consent"] = .string(consent) }
                    if let service = use.service { object["svc"] = .string(service) }
                    return .object(object)
                }
            ),
        ]
    }

    /// Signs the report.
    public func signed(by signer: DocumentSigner) throws(ConsentError) -> String {
        try SignedDocument.sign(jsonObject, type: Self.type, key: signer.key, kid: signer.kid).compact
    }
}
