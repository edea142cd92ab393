import SocietyCore
import Testing

/// `ResidentID.init` checks the common form (18 ASCII digits, X last) over UTF-8 bytes and
/// everything else character by character; both must report the same errors at the same
/// positions, counted in characters.
@Suite("ResidentID byte path")
struct ResidentIDBytePathTests {
    @Test(
        "text outside the common form still names the character and its position",
        arguments: [
            // A full-width digit is 3 UTF-8 bytes but one character: position 5, not 5–7.
            ("1101０519491231002X", ResidentID.ValidationError.invalidCharacter("０", position: 5)),
            // A combining accent joins the digit before it into one character.
            ("11010519491231002\u{301}X", .invalidCharacter("2\u{301}", position: 17)),
            ("1101051949123100\u{301}2X", .invalidCharacter("0\u{301}", position: 16)),
            // CR LF is one character in Swift.
            ("1101051949123100\r\n2", .invalidCharacter("\r\n", position: 17)),
            ("11010519491231002x ", .wrongLength(19)),
            ("11010519491231002ｘ", .invalidCharacter("ｘ", position: 18)),
        ]
    )
    func outsideCommonForm(number: String, error: ResidentID.ValidationError) {
        #expect(throws: error) { try ResidentID(number, today: testToday) }
    }

    @Test("every rule of the common form, in the order the rules are checked")
    func ruleOrder() {
        // Wrong address code and impossible date: the address code is reported first.
        #expect(throws: ResidentID.ValidationError.invalidAddressCode("00")) {
            try ResidentID("000105194902300021", today: testToday)
        }
        // Impossible date and wrong check character: the date is reported first.
        #expect(throws: ResidentID.ValidationError.invalidBirthDate("19490230")) {
            try ResidentID("11010519490230002X", today: testToday)
        }
        // A year 0000 is not a date.
        #expect(throws: ResidentID.ValidationError.invalidBirthDate("00000101")) {
            try ResidentID("110105000001010021", today: testToday)
        }
        // The foreign permanent-residence ID checks digits 2–3 as the province.
        #expect(throws: ResidentID.ValidationError.invalidAddressCode("90")) {
            try ResidentID("900840198506120010", today: testToday)
        }
    }

    @Test("lowercase x is normalized on the byte path and the text is kept otherwise")
    func normalization() throws {
        #expect(try ResidentID("11010519491231002x", today: testToday).unmasked == "11010519491231002X")
        #expect(try ResidentID("440524188001010014", today: testToday).unmasked == "440524188001010014")
        #expect(throws: ResidentID.ValidationError.checkCharacterMismatch(expected: "X", found: "1")) {
            try ResidentID("110105194912310021", today: testToday)
        }
        #expect(throws: ResidentID.ValidationError.checkCharacterMismatch(expected: "4", found: "X")) {
            try ResidentID("44052418800101001x", today: testToday)
        }
    }
}
