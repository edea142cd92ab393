import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL

/// `taizhou envelope`: seal data for another department, and open what one sent you.
struct EnvelopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "Signed data-exchange envelopes (JWS), optionally encrypted to the recipient (JWE).",
        subcommands: [Seal.self, Open.self]
    )

    struct Seal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal a JSON document into a compact JWS envelope and print it.",
            discussion: """
                Reads DATA.json, or standard input when it is omitted or "-". The service must be in \
                the catalogue of the trust list (--trust, default the state folder's trust.json), and \
                every top-level field of the data must be one it declares: anything else is refused \
                (data minimisation). With --encrypt-to PARTY the signed envelope is then encrypted \
                (compact JWE) to that party's encryption key on the trust list: required for important \
                and core data.
                """
        )

        @Option(help: "The sender's private key (PEM).") var key: String
        @Option(help: "The key's id on the trust list.") var kid: String
        @Option(help: "The sending party, CREDITCODE/SUBSYSTEM.") var iss: String
        @Option(help: "The receiving party.") var aud: String
        @Option(help: "The data service id.") var svc: String
        @Option(help: "Why the data is exchanged.") var purpose: String
        @Option(help: "general, important or core.") var level = "general"
        @Option(help: "Seconds of validity.") var ttl = 300
        @Option(help: "A request envelope this one answers (its digest goes into ref).") var answering: String?
        @Option(help: "Encrypt to this party's encryption key (use enc) from --trust.") var encryptTo: String?
        @OptionGroup var trustOptions: TrustOptions
        @Argument(help: "The data to send (JSON).") var data: String?

        func validate() throws {
            guard DataLevel(rawValue: level) != nil else {
                throw ValidationError("--level must be general, important or core")
            }
            guard (1...86_400).contains(ttl) else { throw ValidationError("--ttl must be 1…86400 seconds") }
        }

        mutating func run() async throws {
            let issuer = try validated(iss, as: "issuer", Party.init)
            let audience = try validated(aud, as: "audience", Party.init)
            let purpose = try validated(purpose, as: "purpose", Purpose.init)
            let level = DataLevel(rawValue: level) ?? .general
            let payload = try readJSON(data)
            let list = try trustOptions.load()
            guard let service = list.service(withID: svc) else {
                throw failure("service \(svc) is not in the catalogue of \(trustOptions.trustPath)")
            }
            let undeclared = service.undeclaredFields(in: payload)
            guard undeclared.isEmpty else {
                throw failure(
                    "refused (data minimisation): \(svc) does not declare \(undeclared.joined(separator: ", ")); "
                        + "send only the fields its catalogue entry lists"
                )
            }
            let request = try answering.map { String(decoding: try readInput($0), as: UTF8.self) }
            let sealer = EnvelopeSealer(
                issuer: issuer,
                key: try KeyFiles.signingKey(at: key),
                kid: kid,
                crypto: KeyFiles.crypto,
                clock: SystemWallClock()
            )
            let draft = EnvelopeDraft(
                audience: audience,
                service: svc,
                purpose: purpose,
                level: level,
                data: payload,
                timeToLive: TimeInterval(ttl),
                answering: request
            )
            guard let encryptTo else {
                print(try await sealer.seal(draft))
                return
            }
            let recipientParty = try validated(encryptTo, as: "recipient", Party.init)
            guard recipientParty == audience else {
                throw ValidationError("--encrypt-to must be the audience \(audience): only it may read the data")
            }
            let recipient: EnvelopeRecipient
            do {
                recipient = try EnvelopeRecipient(
                    party: recipientParty,
                    trustList: list,
                    crypto: KeyFiles.crypto,
                    at: Date()
                )
            } catch {
                throw failure("\(error)")
            }
            print(try await sealer.seal(draft, encryptingTo: recipient))
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an envelope addressed to you and print its claims and data as JSON.",
            discussion: """
                Prints one line naming the failed check, and exits 1, if any check fails. Envelope ids \
                are remembered in the state folder (exchange.replay.sqlite), so the same envelope is \
                accepted once, across runs, unless --no-replay-guard is given. Data fields the service's \
                catalogue entry does not declare are refused. Fields the catalogue marks as personal, and \
                any value that is an identity number, a bank card number or a mobile number, print \
                masked unless --reveal is given.
                """
        )

        @OptionGroup var trustOptions: TrustOptions
        @Option(help: "Your party, CREDITCODE/SUBSYSTEM.") var me: String
        @Option(help: "The request envelope this response must answer.") var answering: String?
        @Flag(help: "Do not remember envelope ids: the same envelope is accepted again (tests, one-off checks).")
        var noReplayGuard = false
        @Option(help: "Your encryption private key (PEM), to open confidential envelopes.") var key: String?
        @Flag(help: "Print personal fields unmasked (the access is the operator's responsibility).") var reveal = false
        @Argument(help: "The envelope (standard input when omitted or \"-\").") var envelope: String?

        mutating func run() async throws {
            let me = try validated(me, as: "party", Party.init)
            let list = try trustOptions.load()
            let replayGuard: any ReplayGuard
            if noReplayGuard {
                replayGuard = InMemoryReplayGuard()
            } else {
                // The ids are kept by the department `exchange` of the state folder.
                replayGuard = try trustOptions.state.department("exchange", subsystem: "exchange").1.replayGuard
            }
            var decryptionKeys: [String: any DecryptionKey] = [:]
            if let key {
                let decryptionKey = try KeyFiles.decryptionKey(at: key)
                let published = Base64URL.encode(decryptionKey.encryptionPublicKey.rawRepresentation)
                let mine = list.parties.first { $0.party == me }?.keys.filter {
                    $0.use == .encryption && $0.encryptionAlgorithm == decryptionKey.algorithm
                        && $0.publicKey == published
                }
                guard let mine, !mine.isEmpty else {
                    throw failure("\(key) is not an encryption key of \(me) on the trust list")
                }
                for entry in mine { decryptionKeys[entry.kid] = decryptionKey }
            }
            let opener = EnvelopeOpener(
                me: me,
                trustList: list,
                crypto: KeyFiles.crypto,
                clock: SystemWallClock(),
                replayGuard: replayGuard,
                decryptionKeys: decryptionKeys
            )
            let text = String(decoding: try readInput(envelope), as: UTF8.self)
            let request = try answering.map { String(decoding: try readInput($0), as: UTF8.self) }
            let opened: OpenedEnvelope
            do {
                opened = try await opener.open(text, answering: request)
            } catch {
                throw failure("refused (\(error.check)): \(error)")
            }
            var claims = opened.claims
            guard let service = list.service(withID: claims.service) else {
                throw failure("refused (catalogue): service \(claims.service) is not in the catalogue")
            }
            let undeclared = service.undeclaredFields(in: claims.data)
            guard undeclared.isEmpty else {
                throw failure(
                    "refused (data minimisation): \(claims.service) does not declare "
                        + undeclared.joined(separator: ", ")
                )
            }
            if !reveal { claims.data = OutputMasking.mask(Self.mask(claims.data, service: service)) }
            print(JSONValue.object(claims.jsonObject).description)
        }

        /// Masks the top-level data fields that the catalogue classifies as personal.
        static func mask(_ data: JSONValue, service: DataService) -> JSONValue {
            guard case .object(var object) = data else { return data }
            for field in service.fields where field.sensitivity >= .personal {
                if let value = object[field.name] {
                    let text = value.stringValue ?? value.description
                    object[field.name] = .string(Masking.keep(text, prefix: 0, suffix: 0))
                }
            }
            return .object(object)
        }
    }
}

/// `--trust`, `--root` and `--min-trust-version`: the signed trust list a command checks against,
/// by default the state folder's `trust.json` and `root.pub.pem`.
struct TrustOptions: ParsableArguments {
    @OptionGroup var state: StateOptions
    @Option(help: "The signed trust list (default: trust.json in the state folder).") var trust: String?
    @Option(help: "The bureau's root public key (PEM); default root.pub.pem in the state folder when it is there.")
    var root: String?
    @Option(help: "Refuse a trust list older than this version (a rolled-back list).") var minTrustVersion: Int?

    /// The trust list's path.
    var trustPath: String { trust ?? state.folder.appendingPathComponent("trust.json").path }

    /// The root key's path, when there is one.
    var rootPath: String? {
        if let root { return root }
        let beside = state.folder.appendingPathComponent("root.pub.pem").path
        return trust == nil && FileManager.default.fileExists(atPath: beside) ? beside : nil
    }

    /// The verified list, at or above the minimum version.
    func load() throws -> TrustList {
        let list = try TrustListFile.load(trustPath, root: rootPath)
        if let minTrustVersion, list.version < minTrustVersion {
            throw failure(
                "refused (trust list version): \(trustPath) is version \(list.version), below the required \(minTrustVersion)"
            )
        }
        return list
    }
}
