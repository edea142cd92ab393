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
/// going through `Data` and string replacement cost more than the signature itself. The
/// package-level buffer forms let the exchange encode straight into the envelope it assembles and
/// decode without an intermediate array.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The two characters of every 12-bit value, the first in the low byte: encoding looks up two
    /// characters at a time and stores four at once.
    private static let pairs: [UInt16] = (0..<4096).map { value in
        UInt16(alphabet[value >> 6]) | UInt16(alphabet[value & 63]) << 8
    }

    /// Each byte's 6-bit value, or 0xFF for a byte outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Four tables of 256 entries: each character's value already shifted to its place in a group
    /// of four characters (table `k` for the `k`-th character), or `invalid` for a byte outside the
    /// alphabet, so that decoding a group is four look-ups and three ORs.
    private static let shiftedValues: [UInt32] = (0..<1024).map { entry in
        let value = values[entry & 255]
        return value == 0xFF ? invalid : UInt32(value) << (18 - 6 * UInt32(entry >> 8))
    }

    /// A bit no valid group of four characters sets.
    private static let invalid: UInt32 = 0x8000_0000

    /// Encodes `bytes` with `-` and `_` and no `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { input in
            let count = encodedCount(input.count)
            guard count > 0 else { return "" }
            // The output is ASCII by construction, so the String's UTF-8 check always passes.
            return String(unsafeUninitializedCapacity: count) { output in encode(input, into: output) }
        }
    }

    /// The length of the encoding of `byteCount` bytes.
    package static func encodedCount(_ byteCount: Int) -> Int { (byteCount * 4 + 2) / 3 }

    /// Writes the encoding of `input` at the start of `output` and returns its length,
    /// ``encodedCount(_:)``; traps if `output` is shorter, which only a caller's arithmetic error
    /// can cause.
    @discardableResult
    package static func encode(
        _ input: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        let count = encodedCount(input.count)
        precondition(output.count >= count, "base64url output buffer too small")
        guard let source = input.baseAddress, let target = output.baseAddress else { return 0 }
        alphabet.withUnsafeBufferPointer { table in
            guard let alphabet = table.baseAddress else { return }
            var out = target
            var index = 0
            let whole = input.count - input.count % 3
            pairs.withUnsafeBufferPointer { pairs in
                guard let pairs = pairs.baseAddress else { return }
                while index < whole {
                    let chunk = UInt32(source[index]) << 16 | UInt32(source[index + 1]) << 8 | UInt32(source[index + 2])
                    let characters = UInt32(pairs[Int(chunk >> 12)]) | UInt32(pairs[Int(chunk & 0xFFF)]) << 16
                    UnsafeMutableRawPointer(out).storeBytes(of: characters.littleEndian, as: UInt32.self)
                    out += 4
                    index += 3
                }
            }
            let rest = input.count - index
            if rest > 0 {
                let first = UInt32(source[index]) << 16
                let chunk = rest == 2 ? first | UInt32(source[index + 1]) << 8 : first
                out[0] = alphabet[Int(chunk >> 18)]
                out[1] = alphabet[Int(chunk >> 12 & 63)]
                if rest == 2 { out[2] = alphabet[Int(chunk >> 6 & 63)] }
            }
        }
        return count
    }

    /// Decodes unpadded base64url; `nil` for any other character, for padding, for an impossible
    /// length, or for non-canonical trailing bits, because JOSE forbids them.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(utf8: $0) }
    }

    /// Decodes unpadded base64url from UTF-8 bytes.
    public static func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let count = decodedCount(input.count) else { return nil }
        var valid = false
        let output = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            valid = decode(input, into: buffer)
            initialized = valid ? count : 0
        }
        return valid ? output : nil
    }

    /// The number of bytes `characterCount` base64url characters decode to; `nil` for a length no
    /// unpadded encoding has.
    package static func decodedCount(_ characterCount: Int) -> Int? {
        let remainder = characterCount % 4
        guard remainder != 1 else { return nil }
        return characterCount / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
    }

    /// Decodes `input` into the start of `output` (which needs room for ``decodedCount(_:)``
    /// bytes); `false` under the same conditions as ``decode(utf8:)`` returns `nil`, in which case
    /// `output` holds no meaningful bytes.
    package static func decode(
        _ input: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        guard let count = decodedCount(input.count), output.count >= count else { return false }
        guard let source = input.baseAddress, let target = output.baseAddress else { return count == 0 }
        return values.withUnsafeBufferPointer { table -> Bool in
            guard let values = table.baseAddress else { return false }
            var out = target
            var index = 0
            let whole = input.count - input.count % 4
            // All groups but the last: their three bytes are written as one four-byte store whose
            // last byte the next group overwrites.
            let fast = shiftedValues.withUnsafeBufferPointer { shifted -> Bool in
                guard let shifted = shifted.baseAddress else { return false }
                while index + 4 < whole {
                    let group =
                        shifted[Int(source[index])] | shifted[256 + Int(source[index + 1])]
                        | shifted[512 + Int(source[index + 2])] | shifted[768 + Int(source[index + 3])]
                    guard group & Base64URL.invalid == 0 else { return false }
                    UnsafeMutableRawPointer(out).storeBytes(of: (group << 8).bigEndian, as: UInt32.self)
                    out += 3
                    index += 4
                }
                return true
            }
            guard fast else { return false }
            while index < whole {
                let a = values[Int(source[index])]
                let b = values[Int(source[index + 1])]
                let c = values[Int(source[index + 2])]
                let d = values[Int(source[index + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { return false }
                let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[0] = UInt8(truncatingIfNeeded: chunk >> 16)
                out[1] = UInt8(truncatingIfNeeded: chunk >> 8)
                out[2] = UInt8(truncatingIfNeeded: chunk)
                out += 3
                index += 4
            }
            let remainder = input.count - whole
            if remainder >= 2 {
                let a = values[Int(source[index])]
                let b = values[Int(source[index + 1])]
                let c = remainder == 3 ? values[Int(source[index + 2])] : 0
                guard (a | b | c) & 0xC0 == 0 else { return false }
                // Refuse non-canonical text whose unused trailing bits are set: otherwise two different
                // strings decode to the same bytes, and a changed character in a signature could go unseen.
                if remainder == 2 {
                    guard b & 0x0F == 0 else { return false }
                    out[0] = a << 2 | b >> 4
                } else {
                    guard c & 0x03 == 0 else { return false }
                    out[0] = a << 2 | b >> 4
                    out[1] = (b & 0x0F) << 4 | c >> 2
                }
            }
            return true
        }
    }
}
