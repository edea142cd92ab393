/// The grade of a piece of data under GB/T 43697-2024 (数据安全技术 数据分类分级规则).
///
/// The grade decides how the data may travel: an envelope carrying `important` or `core` data must
/// be encrypted to its recipient, and only named consumers may ask for it.
public enum DataLevel: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    /// 一般数据: harm from leakage is limited to individuals or organisations.
    case general
    /// 重要数据: leakage could harm public interest, economic operation or social stability.
    case important
    /// 核心数据: leakage could harm national security; the strictest handling.
    case core

    private var rank: Int {
        switch self {
        case .general: 0
        case .important: 1
        case .core: 2
        }
    }

    public static func < (lhs: DataLevel, rhs: DataLevel) -> Bool { lhs.rank < rhs.rank }
}

/// How personal a piece of data is, in the terms of the Personal Information Protection Law.
public enum Sensitivity: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    /// Not personal information: may be published.
    case `public`
    /// Personal information (PIPL art. 4): identifies or relates to a natural person.
    case personal
    /// Sensitive personal information (PIPL art. 28): identity numbers, health, financial accounts,
    /// whereabouts, minors' data. Encrypted at rest and masked everywhere by default.
    case sensitivePersonal

    private var rank: Int {
        switch self {
        case .public: 0
        case .personal: 1
        case .sensitivePersonal: 2
        }
    }

    public static func < (lhs: Sensitivity, rhs: Sensitivity) -> Bool { lhs.rank < rhs.rank }
}

/// A type that declares how its values must be handled.
///
/// Every SDK type that holds personal data conforms, so that stores, logs and exchanges can ask the
/// type itself rather than rely on a list kept somewhere else.
public protocol DataClassified {
    /// The GB/T 43697 grade of one value of this type.
    static var dataLevel: DataLevel { get }
    /// The PIPL sensitivity of one value of this type.
    static var sensitivity: Sensitivity { get }
}

/// A personal value that prints masked by default.
///
/// `description`, `debugDescription`, string interpolation and `dump` all show ``masked``; the full
/// value needs the explicit, greppable ``unmasked`` accessor, so that every place that reveals it
/// can be found in review.
public protocol Masked: DataClassified, CustomStringConvertible, CustomDebugStringConvertible {
    /// The value with the identifying part replaced by `*`.
    var masked: String { get }
    /// The full value. Use only where the purpose requires it, and never in logs.
    var unmasked: String { get }
}

extension Masked {
    /// The masked form: personal data never reaches a log by accident.
    public var description: String { masked }
    /// The masked form, also in the debugger and in `dump`.
    public var debugDescription: String { masked }
}

/// Masking rules shared by the personal-data types, also for text that failed validation and so
/// has no type of its own (a CLI still must not echo a mistyped identity number in full).
public enum Masking {
    /// Keeps `prefix` leading and `suffix` trailing characters and stars out the rest; text too
    /// short to keep both ends is starred out entirely.
    public static func keep(_ text: String, prefix: Int, suffix: Int) -> String {
        let characters = Array(text)
        guard characters.count > prefix + suffix else {
            return String(repeating: "*", count: characters.count)
        }
        let hidden = characters.count - prefix - suffix
        return String(characters[..<prefix]) + String(repeating: "*", count: hidden)
            + String(characters[(characters.count - suffix)...])
    }
}
