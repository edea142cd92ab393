public import SocietyCore

/// 残疾类别: the category digit of a second-generation disability certificate number.
public enum DisabilityCategory: Int, CaseIterable, Codable, Hashable, Sendable {
    /// 视力残疾.
    case visual = 1
    /// 听力残疾.
    case hearing = 2
    /// 言语残疾.
    case speech = 3
    /// 肢体残疾.
    case physical = 4
    /// 智力残疾.
    case intellectual = 5
    /// 精神残疾.
    case mental = 6
    /// 多重残疾.
    case multiple = 7

    /// The claim value: the English case name, readable in a presentation.
    public var code: String { String(describing: self) }

    /// The category for a claim value, or `nil`.
    public init?(code: String) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}

/// 残疾等级: 1 (most severe) to 4.
public enum DisabilityLevel: Int, CaseIterable, Codable, Hashable, Sendable {
    /// 一级.
    case first = 1
    /// 二级.
    case second = 2
    /// 三级.
    case third = 3
    /// 四级.
    case fourth = 4

    /// The claim value: `"1"` … `"4"`.
    public var code: String { String(rawValue) }

    /// The level for a claim value, or `nil`.
    public init?(code: String) {
        guard let value = Int(code), let level = Self(rawValue: value) else { return nil }
        self = level
    }
}

/// The 20-character number of a second-generation disability certificate (第二代残疾人证):
/// the holder's ResidentID, the category digit and the level digit (REFERENCES.md, Identifiers).
///
/// It contains the identity number, so it prints masked like one.
public struct DisabilityCertificateNumber: Hashable, Sendable {
    /// The holder's identity number.
    public let resident: ResidentID
    /// The category.
    public let category: DisabilityCategory
    /// The level.
    public let level: DisabilityLevel

    /// Why text is not a disability certificate number.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not 20 characters.
        case invalidLength(Int)
        /// The first 18 characters are not a valid ResidentID.
        case invalidResidentID(ResidentID.ValidationError)
        /// The 19th character is not a category 1–7.
        case invalidCategory
        /// The 20th character is not a level 1–4.
        case invalidLevel

        public var description: String {
            switch self {
            case .invalidLength(let count): "disability certificate number has \(count) characters, not 20"
            case .invalidResidentID(let error): "disability certificate number: \(error)"
            case .invalidCategory: "disability category digit must be 1–7"
            case .invalidLevel: "disability level digit must be 1–4"
            }
        }
    }

    /// Builds the number from its parts.
    public init(resident: ResidentID, category: DisabilityCategory, level: DisabilityLevel) {
        self.resident = resident
        self.category = category
        self.level = level
    }

    /// Parses and validates a 20-character number.
    public init(_ text: String) throws(ValidationError) {
        let characters = Array(text)
        guard characters.count == 20 else { throw .invalidLength(characters.count) }
        do {
            resident = try ResidentID(String(characters[..<18]))
        } catch {
            throw .invalidResidentID(error)
        }
        guard let categoryDigit = characters[18].wholeNumberValue,
            let category = DisabilityCategory(rawValue: categoryDigit)
        else { throw .invalidCategory }
        guard let levelDigit = characters[19].wholeNumberValue, let level = DisabilityLevel(rawValue: levelDigit) else {
            throw .invalidLevel
        }
        self.category = category
        self.level = level
    }
}

extension DisabilityCertificateNumber: Masked {
    /// As sensitive as the identity number it contains; and it reveals a disability (health data).
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One number is general data.
    public static var dataLevel: DataLevel { .general }
    /// The identity number masked, then the two digits: `3212**********123X41`.
    public var masked: String { resident.masked + "\(category.rawValue)\(level.rawValue)" }
    /// All 20 characters.
    public var unmasked: String { resident.unmasked + "\(category.rawValue)\(level.rawValue)" }
}
