public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON
public import SocietyMarketplace

/// A household's consent to the assembly of its digital family archive (数字家庭档案): which
/// members, which departments' sections, for whom (the community service centre), for what purpose
/// and until when — recorded and signed by the party residents confirm consents with (the one
/// network's consent desk), whose key is on the trust list, so every department can check it
/// without asking anyone.
///
/// The members are named by salted commitments (`ALG:BASE64URL(digest(salt ‖ identity number))`),
/// so the consent itself carries no identity number; the requester sends the salt with the numbers
/// and each department checks that every resident it is asked about is covered. A consent is
/// short-lived (a day by default): the archive is assembled on request, never kept.
public struct ArchiveConsent: SignedPayload {
    /// The JWS `typ`.
    public static let type = "family-archive-consent+jws"

    /// The consent's id.
    public let id: String
    /// The household (its id as civil affairs keeps it).
    public let household: String
    /// Who may assemble the archive: the community service centre.
    public let grantee: Party
    /// Who recorded and signed the consent.
    public let recorder: Party
    /// The members covered, as commitments.
    public let members: [String]
    /// The departments' archive services covered.
    public let services: [String]
    /// The purpose.
    public let purpose: Purpose
    /// Valid from.
    public let validFrom: Date
    /// Valid until (exclusive).
    public let expires: Date

    /// A consent of `household` covering `members` (the salt is returned with it: the requester
    /// keeps it, the consent does not), granted to `grantee` for `services`, recorded by
    /// `recorder`, from `validFrom` for `lifetime` seconds (**assumption**: one day).
    public static func draft(
        id: String,
        household: String,
        members: [ResidentID],
        grantee: Party,
        recorder: Party,
        services: [String],
        purpose: Purpose = FamilyArchivePort.purpose,
        validFrom: Date,
        lifetime: TimeInterval = 86_400,
        crypto: any CryptoProvider
    ) throws(CommunityError) -> (consent: ArchiveConsent, salt: String) {
        guard !id.isEmpty, !household.isEmpty else { throw .invalid("a consent has an id and a household") }
        guard !members.isEmpty, !services.isEmpty else { throw .invalid("a consent covers members and services") }
        guard lifetime > 0 else { throw .invalid("a consent's lifetime is positive") }
        let salt: [UInt8]
        let commitments: [String]
        do {
            salt = try crypto.randomBytes(count: 16)
            commitments = try members.map { try Self.commitment(of: $0, salt: salt, crypto: crypto) }
        } catch {
            throw .store("\(error)")
        }
        let consent = ArchiveConsent(
            id: id,
            household: household,
            grantee: grantee,
            recorder: recorder,
            members: commitments,
            services: services.sorted(),
            purpose: purpose,
            validFrom: Date(timeIntervalSince1970: validFrom.timeIntervalSince1970.rounded(.down)),
            expires: Date(timeIntervalSince1970: (validFrom.timeIntervalSince1970 + lifetime).rounded(.down))
        )
        return (consent, Base64URL.encode(salt))
    }

    init(
        id: String,
        household: String,
        grantee: Party,
        recorder: Party,
        members: [String],
        services: [String],
        purpose: Purpose,
        validFrom: Date,
        expires: Date
    ) {
        self.id = id
        self.household = household
        self.grantee = grantee
        self.recorder = recorder
        self.members = members
        self.services = services
        self.purpose = purpose
        self.validFrom = validFrom
        self.expires = expires
    }

    /// The commitment to `resident` under `salt`, with SHA-256.
    static func commitment(of resident: ResidentID, salt: [UInt8], crypto: any CryptoProvider) throws -> String {
        "sha256:" + Base64URL.encode(try crypto.digest(.sha256, of: salt + Array(resident.unmasked.utf8)))
    }

    /// Whether the consent covers `resident`, told the consent's `salt` (base64url).
    public func covers(_ resident: ResidentID, salt: String, crypto: any CryptoProvider) -> Bool {
        guard let bytes = Base64URL.decode(salt), bytes.count >= 16,
            let expected = try? Self.commitment(of: resident, salt: bytes, crypto: crypto)
        else { return false }
        return members.contains { crypto.constantTimeEquals(Array($0.utf8), Array(expected.utf8)) }
    }

    // MARK: SignedPayload

    /// The canonical object that is signed.
    public var jsonObject: JSONObject {
        [
            "id": .string(id), "household": .string(household), "grantee": .string(grantee.text),
            "recorder": .string(recorder.text), "members": .array(members.map { .string($0) }),
            "services": .array(services.map { .string($0) }), "purpose": .string(purpose.code),
            "nbf": .number(validFrom.timeIntervalSince1970), "exp": .number(expires.timeIntervalSince1970),
        ]
    }

    /// Reads a consent from its signed object.
    public init(jsonObject object: JSONObject) throws(ConsentError) {
        func text(_ key: String) throws(ConsentError) -> String {
            guard let value = object[key]?.stringValue, !value.isEmpty else { throw .malformed("no \(key)") }
            return value
        }
        func texts(_ key: String) throws(ConsentError) -> [String] {
            guard let values = object[key]?.arrayValue, !values.isEmpty else { throw .malformed("no \(key)") }
            var result: [String] = []
            for value in values {
                guard let text = value.stringValue else { throw .malformed("\(key) holds a non-string") }
                result.append(text)
            }
            return result
        }
        func time(_ key: String) throws(ConsentError) -> Date {
            guard let seconds = object[key]?.doubleValue, seconds.isFinite, seconds >= 0, seconds < 1e11 else {
                throw .malformed("no \(key)")
            }
            return Date(timeIntervalSince1970: seconds)
        }
        do {
            self.init(
                id: try text("id"),
                household: try text("household"),
                grantee: try Party(try text("grantee")),
                recorder: try Party(try text("recorder")),
                members: try texts("members"),
                services: try texts("services"),
                purpose: try Purpose(try text("purpose")),
                validFrom: try time("nbf"),
                expires: try time("exp")
            )
        } catch let error as ConsentError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
        guard expires > validFrom else { throw .malformed("exp is not after nbf") }
    }

    /// The recorder signs.
    public var signer: Party { recorder }
    /// Signed when it became valid.
    public var signedAt: Date { validFrom }
    /// Named by its id.
    public var forgeryLabel: String { id }
}

/// A signed household consent to its archive, as it travels.
public typealias SignedArchiveConsent = Signed<ArchiveConsent>

/// The departments' side of the family archive: the catalogue entry of a section and the handler
/// that answers it for the members a valid household consent covers.
public enum FamilyArchivePort {
    /// The purpose archive requests carry.
    public static let purpose = Purpose(constant: "community.family-archive")

    /// The catalogue entry of an archive section `id` served by `provider` with `fields`:
    /// `important` and sensitive personal data, so its envelopes travel encrypted.
    public static func service(_ id: String, provider: Party, fields: [String]) -> DataService {
        DataService(
            id: id,
            provider: provider,
            fields: fields.map { DataService.Field(name: $0, level: .important, sensitivity: .sensitivePersonal) },
            purposes: [purpose]
        )
    }

    /// The handler of section `service`: the request `{"consent": JWS, "salt": S, "residents": [ID…]}`
    /// is answered `{"members": {ID: section or null}}` only when the consent was recorded by one of
    /// `recorders` (the parties the department accepts household consents from — never the
    /// requester itself), verifies against `trustList`, was granted to the requester, is valid at `clock`'s
    /// time, covers this service and the request's purpose, and covers every resident asked about —
    /// otherwise a 403 `consent` problem naming the check, and `section` is never called.
    public static func handler(
        service: String,
        recorders: Set<Party>,
        trustList: TrustList,
        crypto: any CryptoProvider,
        clock: any WallClock,
        section: @escaping @Sendable (ResidentID) async throws -> JSONValue?
    ) -> any ExchangeHandler {
        ClosureHandler(service: service) { request in
            let data = request.claims.data
            guard let text = data["consent"]?.stringValue, let salt = data["salt"]?.stringValue,
                let listed = data["residents"]?.arrayValue, !listed.isEmpty
            else { throw ExchangeProblem.requestData("a request carries \"consent\", \"salt\" and \"residents\"") }
            let consent: SignedArchiveConsent
            do {
                consent = try SignedArchiveConsent(parsing: text)
            } catch {
                throw ExchangeProblem.requestData("the consent is not a household consent: \(error)")
            }
            func refuse(_ detail: String) -> ExchangeProblem {
                ExchangeProblem(
                    status: 403,
                    check: "consent",
                    title: ExchangeProblem.title(check: "consent"),
                    detail: detail
                )
            }
            let terms = consent.payload
            guard recorders.contains(terms.recorder), terms.recorder != request.claims.issuer else {
                throw refuse("consent \(terms.id) was not recorded by a party this department accepts consents from")
            }
            do {
                try consent.verify(trustList: trustList, crypto: crypto)
            } catch {
                throw refuse("consent \(terms.id) does not verify")
            }
            let now = clock.now()
            guard terms.grantee == request.claims.issuer else {
                throw refuse("consent \(terms.id) was granted to \(terms.grantee)")
            }
            guard now >= terms.validFrom, now < terms.expires else {
                throw refuse("consent \(terms.id) is not valid now")
            }
            guard terms.services.contains(service) else {
                throw refuse("consent \(terms.id) does not cover \(service)")
            }
            guard terms.purpose == request.claims.purpose else {
                throw refuse("consent \(terms.id) does not cover the purpose \(request.claims.purpose.code)")
            }
            var residents: [ResidentID] = []
            for value in listed {
                guard let text = value.stringValue, let resident = try? ResidentID(text) else {
                    throw ExchangeProblem.requestData("a resident is not a valid identity number")
                }
                guard terms.covers(resident, salt: salt, crypto: crypto) else {
                    throw refuse("consent \(terms.id) does not cover one of the residents")
                }
                residents.append(resident)
            }
            var members = JSONObject()
            for resident in residents {
                members[resident.unmasked] = try await section(resident) ?? .null
            }
            return ["members": .object(members)]
        }
    }
}

/// A household's digital family archive, assembled on request from the departments' answers and
/// never stored whole: what each department said about each member, the envelope each answer came
/// in, and the sections that could not be had. Its description names no one and no value.
public struct FamilyArchive: Hashable, Sendable, CustomStringConvertible {
    /// One department's section.
    public struct Section: Hashable, Sendable {
        /// The data service.
        public let service: String
        /// The department that answered.
        public let provider: Party
        /// The answer envelope's evidence digest.
        public let evidence: String
        /// Each member's part, in the order of ``FamilyArchive/members`` (`null` when the
        /// department holds nothing for them).
        public let entries: [JSONValue]
    }

    /// The household.
    public let household: String
    /// The consent it was assembled under.
    public let consent: String
    /// When.
    public let assembledAt: Date
    /// The members.
    public let members: [ResidentID]
    /// The sections that came.
    public let sections: [Section]
    /// The services that did not answer, with the reason.
    public let missing: [String: String]

    /// `member`'s part of `service`'s section, if any.
    public func entry(_ service: String, of member: ResidentID) -> JSONValue? {
        guard let section = sections.first(where: { $0.service == service }),
            let index = members.firstIndex(of: member), index < section.entries.count
        else { return nil }
        let value = section.entries[index]
        // Not a ternary: `nil` there would be read as the JSON literal null.
        if case .null = value { return Optional<JSONValue>.none }
        return value
    }

    public var description: String {
        let parts = sections.map { section in
            "\(section.service): \(section.entries.filter { $0 != .null }.count) of \(members.count)"
        }
        let gaps = missing.keys.sorted().map { "\($0) missing" }
        return "family archive (\(members.count) members, consent \(consent)): "
            + (parts + gaps).joined(separator: "; ")
    }
}

/// What the community keeps of an assembly: who assembled which household's archive under which
/// consent, from which envelopes — never the data. The household appears as a keyed hash.
public struct ArchiveAssembly: Hashable, Sendable, Codable {
    /// A random id.
    public let id: String
    /// The consent.
    public let consent: String
    /// The household's keyed hash.
    public let household: String
    /// The services that answered, with their answers' evidence digests.
    public let evidence: [String: String]
    /// The services that did not, with the reason.
    public let missing: [String: String]
    /// When.
    public let at: Date
}

extension ArchiveAssembly: StorableRecord {
    /// The table name.
    public static let recordKind = "community_archive_assembly"
    /// By household, for the household's own view of who assembled its archive.
    public static let indexes: [RecordIndex<ArchiveAssembly>] = [RecordIndex("household") { .text($0.household) }]
    /// Nothing personal in clear (the household is a keyed hash).
    public static let sensitiveFields: Set<String> = []
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The community service centre's side: assembles a household's archive by asking every service
/// the consent covers, by envelope, with the consent, and keeps only the record of the assembly.
public struct FamilyArchiveAssembler: Sendable {
    /// The store purpose of assembly records.
    public static let purpose = Purpose(constant: "community.family-archive")

    private let exchange: ExchangePorts
    private let ports: ServicePorts

    /// An assembler sealing and opening with the centre's `exchange` ports (under the trust list its
    /// opener holds), keeping assembly records on the centre's `ports`.
    public init(exchange: ExchangePorts, ports: ServicePorts) {
        self.exchange = exchange
        self.ports = ports.logging(as: "community")
    }

    /// Assembles the archive of the household `consent` (compact JWS) is about for `members`
    /// (covered under `salt`): checks the consent first (it verifies, it is ours, it is valid now,
    /// it covers every member — otherwise nothing is sent), then asks each service it covers through
    /// `send`; a department that refuses or fails is listed in ``FamilyArchive/missing`` with the
    /// reason. The assembly is recorded (the store audits it); the archive is returned, not stored.
    public func assemble(
        consent text: String,
        salt: String,
        members: [ResidentID],
        send: @Sendable (String, String) async throws -> String
    ) async throws(CommunityError) -> FamilyArchive {
        let trustList = exchange.opener.trustList
        let crypto = ports.crypto
        let consent: SignedArchiveConsent
        do {
            consent = try SignedArchiveConsent(parsing: text)
            try consent.verify(trustList: trustList, crypto: crypto)
        } catch {
            throw .forbidden("the household consent does not verify: \(error)")
        }
        let terms = consent.payload
        let now = ports.clock.now()
        guard terms.grantee == exchange.sealer.issuer else {
            throw .forbidden("consent \(terms.id) was granted to \(terms.grantee)")
        }
        guard now >= terms.validFrom, now < terms.expires else {
            throw .forbidden("consent \(terms.id) is not valid now")
        }
        guard !members.isEmpty else { throw .invalid("an archive has members") }
        for member in members where !terms.covers(member, salt: salt, crypto: crypto) {
            throw .forbidden("consent \(terms.id) does not cover \(member.masked)")
        }
        var sections: [FamilyArchive.Section] = []
        var missing: [String: String] = [:]
        for service in terms.services {
            guard let entry = trustList.service(withID: service) else {
                missing[service] = "not on the trust list"
                continue
            }
            do {
                let draft = EnvelopeDraft(
                    audience: entry.provider,
                    service: service,
                    purpose: terms.purpose,
                    level: max(entry.level, .important),
                    data: [
                        "consent": .string(consent.compact), "salt": .string(salt),
                        "residents": .array(members.map { .string($0.unmasked) }),
                    ]
                )
                // Always encrypted: the request carries the household's identity numbers.
                let request = try await exchange.sealRequest(
                    draft,
                    trustList: trustList,
                    crypto: crypto,
                    at: now,
                    encrypt: true
                )
                let answer = try await exchange.opener.open(try await send(service, request), answering: request)
                guard let object = answer.claims.data["members"]?.objectValue else {
                    missing[service] = "the answer has no \"members\""
                    continue
                }
                sections.append(
                    FamilyArchive.Section(
                        service: service,
                        provider: entry.provider,
                        evidence: try answer.evidence(digest: ports.profile.digest, crypto: crypto),
                        entries: members.map { object[$0.unmasked] ?? .null }
                    )
                )
            } catch let problem as ExchangeProblem {
                missing[service] = "\(problem.check): \(problem.detail)"
            } catch {
                missing[service] = "\(error)"
            }
        }
        let archive = FamilyArchive(
            household: terms.household,
            consent: terms.id,
            assembledAt: now,
            members: members,
            sections: sections,
            missing: missing
        )
        do {
            let record = ArchiveAssembly(
                id: "asm-" + Hex.encode(try crypto.randomBytes(count: 8)),
                consent: terms.id,
                household: try ports.pseudonym(kind: "household", of: terms.household),
                evidence: Dictionary(uniqueKeysWithValues: sections.map { ($0.service, $0.evidence) }),
                missing: missing,
                at: now
            )
            try await ports.write(Self.purpose, wrapping: CommunityError.init(wrapping:)) { db in
                try await db.put(record)
            }
        } catch {
            throw CommunityError(wrapping: error)
        }
        ports.logger.info(
            "family archive assembled",
            metadata: ["consent": "\(terms.id)", "sections": "\(sections.count)", "missing": "\(missing.count)"]
        )
        return archive
    }

    /// The assemblies of `household`'s archive, latest first: what the household may ask to see.
    public func assemblies(of household: String) async throws(CommunityError) -> [ArchiveAssembly] {
        let key: String
        do {
            key = try ports.pseudonym(kind: "household", of: household)
        } catch {
            throw CommunityError(wrapping: error)
        }
        return try await ports.read(Self.purpose, wrapping: CommunityError.init(wrapping:)) { db in
            try await db.fetch(RecordQuery<ArchiveAssembly>.filter("household", equals: .text(key)))
                .sorted { ($0.at, $0.id) > ($1.at, $1.id) }
        }
    }
}
