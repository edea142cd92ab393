/// A value with exactly one text form, read back through its validating initializer.
///
/// Identity numbers, codes and dates are stored and exchanged as their canonical strings; decoding
/// must run the same checks as parsing, so that a stored or received value can never be invalid.
/// Conforming supplies the two directions; `Codable` comes with it.
public protocol CanonicalTextCodable: Codable {
    /// Why a text is not a value of this type.
    associatedtype TextError: Error, CustomStringConvertible

    /// Parses and validates the canonical text (a static function rather than an initializer, so
    /// that `Type.init` keeps naming the type's own parsing initializer).
    static func parsing(canonicalText: String) throws(TextError) -> Self

    /// The canonical text (the full value for personal data: encoded forms go to storage and
    /// exchange, which protect them).
    var canonicalText: String { get }
}

extension CanonicalTextCodable {
    /// Decodes the text and validates it; an invalid text is a data-corrupted error naming the rule.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try Self.parsing(canonicalText: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the canonical text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(canonicalText)
    }
}
