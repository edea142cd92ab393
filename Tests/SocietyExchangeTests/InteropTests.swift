import Foundation
import InteropSupport
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import Testing

/// Envelopes must verify without the SDK: with a standard JOSE library (joserfc, Python, pinned in
/// `Tests/Interop/requirements.txt`) for EdDSA and ES256, and with the `openssl` command for SM2 over
/// the JWS signing input.
@Suite("Interoperability")
struct InteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interop/jose_interop.py")

    @Test("joserfc verifies EdDSA and ES256 envelopes unchanged", arguments: [SignatureAlgorithm.ed25519, .p256])
    func joseVerifies(algorithm: SignatureAlgorithm) async throws {
        let city = try ExchangeFixture()
        let envelope = try await city.sealer(algorithm).seal(city.request())
        let directory = try temporaryDirectory()
        let key = try #require(city.keys[algorithm])
        let jwk = try JSONWebKey(algorithm: algorithm, publicKey: key.publicKey.rawRepresentation)
        try JSONEncoder().encode(jwk).write(to: directory.appendingPathComponent("key.jwk"))
        try Data(envelope.utf8).write(to: directory.appendingPathComponent("token"))
        let run = try Shell.run(
            InteropPython.path(),
            [
                InteropTests.script.path, "verify", directory.appendingPathComponent("key.jwk").path,
                directory.appendingPathComponent("token").path,
            ]
        )
        #expect(run.status == 0, "\(run.error)")
        let payload = try #require(Base64URL.decode(String(envelope.split(separator: ".")[1])))
        #expect(run.output == String(decoding: payload, as: UTF8.self))

        // And it refuses a changed signature.
        var parts = envelope.split(separator: ".").map(String.init)
        parts[2] = (parts[2].hasPrefix("A") ? "B" : "A") + parts[2].dropFirst()
        try Data(parts.joined(separator: ".").utf8).write(to: directory.appendingPathComponent("token"))
        let tampered = try Shell.run(
            InteropPython.path(),
            [
                InteropTests.script.path, "verify", directory.appendingPathComponent("key.jwk").path,
                directory.appendingPathComponent("token").path,
            ]
        )
        #expect(tampered.status == 1)
    }

    @Test("an envelope sealed by joserfc opens with the SDK")
    func joseSeals() async throws {
        var city = try ExchangeFixture()
        let directory = try temporaryDirectory()
        let run = try Shell.run(
            InteropPython.path(),
            [
                InteropTests.script.path, "seal", directory.path, city.civil.text, city.hrss.text,
                ExchangeFixture.service, city.verification.code, String(Int(city.now.timeIntervalSince1970)),
            ]
        )
        #expect(run.status == 0, "\(run.error)")
        let jwk = try JSONDecoder().decode(
            JSONWebKey.self,
            from: Data(contentsOf: directory.appendingPathComponent("key.jwk"))
        )
        city.list.parties[0].keys.append(
            city.trusted(
                try city.crypto.importVerifyingKey(
                    .ed25519,
                    from: Array(try JSONEncoder().encode(jwk)),
                    encoding: .jwk
                ),
                kid: "python-ed25519"
            )
        )
        let envelope = try String(contentsOf: directory.appendingPathComponent("envelope.jws"), encoding: .utf8)
        let opened = try await city.opener().open(envelope)
        #expect(opened.claims.id == "python-joserfc-0001")
        #expect(opened.claims.data["wage"]?.doubleValue == 512_300)
    }

    /// The private JWK of one of the provider's standard-profile decryption keys.
    static func privateJWK(_ key: any DecryptionKey) throws -> JSONWebKey {
        if let key = key as? X25519.KeyAgreement.PrivateKey { return key.jwk }
        if let key = key as? P256.KeyAgreement.PrivateKey { return key.jwk }
        throw ExchangeFixture.MissingKey()
    }

    @Test(
        "joserfc decrypts a confidential envelope (ECDH-ES+A256KW, A256GCM)",
        arguments: [EncryptionKeyAlgorithm.x25519, .p256]
    )
    func joseDecrypts(algorithm: EncryptionKeyAlgorithm) async throws {
        let city = try ExchangeFixture()
        let draft = city.request(level: .important, service: ExchangeFixture.wageService)
        let envelope = try await city.sealer(.ed25519).seal(draft, encryptingTo: city.recipient(algorithm))
        let directory = try temporaryDirectory()
        let jwk = try Self.privateJWK(try #require(city.providerDecryptionKeys[algorithm]))
        try JSONEncoder().encode(jwk).write(to: directory.appendingPathComponent("key.jwk"))
        try Data(envelope.utf8).write(to: directory.appendingPathComponent("token"))
        let arguments = [
            InteropTests.script.path, "decrypt", directory.appendingPathComponent("key.jwk").path,
            directory.appendingPathComponent("token").path,
        ]
        let run = try Shell.run(InteropPython.path(), arguments)
        #expect(run.status == 0, "\(run.error)")
        let opened = try await city.opener().open(envelope)
        #expect(run.output == opened.text)
        #expect(run.error.contains(#""typ": "tz-envelope+jwe""#))

        // A changed tag does not decrypt there either.
        var parts = envelope.split(separator: ".").map(String.init)
        parts[4] = (parts[4].hasPrefix("A") ? "B" : "A") + parts[4].dropFirst()
        try Data(parts.joined(separator: ".").utf8).write(to: directory.appendingPathComponent("token"))
        #expect(try Shell.run(InteropPython.path(), arguments).status == 1)
    }

    @Test("an important envelope signed and encrypted by joserfc opens with the SDK")
    func joseEncrypts() async throws {
        var city = try ExchangeFixture()
        let directory = try temporaryDirectory()
        let seal = try Shell.run(
            InteropPython.path(),
            [
                InteropTests.script.path, "seal", directory.path, city.civil.text, city.hrss.text,
                ExchangeFixture.wageService, city.verification.code, String(Int(city.now.timeIntervalSince1970)),
                "important",
            ]
        )
        #expect(seal.status == 0, "\(seal.error)")
        let signerJWK = try JSONDecoder().decode(
            JSONWebKey.self,
            from: Data(contentsOf: directory.appendingPathComponent("key.jwk"))
        )
        city.list.parties[0].keys.append(
            city.trusted(
                try city.crypto.importVerifyingKey(
                    .ed25519,
                    from: Array(try JSONEncoder().encode(signerJWK)),
                    encoding: .jwk
                ),
                kid: "python-ed25519"
            )
        )
        let recipient = try #require(city.providerDecryptionKeys[.x25519])
        let publicJWK = try JSONWebKey(
            encryptionAlgorithm: .x25519,
            publicKey: recipient.encryptionPublicKey.rawRepresentation
        )
        try JSONEncoder().encode(publicJWK).write(to: directory.appendingPathComponent("recipient.jwk"))
        let encrypt = try Shell.run(
            InteropPython.path(),
            [
                InteropTests.script.path, "encrypt", directory.appendingPathComponent("recipient.jwk").path,
                "hrss-enc-x25519", city.civil.text, city.hrss.text,
                directory.appendingPathComponent("envelope.jws").path,
                directory.appendingPathComponent("envelope.jwe").path,
            ]
        )
        #expect(encrypt.status == 0, "\(encrypt.error)")
        let envelope = try String(contentsOf: directory.appendingPathComponent("envelope.jwe"), encoding: .utf8)
        let opened = try await city.opener().open(envelope)
        #expect(opened.isEncrypted)
        #expect(opened.claims.level == .important)
        #expect(opened.claims.id == "python-joserfc-0001")
        // The same signed envelope sent unencrypted is refused: the wage service is important.
        let signed = try String(contentsOf: directory.appendingPathComponent("envelope.jws"), encoding: .utf8)
        await #expect(
            throws: EnvelopeError.encryptionRequired(service: ExchangeFixture.wageService, level: .important)
        ) {
            try await city.opener().open(signed)
        }
    }

    @Test("openssl pkeyutl verifies an SM2 envelope's signature over the JWS signing input")
    func opensslVerifiesSM2() async throws {
        let city = try ExchangeFixture()
        let envelope = try await city.sealer(.sm2).seal(city.request())
        let parts = envelope.split(separator: ".").map(String.init)
        let directory = try temporaryDirectory()
        let key = try #require(city.keys[.sm2])
        try Data(key.publicKey.pemRepresentation.utf8).write(to: directory.appendingPathComponent("pub.pem"))
        try Data("\(parts[0]).\(parts[1])".utf8).write(to: directory.appendingPathComponent("input"))
        try Data(try #require(Base64URL.decode(parts[2]))).write(to: directory.appendingPathComponent("sig"))
        let arguments = [
            "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3", "-pkeyopt",
            "distid:1234567812345678", "-in", "input", "-sigfile", "sig",
        ]
        let run = try Shell.run("openssl", arguments, in: directory)
        #expect(run.output.contains("Signature Verified Successfully"), "\(run.output) \(run.error)")
        // Without the GM/T 0009 distinguishing ID the signature must not verify.
        let withoutID = try Shell.run(
            "openssl",
            arguments.filter { $0 != "-pkeyopt" && $0 != "distid:1234567812345678" },
            in: directory
        )
        #expect(!withoutID.output.contains("Signature Verified Successfully"))
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tz-exchange-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a command found on PATH and captures its output.
enum Shell {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    static func run(_ command: String, _ arguments: [String], in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        for pipe in [output, error] {
            try? pipe.fileHandleForReading.close()
            try? pipe.fileHandleForWriting.close()
        }
        return Result(
            status: process.terminationStatus,
            output: String(decoding: outData, as: UTF8.self),
            error: String(decoding: errData, as: UTF8.self)
        )
    }
}
