public import SocietyCore
import SocietyJSON

/// The two key-management and content-encryption pairs a confidential envelope may use.
public enum ConfidentialProfile: String, CaseIterable, Hashable, Sendable {
    /// JWE `ECDH-ES+A256KW` (X25519 or P-256, Concat KDF with SHA-256) with `A256GCM`: any standard
    /// JOSE library decrypts it.
    case standard
    /// The SDK's national profile: `SM2-ENC` (SM2 public-key encryption of the content key) with
    /// `SM4-CBC-HMAC-SM3` (encrypt-then-MAC).
    case national

    /// The JWE `alg` header value.
    public var keyManagement: String {
        switch self {
        case .standard: "ECDH-ES+A256KW"
        case .national: "SM2-ENC"
        }
    }

    /// The JWE `enc` header value.
    public var contentEncryption: String {
        switch self {
        case .standard: "A256GCM"
        case .national: "SM4-CBC-HMAC-SM3"
        }
    }

    /// The authenticated encryption of the content.
    public var aead: AEADAlgorithm {
        switch self {
        case .standard: .aes256GCM
        case .national: .sm4CBCHMACSM3
        }
    }

    /// The profile a recipient key of `algorithm` is used with.
    public init(recipientKey algorithm: EncryptionKeyAlgorithm) {
        self = algorithm == .sm2 ? .national : .standard
    }

    /// The profile a JWE header names, or `nil` for any other `alg`/`enc` pair.
    init?(alg: String, enc: String) {
        guard let match = Self.allCases.first(where: { $0.keyManagement == alg && $0.contentEncryption == enc }) else {
            return nil
        }
        self = match
    }
}

/// A JSON Web Encryption (RFC 7516) in the compact serialization, as confidential envelopes use it:
/// five base64url parts, the protected header being the associated data of the content encryption.
struct JWE {
    var encodedHeader: String
    var header: JSONObject
    var encryptedKey: [UInt8]
    var iv: [UInt8]
    var ciphertext: [UInt8]
    var tag: [UInt8]

    /// `BASE64URL(header).BASE64URL(encrypted key).BASE64URL(iv).BASE64URL(ciphertext).BASE64URL(tag)`.
    var compact: String {
        [
            encodedHeader, Base64URL.encode(encryptedKey), Base64URL.encode(iv), Base64URL.encode(ciphertext),
            Base64URL.encode(tag),
        ].joined(separator: ".")
    }

    /// The content encryption's associated data: `ASCII(BASE64URL(protected header))`.
    var associatedData: [UInt8] { Array(encodedHeader.utf8) }

    init(
        encodedHeader: String,
        header: JSONObject,
        encryptedKey: [UInt8],
        iv: [UInt8],
        ciphertext: [UInt8],
        tag: [UInt8]
    ) {
        self.encodedHeader = encodedHeader
        self.header = header
        self.encryptedKey = encryptedKey
        self.iv = iv
        self.ciphertext = ciphertext
        self.tag = tag
    }

    /// Whether `text` has the shape of a compact JWE (five dot-separated parts) rather than a JWS.
    static func isCompactJWE(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.dotOffsets(upTo: 5).count == 4 }
    }

    /// Parses the compact serialization; checks only the form.
    init(parsing text: String) throws(EnvelopeError) {
        let parts = text.trimmingWhitespace.dotSeparatedParts
        guard parts.count == 5 else {
            throw .malformedEncryption("a compact JWE has 5 dot-separated parts, this has \(parts.count)")
        }
        guard let headerBytes = Base64URL.decode(parts[0]) else {
            throw .malformedEncryption("JWE protected header is not base64url")
        }
        let names = ["encrypted key", "initialization vector", "ciphertext", "authentication tag"]
        var decoded: [[UInt8]] = []
        for (index, part) in parts.dropFirst().enumerated() {
            guard let bytes = Base64URL.decode(part) else {
                throw .malformedEncryption("JWE \(names[index]) is not base64url")
            }
            decoded.append(bytes)
        }
        let value: JSONValue
        do {
            value = try JSONParser().parse(headerBytes)
        } catch {
            throw .malformedEncryption("JWE protected header is not JSON: \(error)")
        }
        guard case .object(let header) = value else {
            throw .malformedEncryption("JWE protected header is not a JSON object")
        }
        self.init(
            encodedHeader: parts[0],
            header: header,
            encryptedKey: decoded[0],
            iv: decoded[1],
            ciphertext: decoded[2],
            tag: decoded[3]
        )
    }
}

/// The Concat KDF of NIST SP 800-56A §5.8.1 as JWE `ECDH-ES` uses it (RFC 7518 §4.6.2), with SHA-256:
/// `K = H(00000001 ‖ Z ‖ OtherInfo)` truncated to `keyBitLength`, where
/// `OtherInfo = len‖"ECDH-ES+A256KW" ‖ len‖apu ‖ len‖apv ‖ keyBitLength` (32-bit big-endian lengths).
enum ConcatKDF {
    static func derive(
        sharedSecret: [UInt8],
        algorithmID: String,
        partyUInfo: [UInt8],
        partyVInfo: [UInt8],
        keyBitLength: Int,
        crypto: any CryptoProvider
    ) throws -> [UInt8] {
        func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] { bigEndian32(bytes.count) + bytes }
        let otherInfo =
            lengthPrefixed(Array(algorithmID.utf8)) + lengthPrefixed(partyUInfo) + lengthPrefixed(partyVInfo)
            + bigEndian32(keyBitLength)
        let byteCount = keyBitLength / 8
        var output: [UInt8] = []
        var counter = 1
        while output.count < byteCount {
            output += try crypto.digest(.sha256, of: bigEndian32(counter) + sharedSecret + otherInfo)
            counter += 1
        }
        return Array(output.prefix(byteCount))
    }

    static func bigEndian32(_ value: Int) -> [UInt8] {
        let value = UInt32(truncatingIfNeeded: value)
        return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }
    }
}
