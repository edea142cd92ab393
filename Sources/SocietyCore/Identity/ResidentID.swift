/// A citizen identity number (公民身份号码, GB 11643-1999): the key of every personal record.
///
/// 18 characters: a six-digit address code (GB/T 2260), the birth date `YYYYMMDD`, a three-digit
/// sequence whose last digit is odd for men and even for women, and an ISO 7064 MOD 11-2 check
/// character. A value of this type is always valid: the initializer checks every rule and says
/// which one failed. It prints masked (`3212**********123X`); the full number is ``unmasked``.
///
/// Residence permits for Hong Kong, Macao and Taiwan residents (`81…`, `82…`, `83…`) and the foreign
/// permanent-residence ID (`9…`) share the layout and checksum, and are accepted. Address codes that
/// no longer exist are accepted too: a number issued before a redistricting stays the holder's number.
public struct ResidentID: Hashable, Comparable, Sendable {
    /// The 18 characters, with a lowercase `x` normalized to `X`.
    private let value: String

    /// Why text is not a citizen identity number.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Neither 18 characters nor a 15-digit legacy number.
        case wrongLength(Int)
        /// A character that is not allowed at its 1-based position (only digits, and `X` last).
        case invalidCharacter(Character, position: Int)
        /// The address code's first two digits name no province-level unit.
        case invalidAddressCode(String)
        /// The birth date part is not a real calendar date.
        case invalidBirthDate(String)
        /// The birth date is after today.
        case birthDateInFuture(CalendarDate)
        /// The birth date is before 1800: no living or recorded person.
        case birthDateTooEarly(CalendarDate)
        /// The MOD 11-2 check character does not match the first 17 characters.
        case checkCharacterMismatch(expected: Character, found: Character)

        public var description: String {
            switch self {
            case .wrongLength(let count):
                "identity number has \(count) characters; 18 (or a 15-digit legacy number) are required"
            case .invalidCharacter(let character, let position):
                position == 18
                    ? "identity number has \"\(character)\" at position 18; only a digit or X is allowed there"
                    : "identity number has \"\(character)\" at position \(position); only digits are allowed there"
            case .invalidAddressCode(let prefix):
                "identity number's address code starts with \(prefix), which is no province-level unit"
            case .invalidBirthDate(let text): "identity number's birth date \(text) is not a real calendar date"
            case .birthDateInFuture(let date): "identity number's birth date \(date) is in the future"
            case .birthDateTooEarly(let date): "identity number's birth date \(date) is before 1800"
            case .checkCharacterMismatch(let expected, let found):
                "identity number's check character is \(found) but the first 17 characters require \(expected)"
            }
        }
    }

    /// MOD 11-2 weights 2^(17−i) mod 11, for positions 1…17.
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Check characters for Σ mod 11 = 0…10.
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Validates an 18-character number, or upgrades a 15-digit legacy number (inserting `19`
    /// before the birth date and appending the check character).
    ///
    /// - Parameter today: the day against which "not in the future" is checked; the current day in
    ///   China Standard Time by default. Pass the deployment clock's day for reproducible flows.
    public init(_ text: String, today: CalendarDate? = nil) throws(ValidationError) {
        // The common case, 18 ASCII digits (the last possibly X or x), is checked over UTF-8 bytes.
        // Anything else takes the character-by-character path below, which reports the same errors
        // (a byte outside 0-9, X, x may start a multi-byte character, whose position counts
        // characters, not bytes).
        if let found = ResidentID.validateCommonForm(text, today: today) {
            switch found {
            case .success(let normalized): self.value = normalized ?? text
            case .failure(let error): throw error
            }
            return
        }
        var characters = Array(text)
        if characters.count == 15 {
            for (index, character) in characters.enumerated() where !ResidentID.isDigit(character) {
                throw .invalidCharacter(character, position: index + 1)
            }
            characters.insert(contentsOf: ["1", "9"], at: 6)
            let body = characters
            try ResidentID.checkBody(body, today: today)
            characters.append(ResidentID.checkCharacter(for: body))
            self.value = String(characters)
            return
        }
        guard characters.count == 18 else { throw .wrongLength(characters.count) }
        for (index, character) in characters[..<17].enumerated() where !ResidentID.isDigit(character) {
            throw .invalidCharacter(character, position: index + 1)
        }
        if characters[17] == "x" { characters[17] = "X" }
        guard ResidentID.isDigit(characters[17]) || characters[17] == "X" else {
            throw .invalidCharacter(characters[17], position: 18)
        }
        let body = Array(characters[..<17])
        try ResidentID.checkBody(body, today: today)
        let expected = ResidentID.checkCharacter(for: body)
        guard expected == characters[17] else {
            throw .checkCharacterMismatch(expected: expected, found: characters[17])
        }
        self.value = String(characters)
    }

    /// Validates `text` when it is 18 bytes of ASCII digits, the last possibly `X` or `x`: the
    /// normalized text (`nil` when `text` already is) or the error the character path would give.
    /// Returns `nil` for any other text, which the character path handles.
    private static func validateCommonForm(
        _ text: String,
        today: CalendarDate?
    ) -> Result<String?, ValidationError>? {
        var text = text
        guard text.utf8.count == 18 else { return nil }
        return text.withUTF8 { bytes -> Result<String?, ValidationError>? in
            let zero = UInt8(ascii: "0")
            var sum = 0
            for index in 0..<17 {
                let digit = bytes[index] &- zero
                guard digit < 10 else { return nil }
                sum &+= Int(digit) &* weights[index]
            }
            let last = bytes[17]
            let lowercase = last == UInt8(ascii: "x")
            guard last &- zero < 10 || last == UInt8(ascii: "X") || lowercase else { return nil }
            func number(_ range: Range<Int>) -> Int {
                var value = 0
                for index in range { value = value &* 10 &+ Int(bytes[index] &- zero) }
                return value
            }
            func string(_ range: Range<Int>) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
            // The same checks, in the same order, as `checkBody`.
            let province = number(0..<2)
            if bytes[0] == UInt8(ascii: "9") {
                guard DivisionTable.provincePrefixes.contains(number(1..<3)) else {
                    return .failure(.invalidAddressCode(string(0..<2)))
                }
            } else {
                guard DivisionTable.provincePrefixes.contains(province) || province == 83 else {
                    return .failure(.invalidAddressCode(string(0..<2)))
                }
            }
            let birth: CalendarDate
            do {
                birth = try CalendarDate(year: number(6..<10), month: number(10..<12), day: number(12..<14))
            } catch {
                return .failure(.invalidBirthDate(string(6..<14)))
            }
            guard birth.year >= 1800 else { return .failure(.birthDateTooEarly(birth)) }
            let reference = today ?? CalendarDate(SystemWallClock().now())
            guard birth <= reference else { return .failure(.birthDateInFuture(birth)) }
            let expected = checkBytes[sum % 11]
            let found = lowercase ? UInt8(ascii: "X") : last
            guard expected == found else {
                return .failure(
                    .checkCharacterMismatch(
                        expected: Character(Unicode.Scalar(expected)),
                        found: Character(Unicode.Scalar(found))
                    )
                )
            }
            guard lowercase else { return .success(nil) }
            var normalized = Array(bytes)
            normalized[17] = UInt8(ascii: "X")
            return .success(String(decoding: normalized, as: UTF8.self))
        }
    }

    /// ``checkCharacters`` as ASCII bytes.
    private static let checkBytes: [UInt8] = checkCharacters.map { $0.asciiValue ?? 0 }

    /// The MOD 11-2 check character for 17 digits.
    static func checkCharacter(for body: [Character]) -> Character {
        var sum = 0
        for (character, weight) in zip(body, weights) { sum += (character.wholeNumberValue ?? 0) * weight }
        return checkCharacters[sum % 11]
    }

    private static func isDigit(_ character: Character) -> Bool {
        character.isASCII && character.isNumber
    }

    private static func checkBody(_ body: [Character], today: CalendarDate?) throws(ValidationError) {
        let prefix = String(body[0..<2])
        let province = Int(prefix) ?? 0
        // 9… is the foreign permanent-residence ID: 9 + province (2) + nationality (3) + birth date.
        if body[0] == "9" {
            let inner = Int(String(body[1..<3])) ?? 0
            guard DivisionTable.provincePrefixes.contains(inner) else { throw .invalidAddressCode(prefix) }
        } else {
            // 83 is used only by residence permits for Taiwan residents (Taiwan's division code is 71).
            guard DivisionTable.provincePrefixes.contains(province) || province == 83 else {
                throw .invalidAddressCode(prefix)
            }
        }
        let birthText = String(body[6..<14])
        let birth: CalendarDate
        do {
            birth = try CalendarDate(compact: birthText)
        } catch {
            throw .invalidBirthDate(birthText)
        }
        guard birth.year >= 1800 else { throw .birthDateTooEarly(birth) }
        let reference = today ?? CalendarDate(SystemWallClock().now())
        guard birth <= reference else { throw .birthDateInFuture(birth) }
    }

    /// Builds a number from its parts, computing the check character: for synthetic data and tests.
    ///
    /// - Parameters:
    ///   - addressCode: the six-digit address code.
    ///   - birthDate: the holder's birth date.
    ///   - sequence: 0…999; its parity decides the sex (odd = male).
    ///   - today: the day against which "not in the future" is checked (see ``init(_:today:)``).
    public init(
        addressCode: DivisionCode,
        birthDate: CalendarDate,
        sequence: Int,
        today: CalendarDate? = nil
    ) throws(ValidationError) {
        let clamped = min(max(sequence, 0), 999)
        let text = addressCode.code + birthDate.compact + CalendarDate.pad(clamped, 3)
        let body = Array(text)
        guard body.count == 17 else { throw .wrongLength(body.count + 1) }
        try self.init(text + String(ResidentID.checkCharacter(for: body)), today: today)
    }

    /// The holder's birth date.
    public var birthDate: CalendarDate {
        let digits = Array(value.utf8)
        var parts = [0, 0, 0]
        for (index, byte) in digits[6..<14].enumerated() {
            let slot = index < 4 ? 0 : (index < 6 ? 1 : 2)
            parts[slot] = parts[slot] * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return CalendarDate(trustedYear: parts[0], month: parts[1], day: parts[2])
    }

    /// The holder's sex, from the parity of the 17th digit.
    public var sex: Sex {
        let digit = Array(value.utf8)[16] - UInt8(ascii: "0")
        return digit % 2 == 1 ? .male : .female
    }

    /// The six-digit address code where the number was first issued (may be a retired code).
    public var addressCode: String { String(value.prefix(6)) }

    /// The address code as a division, or `nil` when it is not a valid current-shape code (e.g. the
    /// foreign permanent-residence ID, whose digits 2–7 are province and nationality).
    public var addressDivision: DivisionCode? {
        guard !value.hasPrefix("9") else { return nil }
        return try? DivisionCode(addressCode)
    }

    /// The holder's age in whole years on `date`.
    public func age(on date: CalendarDate) -> Int { birthDate.age(on: date) }

    public static func < (lhs: ResidentID, rhs: ResidentID) -> Bool { lhs.value < rhs.value }
}

extension ResidentID: Masked {
    /// Identity numbers are sensitive personal information (GB/T 35273 annex B).
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One number alone is general data; a population's numbers are important data.
    public static var dataLevel: DataLevel { .general }
    /// `3212**********123X`: the first four and last four characters.
    public var masked: String { Masking.keep(value, prefix: 4, suffix: 4) }
    /// The full 18 characters.
    public var unmasked: String { value }
}

extension ResidentID: CustomReflectable {
    /// Reflection (`dump`, default struct descriptions) shows only the masked form.
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked], displayStyle: .struct) }
}

extension ResidentID: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(_:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(text) }

    /// The canonical text.
    public var canonicalText: String { value }
}

/// Sex as recorded on identity documents (GB/T 2261.1 codes).
public enum Sex: String, Codable, Hashable, Sendable, CaseIterable {
    /// 男, code 1.
    case male = "1"
    /// 女, code 2.
    case female = "2"

    /// The Chinese label used on documents.
    public var label: String { self == .male ? "男" : "女" }
    /// The English word, as CLI output prints it.
    public var englishName: String { self == .male ? "male" : "female" }
}
