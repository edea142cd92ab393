import ArgumentParser
import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL

/// `taizhou cert`: issue, present (亮证), verify offline, and revoke electronic certificates.
struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Issue, present, verify and revoke electronic certificates (电子证照).",
        discussion: """
            Certificates are SD-JWT VCs (RFC 9901) signed with the issuer's trust-list key. The issuer's
            status lists (W3C Bitstring Status List) live in a state file; revoke, suspend, reinstate and
            publish write the signed lists verifiers use offline.
            """,
        subcommands: [Issue.self, Present.self, Verify.self, Revoke.self, Suspend.self, Reinstate.self, Publish.self]
    )

    /// The issuer's key, identity and state file, shared by every issuer-side subcommand.
    struct IssuerOptions: ParsableArguments {
        @Option(help: "The issuer's private key (PEM).") var key: String
        @Option(help: "The key's id on the trust list.") var kid: String
        @Option(help: "The issuing party, CREDITCODE/SUBSYSTEM.") var iss: String
        @OptionGroup var deployment: StateOptions
        @Option(
            help:
                "The issuer's status-list state file (default: cert-state.json in the state folder; created on first use)."
        )
        var statusState: String?

        /// The state file's path (the state folder is created when the default is used).
        func statePath() throws -> String {
            if let statusState { return statusState }
            try deployment.createFolder()
            return deployment.folder.appendingPathComponent("cert-state.json").path
        }

        func issuer() throws -> CertificateIssuer {
            CertificateIssuer(
                party: try validated(iss, as: "iss", Party.init),
                key: try KeyFiles.signingKey(at: key),
                kid: kid,
                crypto: KeyFiles.crypto,
                random: OpenSSLRandomSource(),
                clock: SystemWallClock(),
                store: FileStatusStateStore(path: try statePath())
            )
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a certificate; prints the SD-JWT issuance with every disclosure."
        )
        @Option(
            help:
                "The certificate type: \(CertificateTypeRegistry.standard.types.keys.sorted().joined(separator: ", "))."
        )
        var type: String
        @Option(help: "The holder's ResidentID or credit code.") var holder: String
        @Option(help: "The holder's wallet public key (PEM, Ed25519 or P-256), bound in cnf.") var holderPub: String
        @Option(help: "A JSON file with the type's claims.") var claims: String
        @Option(help: "Last valid day, YYYY-MM-DD (default: long-term).") var validUntil: String?
        @Option(help: "Also write the W3C VC 2.0 view to this file.") var vcOut: String?
        @Flag(help: "Replace an existing --vc-out file.") var force = false
        @OptionGroup var issuerOptions: IssuerOptions

        mutating func run() async throws {
            guard let certificateType = CertificateTypeRegistry.standard[type] else {
                throw ValidationError("unknown --type \(type)")
            }
            let holderID = try validated(holder, as: "holder", CertificateHolder.init)
            let holderKey = try KeyFiles.verifyingKey(at: holderPub)
            let jwk: JSONWebKey
            do {
                jwk = try JSONWebKey(algorithm: holderKey.algorithm, publicKey: holderKey.rawRepresentation)
            } catch {
                throw failure("the holder key must be Ed25519 or P-256 (SM2 has no JWK form for cnf)")
            }
            guard case .object(let claimObject) = try? JSONParser().parse(Array(try readInput(claims))) else {
                throw failure("\(claims) is not a JSON object")
            }
            let until = try validUntil.map { try validated($0, as: "valid-until", CalendarDate.init(iso8601:)) }
            let today = CalendarDate(Date())
            do {
                let validity = try ValidityPeriod(from: today, until: until)
                let issued = try await issuerOptions.issuer().issue(
                    certificateType,
                    to: holderID,
                    holderKey: jwk,
                    claims: claimObject,
                    validity: validity
                )
                if let vcOut {
                    try writeFile(
                        Data(JSONValue.object(issued.verifiableCredential).description.utf8),
                        to: vcOut,
                        replacing: force
                    )
                }
                print(issued.sdJWT.compact)
                note(
                    "issued \(certificateType.code) to \(holderID), status index \(issued.certificate.statusIndex); "
                        + "run `taizhou cert publish` to refresh the status lists"
                )
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(error)")
            }
        }
    }

    struct Present: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Present a certificate (亮证): only the chosen claims, bound to the verifier's nonce."
        )
        @Option(help: "Claims to disclose, comma-separated (e.g. name,category).") var disclose: String
        @Option(help: "The holder's wallet private key (PEM).") var holderKey: String
        @Option(help: "The verifier's challenge.") var nonce: String
        @Option(help: "The verifying party, CREDITCODE/SUBSYSTEM.") var aud: String
        @Argument(help: "The issued SD-JWT (standard input when omitted).") var certificate: String?

        mutating func run() async throws {
            let audience = try validated(aud, as: "aud", Party.init)
            let text = String(decoding: try readInput(certificate), as: UTF8.self)
            let names = Set(disclose.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            do {
                let token = try SDJWT(parsing: text)
                let presentation = try token.presenting(
                    names,
                    holderKey: try KeyFiles.signingKey(at: holderKey),
                    audience: audience.text,
                    nonce: nonce,
                    issuedAt: Date(),
                    crypto: KeyFiles.crypto
                )
                print(presentation.compact)
                note("presentation is \(presentation.compact.utf8.count) bytes (the QR code's content)")
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(error)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a presentation offline with a trust-list and a status-list snapshot."
        )
        @Option(help: "The signed trust list.") var trust: String
        @Option(help: "The bureau's root public key (PEM); default: the key the list embeds.") var root: String?
        @Option(help: "The status-list snapshot written by publish/revoke/suspend/reinstate.") var status: String
        @Option(help: "Your party (the expected aud).") var aud: String
        @Option(help: "The nonce you sent.") var nonce: String
        @Option(help: "Maximum age of the trust list, seconds.") var maxTrustAge: Double = 7 * 86_400
        @Option(help: "Maximum age of the status lists, seconds.") var maxStatusAge: Double = 86_400
        @Option(help: "Refuse a trust list older than this version (a rolled-back list).") var minTrustVersion: Int?
        @Flag(help: "Print personal data in full instead of masked.") var unmasked = false
        @OptionGroup var output: OutputOptions
        @Argument(help: "The presentation (standard input when omitted).") var presentation: String?

        mutating func run() async throws {
            let me = try validated(aud, as: "aud", Party.init)
            let text = String(decoding: try readInput(presentation), as: UTF8.self)
            do {
                let verifier = try CertCommand.offlineVerifier(
                    trust: trust,
                    root: root,
                    status: status,
                    maxTrustAge: maxTrustAge,
                    maxStatusAge: maxStatusAge,
                    minTrustVersion: minTrustVersion
                )
                let result = try verifier.verifyPresentation(text, audience: me.text, nonce: nonce)
                var shown = JSONObject()
                for member in result.claims {
                    shown[member.key] = unmasked ? member.value : CertCommand.masked(member.key, member.value)
                }
                let type = result.type?.name ?? result.typeIdentifier
                output.emit(
                    "valid: \(type) issued by \(result.issuer)\n\(JSONValue.object(shown).description)",
                    json: [
                        "valid": true, "type": .string(type), "issuer": .string("\(result.issuer)"),
                        "claims": .object(shown),
                    ]
                )
            } catch let exit as ExitCode {
                throw exit
            } catch let error as CertificateError {
                // A document that is not a certificate is bad input; one that fails a check is refused.
                let status: Int32
                switch error {
                case .malformed, .malformedDisclosure, .malformedKeyBinding: status = ExitStatus.badInput
                default: status = ExitStatus.refused
                }
                throw failure(status: status, "certificate refused: \(error)")
            } catch {
                throw failure("certificate refused: \(error)")
            }
        }
    }

    /// The offline verifier over the signed trust list in `trust` (checked against `root`, or the
    /// key it embeds, with a note) and the status-list snapshot in `status`.
    static func offlineVerifier(
        trust: String,
        root: String?,
        status: String,
        maxTrustAge: Double,
        maxStatusAge: Double,
        minTrustVersion: Int?
    ) throws -> CertificateVerifier {
        let signed: SignedTrustList
        do {
            signed = try SignedTrustList(parsing: String(decoding: try readInput(trust), as: UTF8.self))
        } catch {
            throw failure("\(trust): \(error)")
        }
        let rootKey: any VerifyingKey
        if let root {
            rootKey = try KeyFiles.verifyingKey(at: root)
        } else if let jwk = signed.jws.header["jwk"], let data = try? jwk.canonicalBytes(),
            let algorithm = SignatureAlgorithm(jwsName: signed.jws.header["alg"]?.stringValue ?? ""),
            let embedded = try? KeyFiles.crypto.importVerifyingKey(algorithm, from: data, encoding: .jwk)
        {
            note("verifying \(trust) with the root key it embeds; pass --root ROOT.pub.pem to pin the bureau's key")
            rootKey = embedded
        } else {
            throw failure("\(trust) does not embed its root key; pass --root ROOT.pub.pem")
        }
        var anchor = TrustAnchor(root: rootKey, maximumAge: maxTrustAge, lastAcceptedVersion: minTrustVersion)
        let snapshot = try StatusListSnapshot(json: Array(try readInput(status)))
        return try CertificateVerifier(
            signedTrustList: signed,
            anchor: &anchor,
            statusLists: snapshot,
            statusListMaximumAge: maxStatusAge,
            crypto: KeyFiles.crypto,
            clock: SystemWallClock()
        )
    }

    /// Masks personal values for printing: identity-bearing numbers and names.
    static func masked(_ name: String, _ value: JSONValue) -> JSONValue {
        guard let text = value.stringValue else { return value }
        switch name {
        case "holder":
            if let id = try? ResidentID(text) { return .string(id.masked) }
            return value
        case "number":
            if let number = try? DisabilityCertificateNumber(text) { return .string(number.masked) }
            return value
        case "name", "guardian", "legal_representative":
            if let person = try? PersonName(text) { return .string(person.masked) }
            return value
        default:
            return value
        }
    }

    /// Options of the status-changing subcommands.
    struct StatusChange: ParsableArguments {
        @Option(help: "The certificate's status index (printed at issue).") var index: Int
        @Option(help: "Write the re-published status-list snapshot here.") var out = "status.json"
        @OptionGroup var output: OutputOptions
        @OptionGroup var issuerOptions: IssuerOptions

        func apply(
            _ verb: String,
            _ change: (CertificateIssuer, Int) async throws -> [SignedStatusList]
        ) async throws {
            do {
                let lists = try await change(try issuerOptions.issuer(), index)
                try writeFile(Data(StatusListSnapshot(lists).json.utf8), to: out, replacing: true)
                let version = lists.first?.version ?? 0
                output.emit(
                    "\(verb) index \(index); status lists version \(version) written to \(out)",
                    json: [
                        "changed": .string(verb), "index": .number(Double(index)),
                        "statusListVersion": .number(Double(version)), "written": .string(out),
                    ]
                )
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(error)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a certificate for good.")
        @OptionGroup var change: StatusChange
        mutating func run() async throws { try await change.apply("revoked") { try await $0.revoke(index: $1) } }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a certificate.")
        @OptionGroup var change: StatusChange
        mutating func run() async throws { try await change.apply("suspended") { try await $0.suspend(index: $1) } }
    }

    struct Reinstate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a suspension.")
        @OptionGroup var change: StatusChange
        mutating func run() async throws {
            try await change.apply("reinstated") { try await $0.reinstate(index: $1) }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the current status lists at a new version (refreshes their age)."
        )
        @Option(help: "Write the status-list snapshot here.") var out = "status.json"
        @OptionGroup var output: OutputOptions
        @OptionGroup var issuerOptions: IssuerOptions

        mutating func run() async throws {
            do {
                let lists = try await issuerOptions.issuer().publish()
                try writeFile(Data(StatusListSnapshot(lists).json.utf8), to: out, replacing: true)
                let version = lists.first?.version ?? 0
                output.emit(
                    "status lists version \(version) written to \(out)",
                    json: ["statusListVersion": .number(Double(version)), "written": .string(out)]
                )
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(error)")
            }
        }
    }
}

/// The issuer's status state in a JSON file: what a single-office CLI needs. A deployment keeps
/// it in its record store instead.
struct FileStatusStateStore: StatusStateStore {
    let path: String

    func update<T: Sendable>(
        issuer: Party,
        initial: @Sendable () throws -> IssuerStatusState,
        _ change: @Sendable (inout IssuerStatusState) throws -> T
    ) async throws -> T {
        var state: IssuerStatusState
        if FileManager.default.fileExists(atPath: path) {
            do {
                state = try JSONDecoder().decode(IssuerStatusState.self, from: try readInput(path))
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("\(path) is not a certificate state file: \(error)")
            }
            guard state.issuer == issuer else { throw failure("\(path) belongs to \(state.issuer), not \(issuer)") }
        } else {
            state = try initial()
        }
        let result = try change(&state)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // The state file is read, changed and written back: replacing it is the point.
        try writeFile(try encoder.encode(state), to: path, replacing: true)
        return result
    }
}
