public import SocietyCore

/// 不动产单元号: the 28-character real-estate unit number — the county's division code (6), the
/// cadastral district (3) and sub-district (3), the parcel's ownership (`G` state-owned, `J`
/// collective) and kind (one of `A B C D E F G H S X W Y`), the parcel's sequence (5), the fixture
/// kind (`F` building, `L` forest, `Q` other structure, `W` none — the land alone) and the building
/// and unit (8). Shape from DOMAINS.md (two codebases agree): `320684413219GB00029F00010002`.
public struct UnitNumber: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// Why text is not a unit number.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not 28 characters.
        case length(Int)
        /// A character where the form allows none of its kind (its position, 1-based).
        case character(position: Int)
        /// The first six digits are no county-level division code.
        case county(String)

        public var description: String {
            switch self {
            case .length(let count): "a unit number has 28 characters, not \(count)"
            case .character(let position): "character \(position) of the unit number does not fit the form"
            case .county(let code): "\(code) is not a county-level division code"
            }
        }
    }

    /// The number as written.
    public let value: String
    /// The county (区县) the unit lies in.
    public let county: DivisionCode

    /// Checks `text` against the form; the county must be a county-level division code.
    public init(_ text: String) throws(ValidationError) {
        let characters = Array(text.utf8)
        guard characters.count == 28 else { throw .length(text.count) }
        func digit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        let kinds = Set("ABCDEFGHSXWY".utf8)
        let fixtures = Set("WFLQ".utf8)
        for (index, byte) in characters.enumerated() {
            let fits: Bool =
                switch index {
                case 0..<12, 14..<19, 20..<28: digit(byte)
                case 12: byte == UInt8(ascii: "G") || byte == UInt8(ascii: "J")
                case 13: kinds.contains(byte)
                default: fixtures.contains(byte)
                }
            guard fits else { throw .character(position: index + 1) }
        }
        let county = String(text.prefix(6))
        guard let code = try? DivisionCode(county), code.level == .county else { throw .county(county) }
        value = text
        self.county = code
    }

    /// The parcel (宗地) the unit stands on: the first 19 characters, shared by every unit of it.
    public var parcel: String { String(value.prefix(19)) }

    /// Whether the parcel is state-owned (`G`) rather than collective (`J`).
    public var isStateOwnedLand: Bool {
        value.utf8[value.utf8.index(value.utf8.startIndex, offsetBy: 12)] == UInt8(ascii: "G")
    }

    /// The fixture kind: `F` building, `L` forest, `Q` other structure, `W` none.
    public var fixture: Character { value[value.index(value.startIndex, offsetBy: 19)] }

    public var description: String { value }

    public static func < (lhs: UnitNumber, rhs: UnitNumber) -> Bool { lhs.value < rhs.value }

    public static func == (lhs: UnitNumber, rhs: UnitNumber) -> Bool { lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// 不动产权证书号 / 不动产证明号: the number of a real-estate certificate or certification, of the form
/// `苏(2017)海门市不动产权第0000183号` — the province's one-character abbreviation, the year in
/// brackets, the place, `不动产权` (a certificate of a right) or `不动产证明` (a certification, e.g. of a
/// mortgage), and a seven-digit sequence.
public struct CertificateNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What the number certifies.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// 不动产权证书: a right (ownership).
        case right = "不动产权"
        /// 不动产登记证明: a registration such as a mortgage or an advance notice.
        case certification = "不动产证明"
    }

    /// The provinces' one-character abbreviations (GB/T 2260's provincial level).
    public static let provinces: Set<Character> = [
        "京", "津", "冀", "晋", "蒙", "辽", "吉", "黑", "沪", "苏", "浙", "皖", "闽", "赣", "鲁", "豫", "鄂", "湘", "粤", "桂",
        "琼", "渝", "川", "贵", "云", "藏", "陕", "甘", "青", "宁", "新",
    ]

    /// The province's abbreviation.
    public let province: Character
    /// The year of issue.
    public let year: Int
    /// The place (a city or county, e.g. 海门市).
    public let place: String
    /// What it certifies.
    public let kind: Kind
    /// The sequence within the place and year.
    public let sequence: Int

    /// A number from its parts; the sequence is 1 … 9,999,999.
    public init(province: Character, year: Int, place: String, kind: Kind, sequence: Int) throws(HousingError) {
        guard Self.provinces.contains(province) else { throw .invalid("\(province) is not a province's abbreviation") }
        guard (1000...9999).contains(year) else { throw .invalid("the year \(year) has not four digits") }
        guard (1...9_999_999).contains(sequence) else { throw .invalid("the sequence is 1 … 9999999") }
        guard let last = place.last, ["市", "县", "区", "旗"].contains(last), place.count >= 2,
            place.unicodeScalars.allSatisfy({ (0x4E00...0x9FFF).contains($0.value) })
        else { throw .invalid("the place \(place) is not a city, county or district name") }
        self.province = province
        self.year = year
        self.place = place
        self.kind = kind
        self.sequence = sequence
    }

    /// Parses `苏(2017)海门市不动产权第0000183号` (full-width brackets are accepted too).
    public init(_ text: String) throws(HousingError) {
        let normalised = text.replacingOccurrences(of: "（", with: "(").replacingOccurrences(of: "）", with: ")")
        let characters = Array(normalised)
        let isDigits = { (text: [Character]) in text.allSatisfy { $0.isASCII && $0.isWholeNumber } }
        guard characters.count >= 17, let province = characters.first, characters[1] == "(", characters[6] == ")",
            isDigits(Array(characters[2..<6])), let year = Int(String(characters[2..<6])), characters.last == "号"
        else { throw .invalid("\(text) is not of the form 苏(2017)海门市不动产权第0000183号") }
        let rest = String(characters[7..<(characters.count - 1)])
        var found: (Kind, String, String)?
        for kind in [Kind.right, .certification] {
            if let range = rest.range(of: kind.rawValue + "第") {
                found = (kind, String(rest[..<range.lowerBound]), String(rest[range.upperBound...]))
            }
        }
        guard let (kind, place, digits) = found, digits.count == 7, isDigits(Array(digits)), let sequence = Int(digits)
        else { throw .invalid("\(text) is not of the form 苏(2017)海门市不动产权第0000183号") }
        try self.init(province: province, year: year, place: place, kind: kind, sequence: sequence)
    }

    /// The number as printed.
    public var description: String {
        "\(province)(\(year))\(place)\(kind.rawValue)第\(String(repeating: "0", count: max(0, 7 - String(sequence).count)))\(sequence)号"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
