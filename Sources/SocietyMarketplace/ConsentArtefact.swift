public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// A resident's consent to one third-party provider (数据授权): which data services and fields, for
/// which purpose, over which range of data, kept how long, fetched how often, viewed or stored,
/// until when — the consent artefact, signed by the consent manager and sent to both the provider
/// and each department that holds the data.
///
/// Learned from India's Account Aggregator consent artefact (ReBIT: purpose, data range,
/// `DataLife`, `Frequency`, `consentMode`), ISO/IEC TS 27560 consent records and the Kantara
/// Consent Receipt; what they lack and this adds is that every fetch under it is checked at the
/// department's boundary (``ConsentRegistry``) and shown to the resident.
///
/// The initialiser refuses a consent that could not be honoured (``ConsentError/invalid(_:)``);
/// decoding goes through it, so a signed text cannot carry one either.
public struct ConsentArtefact: Hashable, Sendable {
    /// Whether the provider may only show the data or also keep it.
    public enum Mode: String, Hashable, Sendable, CaseIterable {
        /// Shown to the resident, not kept (data life 0).
        case view
        /// Kept by the provider for at most ``ConsentArtefact/dataLifeDays`` days.
        case store
    }

    /// How often the provider may fetch: at most `limit` fetches per `period`.
    public struct Frequency: Hashable, Sendable {
        /// A calendar period in China Standard Time.
        public enum Period: String, Hashable, Sendable, CaseIterable {
            /// A calendar day.
            case day
            /// A calendar month.
            case month
            /// The whole validity of the consent.
            case consent
        }

        /// The fetches allowed per period.
        public let limit: Int
        /// The period.
        public let period: Period

        /// At most `limit` fetches per `period`.
        public init(limit: Int, per period: Period) throws(ConsentError) {
            guard limit >= 1, limit <= 1_000_000 else { throw .invalid("a frequency allows 1 to 1,000,000 fetches") }
            self.limit = limit
            self.period = period
        }

        /// The key of the period `instant` falls in, as counters are kept.
        public func periodKey(at instant: Date) -> String {
            switch period {
            case .day: CalendarDate(instant).iso8601
            case .month: String(CalendarDate(instant).iso8601.prefix(7))
            case .consent: "all"
            }
        }

        /// How the period reads in a refusal: "a day", "a month", "in all".
        public var phrase: String {
            switch period {
            case .day: "a day"
            case .month: "a month"
            case .consent: "in all"
            }
        }
    }

    /// One data service and the fields of its answer the provider may ask for.
    public struct Scope: Hashable, Sendable {
        /// The data service (its id in the trust list's catalogue).
        public let service: String
        /// The fields, sorted, each at most once.
        public let fields: [String]

        /// A scope of `service` for `fields`.
        public init(service: String, fields: [String]) throws(ConsentError) {
            guard !service.isEmpty, service.utf8.count <= 128 else { throw .invalid("a scope needs its service") }
            guard !fields.isEmpty, fields.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 64 }) else {
                throw .invalid("a scope of \(service) needs its fields (1–64 characters each)")
            }
            self.service = service
            self.fields = Array(Set(fields)).sorted()
        }
    }

    /// The consent's id: letters, digits and `-`, 8–64 characters.
    public let id: String
    /// The resident as this provider knows them: a pairwise pseudonym (`psn-` and 32 hex digits),
    /// the same in every consent the resident gives this provider and different for every other
    /// provider, so providers cannot link residents across each other. The identity number is not
    /// in the consent: a provider sees it only if a consent's fields include it.
    public let subject: String
    /// A commitment to the resident's identity number (`ALG:BASE64URL` of the digest of a random
    /// salt and the number): the department, given the number and the salt by the consent manager,
    /// checks that this signed consent is that resident's (``ConsentRegistry/register(_:resident:salt:)``).
    public let commitment: String
    /// The provider the consent is granted to.
    public let provider: Party
    /// The consent manager that signs it.
    public let manager: Party
    /// Why the provider may use the data.
    public let purpose: Purpose
    /// The services and fields, one scope per service.
    public let scopes: [Scope]
    /// The first day of the data the provider may ask about, if limited.
    public let dataFrom: CalendarDate?
    /// The last day of the data the provider may ask about, if limited.
    public let dataUntil: CalendarDate?
    /// View or store.
    public let mode: Mode
    /// How many days the provider may keep what it fetched (0 when it may only view it).
    public let dataLifeDays: Int
    /// How often the provider may fetch.
    public let frequency: Frequency
    /// When the consent takes effect.
    public let validFrom: Date
    /// When it ends.
    public let expires: Date
    /// Its index in the consent manager's revocation status list.
    public let statusIndex: Int

    /// A checked consent.
    public init(
        id: String,
        subject: String,
        commitment: String,
        provider: Party,
        manager: Party,
        purpose: Purpose,
        scopes: [Scope],
        dataFrom: CalendarDate? = nil,
        dataUntil: CalendarDate? = nil,
        mode: Mode,
        dataLifeDays: Int,
        frequency: Frequency,
        validFrom: Date,
        expires: Date,
        statusIndex: Int
    ) throws(ConsentError) {
        guard Self.isValidID(id) else { throw .invalid("a consent id is 8–64 letters, digits or '-'") }
        guard Self.isValidID(subject) else { throw .invalid("a subject is a pseudonym of 8–64 letters, digits or '-'") }
        let parts = commitment.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, DigestAlgorithm(rawValue: String(parts[0])) != nil,
            Base64URL.decode(String(parts[1]))?.count == 32
        else { throw .invalid("a commitment is sha256: or sm3: and 32 bytes in base64url") }
        guard !scopes.isEmpty else { throw .invalid("a consent covers at least one service") }
        guard Set(scopes.map(\.service)).count == scopes.count else {
            throw .invalid("a service appears in two scopes")
        }
        if let dataFrom, let dataUntil, dataUntil < dataFrom {
            throw .invalid("the data range ends before it starts")
        }
        switch mode {
        case .view:
            guard dataLifeDays == 0 else { throw .invalid("a view-only consent keeps nothing: its data life is 0") }
        case .store:
            guard dataLifeDays >= 1, dataLifeDays <= 3_650 else {
                throw .invalid("a store consent keeps the data 1 to 3,650 days")
            }
        }
        guard expires > validFrom else { throw .invalid("a consent expires after it takes effect") }
        guard expires.timeIntervalSince(validFrom) <= 366 * 86_400 else {
            throw .invalid("a consent lasts at most a year; the resident renews it")
        }
        guard statusIndex >= 0 else { throw .invalid("a status index is not negative") }
        self.id = id
        self.subject = subject
        self.commitment = commitment
        self.provider = provider
        self.manager = manager
        self.purpose = purpose
        self.scopes = scopes.sorted { $0.service < $1.service }
        self.dataFrom = dataFrom
        self.dataUntil = dataUntil
        self.mode = mode
        self.dataLifeDays = dataLifeDays
        self.frequency = frequency
        self.validFrom = validFrom
        self.expires = expires
        self.statusIndex = statusIndex
    }

    /// Letters, digits and `-`, 8–64 characters.
    public static func isValidID(_ id: String) -> Bool {
        (8...64).contains(id.utf8.count)
            && id.utf8.allSatisfy {
                $0 == 45 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0)
            }
    }

    /// The scope of `service`, if the consent covers it.
    public func scope(of service: String) -> Scope? { scopes.first { $0.service == service } }
}

// MARK: Signed form

extension ConsentArtefact {
    /// The JWS `typ` of a signed consent.
    public static let type = "ds-consent+jwt"

    /// The consent as the canonical JSON object that is signed.
    public var jsonObject: JSONObject {
        var object: JSONObject = [
            "jti": .string(id),
            "sub": .string(subject),
            "cmt": .string(commitment),
            "aud": .string(provider.text),
            "iss": .string(manager.text),
            "purpose": .string(purpose.code),
            "scopes": .array(
                scopes.map { ["svc": .string($0.service), "fields": .array($0.fields.map(JSONValue.string))] }
            ),
            "mode": .string(mode.rawValue),
            "dataLife": .number(Double(dataLifeDays)),
            "frequency": ["limit": .number(Double(frequency.limit)), "per": .string(frequency.period.rawValue)],
            "nbf": .number(validFrom.timeIntervalSince1970.rounded(.down)),
            "exp": .number(expires.timeIntervalSince1970.rounded(.down)),
            "statusIndex": .number(Double(statusIndex)),
        ]
        if let dataFrom { object["dataFrom"] = .string(dataFrom.iso8601) }
        if let dataUntil { object["dataUntil"] = .string(dataUntil.iso8601) }
        return object
    }

    /// Reads a consent from its signed JSON object, through the checking initialiser.
    public init(jsonObject object: JSONObject) throws(ConsentError) {
        func string(_ name: String) throws(ConsentError) -> String {
            guard let text = object[name]?.stringValue else { throw .malformed("\"\(name)\" is missing or not text") }
            return text
        }
        func integer(_ value: JSONValue?, _ name: String) throws(ConsentError) -> Int {
            guard let number = value?.doubleValue, number.rounded() == number, abs(number) < 1e12 else {
                throw .malformed("\"\(name)\" is missing or not a whole number")
            }
            return Int(number)
        }
        func date(_ name: String) throws(ConsentError) -> CalendarDate? {
            guard let value = object[name] else { return nil }
            guard let text = value.stringValue, let day = try? CalendarDate(iso8601: text) else {
                throw .malformed("\"\(name)\" is not a date")
            }
            return day
        }
        let provider: Party
        let manager: Party
        let purpose: Purpose
        do {
            provider = try Party(try string("aud"))
            manager = try Party(try string("iss"))
            purpose = try Purpose(try string("purpose"))
        } catch let error as ConsentError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
        guard case .array(let items) = object["scopes"] else { throw .malformed("\"scopes\" is not a list") }
        var scopes: [Scope] = []
        for item in items {
            guard let service = item["svc"]?.stringValue, case .array(let names) = item["fields"] else {
                throw .malformed("a scope is {svc, fields}")
            }
            var fields: [String] = []
            for name in names {
                guard let field = name.stringValue else { throw .malformed("a field is text") }
                fields.append(field)
            }
            scopes.append(try Scope(service: service, fields: fields))
        }
        guard let mode = Mode(rawValue: try string("mode")) else { throw .malformed("\"mode\" is view or store") }
        guard let period = object["frequency"]?["per"]?.stringValue.flatMap(Frequency.Period.init(rawValue:)) else {
            throw .malformed("\"frequency.per\" is day, month or consent")
        }
        try self.init(
            id: try string("jti"),
            subject: try string("sub"),
            commitment: try string("cmt"),
            provider: provider,
            manager: manager,
            purpose: purpose,
            scopes: scopes,
            dataFrom: try date("dataFrom"),
            dataUntil: try date("dataUntil"),
            mode: mode,
            dataLifeDays: try integer(object["dataLife"], "dataLife"),
            frequency: try Frequency(limit: try integer(object["frequency"]?["limit"], "frequency.limit"), per: period),
            validFrom: Date(timeIntervalSince1970: Double(try integer(object["nbf"], "nbf"))),
            expires: Date(timeIntervalSince1970: Double(try integer(object["exp"], "exp"))),
            statusIndex: try integer(object["statusIndex"], "statusIndex")
        )
    }
}

extension ConsentArtefact: CustomStringConvertible {
    /// The consent by its pseudonymous subject: no identity number is in it.
    public var description: String {
        "consent \(id) of \(subject) to \(provider) for \(purpose.code) "
            + "(\(scopes.map(\.service).joined(separator: ", ")))"
    }
}

/// A consent as the consent manager signed it: the compact JWS and the artefact it carries.
public typealias SignedConsent = Signed<ConsentArtefact>

extension ConsentArtefact: SignedPayload {
    /// The consent manager.
    public var signer: Party { manager }
    /// When the consent took effect.
    public var signedAt: Date { validFrom }
    /// The consent's id.
    public var forgeryLabel: String { id }
}

extension Signed where Payload == ConsentArtefact {
    /// The consent.
    public var artefact: ConsentArtefact { payload }
}

// MARK: The resident's countersignature

extension SignedConsent {
    /// The JWS `typ` of a resident's countersignature.
    public static let countersignatureType = "ds-consent-countersign+jwt"

    /// The resident's countersignature of this consent with their wallet key — the same holder key
    /// their e-certificates bind: a compact JWS over the consent's id and the SHA-256 digest of its
    /// signed text, so that neither the manager nor the provider can later claim a consent the
    /// resident did not sign.
    public func countersigned(with walletKey: any SigningKey, crypto: any CryptoProvider) throws(ConsentError) -> String
    {
        let digest: [UInt8]
        do {
            digest = try crypto.digest(.sha256, of: Array(compact.utf8))
        } catch {
            throw .signing("\(error)")
        }
        let object: JSONObject = ["cns": .string(artefact.id), "digest": .string("sha256:" + Base64URL.encode(digest))]
        return try SignedDocument.sign(object, type: Self.countersignatureType, key: walletKey, kid: "wallet").compact
    }

    /// Checks a countersignature of this consent made with the wallet key `walletKey` (as the
    /// resident's e-certificates carry it in `cnf`); throws ``ConsentError/forged(_:)`` otherwise.
    public func verifyCountersignature(
        _ text: String,
        walletKey: JSONWebKey,
        crypto: any CryptoProvider
    ) throws(ConsentError) {
        let (jws, object) = try SignedDocument.parse(text, type: Self.countersignatureType)
        guard let digest = try? crypto.digest(.sha256, of: Array(compact.utf8)),
            object["cns"]?.stringValue == artefact.id,
            object["digest"]?.stringValue == "sha256:" + Base64URL.encode(digest),
            let algorithm = try? walletKey.algorithm, jws.header["alg"]?.stringValue == algorithm.jwsName,
            let raw = try? walletKey.rawPublicKey(),
            let key = try? crypto.importVerifyingKey(algorithm, from: raw, encoding: .raw),
            key.isValidSignature(jws.signature, for: jws.signingInput)
        else { throw .forged("countersignature of \(artefact.id)") }
    }
}

// MARK: The resident's receipt

/// What the resident keeps of a consent, in the spirit of the Kantara Consent Receipt and ISO/IEC
/// TS 27560: who may use which of their data for what, how, until when, and how to withdraw —
/// readable by a person, with the signed consent beside it for a machine.
public struct ConsentReceipt: Hashable, Sendable {
    /// The consent.
    public let consent: SignedConsent
    /// The resident, masked.
    public let resident: String

    /// A receipt of `consent` for `resident`.
    public init(consent: SignedConsent, resident: ResidentID) {
        self.consent = consent
        self.resident = resident.masked
    }

    /// The receipt as lines a person reads.
    public var lines: [String] {
        let artefact = consent.artefact
        let scopes = artefact.scopes.map { "\($0.service): \($0.fields.joined(separator: ", "))" }
        let kept =
            artefact.mode == .view
            ? "shown to you, not kept" : "kept by the provider for at most \(artefact.dataLifeDays) day(s)"
        return [
            "Consent \(artefact.id), given by \(resident)",
            "To: \(artefact.provider), known to it as \(artefact.subject) (never your identity number)",
            "For: \(artefact.purpose.code)",
            "Data: " + scopes.joined(separator: "; "),
            "How: \(kept); at most \(artefact.frequency.limit) fetch(es) \(artefact.frequency.phrase)",
            "From \(CalendarDate(artefact.validFrom).iso8601) until \(CalendarDate(artefact.expires).iso8601)",
            "Signed by: \(artefact.manager); withdraw it there at any time (effective at the next fetch)",
        ]
    }

    /// The receipt as JSON: the fields above, and the signed consent.
    public var jsonObject: JSONObject {
        let artefact = consent.artefact
        return [
            "consentReceiptID": .string(artefact.id),
            "principal": .string(resident),
            "pseudonym": .string(artefact.subject),
            "controller": .string(artefact.provider.text),
            "purpose": .string(artefact.purpose.code),
            "services": .array(
                artefact.scopes.map {
                    ["service": .string($0.service), "fields": .array($0.fields.map(JSONValue.string))]
                }
            ),
            "mode": .string(artefact.mode.rawValue),
            "dataLifeDays": .number(Double(artefact.dataLifeDays)),
            "frequency": [
                "limit": .number(Double(artefact.frequency.limit)), "per": .string(artefact.frequency.period.rawValue),
            ],
            "validFrom": .string(CalendarDate(artefact.validFrom).iso8601),
            "expires": .string(CalendarDate(artefact.expires).iso8601),
            "manager": .string(artefact.manager.text),
            "signedConsent": .string(consent.compact),
        ]
    }
}
