/// A typed identifier for an entity that has no official number of its own (a household record,
/// an application, a contract).
///
/// `Identifier<Household>` and `Identifier<Application>` are different types, so one cannot be passed
/// where the other is expected. Unlike swift-tagged there are no literal conformances: every
/// identifier goes through the validating initializer.
public struct Identifier<Entity>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The identifier's text: 1–128 characters from `A–Z a–z 0–9 - _ . :`.
    public let rawValue: String

    /// Why a string cannot be an identifier.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Empty, or longer than 128 characters.
        case invalidLength(Int)
        /// A character outside the allowed set, at a 1-based position.
        case invalidCharacter(Character, position: Int)

        public var description: String {
            switch self {
            case .invalidLength(let count): "identifier has \(count) characters; 1–128 are allowed"
            case .invalidCharacter(let character, let position):
                "identifier has \"\(character)\" at position \(position); only A–Z a–z 0–9 - _ . : are allowed"
            }
        }
    }

    /// Creates an identifier, refusing empty, overlong or oddly-charactered text.
    public init(_ rawValue: String) throws(ValidationError) {
        let count = rawValue.count
        guard (1...128).contains(count) else { throw .invalidLength(count) }
        for (index, character) in rawValue.enumerated() {
            guard character.isASCII, character.isLetter || character.isNumber || "-_.:".contains(character)
            else { throw .invalidCharacter(character, position: index + 1) }
        }
        self.rawValue = rawValue
    }

    /// The raw text.
    public var description: String { rawValue }

    public static func < (lhs: Identifier, rhs: Identifier) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Identifier: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { rawValue }
}
