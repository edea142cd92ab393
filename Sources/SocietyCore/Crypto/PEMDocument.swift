import Foundation

/// A PEM document (RFC 7468): a label and the DER bytes it wraps.
///
/// Kept in the pure core so that keys can be published and read from configuration without the
/// adapter; the adapter only ever sees DER.
public struct PEMDocument: Hashable, Sendable {
    /// The label between `-----BEGIN ` and `-----`, such as `PUBLIC KEY` or `PRIVATE KEY`.
    public var label: String
    /// The DER bytes.
    public var der: [UInt8]

    /// Wraps `der` under `label`.
    public init(label: String, der: [UInt8]) {
        self.label = label
        self.der = der
    }

    /// Parses the first PEM block in `text`; throws `.invalidKey` when there is none or its base64
    /// is malformed. Text before the block (comments, "Bag Attributes") is ignored.
    public init(parsing text: String) throws {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            throw CryptoError(.invalidKey, "no PEM BEGIN line")
        }
        let label = String(lines[begin].dropFirst("-----BEGIN ".count).dropLast("-----".count))
        let endLine = "-----END \(label)-----"
        guard let end = lines[(begin + 1)...].firstIndex(of: endLine) else {
            throw CryptoError(.invalidKey, "no PEM END line for \(label)")
        }
        let body = lines[(begin + 1)..<end].joined()
        guard !body.isEmpty, let data = Data(base64Encoded: body) else {
            throw CryptoError(.invalidKey, "PEM body is not base64")
        }
        self.label = label
        self.der = [UInt8](data)
    }

    /// The PEM text: base64 in 64-column lines, ending with a newline.
    public var text: String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}

/// Base64url without padding (RFC 4648 §5, RFC 7515 §2), the encoding of JWS and JWK.
public enum Base64URL {
    /// Encodes `bytes` with `-` and `_` and no `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes unpadded base64url; `nil` for any other character, for padding, for an impossible
    /// length, or for non-canonical trailing bits, because JOSE forbids them.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.count % 4 != 1,
            text.utf8.allSatisfy({ $0.isBase64URLCharacter })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        let bytes = [UInt8](data)
        // Refuse non-canonical text whose unused trailing bits are set: otherwise two different
        // strings decode to the same bytes, and a changed character in a signature could go unseen.
        guard encode(bytes) == text else { return nil }
        return bytes
    }
}

extension UInt8 {
    fileprivate var isBase64URLCharacter: Bool {
        switch self {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
