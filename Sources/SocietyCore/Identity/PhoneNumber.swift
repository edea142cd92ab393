import Foundation

/// A mainland China telephone number: an 11-digit mobile number or a landline with its area code.
///
/// Phone numbers reach residents with policy notices, so they are personal data: they print masked
/// "3+4" (`138****5678`), and the full number is ``unmasked``.
public struct PhoneNumber: Hashable, Sendable {
    /// The digits only: `13812345678`, or area code and subscriber number `052386123456`.
    private let digits: String
    /// Whether this is a mobile number.
    public let kind: Kind

    /// Mobile or landline.
    public enum Kind: String, Codable, Hashable, Sendable {
        /// 11 digits starting 13–19.
        case mobile
        /// Area code (010, 02x, or 4 digits starting 03–09) and a 7–8 digit subscriber number.
        case landline
    }

    /// Why text is not a mainland phone number.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A character other than digits, one separator `-` or space, or a leading `+86`.
        case invalidCharacter(Character, position: Int)
        /// A mobile number must have 11 digits starting with 13–19.
        case invalidMobile(digitCount: Int)
        /// A landline needs a valid area code and a 7–8 digit subscriber number not starting 0 or 1.
        case invalidLandline
        /// Neither a mobile number (starting 1) nor a landline (starting 0).
        case unrecognized

        public var description: String {
            switch self {
            case .invalidCharacter(let character, let position):
                "phone number has \"\(character)\" at position \(position)"
            case .invalidMobile(let count):
                "mobile number has \(count) digits; 11 starting with 13–19 are required"
            case .invalidLandline:
                "landline needs an area code (010, 02x or 0xxx) and a 7–8 digit number not starting with 0 or 1"
            case .unrecognized: "phone number starts with neither 1 (mobile) nor 0 (landline area code)"
            }
        }
    }

    /// Parses `13812345678`, `+86 138 1234 5678`, `0523-86123456` or `010 12345678`.
    public init(_ text: String) throws(ValidationError) {
        var body = Substring(text)
        var offset = 0
        if body.hasPrefix("+86") {
            body = body.dropFirst(3)
            offset = 3
        }
        var digits: [Character] = []
        var separatorAfter: Int?
        for (index, character) in body.enumerated() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == "-" || character == " " {
                if character == "-" {
                    guard separatorAfter == nil, !digits.isEmpty else {
                        throw .invalidCharacter(character, position: offset + index + 1)
                    }
                    separatorAfter = digits.count
                }
            } else {
                throw .invalidCharacter(character, position: offset + index + 1)
            }
        }
        switch digits.first {
        case "1":
            guard digits.count == 11, let second = digits[1].wholeNumberValue, (3...9).contains(second) else {
                throw .invalidMobile(digitCount: digits.count)
            }
            self.kind = .mobile
        case "0":
            let areaLength: Int
            if digits.count > 2, digits[1] == "1" || digits[1] == "2" {
                areaLength = 3
                guard digits[1] == "2" || digits[2] == "0" else { throw .invalidLandline }
            } else {
                areaLength = 4
            }
            if let separatorAfter, separatorAfter != areaLength { throw .invalidLandline }
            let subscriber = digits.dropFirst(areaLength)
            guard (7...8).contains(subscriber.count), let first = subscriber.first, first != "0", first != "1"
            else { throw .invalidLandline }
            self.kind = .landline
        default:
            throw .unrecognized
        }
        self.digits = String(digits)
    }
}

extension PhoneNumber: Masked {
    /// A phone number is personal information.
    public static var sensitivity: Sensitivity { .personal }
    /// One number is general data.
    public static var dataLevel: DataLevel { .general }
    /// The first three and last four digits: `138****5678`.
    public var masked: String { Masking.keep(digits, prefix: 3, suffix: 4) }
    /// All digits, without separators.
    public var unmasked: String { digits }
}

extension PhoneNumber: CustomReflectable {
    /// Reflection shows only the masked form.
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked], displayStyle: .struct) }
}

extension PhoneNumber: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { digits }
}

/// A person's name as registered (姓名).
///
/// Names are personal data: they print with only the first character visible (`张**`), which is
/// how Chinese notices mask names. The full name is ``unmasked``.
public struct PersonName: Hashable, Sendable {
    private let value: String

    /// Why text is not a name.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Empty after trimming, or longer than 64 characters.
        case invalidLength(Int)
        /// A control character, a digit, or another character no registered name contains.
        case invalidCharacter(position: Int)

        public var description: String {
            switch self {
            case .invalidLength(let count): "name has \(count) characters; 1–64 are allowed"
            case .invalidCharacter(let position): "name has a character at position \(position) that no name contains"
            }
        }
    }

    /// Validates a name: letters in any script, spaces, `·` (as in minority and foreign names),
    /// hyphen and apostrophe.
    public init(_ text: String) throws(ValidationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let count = trimmed.count
        guard (1...64).contains(count) else { throw .invalidLength(count) }
        for (index, character) in trimmed.enumerated() {
            let allowed =
                character.isLetter || character == " " || character == "·" || character == "-"
                || character == "'" || character == "•"
            guard allowed else { throw .invalidCharacter(position: index + 1) }
        }
        self.value = trimmed
    }
}

extension PersonName: Masked {
    /// A name is personal information.
    public static var sensitivity: Sensitivity { .personal }
    /// One name is general data.
    public static var dataLevel: DataLevel { .general }
    /// The first character, then one `*` per remaining character: `张**`.
    public var masked: String { Masking.keep(value, prefix: 1, suffix: 0) }
    /// The full name.
    public var unmasked: String { value }
}

extension PersonName: CustomReflectable {
    /// Reflection shows only the masked form.
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked], displayStyle: .struct) }
}

extension PersonName: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { value }
}
