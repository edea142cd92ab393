public import Foundation
public import SocietyCore
public import SocietyExchange
import SocietyJSON

/// A published status list: a W3C `BitstringStatusListCredential` secured as a JWT (`typ`
/// `vc+jwt`, VC-JOSE-COSE), signed by the issuing party's trust-list key.
///
/// `version` (an SDK member, allowed by the VC 2.0 context's `@vocab`) increases with every
/// publication, so a verifier can refuse to go back to an older list.
public struct SignedStatusList: Hashable, Sendable {
    /// The JWS `typ`.
    public static let type = "vc+jwt"

    /// The compact JWS as published.
    public let jws: JWS
    /// The list's URI: what certificates name in `statusListCredential`.
    public let id: String
    /// The party that signed it.
    public let issuer: Party
    /// What a set bit means.
    public let purpose: StatusPurpose
    /// When it was published.
    public let validFrom: Date
    /// After this instant the list is stale whatever the verifier's maximum age.
    public let validUntil: Date
    /// The publication number.
    public let version: Int
    /// The bits.
    public let list: BitstringStatusList

    /// The list URI for `issuer` and `purpose`: a URN, because verification is offline and a
    /// snapshot is looked up by identifier, never fetched.
    public static func uri(issuer: Party, purpose: StatusPurpose) -> String {
        "\(baseURI(issuer: issuer)):\(purpose.rawValue)"
    }

    /// The prefix of both of `issuer`'s list URIs, which the compact SD-JWT `status` claim carries.
    public static func baseURI(issuer: Party) -> String { "urn:cn:taizhou:status:\(issuer.text)" }

    /// Signs `list` as the `purpose` list of `issuer`.
    public static func sign(
        _ list: BitstringStatusList,
        purpose: StatusPurpose,
        issuer: Party,
        version: Int,
        validFrom: Date,
        validUntil: Date,
        key: any SigningKey,
        kid: String
    ) throws -> SignedStatusList {
        let id = uri(issuer: issuer, purpose: purpose)
        let credential: JSONObject = [
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": .string(id),
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": .string(VerifiableCredentialView.issuerURI(issuer)),
            "validFrom": .string(VerifiableCredentialView.timestamp(validFrom)),
            "validUntil": .string(VerifiableCredentialView.timestamp(validUntil)),
            "version": .number(Double(version)),
            "credentialSubject": [
                "id": .string(id + "#list"), "type": "BitstringStatusList",
                "statusPurpose": .string(purpose.rawValue), "encodedList": .string(list.encodedList),
            ],
        ]
        let header: JSONObject = ["alg": .string(key.algorithm.jwsName), "kid": .string(kid), "typ": .string(type)]
        let jws = try JWS.sign(header: header, payload: try JSONValue.object(credential).canonicalBytes(), key: key)
        return try SignedStatusList(parsing: jws.compact)
    }

    /// Parses a published list; checks its form, not its signature (``CertificateVerifier`` does).
    public init(parsing text: String) throws(CertificateError) {
        do {
            jws = try JWS(parsing: text)
        } catch {
            throw .statusListRejected(error.reason)
        }
        guard jws.header["typ"]?.stringValue == Self.type else { throw .statusListRejected("typ is not \(Self.type)") }
        guard case .object(let credential)? = try? JSONParser().parse(jws.payload),
            let id = credential["id"]?.stringValue,
            let issuerText = credential["issuer"]?.stringValue,
            let issuer = VerifiableCredentialView.party(fromIssuerURI: issuerText),
            let from = credential["validFrom"]?.stringValue.flatMap(VerifiableCredentialView.date(from:)),
            let until = credential["validUntil"]?.stringValue.flatMap(VerifiableCredentialView.date(from:)),
            let version = credential["version"]?.doubleValue,
            let subject = credential["credentialSubject"]?.objectValue,
            subject["type"]?.stringValue == "BitstringStatusList",
            let purpose = subject["statusPurpose"]?.stringValue.flatMap(StatusPurpose.init(rawValue:)),
            let encoded = subject["encodedList"]?.stringValue
        else { throw .statusListRejected("payload is not a BitstringStatusListCredential") }
        do {
            list = try BitstringStatusList(encodedList: encoded)
        } catch {
            throw .statusListRejected(error.description)
        }
        self.id = id
        self.issuer = issuer
        self.purpose = purpose
        self.validFrom = from
        self.validUntil = until
        self.version = Int(version)
    }

    /// The compact JWS text.
    public var compact: String { jws.compact }
}

/// The status lists a verifier holds offline: a file `{"statusLists": ["<JWS>", …]}`.
public struct StatusListSnapshot: Hashable, Sendable {
    /// The lists, by URI.
    public var lists: [String: SignedStatusList]

    /// A snapshot of `lists`; a later list with the same URI and a higher version wins.
    public init(_ lists: [SignedStatusList]) {
        var byID: [String: SignedStatusList] = [:]
        for list in lists where (byID[list.id]?.version ?? Int.min) < list.version { byID[list.id] = list }
        self.lists = byID
    }

    /// Reads the snapshot file.
    public init(json bytes: [UInt8]) throws(CertificateError) {
        guard let entries = (try? JSONParser().parse(bytes))?["statusLists"]?.arrayValue else {
            throw .statusListRejected("snapshot is not {\"statusLists\": [...]}")
        }
        var lists: [SignedStatusList] = []
        for entry in entries {
            guard let text = entry.stringValue else { throw .statusListRejected("snapshot entry is not a string") }
            lists.append(try SignedStatusList(parsing: text))
        }
        self.init(lists)
    }

    /// The snapshot file, canonical JSON.
    public var json: String {
        let entries = lists.keys.sorted().compactMap { lists[$0]?.compact }.map(JSONValue.string)
        return JSONValue.object(["statusLists": .array(entries)]).description
    }
}
