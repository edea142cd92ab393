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
///
/// Written directly over bytes: envelopes encode and decode it several times per message, and
/// going through `Data` and string replacement cost more than the signature itself.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Each byte's 6-bit value, or 0xFF for a byte outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes` with `-` and `_` and no `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        let count = (bytes.count * 4 + 2) / 3
        var output = [UInt8](repeating: 0, count: count)
        alphabet.withUnsafeBufferPointer { alphabet in
            bytes.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    var out = 0
                    var index = 0
                    while index + 3 <= input.count {
                        let chunk =
                            UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        output[out] = alphabet[Int(chunk >> 18)]
                        output[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                        output[out + 2] = alphabet[Int(chunk >> 6 & 63)]
                        output[out + 3] = alphabet[Int(chunk & 63)]
                        out += 4
                        index += 3
                    }
                    let rest = input.count - index
                    if rest > 0 {
                        let first = UInt32(input[index]) << 16
                        let chunk = rest == 2 ? first | UInt32(input[index + 1]) << 8 : first
                        output[out] = alphabet[Int(chunk >> 18)]
                        output[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                        if rest == 2 { output[out + 2] = alphabet[Int(chunk >> 6 & 63)] }
                    }
                }
            }
        }
        // The output is ASCII by construction, so decoding it as UTF-8 cannot repair anything.
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url; `nil` for any other character, for padding, for an impossible
    /// length, or for non-canonical trailing bits, because JOSE forbids them.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(utf8: $0) }
    }

    /// Decodes unpadded base64url from UTF-8 bytes.
    public static func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let remainder = input.count % 4
        guard remainder != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 2)
        var index = 0
        while index + 4 <= input.count {
            let a = values[Int(input[index])]
            let b = values[Int(input[index + 1])]
            let c = values[Int(input[index + 2])]
            let d = values[Int(input[index + 3])]
            guard (a | b | c | d) & 0xC0 == 0 else { return nil }
            let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            output.append(UInt8(truncatingIfNeeded: chunk >> 16))
            output.append(UInt8(truncatingIfNeeded: chunk >> 8))
            output.append(UInt8(truncatingIfNeeded: chunk))
            index += 4
        }
        if remainder >= 2 {
            let a = values[Int(input[index])]
            let b = values[Int(input[index + 1])]
            let c = remainder == 3 ? values[Int(input[index + 2])] : 0
            guard (a | b | c) & 0xC0 == 0 else { return nil }
            // Refuse non-canonical text whose unused trailing bits are set: otherwise two different
            // strings decode to the same bytes, and a changed character in a signature could go unseen.
            if remainder == 2 {
                guard b & 0x0F == 0 else { return nil }
                output.append(a << 2 | b >> 4)
            } else {
                guard c & 0x03 == 0 else { return nil }
                output.append(a << 2 | b >> 4)
                output.append((b & 0x0F) << 4 | c >> 2)
            }
        }
        return output
    }
}
