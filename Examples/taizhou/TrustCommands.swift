import ArgumentParser
import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON

/// `taizhou trust`: build the big-data bureau's trust list as a draft file, then sign it.
struct TrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Build and sign the exchange's trust list.",
        discussion: """
            Edit a draft (init, add-party, add-key, revoke-key, add-service, grant), then sign it. The draft \
            (trust.draft.json) and the signed list (trust.json) live in the state folder (--state) unless \
            --draft and --out say otherwise; envelope and certificate commands read trust.json there.
            """,
        subcommands: [
            Init.self, AddParty.self, AddKey.self, RevokeKey.self, AddService.self, Grant.self, Sign.self, Show.self,
        ]
    )

    /// The draft file every editing subcommand works on.
    struct Draft: ParsableArguments {
        @OptionGroup var state: StateOptions
        @Option(
            name: .customLong("draft"),
            help: "The unsigned trust-list draft (default: trust.draft.json in the state folder)."
        )
        var path: String?
        @OptionGroup var output: OutputOptions

        /// The draft's path.
        var draft: String { path ?? state.folder.appendingPathComponent("trust.draft.json").path }

        func load() throws -> TrustList {
            do {
                return try TrustList(draftJSON: try readInput(draft))
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(draft) is not a trust-list draft: \(error)")
            }
        }

        /// Saves the edited draft over the one it was loaded from.
        func save(_ list: TrustList) throws { try writeFile(try list.draftJSON(), to: draft, replacing: true) }

        /// Creates the state folder when the draft goes there and it is missing.
        func prepare() throws { if path == nil { try state.createFolder() } }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start an empty draft.")
        @OptionGroup var file: Draft
        @Option(help: "The list's first version; `trust sign` raises it on every signing.")
        var version = 1
        @Flag(help: "Replace an existing draft (its edits are lost).") var force = false
        @Option(
            help: """
                Start from a signed list's parties, keys, services and grants (its signature is not checked: \
                you are about to re-sign it), e.g. the demo's trust.json under a new root key.
                """
        )
        var from: String?

        mutating func run() async throws {
            let now = Date()
            var list = TrustList(version: version, issuedAt: now, nextUpdate: now.addingTimeInterval(7 * 86_400))
            if let from {
                do {
                    let signed = try SignedTrustList(parsing: String(decoding: try readInput(from), as: UTF8.self))
                    list.parties = signed.list.parties
                    list.services = signed.list.services
                    list.grants = signed.list.grants
                    list.version = max(version, signed.list.version)
                } catch let exit as ExitCode {
                    throw exit
                } catch {
                    throw failure(status: ExitStatus.badInput, "\(from) is not a signed trust list: \(error)")
                }
            }
            let version = list.version
            try file.prepare()
            try writeFile(try list.draftJSON(), to: file.draft, replacing: force)
            file.output.emit(
                "empty trust list draft version \(version) written to \(file.draft)",
                json: ["draft": .string(file.draft), "version": .number(Double(version))]
            )
        }
    }

    struct AddParty: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a party (CREDITCODE/SUBSYSTEM).")
        @OptionGroup var file: Draft
        @Option(help: "The party, CREDITCODE/SUBSYSTEM.") var party: String
        @Option(help: "A readable name.") var name: String
        @Flag(
            help: """
                With the signing and encryption keys the state folder holds for the party (made on first use), \
                as the commands that act for it (gateway serve, exchange call, provider, consent) sign with.
                """
        )
        var stateKeys = false

        mutating func run() async throws {
            let party = try validated(party, as: "party", Party.init)
            var list = try file.load()
            guard !list.parties.contains(where: { $0.party == party }) else {
                throw failure("\(party) is already listed")
            }
            if stateKeys {
                let deployment = try file.state.deployment()
                let name = name
                list.parties.append(try reportingErrorsSync { try deployment.trustEntry(of: party, name: name) })
            } else {
                list.parties.append(.init(party: party, name: name))
            }
            try file.save(list)
            file.output.emit("added \(party)", json: ["added": .string("\(party)")])
        }
    }

    struct AddKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a party's public key under a key id.")
        @OptionGroup var file: Draft
        @Option(help: "The owning party.") var party: String
        @Option(help: "The key id envelopes will name.") var kid: String
        @Option(help: "The public key (PEM).") var pub: String
        @Option(help: "Days the key may be used, from now.") var validDays = 365
        @Option(help: "sig (signs envelopes, the default) or enc (receives confidential envelopes).")
        var use = "sig"

        func validate() throws {
            guard KeyUse(rawValue: use) != nil else { throw ValidationError("--use must be sig or enc") }
        }

        mutating func run() async throws {
            let party = try validated(party, as: "party", Party.init)
            var list = try file.load()
            guard list.key(withID: kid) == nil else { throw failure("key id \(kid) is already used") }
            guard let index = list.parties.firstIndex(where: { $0.party == party }) else {
                throw failure("\(party) is not on the list; add it with add-party first")
            }
            let now = Date()
            let validUntil = now.addingTimeInterval(Double(validDays) * 86_400)
            let entry: TrustedKey
            if KeyUse(rawValue: use) == .encryption {
                let key = try KeyFiles.encryptionKey(at: pub)
                entry = TrustedKey(
                    kid: kid,
                    encryptionAlgorithm: key.algorithm,
                    publicKey: key.rawRepresentation,
                    validFrom: now.addingTimeInterval(-300),
                    validUntil: validUntil
                )
            } else {
                let key = try KeyFiles.verifyingKey(at: pub)
                entry = TrustedKey(
                    kid: kid,
                    algorithm: key.algorithm,
                    publicKey: key.rawRepresentation,
                    validFrom: now.addingTimeInterval(-300),
                    validUntil: validUntil
                )
            }
            list.parties[index].keys.append(entry)
            try file.save(list)
            file.output.emit(
                "added \(entry.algorithmName) \(entry.use.rawValue) key \(kid) for \(party)",
                json: [
                    "kid": .string(kid), "party": .string("\(party)"), "algorithm": .string(entry.algorithmName),
                    "use": .string(entry.use.rawValue),
                ]
            )
        }
    }

    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key: nothing it signed is accepted any more, whatever its claimed time."
        )
        @OptionGroup var file: Draft
        @Option(help: "The key id.") var kid: String

        mutating func run() async throws {
            var list = try file.load()
            for party in list.parties.indices {
                if let key = list.parties[party].keys.firstIndex(where: { $0.kid == kid }) {
                    list.parties[party].keys[key].status = .revoked
                    list.parties[party].keys[key].revokedAt = Date()
                    try file.save(list)
                    file.output.emit("revoked \(kid)", json: ["revoked": .string(kid)])
                    return
                }
            }
            throw failure("no key \(kid) on the list")
        }
    }

    struct AddService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a data service to the catalogue.")
        @OptionGroup var file: Draft
        @Option(help: "The service id, e.g. hrss.employment-status.") var id: String
        @Option(help: "The providing party.") var provider: String
        @Option(parsing: .upToNextOption, help: "Allowed purposes.") var purpose: [String]
        @Option(
            parsing: .upToNextOption,
            help: "Fields as NAME:LEVEL:SENSITIVITY, e.g. wage:important:sensitivePersonal."
        )
        var field: [String] = []

        mutating func run() async throws {
            let provider = try validated(provider, as: "provider", Party.init)
            let purposes = try Set(purpose.map { try validated($0, as: "purpose", Purpose.init) })
            let fields = try field.map { text -> DataService.Field in
                let parts = text.split(separator: ":").map(String.init)
                guard parts.count == 3, let level = DataLevel(rawValue: parts[1]),
                    let sensitivity = Sensitivity(rawValue: parts[2])
                else { throw ValidationError("field \"\(text)\" must be NAME:LEVEL:SENSITIVITY") }
                return DataService.Field(name: parts[0], level: level, sensitivity: sensitivity)
            }
            var list = try file.load()
            list.services.removeAll { $0.id == id }
            list.services.append(DataService(id: id, provider: provider, fields: fields, purposes: purposes))
            try file.save(list)
            file.output.emit(
                "added service \(id) from \(provider)",
                json: ["service": .string(id), "provider": .string("\(provider)")]
            )
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a consumer call a service for purposes.")
        @OptionGroup var file: Draft
        @Option(help: "The consuming party.") var consumer: String
        @Option(help: "The service id.") var service: String
        @Option(parsing: .upToNextOption, help: "The purposes.") var purpose: [String]

        mutating func run() async throws {
            let consumer = try validated(consumer, as: "consumer", Party.init)
            let purposes = try Set(purpose.map { try validated($0, as: "purpose", Purpose.init) })
            var list = try file.load()
            guard list.service(withID: service) != nil else { throw failure("no service \(service) in the catalogue") }
            list.grants.append(AccessGrant(consumer: consumer, service: service, purposes: purposes))
            try file.save(list)
            let codes = purposes.map(\.code).sorted()
            file.output.emit(
                "granted \(consumer) → \(service) for \(codes.joined(separator: ", "))",
                json: [
                    "consumer": .string("\(consumer)"), "service": .string(service),
                    "purposes": .array(codes.map { .string($0) }),
                ]
            )
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the draft with the bureau's root key; every signing raises the version.",
            discussion: """
                The new list's version is one more than the higher of the draft's and the signed list's \
                at --out (so relying parties can refuse a rolled-back list), and the draft records it. A \
                signed list already at --out is kept beside it as NAME.vN.json before the new one is written.
                """
        )
        @OptionGroup var file: Draft
        @Option(help: "The root private key (PEM).") var key: String
        @Option(help: "The root key's id.") var kid: String
        @Option(
            name: .customLong("out"),
            help: "Where to write the signed list (default: trust.json in the state folder)."
        )
        var outPath: String?
        @Option(help: "Days until the next list is due.") var validDays = 7

        mutating func run() async throws {
            let out = outPath ?? file.state.folder.appendingPathComponent("trust.json").path
            var list = try file.load()
            let signingKey = try KeyFiles.signingKey(at: key)
            let previous = try Self.previousVersion(at: out)
            if let previous {
                list.version = max(list.version, previous.version) + 1
            }
            let now = Date()
            list.issuedAt = now
            list.nextUpdate = now.addingTimeInterval(Double(validDays) * 86_400)
            let signed = try SignedTrustList.sign(list, with: signingKey, kid: kid)
            if let previous {
                let kept = Self.archivePath(out, version: previous.version)
                try writeFile(previous.bytes, to: kept)
                note("kept the previous list, version \(previous.version), as \(kept)")
            }
            try writeFile(Data(signed.text.utf8), to: out, replacing: true)
            try file.save(list)
            file.output.emit(
                "signed trust list version \(list.version) (\(list.parties.count) parties) written to \(out)",
                json: [
                    "signed": .string(out), "version": .number(Double(list.version)),
                    "parties": .number(Double(list.parties.count)),
                ]
            )
        }

        /// The version and bytes of the signed list at `path`, if there is one. Its signature is not
        /// checked here (the root key may have changed); only its version is read.
        static func previousVersion(at path: String) throws -> (version: Int, bytes: Data)? {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            let bytes = try readInput(path)
            guard let signed = try? SignedTrustList(parsing: String(decoding: bytes, as: UTF8.self)) else {
                throw failure("\(path) exists and is not a signed trust list; it was kept (give another --out)")
            }
            return (signed.list.version, bytes)
        }

        /// `trust.json` version 3 → `trust.v3.json`.
        static func archivePath(_ path: String, version: Int) -> String {
            path.hasSuffix(".json") ? "\(path.dropLast(5)).v\(version).json" : "\(path).v\(version)"
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a signed list and summarise it.")
        @OptionGroup var state: StateOptions
        @Argument(help: "The signed trust list (default: trust.json in the state folder).") var trust: String?
        @Option(help: "The bureau's root public key (PEM); default root.pub.pem in the state folder when it is there.")
        var root: String?
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            let path = trust ?? state.folder.appendingPathComponent("trust.json").path
            let beside = state.folder.appendingPathComponent("root.pub.pem").path
            let rootPath = root ?? (trust == nil && FileManager.default.fileExists(atPath: beside) ? beside : nil)
            let list = try TrustListFile.load(path, root: rootPath)
            var lines = ["trust list version \(list.version), issued \(list.issuedAt), next update \(list.nextUpdate)"]
            for entry in list.parties {
                lines.append("  \(entry.party)  \(entry.name)")
                for key in entry.keys {
                    lines.append(
                        "    key \(key.kid) \(key.use.rawValue) \(key.algorithmName) \(key.status.rawValue) until \(key.validUntil)"
                    )
                }
            }
            for service in list.services {
                lines.append("  service \(service.id) from \(service.provider), level \(service.level.rawValue)")
            }
            for grant in list.grants {
                lines.append(
                    "  grant \(grant.consumer) → \(grant.service): \(grant.purposes.map(\.code).sorted().joined(separator: ", "))"
                )
            }
            let json: JSONValue
            do {
                // The draft's own JSON form: the list exactly as signed, for a script to read.
                json = try JSONValue(parsing: String(decoding: try list.draftJSON(), as: UTF8.self))
            } catch {
                throw failure(status: ExitStatus.io, "cannot render the list as JSON: \(error)")
            }
            output.emit(lines.joined(separator: "\n"), json: json)
        }
    }
}

/// Loads and verifies a signed trust list file.
enum TrustListFile {
    static func load(_ path: String, root: String?) throws -> TrustList {
        let text = String(decoding: try readInput(path), as: UTF8.self)
        let signed: SignedTrustList
        do {
            signed = try SignedTrustList(parsing: text)
        } catch {
            throw failure("\(path): \(error)")
        }
        let rootKey: any VerifyingKey
        if let root {
            rootKey = try KeyFiles.verifyingKey(at: root)
        } else if let jwk = signed.jws.header["jwk"], let data = try? jwk.canonicalBytes(),
            let embedded = try? KeyFiles.crypto.importVerifyingKey(
                SignatureAlgorithm(jwsName: signed.jws.header["alg"]?.stringValue ?? "") ?? .ed25519,
                from: data,
                encoding: .jwk
            )
        {
            note("verifying \(path) with the root key it embeds; pass --root ROOT.pub.pem to pin the bureau's key")
            rootKey = embedded
        } else {
            throw failure("\(path) does not embed its root key; pass --root ROOT.pub.pem")
        }
        var anchor = TrustAnchor(root: rootKey)
        do {
            return try anchor.accept(signed, now: Date())
        } catch {
            throw failure("\(path): \(error)")
        }
    }
}
