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
                Reads DATA.json, or standard input when it is omitted or "-". With --encrypt-to PARTY \
                the signed envelope is then encrypted (compact JWE) to that party's encryption key on \
                the trust list given with --trust: required for important and core data.
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
        @Option(help: "The signed trust list, to find the --encrypt-to key.") var trust: String?
        @Option(help: "The bureau's root public key (PEM) that signed the trust list.") var root: String?
        @Argument(help: "The data to send (JSON).") var data: String?

        func validate() throws {
            guard DataLevel(rawValue: level) != nil else {
                throw ValidationError("--level must be general, important or core")
            }
            guard (1...86_400).contains(ttl) else { throw ValidationError("--ttl must be 1…86400 seconds") }
            if encryptTo != nil, trust == nil {
                throw ValidationError("--encrypt-to needs --trust TRUST.json to find the recipient's key")
            }
        }

        mutating func run() async throws {
            let issuer = try validated(iss, as: "issuer", Party.init)
            let audience = try validated(aud, as: "audience", Party.init)
            let purpose = try validated(purpose, as: "purpose", Purpose.init)
            let level = DataLevel(rawValue: level) ?? .general
            let payload: JSONValue
            do {
                payload = try JSONParser().parse(try readInput(data))
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(data ?? "standard input") is not JSON: \(error)")
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
            guard let encryptTo, let trust else {
                print(try await sealer.seal(draft))
                return
            }
            let recipientParty = try validated(encryptTo, as: "recipient", Party.init)
            guard recipientParty == audience else {
                throw ValidationError("--encrypt-to must be the audience \(audience): only it may read the data")
            }
            let list = try TrustListFile.load(trust, root: root)
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
                Prints one line naming the failed check, and exits 1, if any check fails. Fields that \
                the catalogue marks as personal are masked unless --reveal is given.
                """
        )

        @Option(help: "The signed trust list.") var trust: String
        @Option(help: "The bureau's root public key (PEM) that signed the trust list.") var root: String?
        @Option(help: "Your party, CREDITCODE/SUBSYSTEM.") var me: String
        @Option(help: "The request envelope this response must answer.") var answering: String?
        @Option(
            help: """
                Remember opened envelope ids across runs (replay protection) in the deployment store NAME.sqlite \
                you give: your department in the deployment whose state folder is the file's folder; the ids \
                are kept in NAME.replay.sqlite beside it.
                """
        )
        var replayDB: String?
        @OptionGroup var logging: LoggingOptions
        @Option(help: "Your encryption private key (PEM), to open confidential envelopes.") var key: String?
        @Flag(help: "Print personal fields unmasked (the access is the operator's responsibility).") var reveal = false
        @Argument(help: "The envelope (standard input when omitted or \"-\").") var envelope: String?

        mutating func run() async throws {
            let me = try validated(me, as: "party", Party.init)
            let list = try TrustListFile.load(trust, root: root)
            let replayGuard: any ReplayGuard
            if let replayDB {
                replayGuard = try StateFile(replayDB).open(as: me, logging: logging).1.replayGuard
            } else {
                replayGuard = InMemoryReplayGuard()
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
            if !reveal, let service = list.service(withID: claims.service) {
                claims.data = Self.mask(claims.data, service: service)
            }
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
