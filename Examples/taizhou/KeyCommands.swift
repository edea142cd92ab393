import ArgumentParser
import Foundation
import SocietyCore
import SocietyJSON

/// `taizhou keys`: make a party's signing key and publish its public half.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Signing keys (SM2, Ed25519, ECDSA P-256) and encryption keys (X25519, P-256 ECDH, SM2).",
        subcommands: [Generate.self, JWK.self]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a key pair: KEY.pem (PKCS#8, private) and KEY.pub.pem (SPKI, public)."
        )

        @Option(help: "Signing: sm2, ed25519 or p256. Encryption: x25519, p256-ecdh or sm2-enc.")
        var alg: String

        /// The encryption algorithms by their `--alg` names.
        static let encryptionNames: [String: EncryptionKeyAlgorithm] = [
            "x25519": .x25519, "p256-ecdh": .p256, "sm2-enc": .sm2,
        ]

        @Option(help: "Where to write the private key; the public key goes beside it as NAME.pub.pem.")
        var out: String

        @Flag(help: "Replace existing key files (the old private key is lost).")
        var force = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard SignatureAlgorithm(rawValue: alg) != nil || Self.encryptionNames[alg] != nil else {
                throw ValidationError("--alg must be sm2, ed25519, p256, x25519, p256-ecdh or sm2-enc")
            }
        }

        mutating func run() async throws {
            let (privatePEM, publicPEM): (String, String)
            if let encryption = Self.encryptionNames[alg] {
                (privatePEM, publicPEM) = try KeyFiles.generate(encryption)
            } else if let signature = SignatureAlgorithm(rawValue: alg) {
                (privatePEM, publicPEM) = try KeyFiles.generate(signature)
            } else {
                throw ValidationError("--alg must be sm2, ed25519, p256, x25519, p256-ecdh or sm2-enc")
            }
            let publicPath = out.hasSuffix(".pem") ? String(out.dropLast(4)) + ".pub.pem" : out + ".pub.pem"
            // Both checked before either is written: a kept key never gets a mismatched public half.
            for path in [out, publicPath] where !force && FileManager.default.fileExists(atPath: path) {
                throw failure(
                    "\(path) exists and was kept (replacing a key locks out everything it signed or can decrypt); "
                        + "give --force to replace it, or choose another --out"
                )
            }
            try writePrivateFile(Data(privatePEM.utf8), to: out, replacing: force)
            try writeFile(Data(publicPEM.utf8), to: publicPath, replacing: force)
            output.emit(
                "\(alg) key written to \(out) (private, mode 600) and \(publicPath)",
                json: ["algorithm": .string(alg), "private": .string(out), "public": .string(publicPath)]
            )
        }
    }

    struct JWK: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "jwk",
            abstract: "Print a public key as a JSON Web Key (Ed25519 and P-256)."
        )

        @Argument(help: "A public key in PEM (SPKI).")
        var publicKey: String

        @Option(help: "A key id to put in the JWK.")
        var kid: String?

        mutating func run() async throws {
            let key = try KeyFiles.verifyingKey(at: publicKey)
            do {
                var jwk = try JSONWebKey(algorithm: key.algorithm, publicKey: key.rawRepresentation)
                jwk.kid = kid
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(jwk), as: UTF8.self))
            } catch {
                throw failure("\(key.algorithm.rawValue) keys have no registered JWK form: \(error)")
            }
        }
    }
}
