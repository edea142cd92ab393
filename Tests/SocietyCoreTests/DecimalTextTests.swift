import SocietyCore
import Testing

/// The printf-free decimal text: what `%0Nd`, `%.Nf` and `%+.Nf` print for the same values (the
/// expected strings are what glibc's printf prints for them).
@Suite("DecimalText")
struct DecimalTextTests {
    @Test(
        "zero-padded integers",
        arguments: [
            (7, 3, "007"), (0, 4, "0000"), (1361, 4, "1361"), (12345, 3, "12345"), (-42, 5, "-00042"), (5, 0, "5"),
        ]
    )
    func padded(value: Int, width: Int, expected: String) {
        #expect(DecimalText.padded(value, width: width) == expected)
    }

    @Test("other integer types")
    func integerTypes() {
        #expect(DecimalText.padded(UInt8(9), width: 2) == "09")
        #expect(DecimalText.padded(Int64.min, width: 1) == "-9223372036854775808")
        #expect(DecimalText.padded(UInt64.max, width: 22) == "0018446744073709551615")
    }

    @Test(
        "fixed-point numbers",
        arguments: [
            (5.4976, 2, false, "5.50"), (5.4976, 4, false, "5.4976"), (0.0, 2, false, "0.00"), (2.25, 1, false, "2.3"),
            (-1.25, 1, false, "-1.3"), (-0.04, 1, false, "0.0"), (3.0, 0, false, "3"), (1.5, 1, true, "+1.5"),
            (-1.5, 1, true, "-1.5"), (0.0, 1, true, "+0.0"), (100.0 / 3.0, 6, false, "33.333333"),
        ]
    )
    func fixed(value: Double, decimals: Int, sign: Bool, expected: String) {
        #expect(DecimalText.fixed(value, decimals: decimals, sign: sign) == expected)
    }

    @Test("values too large or not finite print as Swift describes them")
    func outOfRange() {
        #expect(DecimalText.fixed(.infinity, decimals: 2) == "inf")
        #expect(DecimalText.fixed(-.infinity, decimals: 2) == "-inf")
        #expect(DecimalText.fixed(.nan, decimals: 2) == "nan")
        #expect(DecimalText.fixed(1e300, decimals: 2) == "1e+300")
    }
}
