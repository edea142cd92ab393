/// Why a document was rejected, and where.
///
/// Canonical JSON is signed, so the parser is strict: anything that could let two parties read the
/// same bytes differently (duplicate keys, lone surrogates, invalid UTF-8, numbers beyond binary64)
/// is an error rather than a guess. The byte offset lets a person find the problem in a large file.
public struct JSONParseError: Error, Sendable, Hashable {
    /// The kinds of problems the parser reports.
    public enum Kind: Sendable, Hashable {
        /// A byte that cannot start or continue the expected token. Holds the byte.
        case unexpectedCharacter(UInt8)
        /// The input ended inside a value.
        case unexpectedEnd
        /// An object repeats a key (after escapes are decoded). Holds the key.
        case duplicateKey(String)
        /// A `\uD800`–`\uDFFF` escape that is not half of a well-formed surrogate pair.
        case loneSurrogate
        /// A backslash escape that JSON does not define, or a `\u` without four hex digits.
        case invalidEscape
        /// A number that does not follow the JSON grammar (for example `01`, `1.`, `-`, `1e`).
        case invalidNumber
        /// A number whose magnitude is too large for an IEEE 754 double (I-JSON, RFC 7493 §2.2).
        case numberOutOfRange
        /// A string without its closing quote.
        case unterminatedString
        /// A control character (below U+0020) written raw inside a string.
        case controlCharacterInString
        /// Non-whitespace after the top-level value.
        case trailingGarbage
        /// Arrays and objects nested deeper than the parser's limit. Holds the limit.
        case nestingTooDeep(Int)
        /// Bytes that are not well-formed UTF-8 (including encoded surrogates and overlong forms).
        case invalidUTF8
    }

    /// What went wrong.
    public var kind: Kind
    /// The zero-based byte offset in the input where the problem starts.
    public var offset: Int

    /// Creates an error; public so that tests and adapters can build expected values.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}

extension JSONParseError: CustomStringConvertible {
    /// One line for people, for example `duplicate key "a" at byte 12`.
    public var description: String {
        "\(kind) at byte \(offset)"
    }
}

extension JSONParseError.Kind: CustomStringConvertible {
    /// The problem without its position, for example `duplicate key "a"`.
    public var description: String {
        switch self {
        case .unexpectedCharacter(let byte):
            if byte >= 0x21 && byte < 0x7F {
                return "unexpected character '\(Character(Unicode.Scalar(byte)))'"
            }
            return "unexpected byte 0x\(String(byte, radix: 16, uppercase: true))"
        case .unexpectedEnd: return "unexpected end of input"
        case .duplicateKey(let key):
            var quoted: [UInt8] = []
            CanonicalWriter.writeString(key, into: &quoted)
            return "duplicate key \(String(decoding: quoted, as: UTF8.self))"
        case .loneSurrogate: return "lone surrogate in string escape"
        case .invalidEscape: return "invalid escape sequence"
        case .invalidNumber: return "invalid number"
        case .numberOutOfRange: return "number out of range for a 64-bit double"
        case .unterminatedString: return "unterminated string"
        case .controlCharacterInString: return "unescaped control character in string"
        case .trailingGarbage: return "unexpected data after the JSON value"
        case .nestingTooDeep(let limit): return "nesting deeper than \(limit) levels"
        case .invalidUTF8: return "invalid UTF-8"
        }
    }
}

/// Why a value has no canonical form.
///
/// RFC 8785 §3.2.2.3 requires an error for NaN and infinities, which JSON cannot represent. Parsed
/// values never contain them; values built in code or decoded from other formats can.
public struct JSONCanonicalizationError: Error, Sendable, Hashable {
    /// The offending number.
    public var value: Double
    /// Where it is, as an RFC 6901 JSON Pointer (`""` for the root, `/items/3`).
    public var pointer: String

    /// Creates an error.
    public init(value: Double, pointer: String) {
        self.value = value
        self.pointer = pointer
    }
}

extension JSONCanonicalizationError: CustomStringConvertible {
    /// One line for people, for example `non-finite number nan at "/a/0" cannot be canonicalized`.
    public var description: String {
        "non-finite number \(value) at \"\(pointer)\" cannot be canonicalized"
    }
}
