import Foundation
import SocietyCore
import SocietyOpenSSL
import Testing

@Suite("Keys: generation, signing, import and export through the port")
struct KeyTests {
    let provider: any CryptoProvider = OpenSSLCryptoProvider()
    static let message = Array(repeating: "公共数据交换 ".bytes, count: 20).joined().map { $0 }

    @Test("Generate → sign → verify", arguments: SignatureAlgorithm.allCases)
    func roundTrip(algorithm: SignatureAlgorithm) throws {
        let key = try provider.generateSigningKey(algorithm)
        #expect(key.algorithm == algorithm)
        #expect(key.publicKey.algorithm == algorithm)
        #expect(key.publicKey.rawRepresentation.count == algorithm.publicKeyByteCount)
        let signature = try key.signature(for: Self.message)
        if algorithm != .sm2 { #expect(signature.count == 64) }
        #expect(key.publicKey.isValidSignature(signature, for: Self.message))
    }

    @Test("Wrong key, modified message and modified signature all fail", arguments: SignatureAlgorithm.allCases)
    func failures(algorithm: SignatureAlgorithm) throws {
        let key = try provider.generateSigningKey(algorithm)
        let other = try provider.generateSigningKey(algorithm)
        let signature = try key.signature(for: Self.message)
        #expect(!other.publicKey.isValidSignature(signature, for: Self.message))
        var message = Self.message
        message[7] ^= 0x01
        #expect(!key.publicKey.isValidSignature(signature, for: message))
        for index in [0, signature.count / 2, signature.count - 1] {
            var modified = signature
            modified[index] ^= 0x80
            #expect(!key.publicKey.isValidSignature(modified, for: Self.message))
        }
        #expect(!key.publicKey.isValidSignature([], for: Self.message))
        #expect(!key.publicKey.isValidSignature(signature + [0], for: Self.message))
    }

    @Test("Private keys survive raw, DER and PEM export and import", arguments: SignatureAlgorithm.allCases)
    func privateEncodings(algorithm: SignatureAlgorithm) throws {
        let key = try provider.generateSigningKey(algorithm)
        let signature = try key.signature(for: Self.message)
        for encoding in [KeyEncoding.raw, .der, .pem] {
            let bytes = try Self.export(key, encoding)
            let imported = try provider.importSigningKey(algorithm, from: bytes, encoding: encoding)
            #expect(imported.publicKey.rawRepresentation == key.publicKey.rawRepresentation, "\(encoding)")
            #expect(imported.publicKey.isValidSignature(signature, for: Self.message))
            #expect(try Self.export(imported, encoding) == bytes, "\(encoding) is stable")
        }
    }

    @Test("Public keys survive raw, DER and PEM export and import", arguments: SignatureAlgorithm.allCases)
    func publicEncodings(algorithm: SignatureAlgorithm) throws {
        let key = try provider.generateSigningKey(algorithm)
        let signature = try key.signature(for: Self.message)
        let publicKey = key.publicKey
        let forms: [(KeyEncoding, [UInt8])] = [
            (.raw, publicKey.rawRepresentation),
            (.der, publicKey.derRepresentation),
            (.pem, Array(publicKey.pemRepresentation.utf8)),
        ]
        for (encoding, bytes) in forms {
            let imported = try provider.importVerifyingKey(algorithm, from: bytes, encoding: encoding)
            #expect(imported.rawRepresentation == publicKey.rawRepresentation, "\(encoding)")
            #expect(imported.derRepresentation == publicKey.derRepresentation, "\(encoding)")
            #expect(imported.isValidSignature(signature, for: Self.message))
        }
    }

    @Test("JWK round trip for Ed25519 and P-256", arguments: [SignatureAlgorithm.ed25519, .p256])
    func jwk(algorithm: SignatureAlgorithm) throws {
        let key = try provider.generateSigningKey(algorithm)
        let publicJWK = try JSONWebKey(algorithm: algorithm, publicKey: key.publicKey.rawRepresentation)
        let json = try JSONEncoder().encode(publicJWK)
        let imported = try provider.importVerifyingKey(algorithm, from: [UInt8](json), encoding: .jwk)
        #expect(imported.rawRepresentation == key.publicKey.rawRepresentation)
        #expect(try JSONWebKey(members: publicJWK.members) == publicJWK)
        #expect(!String(decoding: json, as: UTF8.self).contains("\"d\""))
        #expect(!publicJWK.x.contains("="))
    }

    @Test("Concrete JWK properties match the port's JWK and import back")
    func concreteJWK() throws {
        let ed = try Ed25519.Signing.PrivateKey()
        #expect(try Ed25519.Signing.PrivateKey(jwk: ed.jwk).rawRepresentation == ed.rawRepresentation)
        #expect(
            try Ed25519.Signing.PublicKey(jwk: ed.publicKey.jwk).rawRepresentation == ed.publicKey.rawRepresentation
        )
        let p = try P256.Signing.PrivateKey()
        #expect(
            p.publicKey.jwk == (try JSONWebKey(algorithm: .p256, publicKey: p.publicKey.rawRepresentation))
        )
        #expect(try P256.Signing.PrivateKey(jwk: p.jwk).rawRepresentation == p.rawRepresentation)
        #expect(p.jwk.publicKeyOnly == p.publicKey.jwk)
        // A private JWK whose public members belong to another key is refused.
        var mismatched = p.jwk
        mismatched.x = try P256.Signing.PrivateKey().publicKey.jwk.x
        #expect(throws: CryptoError(.invalidKey)) { try P256.Signing.PrivateKey(jwk: mismatched) }
        #expect(throws: CryptoError(.unsupportedAlgorithm)) {
            try JSONWebKey(algorithm: .sm2, publicKey: [UInt8](repeating: 1, count: 64))
        }
        #expect(throws: CryptoError(.invalidKey)) { try P256.Signing.PublicKey(jwk: ed.publicKey.jwk) }
    }

    @Test("Malformed PEM and DER give typed errors", arguments: SignatureAlgorithm.allCases)
    func malformed(algorithm: SignatureAlgorithm) throws {
        let key = try provider.generateSigningKey(algorithm)
        let der = key.publicKey.derRepresentation
        let garbage: [[UInt8]] = [[], [0x30], Array(der.dropLast()), der + [0x00], [UInt8](repeating: 0x41, count: 91)]
        for bytes in garbage {
            #expect(throws: CryptoError(.invalidKey)) {
                try provider.importVerifyingKey(algorithm, from: bytes, encoding: .der)
            }
            #expect(throws: CryptoError(.invalidKey)) {
                try provider.importSigningKey(algorithm, from: bytes, encoding: .der)
            }
        }
        let pems = [
            "",
            "not a pem",
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ==\n-----END PUBLIC KEY-----\n",
            "-----BEGIN CERTIFICATE-----\nMFkwEwYHKoZIzj0CAQ==\n-----END CERTIFICATE-----\n",
            key.publicKey.pemRepresentation.replacingOccurrences(of: "END PUBLIC", with: "END PRIVATE"),
        ]
        for pem in pems {
            #expect(throws: CryptoError(.invalidKey)) {
                try provider.importVerifyingKey(algorithm, from: Array(pem.utf8), encoding: .pem)
            }
        }
        #expect(throws: CryptoError(.invalidKey)) {
            try provider.importSigningKey(algorithm, from: Array(key.publicKey.pemRepresentation.utf8), encoding: .pem)
        }
    }

    @Test("A key of another algorithm or curve is refused", arguments: SignatureAlgorithm.allCases)
    func wrongAlgorithm(algorithm: SignatureAlgorithm) throws {
        for other in SignatureAlgorithm.allCases where other != algorithm {
            let key = try provider.generateSigningKey(other)
            #expect(throws: CryptoError(.invalidKey)) {
                try provider.importVerifyingKey(algorithm, from: key.publicKey.derRepresentation, encoding: .der)
            }
            #expect(throws: CryptoError(.invalidKey)) {
                try provider.importSigningKey(algorithm, from: Self.export(key, .der), encoding: .der)
            }
        }
    }

    @Test("EC public points off the curve are refused", arguments: [SignatureAlgorithm.sm2, .p256])
    func offCurve(algorithm: SignatureAlgorithm) throws {
        var raw = try provider.generateSigningKey(algorithm).publicKey.rawRepresentation
        raw[63] ^= 0x01
        #expect(throws: CryptoError(.invalidKey)) {
            try provider.importVerifyingKey(algorithm, from: raw, encoding: .raw)
        }
        #expect(throws: CryptoError(.invalidKey)) {
            try provider.importVerifyingKey(algorithm, from: [UInt8](repeating: 0, count: 64), encoding: .raw)
        }
    }

    @Test("JWS names")
    func jwsNames() {
        #expect(SignatureAlgorithm.ed25519.jwsName == "EdDSA")
        #expect(SignatureAlgorithm.p256.jwsName == "ES256")
        #expect(SignatureAlgorithm.sm2.jwsName == "SM2-SM3")
        #expect(SignatureAlgorithm(jwsName: "ES256") == .p256)
        #expect(SignatureAlgorithm(jwsName: "RS256") == nil)
    }

    /// Exports through the concrete types, since the port deliberately has no private export.
    static func export(_ key: any SigningKey, _ encoding: KeyEncoding) throws -> [UInt8] {
        switch (key, encoding) {
        case (let key as SM2.Signing.PrivateKey, .raw): key.rawRepresentation
        case (let key as SM2.Signing.PrivateKey, .der): key.derRepresentation
        case (let key as SM2.Signing.PrivateKey, .pem): Array(key.pemRepresentation.utf8)
        case (let key as Ed25519.Signing.PrivateKey, .raw): key.rawRepresentation
        case (let key as Ed25519.Signing.PrivateKey, .der): key.derRepresentation
        case (let key as Ed25519.Signing.PrivateKey, .pem): Array(key.pemRepresentation.utf8)
        case (let key as P256.Signing.PrivateKey, .raw): key.rawRepresentation
        case (let key as P256.Signing.PrivateKey, .der): key.derRepresentation
        case (let key as P256.Signing.PrivateKey, .pem): Array(key.pemRepresentation.utf8)
        default: throw CryptoError(.unsupportedAlgorithm, "export \(encoding)")
        }
    }
}
