import Foundation
import SocietyAssistance
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import SocietySQLite
import SocietySynthetic

/// The demo's city government: one party, signing key and (for data sources) encryption key per
/// department, a trust list signed by the big-data bureau, and one SQLite store per department.
struct DemoGovernment {
    /// A department as a party in the exchange.
    struct Member {
        let party: Party
        let name: String
        let signingKey: any SigningKey
        let decryptionKey: any DecryptionKey
        let kid: String
        let encryptionKid: String
    }

    let crypto: OpenSSLCryptoProvider
    let clock: any WallClock
    let profile: DemoProfile
    let rootKey: any SigningKey
    let signedTrustList: SignedTrustList
    let trustList: TrustList
    let civilAffairs: Member
    let departments: [DataSourceDepartment: Member]
    let oneCard: Member
    let populationRegister: Member
    let keys: StaticKeyProvider

    /// Builds the parties, keys and trust list.
    init(profile: DemoProfile, crypto: OpenSSLCryptoProvider, clock: any WallClock) throws {
        self.crypto = crypto
        self.clock = clock
        self.profile = profile
        let now = clock.now()
        func member(_ code: String, _ subsystem: String, _ name: String) throws -> Member {
            Member(
                party: try Party(organization: CreditCode(code), subsystem: subsystem),
                name: name,
                signingKey: try crypto.generateSigningKey(profile.signature),
                decryptionKey: try crypto.generateDecryptionKey(profile.encryption),
                kid: "\(subsystem)-\(code.suffix(4))-sig-1",
                encryptionKid: "\(subsystem)-\(code.suffix(4))-enc-1"
            )
        }
        // Credit codes of the demo's departments: synthetic but valid (GB 32100 checks pass).
        let codes = try DemoGovernment.departmentCodes()
        civilAffairs = try member(codes[0], "assistance", "泰州市民政局 社会救助系统")
        oneCard = try member(codes[1], "onecard", "泰州市人社局 社会保障卡系统")
        populationRegister = try member(codes[2], "population", "泰州市公安局 人口信息系统")
        var departments: [DataSourceDepartment: Member] = [:]
        for (index, department) in DataSourceDepartment.allCases.enumerated() {
            departments[department] = try member(codes[3 + index], department.rawValue, department.name)
        }
        self.departments = departments
        rootKey = try crypto.generateSigningKey(profile.signature)
        keys = try StaticKeyProvider.random(using: crypto)

        let purpose = try Purpose(VerificationService.purpose)
        let all =
            [civilAffairs, oneCard, populationRegister] + DataSourceDepartment.allCases.compactMap { departments[$0] }
        var list = TrustList(
            version: 1,
            issuedAt: now.addingTimeInterval(-60),
            nextUpdate: now.addingTimeInterval(86_400)
        )
        for member in all {
            list.parties.append(
                TrustList.PartyEntry(
                    party: member.party,
                    name: member.name,
                    keys: [
                        TrustedKey(
                            kid: member.kid,
                            algorithm: profile.signature,
                            publicKey: member.signingKey.publicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-3600),
                            validUntil: now.addingTimeInterval(365 * 86_400)
                        ),
                        TrustedKey(
                            kid: member.encryptionKid,
                            encryptionAlgorithm: profile.encryption,
                            publicKey: member.decryptionKey.encryptionPublicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-3600),
                            validUntil: now.addingTimeInterval(365 * 86_400)
                        ),
                    ]
                )
            )
        }
        for department in DataSourceDepartment.allCases {
            guard let provider = departments[department] else { continue }
            let service = "\(department.rawValue).facts"
            let fields = department.fieldNames.map {
                DataService.Field(name: $0, level: .important, sensitivity: .sensitivePersonal)
            }
            list.services.append(
                DataService(id: service, provider: provider.party, fields: fields, purposes: [purpose])
            )
            list.grants.append(AccessGrant(consumer: civilAffairs.party, service: service, purposes: [purpose]))
        }
        let deathService = "ps.death-register"
        let monitoring = try Purpose("onecard.monitoring")
        list.services.append(
            DataService(
                id: deathService,
                provider: populationRegister.party,
                fields: [.init(name: "dateOfDeath", level: .general, sensitivity: .personal)],
                purposes: [monitoring]
            )
        )
        list.grants.append(AccessGrant(consumer: oneCard.party, service: deathService, purposes: [monitoring]))
        signedTrustList = try SignedTrustList.sign(list, with: rootKey, kid: "bureau-root-1")
        var anchor = TrustAnchor(root: rootKey.publicKey)
        trustList = try anchor.accept(SignedTrustList(parsing: signedTrustList.text), now: now)
    }

    /// What records a member's exchanges: its own store's audit log.
    func exchangeAudit(_ store: SQLiteStore) throws -> ExchangeAudit {
        ExchangeAudit(
            log: store.auditLog,
            subjects: AuditSubjectHasher(
                key: try keys.currentKey(for: .auditSubject),
                digest: profile.storage.digest,
                crypto: crypto
            ),
            digest: profile.storage.digest,
            crypto: crypto,
            clock: clock
        )
    }

    /// A sealer for a member, recording each envelope it seals in `store`'s audit log.
    func sealer(_ member: Member, auditedIn store: SQLiteStore) throws -> EnvelopeSealer {
        EnvelopeSealer(
            issuer: member.party,
            key: member.signingKey,
            kid: member.kid,
            crypto: crypto,
            clock: clock,
            audit: try exchangeAudit(store)
        )
    }

    /// An opener for a member, with its decryption key and a replay guard, recording each envelope
    /// it opens or refuses in `store`'s audit log.
    func opener(
        _ member: Member,
        auditedIn store: SQLiteStore,
        replayGuard: any ReplayGuard = InMemoryReplayGuard()
    ) throws -> EnvelopeOpener {
        EnvelopeOpener(
            me: member.party,
            trustList: trustList,
            crypto: crypto,
            clock: clock,
            replayGuard: replayGuard,
            decryptionKeys: [member.encryptionKid: member.decryptionKey],
            audit: try exchangeAudit(store)
        )
    }

    /// Opens (creating) a department's store, encrypted and audited.
    func store(_ name: String, in directory: URL, actor: Party) throws -> SQLiteStore {
        try SQLiteStore(
            path: directory.appendingPathComponent("\(name).sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys, profile: profile.storage),
                audit: StoreAuditing(actor: actor.text, origin: "taizhou demo", clock: clock)
            )
        )
    }

    /// Valid credit codes for the demo's parties (government bodies registered in Taizhou).
    static func departmentCodes() throws -> [String] {
        let division = try DivisionCode("321200")
        return try (0..<(3 + DataSourceDepartment.allCases.count)).map { index in
            try CreditCode(
                authority: .institutionalOrganization,
                type: "1",
                division: division,
                organizationBody: String(format: "0142%04d", 8710 + index * 7)
            ).value
        }
    }
}

/// The crypto profile of a demo run.
enum DemoProfile: String {
    case standard
    case national

    var signature: SignatureAlgorithm { self == .national ? .sm2 : .ed25519 }
    var encryption: EncryptionKeyAlgorithm { self == .national ? .sm2 : .x25519 }
    var storage: StorageCryptoProfile { self == .national ? .national : .standard }
}

/// A progress bar on standard error, drawn only when it is a terminal.
struct ProgressBar {
    let label: String
    let total: Int
    private let isTerminal = isatty(2) != 0
    private var shown = -1

    init(_ label: String, total: Int) {
        self.label = label
        self.total = max(1, total)
    }

    mutating func update(_ done: Int) {
        guard isTerminal else { return }
        let percent = min(100, done * 100 / total)
        guard percent != shown else { return }
        shown = percent
        let filled = percent / 4
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 25 - filled)
        FileHandle.standardError.write(Data("\r  \(label) [\(bar)] \(percent)%".utf8))
    }

    func finish() {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
