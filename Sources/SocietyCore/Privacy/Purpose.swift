/// Why personal data are read, written or exchanged: a short code such as
/// `assistance.verification`.
///
/// Purpose limitation (PIPL art. 6) is enforced by name, with one type everywhere: a store
/// transaction that reads sensitive fields is opened with a purpose and the audit log records it;
/// every envelope states its purpose, and the trust list says which consumer may call which
/// service for which purposes. Services declare their purposes as constants
/// (`OneCardService.Purposes.cards`); text from outside goes through ``init(_:)``.
public struct Purpose: Hashable, Comparable, Sendable, CanonicalTextCodable, CustomStringConvertible {
    /// The code: 1–64 characters from `a–z 0–9 . - _`.
    public let code: String

    /// Why text is not a purpose code.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Empty, too long, or a character outside `a–z 0–9 . - _`.
        case invalid(String)

        public var description: String {
            switch self {
            case .invalid(let text): "purpose \"\(text)\" must be 1–64 characters from a–z 0–9 . - _"
            }
        }
    }

    /// Validates a purpose code.
    public init(_ code: String) throws(ValidationError) {
        guard (1...64).contains(code.utf8.count), code.utf8.allSatisfy(Purpose.allowed) else { throw .invalid(code) }
        self.code = code
    }

    /// A purpose the code itself declares, such as a service's constant.
    ///
    /// For string literals written in source only: an invalid literal is a programming error that
    /// stops the program the first time the constant is used (each module's tests touch every
    /// constant it declares). Text from outside goes through the throwing ``init(_:)``.
    public init(constant code: StaticString) {
        let text = code.description
        precondition(
            (1...64).contains(text.utf8.count) && text.utf8.allSatisfy(Purpose.allowed),
            "purpose constant \"\(text)\" must be 1–64 characters from a–z 0–9 . - _"
        )
        self.code = text
    }

    static func allowed(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// The code.
    public var description: String { code }

    public static func < (lhs: Purpose, rhs: Purpose) -> Bool { lhs.code < rhs.code }

    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { code }
}
