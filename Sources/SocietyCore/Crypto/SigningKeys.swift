/// A public key that checks signatures: what a verifier holds for each party on the trust list.
///
/// Modelled on swift-crypto's `CustomPrivateKey` family so that a backend (OpenSSL, a hardware
/// module, a test double) can be swapped without touching the envelope layer.
public protocol VerifyingKey: Sendable {
    /// The algorithm this key verifies.
    var algorithm: SignatureAlgorithm { get }

    /// The bare public key: 32 bytes for Ed25519, `X‖Y` (64 bytes) for SM2 and P-256. This is what
    /// a trust list publishes and what key identifiers hash.
    var rawRepresentation: [UInt8] { get }

    /// The DER `SubjectPublicKeyInfo`, the form certificates and `openssl` use.
    var derRepresentation: [UInt8] { get }

    /// Whether `signature` is a valid signature of `message` by the matching private key.
    ///
    /// Malformed signatures are simply invalid: verification never throws, so a caller cannot
    /// accidentally treat an encoding error differently from a forgery.
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool
}

extension VerifyingKey {
    /// The PEM (`PUBLIC KEY`) text of ``derRepresentation``, for files and configuration.
    public var pemRepresentation: String { PEMDocument(label: "PUBLIC KEY", der: derRepresentation).text }
}

/// A private key that signs: held by a party to seal envelopes, trust lists and checkpoints.
///
/// The protocol deliberately has no export requirement, so that a key living in a hardware module
/// can conform; software keys offer export on their concrete types.
public protocol SigningKey: Sendable {
    /// The public half's type.
    associatedtype PublicKey: VerifyingKey

    /// The algorithm this key signs with.
    var algorithm: SignatureAlgorithm { get }

    /// The matching public key, to publish on a trust list.
    var publicKey: PublicKey { get }

    /// Signs `message` (the whole message, not a digest: each algorithm hashes as it specifies).
    ///
    /// SM2 returns DER, Ed25519 64 bytes, P-256 raw `r‖s` (64 bytes).
    func signature(for message: [UInt8]) throws -> [UInt8]
}
