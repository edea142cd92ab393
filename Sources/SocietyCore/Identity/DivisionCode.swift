/// An administrative division code (行政区划代码, GB/T 2260): six digits naming a province,
/// a prefecture-level city or a county-level unit.
///
/// The plan's rule "the city sets standards, districts build" puts a division code on every record.
/// A code is valid when it has the GB/T 2260 shape under a real province; its name is known when it
/// is in the bundled table (all provinces, Jiangsu to county level, retired Taizhou codes), so
/// codes from elsewhere in China still validate without a name.
public struct DivisionCode: Hashable, Comparable, Sendable {
    /// The six-digit code as a number, e.g. `321200`.
    public let value: Int

    /// The tier of a division.
    public enum Level: String, Codable, Hashable, Sendable, CaseIterable {
        /// 省级: province, autonomous region, municipality, special administrative region.
        case province
        /// 地级: prefecture-level city (or a municipality's district group).
        case prefecture
        /// 县级: district, county-level city, county.
        case county
    }

    /// Why text is not a division code.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not exactly six characters.
        case wrongLength(Int)
        /// A non-digit at a 1-based position.
        case invalidCharacter(Character, position: Int)
        /// The first two digits name no province-level unit.
        case unknownProvince(String)
        /// A county part without a prefecture part (`32XX00` shape violated, e.g. `320012`).
        case invalidShape(String)

        public var description: String {
            switch self {
            case .wrongLength(let count): "division code has \(count) characters; GB/T 2260 codes have 6 digits"
            case .invalidCharacter(let character, let position):
                "division code has \"\(character)\" at position \(position); only digits are allowed"
            case .unknownProvince(let prefix): "division code starts with \(prefix), which is no province-level unit"
            case .invalidShape(let code): "division code \(code) has a county part but no prefecture part"
            }
        }
    }

    /// Parses a six-digit code.
    public init(_ text: String) throws(ValidationError) {
        let characters = Array(text)
        guard characters.count == 6 else { throw .wrongLength(characters.count) }
        var value = 0
        for (index, character) in characters.enumerated() {
            guard let digit = character.wholeNumberValue, character.isASCII else {
                throw .invalidCharacter(character, position: index + 1)
            }
            value = value * 10 + digit
        }
        try self.init(value: value, text: text)
    }

    /// Creates a code from its numeric value, e.g. `321202`.
    public init(_ value: Int) throws(ValidationError) {
        guard (100_000...999_999).contains(value) else { throw .wrongLength(String(value).count) }
        try self.init(value: value, text: String(value))
    }

    private init(value: Int, text: String) throws(ValidationError) {
        guard DivisionTable.provincePrefixes.contains(value / 10_000) else {
            throw .unknownProvince(String(text.prefix(2)))
        }
        if (value / 100) % 100 == 0 && value % 100 != 0 { throw .invalidShape(text) }
        self.value = value
    }

    private init(trusted value: Int) { self.value = value }

    /// The tier: `xx0000` is a province, `xxxx00` a prefecture, anything else a county-level unit.
    public var level: Level {
        if value % 10_000 == 0 { return .province }
        if value % 100 == 0 { return .prefecture }
        return .county
    }

    /// The official name from the bundled table, or `nil` for a code outside it.
    public var name: String? { DivisionTable.byCode[value]?.name }

    /// Whether the code is in the bundled table and still in use.
    public var isCurrent: Bool {
        guard let entry = DivisionTable.byCode[value] else { return false }
        return entry.retiredIn == nil
    }

    /// The year a retired code stopped being used (e.g. 2012 for 321284 姜堰市), if known.
    public var retiredIn: Int? { DivisionTable.byCode[value]?.retiredIn }

    /// The province-level unit containing this division (itself for a province).
    public var province: DivisionCode { DivisionCode(trusted: value / 10_000 * 10_000) }

    /// The next tier up: county → prefecture → province; `nil` for a province.
    ///
    /// Counties directly under a province (e.g. 省直辖县) and municipal districts whose prefecture
    /// row is absent from the table fall back to the province.
    public var parent: DivisionCode? {
        switch level {
        case .province: return nil
        case .prefecture: return province
        case .county:
            let prefecture = value / 100 * 100
            return DivisionTable.byCode[prefecture] != nil ? DivisionCode(trusted: prefecture) : province
        }
    }

    /// This division and every tier above it, nearest first: `[海陵区, 泰州市, 江苏省]`.
    public var chain: [DivisionCode] {
        var result = [self]
        while let next = result.last?.parent { result.append(next) }
        return result
    }

    /// Whether `other` is this division or lies inside it.
    public func contains(_ other: DivisionCode) -> Bool { other.chain.contains(self) }

    /// The six digits.
    public var code: String { String(value) }

    /// Every county-level unit of the bundled table directly under this prefecture, current ones only.
    public var currentChildren: [DivisionCode] {
        DivisionTable.entries
            .filter { $0.retiredIn == nil && $0.code != value }
            .map { DivisionCode(trusted: $0.code) }
            .filter { $0.parent == self }
    }

    public static func < (lhs: DivisionCode, rhs: DivisionCode) -> Bool { lhs.value < rhs.value }

    /// 泰州市, the SDK's home city.
    public static let taizhou = DivisionCode(trusted: 321200)
    /// 江苏省.
    public static let jiangsu = DivisionCode(trusted: 320000)
}

extension DivisionCode: CustomStringConvertible {
    /// `321202 海陵区`, or just the code when it is not in the bundled table.
    public var description: String { name.map { "\(code) \($0)" } ?? code }
}

extension DivisionCode: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { code }
}
