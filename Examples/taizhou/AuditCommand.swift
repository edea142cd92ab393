import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyJSON
import SocietyOpenSSL
import SocietyPostgres
import SocietyPostgresDeployment
import SocietySQLite

/// What the audit command needs of a log beyond the port: the digest, roots of earlier sizes and
/// a verification that checks checkpoint signatures and reports progress. Both reference logs have it.
protocol AuditorLog: AuditLog {
    var digest: DigestAlgorithm { get }
    func rootHash(size: Int) async throws -> [UInt8]
    func verify(checkpointKey: (any VerifyingKey)?, progress: ProgressHandler?) async throws -> AuditVerification
}

extension SQLiteAuditLog: AuditorLog {}
extension PostgresAuditLog: AuditorLog {}

/// `taizhou audit verify|prove|checkpoint --department NAME | --db FILE`: check, prove and sign a
/// store's tamper-evident audit log, the way an auditor who keeps the last checkpoint would.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, prove and checkpoint the tamper-evident audit log of a department's store.",
        discussion: """
            The log is that of a department's store in the state folder (--department NAME opens \
            <state>/NAME.sqlite), of any store file (--db FILE), or, with --store postgresql://…, of the \
            department's schema in that database. verify, prove and checkpoint without --key only read: \
            a missing store, or one that is not an SDK store, is refused untouched.
            """,
        subcommands: [Verify.self, Prove.self, Checkpoint.self]
    )

    struct Database: ParsableArguments {
        @OptionGroup var state: StateOptions
        @Option(help: "The department whose store to open (NAME.sqlite in the state folder).")
        var department: String?
        @Option(name: .customLong("db"), help: "A store's SQLite file, anywhere (instead of --department).")
        var file: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (department == nil) != (file == nil) else {
                throw ValidationError("give --department NAME (a store in the state folder) or --db FILE")
            }
            if file != nil, state.storeURLText != nil {
                throw ValidationError("--db names a SQLite file: give --department NAME with --store")
            }
        }

        /// The store file, or the department's schema on the server.
        var path: String {
            if let file { return file }
            return state.storeDescription(department ?? "")
        }

        /// Opens the log through the composition root's auditor entry: any store file, of any
        /// deployment, without its keys (the log is not encrypted); only a file that is already an
        /// SDK store, creating or changing nothing in it; only `checkpoint --key` writes (the signed
        /// checkpoint).
        func open() async throws -> any AuditorLog {
            if let location = try state.postgres(), let department {
                do {
                    return try await PostgresStoreFactory.auditLog(
                        at: location,
                        department: department,
                        crypto: OpenSSLCryptoProvider()
                    ).0
                } catch let error as StoreError {
                    throw auditFailure(status: ExitStatus.refused, "no store: \(error); check --store and --department")
                } catch {
                    throw auditFailure(status: ExitStatus.io, "cannot open \(path): \(error)")
                }
            }
            do {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw auditFailure(
                        status: ExitStatus.refused,
                        "no store \(path): check --state, --department or --db"
                    )
                }
                return try Deployment.auditLog(ofStoreAt: path)
            } catch let exit as ExitCode {
                throw exit
            } catch let error as StoreError {
                throw auditFailure(status: ExitStatus.refused, "\(error)")
            } catch {
                throw auditFailure(status: ExitStatus.io, "cannot open \(path): \(error)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the whole log; print ok, size and root, or the first broken entry (exit status 1).",
            discussion: "On a terminal, a progress bar on standard error shows how far the walk has got."
        )

        @OptionGroup var database: Database

        @Option(help: "A PEM public key; when given, every stored checkpoint's signature is checked too.")
        var publicKey: String?

        @Option(help: "The algorithm of --public-key: ed25519, p256 or sm2.")
        var algorithm: String = "ed25519"

        mutating func run() async throws {
            let log = try await database.open()
            let crypto = OpenSSLCryptoProvider()
            var key: (any VerifyingKey)?
            if let publicKey {
                let algorithm = try parseAlgorithm(algorithm)
                key = try await attempt("cannot read the public key \(publicKey)") {
                    try crypto.importVerifyingKey(
                        algorithm,
                        from: Array(try Data(contentsOf: URL(fileURLWithPath: publicKey))),
                        encoding: .pem
                    )
                }
            }
            let bar = TerminalProgress()
            let result = try await attempt("cannot verify \(database.path)") {
                try await bar.showing { try await log.verify(checkpointKey: key, progress: $0) }
            }
            let root = Data(result.rootHash).base64EncodedString()
            guard let broken = result.firstBrokenEntry else {
                database.output.emit(
                    "ok size \(result.size) root \(root) (\(result.checkpointsChecked) tree heads and checkpoints matched)",
                    json: [
                        "ok": true, "size": .number(Double(result.size)), "root": .string(root),
                        "checkpointsChecked": .number(Double(result.checkpointsChecked)),
                    ]
                )
                return
            }
            let problem = result.problem ?? "the log does not verify"
            if database.output.json {
                print(
                    JSONValue.object(["ok": false, "brokenAt": .number(Double(broken)), "problem": .string(problem)])
                        .description
                )
            }
            throw auditFailure("broken at entry \(broken): \(problem)")
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the inclusion proof of one entry in the current tree (RFC 9162), checked before printing."
        )

        @OptionGroup var database: Database

        @Option(help: "The entry's index, from 0.")
        var entry: Int

        @Option(help: "The tree size to prove against (default: the current size).")
        var size: Int?

        mutating func run() async throws {
            let log = try await database.open()
            let crypto = OpenSSLCryptoProvider()
            try await attempt("cannot prove entry \(entry)") {
                let head = try await log.treeHead()
                let treeSize = size ?? head.size
                guard entry >= 0, entry < treeSize, treeSize <= head.size else {
                    throw AuditLogError.noSuchEntry(index: entry, size: head.size)
                }
                let tree = MerkleTree(algorithm: log.digest, provider: crypto)
                let stored = try await log.entry(at: entry)
                let leaf = try tree.leafHash(stored.canonicalBytes)
                let proof = try await log.inclusionProof(index: entry, treeSize: treeSize)
                let root = try await log.rootHash(size: treeSize)
                guard
                    try tree.verifyInclusion(
                        leafHash: leaf,
                        index: entry,
                        treeSize: treeSize,
                        proof: proof,
                        rootHash: root
                    )
                else { throw AuditLogError.corruptState("the proof does not verify: run `taizhou audit verify`") }
                let time = ISO8601DateFormatter().string(from: stored.time)
                let proofText = proof.map { Data($0).base64EncodedString() }
                var lines = [
                    "entry \(entry) of \(treeSize)",
                    "time \(time) actor \(stored.actor) action \(stored.action)",
                    "purpose \(stored.purpose) outcome \(stored.outcome.rawValue)",
                    "leaf \(Data(leaf).base64EncodedString())",
                    "root \(Data(root).base64EncodedString())",
                ]
                lines += proofText.map { "proof \($0)" }
                database.output.emit(
                    lines.joined(separator: "\n"),
                    json: [
                        "entry": .number(Double(entry)), "treeSize": .number(Double(treeSize)), "time": .string(time),
                        "actor": .string(stored.actor), "action": .string(stored.action),
                        "purpose": .string(stored.purpose), "outcome": .string(stored.outcome.rawValue),
                        "leaf": .string(Data(leaf).base64EncodedString()),
                        "root": .string(Data(root).base64EncodedString()),
                        "proof": .array(proofText.map { .string($0) }),
                    ]
                )
            }
        }

    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the current checkpoint (C2SP tlog-checkpoint); with --key, sign it and store it."
        )

        @OptionGroup var database: Database

        @Option(help: "A PEM private key (the deployment's audit key) to sign the checkpoint with.")
        var key: String?

        @Option(help: "The algorithm of --key: ed25519, p256 or sm2.")
        var algorithm: String = "ed25519"

        @Option(help: "The key name on the signature line.")
        var keyName: String = "taizhou-audit"

        mutating func run() async throws {
            let log = try await database.open()
            guard let key else {
                let head = try await attempt("cannot read the tree head") { try await log.treeHead() }
                if database.output.json {
                    print(JSONValue.object(["checkpoint": .string(head.body), "signed": false]).description)
                } else {
                    print(head.body, terminator: "")
                }
                return
            }
            let crypto = OpenSSLCryptoProvider()
            let algorithm = try parseAlgorithm(algorithm)
            let signingKey = try await attempt("cannot read the private key \(key)") {
                try crypto.importSigningKey(
                    algorithm,
                    from: Array(try Data(contentsOf: URL(fileURLWithPath: key))),
                    encoding: .pem
                )
            }
            let signed = try await attempt("cannot sign the checkpoint") {
                try await log.checkpoint(signingWith: signingKey, keyName: keyName)
            }
            if database.output.json {
                print(JSONValue.object(["checkpoint": .string(signed.text), "signed": true]).description)
            } else {
                print(signed.text, terminator: "")
            }
        }
    }
}

private func parseAlgorithm(_ name: String) throws -> SignatureAlgorithm {
    guard let algorithm = SignatureAlgorithm(rawValue: name) else {
        throw auditFailure(status: ExitStatus.badInput, "unknown algorithm \"\(name)\"; use ed25519, p256 or sm2")
    }
    return algorithm
}

/// Runs `body` (synchronous or not), turning any error into one `error:` line and exit status 1.
private func attempt<T>(_ context: String, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw auditFailure("\(context): \(error)")
    }
}

/// Prints one `error: …` line to standard error and returns the exit status (1 by default: the log
/// or its file was refused).
private func auditFailure(status: Int32 = ExitStatus.refused, _ message: String) -> ExitCode {
    failure(status: status, message)
}
