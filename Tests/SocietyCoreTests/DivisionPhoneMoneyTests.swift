import Foundation
import SocietyCore
import Testing

@Suite("DivisionCode (GB/T 2260)")
struct DivisionCodeTests {
    // Taizhou's units as listed in REFERENCES.md.
    @Test(
        "Taizhou's county-level units, with names and parent chain",
        arguments: [
            ("321202", "海陵区"), ("321203", "高港区"), ("321204", "姜堰区"), ("321281", "兴化市"),
            ("321282", "靖江市"), ("321283", "泰兴市"),
        ]
    )
    func taizhou(code: String, name: String) throws {
        let division = try DivisionCode(code)
        #expect(division.name == name)
        #expect(division.level == .county)
        #expect(division.chain.map(\.code) == [code, "321200", "320000"])
        #expect(division.chain.compactMap(\.name) == [name, "泰州市", "江苏省"])
        #expect(DivisionCode.taizhou.contains(division))
        #expect(division.isCurrent)
    }

    @Test("Taizhou has exactly its six current units")
    func children() {
        #expect(
            DivisionCode.taizhou.currentChildren.map(\.code) == [
                "321202", "321203", "321204", "321281", "321282", "321283",
            ]
        )
    }

    @Test("retired 姜堰市 keeps its name and says when it was retired")
    func retired() throws {
        let jiangyan = try DivisionCode("321284")
        #expect(jiangyan.name == "姜堰市")
        #expect(jiangyan.retiredIn == 2012)
        #expect(!jiangyan.isCurrent)
    }

    @Test("all 34 province-level units are named")
    func provinces() throws {
        let codes = [
            11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
            62, 63, 64, 65, 71, 81, 82,
        ]
        #expect(codes.count == 34)
        for code in codes {
            let province = try DivisionCode(code * 10_000)
            #expect(province.level == .province)
            #expect(province.name != nil)
            #expect(province.parent == nil)
        }
    }

    @Test("a code outside the table validates by shape and climbs to its province")
    func outsideTable() throws {
        let chaoyang = try DivisionCode("110105")
        #expect(chaoyang.name == nil)
        #expect(chaoyang.parent?.name == "北京市")
        #expect(chaoyang.level == .county)
    }

    @Test(
        "invalid codes name the rule",
        arguments: [
            ("32120", DivisionCode.ValidationError.wrongLength(5)),
            ("32120A", .invalidCharacter("A", position: 6)),
            ("991200", .unknownProvince("99")),
            ("320012", .invalidShape("320012")),
        ]
    )
    func invalid(text: String, error: DivisionCode.ValidationError) {
        #expect(throws: error) { try DivisionCode(text) }
    }
}

@Suite("PhoneNumber")
struct PhoneNumberTests {
    @Test(
        "valid numbers, normalized to digits and masked 3+4",
        arguments: [
            ("13812345678", "13812345678", "138****5678", PhoneNumber.Kind.mobile),
            ("+86 138 1234 5678", "13812345678", "138****5678", .mobile),
            ("0523-86123456", "052386123456", "052*****3456", .landline),
            ("010 62345678", "01062345678", "010****5678", .landline),
            ("025-8765432", "0258765432", "025***5432", .landline),
        ]
    )
    func valid(text: String, digits: String, masked: String, kind: PhoneNumber.Kind) throws {
        let phone = try PhoneNumber(text)
        #expect(phone.unmasked == digits)
        #expect(phone.masked == masked)
        #expect("\(phone)" == masked)
        #expect(phone.kind == kind)
    }

    @Test(
        "invalid numbers",
        arguments: [
            ("12812345678", PhoneNumber.ValidationError.invalidMobile(digitCount: 11)),
            ("1381234567", .invalidMobile(digitCount: 10)),
            ("0523-0612345", .invalidLandline),
            ("0523-861234567", .invalidLandline),
            ("138a2345678", .invalidCharacter("a", position: 4)),
            ("23812345678", .unrecognized),
        ]
    )
    func invalid(text: String, error: PhoneNumber.ValidationError) {
        #expect(throws: error) { try PhoneNumber(text) }
    }
}

@Suite("Money")
struct MoneyTests {
    @Test(
        "parses yuan text without floating point",
        arguments: [
            ("1234.5", Int64(123_450)), ("-0.07", -7), ("15,000.00", 1_500_000), ("0", 0), ("0.1", 10),
        ]
    )
    func parse(text: String, fen: Int64) throws {
        #expect(try Money(yuanText: text).fen == fen)
    }

    @Test("refuses malformed text", arguments: ["", "1.234", "1.", ".5", "1e3", "--1", "¥5"])
    func malformed(text: String) {
        #expect(throws: Money.Error.malformed(text)) { try Money(yuanText: text) }
    }

    @Test("formats")
    func formatting() {
        #expect(Money(fen: 123_450).yuanText == "1234.50")
        #expect(Money(fen: -7).yuanText == "-0.07")
        #expect(Money(fen: 123_456_789).formatted == "¥1,234,567.89")
        #expect(Money(fen: -100_000).description == "-¥1,000.00")
        #expect(Money(fen: Int64.min).yuanText == "-92233720368547758.08")
    }

    @Test("overflow is reported, never wrapped")
    func overflow() throws {
        let big = Money(fen: .max)
        #expect(throws: Money.Error.overflow) { try big.adding(Money(fen: 1)) }
        #expect(throws: Money.Error.overflow) { try Money(fen: .min).subtracting(Money(fen: 1)) }
        #expect(throws: Money.Error.overflow) { try big.multiplied(by: 2) }
        #expect(throws: Money.Error.overflow) { try Money(yuanText: "92233720368547758.08") }
        #expect(throws: Money.Error.overflow) { try Money.sum([big, big]) }
        #expect(try Money.sum([Money(fen: 1), Money(fen: 2)]).fen == 3)
    }

    @Test(
        "division rounds half away from zero",
        arguments: [
            (Int64(10), Int64(3), Int64(3)), (11, 2, 6), (-11, 2, -6), (10, 4, 3), (-10, 4, -3), (1, 3, 0), (2, 3, 1),
            (5, -2, -3),
        ]
    )
    func division(fen: Int64, divisor: Int64, result: Int64) throws {
        #expect(try Money(fen: fen).divided(by: divisor).fen == result)
    }

    @Test("scaling by a fraction keeps precision and reports overflow")
    func scaling() throws {
        // 1.5 × a dibao line of 960.00 yuan.
        #expect(try Money(fen: 96_000).scaled(by: 3, over: 2).fen == 144_000)
        #expect(try Money(fen: .max).scaled(by: 2, over: 2).fen == .max)
        #expect(throws: Money.Error.overflow) { try Money(fen: .max).scaled(by: 3, over: 2) }
        #expect(throws: Money.Error.divisionByZero) { try Money(fen: 1).divided(by: 0) }
    }

    @Test("Codable as integer fen")
    func codable() throws {
        let data = try JSONEncoder().encode([Money(fen: 12_345)])
        #expect(String(decoding: data, as: UTF8.self) == "[12345]")
    }
}
