/// A unified social credit code (统一社会信用代码, GB 32100-2015): the identity of every
/// organization — a department, a hospital, a childcare institution, an enterprise.
///
/// 18 characters from `0-9 A-H J-N P-R T U W-Y` (no I, O, Z, S, V): registration authority (1),
/// organization type (1), division code (6), GB 11714 organization code with its own check
/// character (9), and a MOD 31 check character (1). A value of this type passes both checks.
/// Organizations are not natural persons, so the code prints in full.
public struct CreditCode: Hashable, Comparable, Sendable {
    /// The 18 characters, upper case.
    public let value: String

    /// Why text is not a unified social credit code.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not 18 characters.
        case wrongLength(Int)
        /// A character outside the GB 32100 alphabet, at a 1-based position.
        case invalidCharacter(Character, position: Int)
        /// Positions 3–8 are not a division code shape.
        case invalidDivision(String)
        /// The embedded GB 11714 organization code's check character (position 17) is wrong.
        case organizationCodeCheckMismatch(expected: Character, found: Character)
        /// The MOD 31 check character (position 18) is wrong.
        case checkCharacterMismatch(expected: Character, found: Character)

        public var description: String {
            switch self {
            case .wrongLength(let count): "credit code has \(count) characters; GB 32100 codes have 18"
            case .invalidCharacter(let character, let position):
                "credit code has \"\(character)\" at position \(position); allowed are 0-9 and A-Y without I O Z S V"
            case .invalidDivision(let text): "credit code's division part \(text) is not a GB/T 2260 code"
            case .organizationCodeCheckMismatch(let expected, let found):
                "credit code's organization code check character (position 17) is \(found) but GB 11714 requires \(expected)"
            case .checkCharacterMismatch(let expected, let found):
                "credit code's check character is \(found) but the first 17 characters require \(expected)"
            }
        }
    }

    /// The GB 32100 alphabet; a character's index is its value 0–30.
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    /// Each ASCII byte's value in the alphabet, or 0xFF outside it.
    static let alphabetValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 128)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()
    /// Weights 3^i mod 31 for positions 1…17.
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    /// GB 11714 weights for the eight body characters of the organization code.
    static let organizationWeights = [3, 7, 9, 10, 5, 8, 4, 2]

    /// Validates a code; lower-case letters are accepted and normalized.
    ///
    /// Works on the UTF-8 bytes: a valid code is ASCII, and the exchange parses one per envelope.
    public init(_ text: String) throws(ValidationError) {
        let characters = Array(text)
        var bytes = Array(text.utf8)
        guard characters.count == 18 else { throw .wrongLength(characters.count) }
        guard bytes.count == 18 else {
            // Same character count but more bytes: some character is not ASCII.
            let index = characters.firstIndex { !$0.isASCII } ?? 0
            throw .invalidCharacter(characters[index], position: index + 1)
        }
        for index in bytes.indices {
            if bytes[index] >= UInt8(ascii: "a") && bytes[index] <= UInt8(ascii: "z") { bytes[index] -= 32 }
            guard bytes[index] < 128, CreditCode.alphabetValues[Int(bytes[index])] != 0xFF else {
                throw .invalidCharacter(characters[index], position: index + 1)
            }
        }
        guard bytes[2..<8].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidDivision(String(decoding: bytes[2..<8], as: UTF8.self))
        }
        let organizationExpected = CreditCode.organizationCheckByte(for: bytes[8..<16])
        guard organizationExpected == bytes[16] else {
            throw .organizationCodeCheckMismatch(
                expected: Character(Unicode.Scalar(organizationExpected)),
                found: Character(Unicode.Scalar(bytes[16]))
            )
        }
        let expected = CreditCode.checkByte(for: bytes[..<17])
        guard expected == bytes[17] else {
            throw .checkCharacterMismatch(
                expected: Character(Unicode.Scalar(expected)),
                found: Character(Unicode.Scalar(bytes[17]))
            )
        }
        self.value = String(decoding: bytes, as: UTF8.self)
    }

    /// The MOD 31 check character for the first 17 characters (upper-case ASCII in the alphabet).
    static func checkByte(for body: ArraySlice<UInt8>) -> UInt8 {
        var sum = 0
        for (byte, weight) in zip(body, weights) { sum += Int(alphabetValues[Int(byte & 0x7F)] & 0x1F) * weight }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// The GB 11714 check character for an organization code's eight body characters
    /// (digits 0–9, letters A–Z valued 10–35).
    static func organizationCheckByte(for body: ArraySlice<UInt8>) -> UInt8 {
        var sum = 0
        for (byte, weight) in zip(body, organizationWeights) {
            let value = byte <= UInt8(ascii: "9") ? Int(byte) - 48 : Int(byte) - 55
            sum += value * weight
        }
        switch 11 - sum % 11 {
        case 10: return UInt8(ascii: "X")
        case 11: return UInt8(ascii: "0")
        case let check: return UInt8(48 + check)
        }
    }

    /// Builds a valid code from its parts, computing both check characters: for synthetic data.
    ///
    /// - Parameters:
    ///   - authority: the registration authority.
    ///   - type: the organization type character under that authority (e.g. "1").
    ///   - division: where the organization is registered.
    ///   - organizationBody: eight characters of the GB 11714 organization code body, from the
    ///     GB 32100 alphabet.
    public init(
        authority: RegistrationAuthority,
        type: Character,
        division: DivisionCode,
        organizationBody: String
    ) throws(ValidationError) {
        let body = Array(organizationBody.uppercased().utf8)
        guard body.count == 8 else { throw .wrongLength(18 + body.count - 8) }
        var bytes =
            Array(String(authority.character).utf8) + Array(String(type).utf8) + Array(division.code.utf8) + body
        guard bytes.count == 16 else { throw .wrongLength(bytes.count + 2) }
        bytes.append(CreditCode.organizationCheckByte(for: body[...]))
        bytes.append(CreditCode.checkByte(for: bytes[...]))
        try self.init(String(decoding: bytes, as: UTF8.self))
    }

    /// Position 1: who registered the organization.
    public var registrationAuthority: RegistrationAuthority {
        RegistrationAuthority(character: Array(value)[0])
    }

    /// Position 2: the organization type, interpreted under its registration authority.
    public var organizationType: OrganizationType {
        OrganizationType(authority: registrationAuthority, character: Array(value)[1])
    }

    /// Positions 3–8: where the organization is registered, if the digits form a division code.
    public var division: DivisionCode? { try? DivisionCode(String(Array(value)[2..<8])) }

    /// Positions 9–17: the GB 11714 organization code (the pre-2015 组织机构代码).
    public var organizationCode: String { String(Array(value)[8..<17]) }

    public static func < (lhs: CreditCode, rhs: CreditCode) -> Bool { lhs.value < rhs.value }
}

extension CreditCode: CustomStringConvertible {
    /// The full code: organizations are public actors, not personal data.
    public var description: String { value }
}

extension CreditCode: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { value }
}

/// Position 1 of a credit code: the registration authority (登记管理部门).
public enum RegistrationAuthority: Hashable, Sendable {
    /// 1 机构编制: government bodies and public institutions.
    case institutionalOrganization
    /// 2 外交.
    case foreignAffairs
    /// 3 司法行政: law firms, notaries.
    case judicialAdministration
    /// 4 文化.
    case culture
    /// 5 民政: social organizations, foundations.
    case civilAffairs
    /// 6 旅游.
    case tourism
    /// 7 宗教.
    case religion
    /// 8 工会.
    case tradeUnion
    /// 9 工商 (now market regulation): enterprises, individual businesses, cooperatives.
    case marketRegulation
    /// A 中央军委改革和编制办公室.
    case military
    /// N 农业: rural collective economic organizations.
    case agriculture
    /// Y 其他.
    case other
    /// A character the standard does not assign (kept so that a valid code is never refused for it).
    case unassigned(Character)

    init(character: Character) {
        switch character {
        case "1": self = .institutionalOrganization
        case "2": self = .foreignAffairs
        case "3": self = .judicialAdministration
        case "4": self = .culture
        case "5": self = .civilAffairs
        case "6": self = .tourism
        case "7": self = .religion
        case "8": self = .tradeUnion
        case "9": self = .marketRegulation
        case "A": self = .military
        case "N": self = .agriculture
        case "Y": self = .other
        default: self = .unassigned(character)
        }
    }

    /// The character at position 1.
    public var character: Character {
        switch self {
        case .institutionalOrganization: "1"
        case .foreignAffairs: "2"
        case .judicialAdministration: "3"
        case .culture: "4"
        case .civilAffairs: "5"
        case .tourism: "6"
        case .religion: "7"
        case .tradeUnion: "8"
        case .marketRegulation: "9"
        case .military: "A"
        case .agriculture: "N"
        case .other: "Y"
        case .unassigned(let character): character
        }
    }

    /// The English name printed by the CLI.
    public var name: String {
        switch self {
        case .institutionalOrganization: "institutional organization (机构编制)"
        case .foreignAffairs: "foreign affairs (外交)"
        case .judicialAdministration: "judicial administration (司法行政)"
        case .culture: "culture (文化)"
        case .civilAffairs: "civil affairs (民政)"
        case .tourism: "tourism (旅游)"
        case .religion: "religion (宗教)"
        case .tradeUnion: "trade union (工会)"
        case .marketRegulation: "market regulation (工商)"
        case .military: "military (军队)"
        case .agriculture: "agriculture (农业)"
        case .other: "other (其他)"
        case .unassigned(let character): "unassigned authority \(character)"
        }
    }
}

/// Position 2 of a credit code, read under its registration authority (GB 32100 table 2).
public enum OrganizationType: Hashable, Sendable {
    /// 11 机关.
    case governmentBody
    /// 12 事业单位.
    case publicInstitution
    /// 13 群众团体 (under the central establishment office).
    case massOrganization
    /// 51 社会团体.
    case socialGroup
    /// 52 民办非企业单位 (now 社会服务机构).
    case privateNonEnterprise
    /// 53 基金会.
    case foundation
    /// 91 企业.
    case enterprise
    /// 92 个体工商户.
    case individualBusiness
    /// 93 农民专业合作社.
    case farmersCooperative
    /// x9 其他 under any authority.
    case other
    /// A combination this table does not name: the authority's character and the type character.
    case unlisted(authority: Character, type: Character)

    init(authority: RegistrationAuthority, character: Character) {
        switch (authority, character) {
        case (.institutionalOrganization, "1"): self = .governmentBody
        case (.institutionalOrganization, "2"): self = .publicInstitution
        case (.institutionalOrganization, "3"): self = .massOrganization
        case (.civilAffairs, "1"): self = .socialGroup
        case (.civilAffairs, "2"): self = .privateNonEnterprise
        case (.civilAffairs, "3"): self = .foundation
        case (.marketRegulation, "1"): self = .enterprise
        case (.marketRegulation, "2"): self = .individualBusiness
        case (.marketRegulation, "3"): self = .farmersCooperative
        case (_, "9"): self = .other
        default: self = .unlisted(authority: authority.character, type: character)
        }
    }

    /// The English name printed by the CLI.
    public var name: String {
        switch self {
        case .governmentBody: "government body (机关)"
        case .publicInstitution: "public institution (事业单位)"
        case .massOrganization: "mass organization (群众团体)"
        case .socialGroup: "social group (社会团体)"
        case .privateNonEnterprise: "private non-enterprise unit (民办非企业单位)"
        case .foundation: "foundation (基金会)"
        case .enterprise: "enterprise (企业)"
        case .individualBusiness: "individual business (个体工商户)"
        case .farmersCooperative: "farmers' cooperative (农民专业合作社)"
        case .other: "other (其他)"
        case .unlisted(let authority, let type): "type \(type) under authority \(authority)"
        }
    }
}
