import ArgumentParser
import Foundation
import SocietyCore
import SocietyExchange

/// `taizhou trust`: build the big-data bureau's trust list as a draft file, then sign it.
struct TrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Build and sign the exchange's trust list.",
        discussion: "Edit a draft (init, add-party, add-key, revoke-key, add-service, grant), then sign it.",
        subcommands: [
            Init.self, AddParty.self, AddKey.self, RevokeKey.self, AddService.self, Grant.self, Sign.self, Show.self,
        ]
    )

    /// The draft file every editing subcommand works on.
    struct Draft: ParsableArguments {
        @Option(help: "The unsigned trust-list draft.")
        var draft = "trust.draft.json"

        func load() throws -> TrustList {
            do {
                return try TrustList(draftJSON: try readInput(draft))
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(draft) is not a trust-list draft: \(error)")
            }
        }

        func save(_ list: TrustList) throws { try writeFile(try list.draftJSON(), to: draft) }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start an empty draft.")
        @OptionGroup var file: Draft
        @Option(help: "The list's version; each signed list must have a higher one.")
        var version = 1

        mutating func run() async throws {
            let now = Date()
            try file.save(TrustList(version: version, issuedAt: now, nextUpdate: now.addingTimeInterval(7 * 86_400)))
            print("empty trust list draft version \(version) written to \(file.draft)")
        }
    }

    struct AddParty: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a party (CREDITCODE/SUBSYSTEM).")
        @OptionGroup var file: Draft
        @Option(help: "The party, CREDITCODE/SUBSYSTEM.") var party: String
        @Option(help: "A readable name.") var name: String

        mutating func run() async throws {
            let party = try validated(party, as: "party", Party.init)
            var list = try file.load()
            guard !list.parties.contains(where: { $0.party == party }) else {
                throw failure("\(party) is already listed")
            }
            list.parties.append(.init(party: party, name: name))
            try file.save(list)
            print("added \(party)")
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
            print("added \(entry.algorithmName) \(entry.use.rawValue) key \(kid) for \(party)")
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
                    print("revoked \(kid)")
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
            print("added service \(id) from \(provider)")
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
            print("granted \(consumer) → \(service) for \(purposes.map(\.code).sorted().joined(separator: ", "))")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign the draft with the bureau's root key.")
        @OptionGroup var file: Draft
        @Option(help: "The root private key (PEM).") var key: String
        @Option(help: "The root key's id.") var kid: String
        @Option(help: "Where to write the signed list.") var out = "trust.json"
        @Option(help: "Days until the next list is due.") var validDays = 7

        mutating func run() async throws {
            var list = try file.load()
            let now = Date()
            list.issuedAt = now
            list.nextUpdate = now.addingTimeInterval(Double(validDays) * 86_400)
            let signed = try SignedTrustList.sign(list, with: try KeyFiles.signingKey(at: key), kid: kid)
            try writeFile(Data(signed.text.utf8), to: out)
            print("signed trust list version \(list.version) (\(list.parties.count) parties) written to \(out)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a signed list and summarise it.")
        @Argument(help: "The signed trust list.") var trust = "trust.json"
        @Option(help: "The bureau's root public key (PEM) to verify against.") var root: String?

        mutating func run() async throws {
            let list = try TrustListFile.load(trust, root: root)
            print("trust list version \(list.version), issued \(list.issuedAt), next update \(list.nextUpdate)")
            for entry in list.parties {
                print("  \(entry.party)  \(entry.name)")
                for key in entry.keys {
                    print(
                        "    key \(key.kid) \(key.use.rawValue) \(key.algorithmName) \(key.status.rawValue) until \(key.validUntil)"
                    )
                }
            }
            for service in list.services {
                print("  service \(service.id) from \(service.provider), level \(service.level.rawValue)")
            }
            for grant in list.grants {
                print(
                    "  grant \(grant.consumer) → \(grant.service): \(grant.purposes.map(\.code).sorted().joined(separator: ", "))"
                )
            }
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
