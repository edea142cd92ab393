import SocietyCore

/// What every concrete key type stores: the owned `EVP_PKEY` and the encodings computed once at
/// creation, so that the non-throwing properties of ``SocietyCore/VerifyingKey`` never fail later.
struct PublicKeyStorage: Sendable {
    let key: EVPKey
    let raw: [UInt8]
    let der: [UInt8]

    init(_ key: EVPKey) throws {
        self.key = key
        self.raw = try key.rawPublicKey()
        self.der = try key.spkiDER()
    }

    init(raw: [UInt8], algorithm: SignatureAlgorithm) throws {
        try self.init(EVPKey.publicKey(raw: raw, algorithm: algorithm))
    }

    init(der: [UInt8], algorithm: SignatureAlgorithm) throws {
        try self.init(EVPKey.publicKey(der: der, algorithm: algorithm))
    }

    init(pem: String, algorithm: SignatureAlgorithm) throws {
        let document = try PEMDocument(parsing: pem)
        guard document.label == "PUBLIC KEY" else {
            throw CryptoError(.invalidKey, "expected a PUBLIC KEY PEM block, found \(document.label)")
        }
        try self.init(der: document.der, algorithm: algorithm)
    }

    /// Verifies a signature in the SDK's wire form (raw `r‖s` for P-256).
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        if key.algorithm == .p256 {
            guard let der = try? ECMath.derSignature(fromRaw: signature) else { return false }
            return key.verify(der, message: message)
        }
        return key.verify(signature, message: message)
    }
}

/// The private counterpart of ``PublicKeyStorage``.
struct PrivateKeyStorage: Sendable {
    let key: EVPKey
    let raw: [UInt8]
    let der: [UInt8]
    let publicKey: PublicKeyStorage

    init(_ key: EVPKey) throws {
        self.key = key
        self.raw = try key.rawPrivateKey()
        self.der = try key.pkcs8DER()
        // A separate public-only EVP_PKEY, so a published public key never carries the secret.
        self.publicKey = try PublicKeyStorage(raw: key.rawPublicKey(), algorithm: key.algorithm)
    }

    init(generating algorithm: SignatureAlgorithm) throws {
        try self.init(EVPKey.generate(algorithm))
    }

    init(raw: [UInt8], algorithm: SignatureAlgorithm) throws {
        try self.init(EVPKey.privateKey(raw: raw, algorithm: algorithm))
    }

    init(der: [UInt8], algorithm: SignatureAlgorithm) throws {
        try self.init(EVPKey.privateKey(der: der, algorithm: algorithm))
    }

    init(pem: String, algorithm: SignatureAlgorithm) throws {
        let document = try PEMDocument(parsing: pem)
        switch document.label {
        case "PRIVATE KEY", "EC PRIVATE KEY":
            try self.init(der: document.der, algorithm: algorithm)
        case "ENCRYPTED PRIVATE KEY":
            throw CryptoError(.unsupportedAlgorithm, "encrypted PEM private keys are not supported")
        default:
            throw CryptoError(.invalidKey, "expected a PRIVATE KEY PEM block, found \(document.label)")
        }
    }

    init(jwk: JSONWebKey, algorithm: SignatureAlgorithm) throws {
        guard try jwk.algorithm == algorithm else { throw CryptoError(.invalidKey, "JWK is not \(algorithm)") }
        guard let privateKey = try jwk.rawPrivateKey() else { throw CryptoError(.invalidKey, "JWK has no d") }
        try self.init(raw: privateKey, algorithm: algorithm)
        guard try publicKey.raw == jwk.rawPublicKey() else {
            throw CryptoError(.invalidKey, "JWK public members do not match d")
        }
    }

    var pem: String { PEMDocument(label: "PRIVATE KEY", der: der).text }

    /// Signs in the SDK's wire form (raw `r‖s` for P-256).
    func signature(for message: [UInt8]) throws -> [UInt8] {
        let native = try key.sign(message)
        return key.algorithm == .p256 ? try ECMath.rawSignature(fromDER: native) : native
    }
}

extension PublicKeyStorage {
    init(jwk: JSONWebKey, algorithm: SignatureAlgorithm) throws {
        guard try jwk.algorithm == algorithm else { throw CryptoError(.invalidKey, "JWK is not \(algorithm)") }
        try self.init(raw: jwk.rawPublicKey(), algorithm: algorithm)
    }
}
