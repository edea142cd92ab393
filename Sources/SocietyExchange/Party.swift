public import SocietyCore

/// A participant in the exchange: an organization's subsystem, such as the civil-affairs
/// bureau's assistance system.
///
/// Modelled on X-Road's member + subsystem: the organization is identified by its unified social
/// credit code, and each system it runs gets its own keys and rights. Written `CREDITCODE/SUBSYSTEM`
/// everywhere a person or a file sees it, e.g. `113212000142871106/assistance`.
public struct Party: Hashable, Comparable, Sendable {
    /// The organization that runs the subsystem.
    public let organization: CreditCode
    /// The subsystem's code: 1–64 characters from `a–z 0–9 - _ .`.
    public let subsystem: String
    /// `CREDITCODE/SUBSYSTEM`, kept because every envelope writes and compares it.
    public let text: String

    /// Why text is not a party.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not of the form `CREDITCODE/SUBSYSTEM`.
        case malformed(String)
        /// The credit code part is invalid.
        case invalidOrganization(CreditCode.ValidationError)
        /// The subsystem is empty, too long, or has a character outside `a–z 0–9 - _ .`.
        case invalidSubsystem(String)

        public var description: String {
            switch self {
            case .malformed(let text): "party \"\(text)\" is not of the form CREDITCODE/SUBSYSTEM"
            case .invalidOrganization(let error): "party's organization: \(error)"
            case .invalidSubsystem(let text):
                "party's subsystem \"\(text)\" must be 1–64 characters from a–z 0–9 - _ ."
            }
        }
    }

    /// Creates a party from an organization and a subsystem code.
    public init(organization: CreditCode, subsystem: String) throws(ValidationError) {
        let allowed = subsystem.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard allowed, (1...64).contains(subsystem.utf8.count) else { throw .invalidSubsystem(subsystem) }
        self.organization = organization
        self.subsystem = subsystem
        self.text = "\(organization.value)/\(subsystem)"
    }

    /// Parses `CREDITCODE/SUBSYSTEM`.
    public init(_ text: String) throws(ValidationError) {
        // Split on the UTF-8 bytes: every envelope carries two parties.
        let slashes = text.utf8.indices.filter { text.utf8[$0] == UInt8(ascii: "/") }
        guard slashes.count == 1, let slash = slashes.first else { throw .malformed(text) }
        let organization: CreditCode
        do {
            organization = try CreditCode(String(text[..<slash]))
        } catch {
            throw .invalidOrganization(error)
        }
        try self.init(organization: organization, subsystem: String(text[text.utf8.index(after: slash)...]))
    }

    public static func < (lhs: Party, rhs: Party) -> Bool { lhs.text < rhs.text }
}

extension Party: CustomStringConvertible {
    /// `CREDITCODE/SUBSYSTEM`.
    public var description: String { text }
}

extension Party: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { text }
}
