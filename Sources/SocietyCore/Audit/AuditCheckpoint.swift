import Foundation

/// The state of an audit log at one size: the C2SP `tlog-checkpoint` body.
///
/// A log is tamper-evident only against a checkpoint that someone else keeps: an auditor stores
/// the last signed checkpoint it saw and later asks for a consistency proof to the new one.
public struct AuditCheckpoint: Hashable, Sendable {
    /// The log's name, e.g. `taizhou.gov.cn/audit/civil-affairs`: one line, no `—`.
    public var origin: String
    /// The number of entries covered.
    public var size: Int
    /// The RFC 9162 root of the first ``size`` entries.
    public var rootHash: [UInt8]

    /// Creates a checkpoint from its parts.
    public init(origin: String, size: Int, rootHash: [UInt8]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    /// `origin\nsize\nbase64(root)\n`: the note body that is signed.
    public var body: String { "\(origin)\n\(size)\n\(Data(rootHash).base64EncodedString())\n" }

    /// Signs the body with `key`, publishing the signature under `keyName`.
    public func signed(by key: some SigningKey, keyName: String, crypto: any CryptoProvider) throws -> SignedCheckpoint
    {
        let signature = try key.signature(for: Array(body.utf8))
        let keyID = try SignedCheckpoint.keyID(name: keyName, publicKey: key.publicKey, crypto: crypto)
        return SignedCheckpoint(checkpoint: self, keyName: keyName, keyID: keyID, signature: signature)
    }
}

/// A checkpoint with one signature, in the C2SP signed-note text form:
///
/// ```
/// <origin>
/// <size>
/// <base64 root>
///
/// — <key name> <base64(key ID ‖ signature)>
/// ```
///
/// The key ID is the first four bytes of `SHA-256(key name ‖ 0x0A ‖ type ‖ public key)`, with
/// type `0x01` for Ed25519 as the signed-note specification defines it; SM2 and P-256 keys, which
/// it does not define, use `0xFF` followed by the SDK's algorithm name (`sm2`, `p256`).
public struct SignedCheckpoint: Hashable, Sendable {
    /// The signed checkpoint.
    public var checkpoint: AuditCheckpoint
    /// The signer's key name (one word, no spaces or `+`).
    public var keyName: String
    /// Four bytes that tell a verifier holding several keys which one to try.
    public var keyID: [UInt8]
    /// The signature over ``AuditCheckpoint/body``.
    public var signature: [UInt8]

    /// Creates a signed checkpoint from its parts.
    public init(checkpoint: AuditCheckpoint, keyName: String, keyID: [UInt8], signature: [UInt8]) {
        self.checkpoint = checkpoint
        self.keyName = keyName
        self.keyID = keyID
        self.signature = signature
    }

    /// Why text is not a signed checkpoint.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The text does not have the note layout.
        case malformed(String)

        public var description: String {
            switch self {
            case .malformed(let reason): "malformed checkpoint: \(reason)"
            }
        }
    }

    /// The note text, ending with a newline.
    public var text: String {
        checkpoint.body + "\n— \(keyName) \(Data(keyID + signature).base64EncodedString())\n"
    }

    /// Parses the note text produced by ``text``.
    public init(text: String) throws(ParseError) {
        let parts = text.components(separatedBy: "\n\n")
        guard parts.count == 2 else { throw .malformed("expected a body and a signature block") }
        let lines = parts[0].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 3, let size = Int(lines[1]), size >= 0,
            let root = Data(base64Encoded: lines[2])
        else { throw .malformed("the body must be origin, size and base64 root") }
        let signatureLine = parts[1].hasSuffix("\n") ? String(parts[1].dropLast()) : parts[1]
        let fields = signatureLine.split(separator: " ").map(String.init)
        guard fields.count == 3, fields[0] == "—", let blob = Data(base64Encoded: fields[2]), blob.count > 4 else {
            throw .malformed("the signature line must be \"— name base64\"")
        }
        self.init(
            checkpoint: AuditCheckpoint(origin: lines[0], size: size, rootHash: Array(root)),
            keyName: fields[1],
            keyID: Array(blob.prefix(4)),
            signature: Array(blob.dropFirst(4))
        )
    }

    /// Whether the signature is `key`'s over the body and the key ID matches `key` under ``keyName``.
    public func isValid(for key: any VerifyingKey, crypto: any CryptoProvider) -> Bool {
        guard let expected = try? SignedCheckpoint.keyID(name: keyName, publicKey: key, crypto: crypto),
            crypto.constantTimeEquals(expected, keyID)
        else { return false }
        return key.isValidSignature(signature, for: Array(checkpoint.body.utf8))
    }

    /// The signed-note key ID of `publicKey` under `name`.
    public static func keyID(name: String, publicKey: any VerifyingKey, crypto: any CryptoProvider) throws -> [UInt8] {
        var input = Array(name.utf8) + [0x0A]
        switch publicKey.algorithm {
        case .ed25519: input.append(0x01)
        case .sm2, .p256: input += [0xFF] + Array(publicKey.algorithm.rawValue.utf8)
        }
        input += publicKey.rawRepresentation
        return Array(try crypto.digest(.sha256, of: input).prefix(4))
    }
}
