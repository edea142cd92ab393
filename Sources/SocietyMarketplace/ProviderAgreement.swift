public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// The agreement between the big-data bureau and a third-party provider: which data services it
/// may call, for which purposes, how many calls a month, until when, and where it stands — signed
/// by the bureau and sent to each department, whose ``ConsentRegistry`` refuses a provider without
/// one, suspended, exited, out of scope, past its expiry or over its quota.
///
/// Each change of standing is a new version; a department keeps the latest it accepted.
public struct ProviderAgreement: Hashable, Sendable {
    /// Where the provider stands.
    public enum Standing: String, Hashable, Sendable, CaseIterable {
        /// May call the services of its allowances.
        case active
        /// Calls refused until reinstated.
        case suspended
        /// Left the marketplace: keys revoked, grants withdrawn, deletion attested. Final.
        case exited
    }

    /// One service the provider may call, its purposes and its monthly quota of calls.
    public struct Allowance: Hashable, Sendable {
        /// The data service.
        public let service: String
        /// The purposes, sorted.
        public let purposes: [Purpose]
        /// Calls a calendar month (China Standard Time).
        public let monthlyQuota: Int

        /// A checked allowance.
        public init(service: String, purposes: [Purpose], monthlyQuota: Int) throws(ConsentError) {
            guard !service.isEmpty, service.utf8.count <= 128 else { throw .invalid("an allowance needs its service") }
            guard !purposes.isEmpty else { throw .invalid("an allowance of \(service) needs a purpose") }
            guard monthlyQuota >= 1, monthlyQuota <= 100_000_000 else {
                throw .invalid("a monthly quota is 1 to 100,000,000 calls")
            }
            self.service = service
            self.purposes = Array(Set(purposes)).sorted { $0.code < $1.code }
            self.monthlyQuota = monthlyQuota
        }
    }

    /// The JWS `typ` of a signed agreement.
    public static let type = "ds-agreement+jwt"

    /// The provider.
    public let provider: Party
    /// The bureau that signs.
    public let bureau: Party
    /// The services, one allowance each, sorted by service.
    public let allowances: [Allowance]
    /// When it takes effect.
    public let validFrom: Date
    /// When it ends.
    public let expires: Date
    /// Where the provider stands.
    public let standing: Standing
    /// The version: each change of standing signs a new one.
    public let version: Int
    /// When this version was signed.
    public let issuedAt: Date

    /// A checked agreement.
    public init(
        provider: Party,
        bureau: Party,
        allowances: [Allowance],
        validFrom: Date,
        expires: Date,
        standing: Standing,
        version: Int,
        issuedAt: Date
    ) throws(ConsentError) {
        guard !allowances.isEmpty else { throw .invalid("an agreement allows at least one service") }
        guard Set(allowances.map(\.service)).count == allowances.count else {
            throw .invalid("a service appears in two allowances")
        }
        guard expires > validFrom else { throw .invalid("an agreement expires after it takes effect") }
        guard version >= 1 else { throw .invalid("versions start at 1") }
        self.provider = provider
        self.bureau = bureau
        self.allowances = allowances.sorted { $0.service < $1.service }
        self.validFrom = validFrom
        self.expires = expires
        self.standing = standing
        self.version = version
        self.issuedAt = issuedAt
    }

    /// The allowance for `service`, if any.
    public func allowance(for service: String) -> Allowance? { allowances.first { $0.service == service } }

    /// The agreement as the canonical JSON object that is signed.
    public var jsonObject: JSONObject {
        [
            "sub": .string(provider.text),
            "iss": .string(bureau.text),
            "allowances": .array(
                allowances.map {
                    [
                        "svc": .string($0.service), "purposes": .array($0.purposes.map { .string($0.code) }),
                        "monthlyQuota": .number(Double($0.monthlyQuota)),
                    ]
                }
            ),
            "nbf": .number(validFrom.timeIntervalSince1970.rounded(.down)),
            "exp": .number(expires.timeIntervalSince1970.rounded(.down)),
            "standing": .string(standing.rawValue),
            "version": .number(Double(version)),
            "iat": .number(issuedAt.timeIntervalSince1970.rounded(.down)),
        ]
    }

    /// Reads an agreement from its signed JSON object, through the checking initialiser.
    public init(jsonObject object: JSONObject) throws(ConsentError) {
        func whole(_ value: JSONValue?, _ name: String) throws(ConsentError) -> Int {
            guard let number = value?.doubleValue, number.rounded() == number, abs(number) < 1e12 else {
                throw .malformed("\"\(name)\" is missing or not a whole number")
            }
            return Int(number)
        }
        let provider: Party
        let bureau: Party
        var allowances: [Allowance] = []
        do {
            provider = try Party(object["sub"]?.stringValue ?? "")
            bureau = try Party(object["iss"]?.stringValue ?? "")
            guard case .array(let items) = object["allowances"] else {
                throw ConsentError.malformed("\"allowances\" is not a list")
            }
            for item in items {
                guard let service = item["svc"]?.stringValue, case .array(let codes) = item["purposes"] else {
                    throw ConsentError.malformed("an allowance is {svc, purposes, monthlyQuota}")
                }
                let purposes = try codes.map { code in try Purpose(code.stringValue ?? "") }
                allowances.append(
                    try Allowance(
                        service: service,
                        purposes: purposes,
                        monthlyQuota: try whole(item["monthlyQuota"], "monthlyQuota")
                    )
                )
            }
        } catch let error as ConsentError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
        guard let standing = object["standing"]?.stringValue.flatMap(Standing.init(rawValue:)) else {
            throw .malformed("\"standing\" is active, suspended or exited")
        }
        try self.init(
            provider: provider,
            bureau: bureau,
            allowances: allowances,
            validFrom: Date(timeIntervalSince1970: Double(try whole(object["nbf"], "nbf"))),
            expires: Date(timeIntervalSince1970: Double(try whole(object["exp"], "exp"))),
            standing: standing,
            version: try whole(object["version"], "version"),
            issuedAt: Date(timeIntervalSince1970: Double(try whole(object["iat"], "iat")))
        )
    }
}

/// An agreement as the bureau signed it.
public typealias SignedAgreement = Signed<ProviderAgreement>

extension ProviderAgreement: SignedPayload {
    /// The bureau.
    public var signer: Party { bureau }
    /// When this version was signed.
    public var signedAt: Date { issuedAt }
    /// The provider and the version.
    public var forgeryLabel: String { "agreement of \(provider) v\(version)" }
}

extension Signed where Payload == ProviderAgreement {
    /// The agreement.
    public var agreement: ProviderAgreement { payload }
}
