import ArgumentParser
import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite

/// `taizhou audit verify|prove|checkpoint --db FILE`: check, prove and sign a store's tamper-evident
/// audit log, the way an auditor who keeps the last checkpoint would.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, prove and checkpoint the tamper-evident audit log of a SQLite store.",
        subcommands: [Verify.self, Prove.self, Checkpoint.self]
    )

    struct Database: ParsableArguments {
        @Option(name: .customLong("db"), help: "The store's SQLite file.")
        var path: String

        /// Opens the log by itself, the one place the tool opens a SQLite file without a `Deployment`:
        /// an auditor points at any store file, of any deployment, and needs none of its keys (the
        /// log is not encrypted). Opening it as a department would create a key file and a replay
        /// guard beside it, and would need the store's key to open its records.
        func open() throws -> SQLiteAuditLog {
            guard FileManager.default.fileExists(atPath: path) else { throw auditFailure("no such file: \(path)") }
            do {
                return try SQLiteAuditLog(path: path, crypto: OpenSSLCryptoProvider())
            } catch {
                throw auditFailure("cannot open \(path): \(error)")
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
            let log = try database.open()
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
            guard let broken = result.firstBrokenEntry else {
                print(
                    "ok size \(result.size) root \(Data(result.rootHash).base64EncodedString()) "
                        + "(\(result.checkpointsChecked) tree heads and checkpoints matched)"
                )
                return
            }
            throw auditFailure("broken at entry \(broken): \(result.problem ?? "the log does not verify")")
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
            let log = try database.open()
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
                print("entry \(entry) of \(treeSize)")
                print(
                    "time \(ISO8601DateFormatter().string(from: stored.time)) actor \(stored.actor) action \(stored.action)"
                )
                print("purpose \(stored.purpose) outcome \(stored.outcome.rawValue)")
                print("leaf \(Data(leaf).base64EncodedString())")
                print("root \(Data(root).base64EncodedString())")
                for hash in proof { print("proof \(Data(hash).base64EncodedString())") }
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
            let log = try database.open()
            guard let key else {
                let head = try await attempt("cannot read the tree head") { try await log.treeHead() }
                print(head.body, terminator: "")
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
            print(signed.text, terminator: "")
        }
    }
}

private func parseAlgorithm(_ name: String) throws -> SignatureAlgorithm {
    guard let algorithm = SignatureAlgorithm(rawValue: name) else {
        throw auditFailure("unknown algorithm \"\(name)\"; use ed25519, p256 or sm2")
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

/// Prints one `error: …` line to standard error and exits with status 1.
private func auditFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(1)
}
