import Foundation
import SocietyCore
import Testing

/// A fixed "today" so that the tests do not depend on the machine's date.
let testToday = CalendarDate(daysSinceEpoch: 20_786)  // 2026-11-29

@Suite("ResidentID (GB 11643-1999)")
struct ResidentIDTests {
    // GB 11643-1999's own samples, and the legacy upgrade example, as listed in REFERENCES.md.
    @Test("the standard's samples are valid", arguments: ["11010519491231002X", "440524188001010014"])
    func standardSamples(number: String) throws {
        let id = try ResidentID(number, today: testToday)
        #expect(id.unmasked == number)
    }

    @Test("birth date, sex and division are read from the number")
    func accessors() throws {
        let id = try ResidentID("11010519491231002X", today: testToday)
        #expect(id.birthDate == (try CalendarDate(iso8601: "1949-12-31")))
        #expect(id.sex == .female)
        #expect(id.addressCode == "110105")
        #expect(id.addressDivision?.province.name == "北京市")
        #expect(id.age(on: testToday) == 76)
        let male = try ResidentID("440524188001010014", today: testToday)
        #expect(male.sex == .male)
    }

    @Test("a 15-digit legacy number is upgraded (REFERENCES.md: 150102880730303 → 150102198807303035)")
    func legacyUpgrade() throws {
        let id = try ResidentID("150102880730303", today: testToday)
        #expect(id.unmasked == "150102198807303035")
        #expect(id.sex == .male)
    }

    @Test("lowercase x is normalized")
    func lowercaseX() throws {
        let id = try ResidentID("11010519491231002x", today: testToday)
        #expect(id.unmasked == "11010519491231002X")
        #expect(id == (try ResidentID("11010519491231002X", today: testToday)))
    }

    @Test("a retired address code stays valid (姜堰市 321284, retired 2012)")
    func retiredAddressCode() throws {
        let id = try ResidentID(
            addressCode: DivisionCode("321284"),
            birthDate: CalendarDate(iso8601: "1975-05-20"),
            sequence: 31,
            today: testToday
        )
        #expect(try ResidentID(id.unmasked, today: testToday).addressDivision?.retiredIn == 2012)
        // A pre-1996 Taizhou-area code under Yangzhou (3210xx), not in the bundled table, is still accepted.
        let old = try ResidentID(
            addressCode: DivisionCode("321023"),
            birthDate: CalendarDate(iso8601: "1960-01-01"),
            sequence: 2,
            today: testToday
        )
        #expect(try ResidentID(old.unmasked, today: testToday) == old)
    }

    @Test("residence permits and the foreign permanent-residence ID share the checksum")
    func permits() throws {
        for prefix in ["810000", "820000", "830000"] {
            let body = prefix + "19900101" + "123"
            let id = try ResidentID(body + String(checkCharacter(body)), today: testToday)
            #expect(id.birthDate.year == 1990)
        }
        // 9 + province 32 + nationality 840 + birth date + sequence.
        let foreign = "932840" + "19850612" + "001"
        let id = try ResidentID(foreign + String(checkCharacter(foreign)), today: testToday)
        #expect(id.addressDivision == nil)
        #expect(id.sex == .male)
    }

    @Test(
        "each rule names what is wrong",
        arguments: [
            ("1101051949123100", ResidentID.ValidationError.wrongLength(16)),
            ("1101051949A231002X", .invalidCharacter("A", position: 11)),
            ("11010519491231002Y", .invalidCharacter("Y", position: 18)),
            ("00010519491231002X", .invalidAddressCode("00")),
            ("110105194902300021", .invalidBirthDate("19490230")),
            ("110105179912310024", .birthDateTooEarly(CalendarDate(daysSinceEpoch: -62_092))),
            ("110105194912310021", .checkCharacterMismatch(expected: "X", found: "1")),
        ]
    )
    func invalid(number: String, error: ResidentID.ValidationError) {
        #expect(throws: error) { try ResidentID(number, today: testToday) }
    }

    @Test("a birth date after today is refused")
    func futureBirth() throws {
        let body = "321202" + "20261130" + "001"
        let number = body + String(checkCharacter(body))
        #expect(throws: ResidentID.ValidationError.birthDateInFuture(try CalendarDate(iso8601: "2026-11-30"))) {
            try ResidentID(number, today: testToday)
        }
        #expect(try ResidentID(number, today: CalendarDate(iso8601: "2026-11-30")).birthDate.day == 30)
    }

    @Test("printing never shows the full number")
    func masking() throws {
        let id = try ResidentID("11010519491231002X", today: testToday)
        #expect(id.masked == "1101**********002X")
        #expect("\(id)" == "1101**********002X")
        #expect(String(reflecting: id) == "1101**********002X")
        var dumped = ""
        dump(id, to: &dumped)
        #expect(!dumped.contains("11010519491231002X"))
        struct Holder { var id: ResidentID }
        #expect(!"\(Holder(id: id))".contains("19491231"))
    }

    @Test("Codable as the full canonical string; invalid strings fail to decode")
    func codable() throws {
        let id = try ResidentID("11010519491231002x", today: testToday)
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["11010519491231002X"]"#)
        #expect(try JSONDecoder().decode([ResidentID].self, from: data) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ResidentID].self, from: Data(#"["110105194912310021"]"#.utf8))
        }
    }

    // Property: every generated valid ID round-trips through its string and Codable forms.
    @Test("generated IDs round-trip (2,000 seeded cases)")
    func generatedRoundTrip() throws {
        var random = SeededRandomSource(seed: 11643)
        for _ in 0..<2_000 {
            let id = try randomResidentID(using: &random)
            let parsed = try ResidentID(id.unmasked, today: testToday)
            #expect(parsed == id)
            let decoded = try JSONDecoder().decode([ResidentID].self, from: JSONEncoder().encode([id]))
            #expect(decoded == [id])
        }
    }

    // Property: MOD 11-2 detects every single-character substitution. The weights are non-zero
    // mod 11 and 11 is prime, so changing one digit by δ (|δ| < 11) changes the sum by w·δ ≢ 0.
    @Test("every single-character substitution of a valid ID is rejected (200 IDs × 18 positions × 12 characters)")
    func substitutionsRejected() throws {
        var random = SeededRandomSource(seed: 7064)
        let replacements = Array("0123456789X") + ["A"]
        for _ in 0..<200 {
            let id = try randomResidentID(using: &random)
            let characters = Array(id.unmasked)
            for position in characters.indices {
                for replacement in replacements where replacement != characters[position] {
                    var changed = characters
                    changed[position] = replacement
                    #expect(throws: ResidentID.ValidationError.self) {
                        try ResidentID(String(changed), today: testToday)
                    }
                }
            }
        }
    }
}

/// The MOD 11-2 check character, computed independently of the SDK from REFERENCES.md's rule.
func checkCharacter(_ body: String) -> Character {
    let weights = (0..<17).map { i in (1 << (17 - i)) % 11 }
    let sum = zip(body, weights).reduce(0) { $0 + ($1.0.wholeNumberValue ?? 0) * $1.1 }
    return Array("10X98765432")[sum % 11]
}

/// A random valid ID with a Jiangsu address code and a birth date between 1920 and 2025.
func randomResidentID(using random: inout SeededRandomSource) throws -> ResidentID {
    let codes = ["321202", "321203", "321204", "321281", "321282", "321283", "320102", "320583", "321284"]
    let code = codes[Int(random.next() % UInt64(codes.count))]
    let day = Int(random.next() % 38_000) - 18_262  // 1920-01-01 … 2024-01-15
    return try ResidentID(
        addressCode: DivisionCode(code),
        birthDate: CalendarDate(daysSinceEpoch: day),
        sequence: Int(random.next() % 1000),
        today: testToday
    )
}
