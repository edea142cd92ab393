import SocietyJSON
import Testing

/// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text (the finite rows).
let appendixB: [(bits: UInt64, text: String)] = [
    (0x0000_0000_0000_0000, "0"),
    (0x8000_0000_0000_0000, "0"),
    (0x0000_0000_0000_0001, "5e-324"),
    (0x8000_0000_0000_0001, "-5e-324"),
    (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
    (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
    (0x4340_0000_0000_0000, "9007199254740992"),
    (0xC340_0000_0000_0000, "-9007199254740992"),
    (0x4430_0000_0000_0000, "295147905179352830000"),
    (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
    (0x44B5_2D02_C7E1_4AF6, "1e+23"),
    (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
    (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
    (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
    (0x444B_1AE4_D6E2_EF50, "1e+21"),
    (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
    (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
    (0x41B3_DE43_5555_5553, "333333333.3333332"),
    (0x41B3_DE43_5555_5554, "333333333.33333325"),
    (0x41B3_DE43_5555_5555, "333333333.3333333"),
    (0x41B3_DE43_5555_5556, "333333333.3333334"),
    (0x41B3_DE43_5555_5557, "333333333.33333343"),
    (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
    (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
]

/// Number texts as they appear in documents, and the canonical text each must become.
let numberEdgeCases: [(input: String, canonical: String)] = [
    ("1e21", "1e+21"),
    ("1e20", "100000000000000000000"),
    ("123456789012345678901", "123456789012345680000"),
    ("1e-7", "1e-7"),
    ("1e-6", "0.000001"),
    ("0.0000012345", "0.0000012345"),
    ("1.2345e-7", "1.2345e-7"),
    ("-0", "0"),
    ("-0.0", "0"),
    ("-0e10", "0"),
    ("0e-999999", "0"),
    ("9007199254740993", "9007199254740992"),  // 2^53 + 1 rounds to even, 2^53.
    ("9007199254740995", "9007199254740996"),
    ("18446744073709551616", "18446744073709552000"),  // 2^64
    ("5e-324", "5e-324"),
    ("2.4703282292062328e-324", "5e-324"),  // Just above half the smallest subnormal.
    ("1e-400", "0"),  // Underflow to zero is allowed; overflow is not.
    ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ("4.50", "4.5"),
    ("100", "100"),
    ("1E2", "100"),
    ("1e+2", "100"),
    ("-1.5", "-1.5"),
    ("0.1", "0.1"),
    ("0.30000000000000004", "0.30000000000000004"),
    ("123.456e3", "123456"),
    ("0.000123456789012345678901234567890", "0.00012345678901234567"),
    ("1000000000000000000000000000000000000000000", "1e+42"),
    ("0.00000000000000000000000000000000000000001", "1e-41"),
    ("-1e-7", "-1e-7"),
    ("12345678901234567890", "12345678901234567000"),
]

@Suite("ECMAScript number formatting")
struct NumberFormattingTests {
    @Test("RFC 8785 Appendix B", arguments: appendixB)
    func appendix(_ bits: UInt64, _ text: String) throws {
        let value = JSONValue.number(Double(bitPattern: bits))
        #expect(try value.canonicalString() == text)
        // The text parses back to the same double (or to zero for -0).
        let reparsed = try JSONValue(parsing: text).doubleValue
        #expect(reparsed == Double(bitPattern: bits))
    }

    @Test("Edge cases from documents", arguments: numberEdgeCases)
    func edgeCase(_ input: String, _ canonical: String) throws {
        #expect(try String(decoding: JSONValue.canonicalize(input.utf8), as: UTF8.self) == canonical)
    }

    @Test("1,222 sampled doubles agree with V8's Number::toString")
    func sampleAgreesWithECMAScript() throws {
        var checked = 0
        for line in ecmaScriptNumberSample.split(separator: "\n") {
            let fields = line.split(separator: " ")
            let bits = try #require(UInt64(fields[0], radix: 16))
            let expected = String(fields[1])
            let double = Double(bitPattern: bits)
            #expect(try JSONValue.number(double).canonicalString() == expected, "bits \(fields[0])")
            // Parsing the expected text gives the same double back: the digits round-trip.
            #expect(try JSONValue(parsing: expected).doubleValue == double, "bits \(fields[0])")
            checked += 1
        }
        #expect(checked == 1222)
    }

    @Test("Integers written exactly up to 2^53")
    func integers() throws {
        for exponent in 0...53 {
            let value = (1 as UInt64) << exponent
            #expect(try JSONValue.number(Double(value)).canonicalString() == String(value))
            #expect(try JSONValue.number(-Double(value - 1)).canonicalString() == (value == 1 ? "0" : "-\(value - 1)"))
        }
    }

    @Test("Non-finite numbers have no canonical form", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(_ number: Double) {
        func pointer(of value: JSONValue) -> String? {
            do {
                _ = try value.canonicalBytes()
                return nil
            } catch {
                #expect(error.value.isNaN == number.isNaN)
                return error.pointer
            }
        }
        #expect(pointer(of: .number(number)) == "")
        #expect(pointer(of: ["a": [1, .number(number)], "b": "x"]) == "/a/1")
        #expect(pointer(of: ["b/~c": [.number(number)]]) == "/b~1~0c/0")
        #expect(throws: JSONCanonicalizationError.self) { try JSONValue.number(number).canonicalString() }
    }
}
