import SocietyCore
import SocietyHousing
import Testing

@Suite("Unit and certificate numbers")
struct UnitNumberTests {
    @Test("the 28-character unit number: DOMAINS.md's example and a Taizhou unit read back their parts")
    func valid() throws {
        let example = try UnitNumber("320684413219GB00029F00010002")
        #expect(example.county.code == "320684")
        #expect(example.parcel == "320684413219GB00029")
        #expect(example.isStateOwnedLand)
        #expect(example.fixture == "F")
        let taizhou = try UnitNumber("321202001001JC00007W00000000")
        #expect(!taizhou.isStateOwnedLand)
        #expect(taizhou.fixture == "W")
    }

    @Test(
        "malformed unit numbers are refused with the reason",
        arguments: [
            ("320684413219GB00029F0001000", UnitNumber.ValidationError.length(27)),
            ("320684413219XB00029F00010002", .character(position: 13)),
            ("320684413219GZ00029F00010002", .character(position: 14)),
            ("320684413219GB00029Z00010002", .character(position: 20)),
            ("32068441321AGB00029F00010002", .character(position: 12)),
            ("999999413219GB00029F00010002", .county("999999")),
            ("321200413219GB00029F00010002", .county("321200")),
        ]
    )
    func invalid(text: String, error: UnitNumber.ValidationError) {
        #expect(throws: error) { try UnitNumber(text) }
    }

    @Test("certificate numbers parse into their parts and print back the same")
    func certificates() throws {
        let number = try CertificateNumber("苏(2017)海门市不动产权第0000183号")
        #expect(number.province == "苏")
        #expect(number.year == 2017)
        #expect(number.place == "海门市")
        #expect(number.kind == .right)
        #expect(number.sequence == 183)
        #expect(number.description == "苏(2017)海门市不动产权第0000183号")
        let certification = try CertificateNumber("苏（2026）泰州市不动产证明第0000042号")
        #expect(certification.kind == .certification)
        #expect(certification.description == "苏(2026)泰州市不动产证明第0000042号")
        for bad in [
            "X(2017)海门市不动产权第0000183号", "苏(17)海门市不动产权第0000183号", "苏(2017)海门市不动产权第000183号",
            "苏(2017)海门市不动产权第0000183", "苏(2017)海门不动产权第0000183号", "苏(2017)海门市房产证第0000183号",
        ] {
            #expect(throws: HousingError.self, "\(bad)") { try CertificateNumber(bad) }
        }
    }
}

@Suite("Unit and certificate numbers under random input")
struct NumberFuzzTests {
    @Test("20,000 mutated unit numbers: none crashes, and every one accepted still fits the form")
    func unitNumbers() {
        var random = SeededRandomSource(seed: 28)
        let alphabet = Array("0123456789GJABCDEFHSXWYLQZ苏号 -")
        let valid = Array("321202001001GB00001F00010001")
        for _ in 0..<20_000 {
            let text = Self.mutate(valid, edits: 4, from: alphabet, &random)
            if let unit = try? UnitNumber(text) {
                #expect(unit.value.utf8.count == 28)
                #expect(unit.value.wholeMatch(of: /\d{12}[GJ][ABCDEFGHSXWY]\d{5}[WFLQ]\d{8}/) != nil, "\(text)")
                #expect(unit.county.level == .county)
            }
        }
    }

    @Test("20,000 mutated certificate numbers: none crashes, and every one accepted prints back the same")
    func certificateNumbers() throws {
        var random = SeededRandomSource(seed: 2017)
        let alphabet = Array("0123456789苏浙京()（）海门市县区不动产权证明第号X ")
        let valid = Array("苏(2017)海门市不动产权第0000183号")
        for _ in 0..<20_000 {
            let text = Self.mutate(valid, edits: 3, from: alphabet, &random)
            if let number = try? CertificateNumber(text) {
                let normalised = text.replacingOccurrences(of: "（", with: "(").replacingOccurrences(of: "）", with: ")")
                #expect(number.description == normalised, "\(text)")
                #expect(try CertificateNumber(number.description) == number)
            }
        }
    }

    /// `valid` with one to `edits` random edits: a character replaced, removed or inserted from
    /// `alphabet`.
    static func mutate(
        _ valid: [Character],
        edits: Int,
        from alphabet: [Character],
        _ random: inout SeededRandomSource
    )
        -> String
    {
        var characters = valid
        for _ in 0...(Int(random.next() % UInt64(edits))) {
            let position = Int(random.next() % UInt64(characters.count + 1))
            switch random.next() % 3 {
            case 0 where position < characters.count:
                characters[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            case 1 where position < characters.count: characters.remove(at: position)
            default: characters.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
            }
        }
        return String(characters)
    }
}
