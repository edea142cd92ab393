import Foundation
import SocietyCore
import Testing

@Suite("CreditCode (GB 32100-2015)")
struct CreditCodeTests {
    // Valid examples from REFERENCES.md (checked against GB 32100 and GB 11714), plus the issue's
    // party example for the Taizhou civil-affairs bureau.
    @Test(
        "published examples are valid",
        arguments: ["91110000600037341L", "91310110666007217T", "91320214745555318W", "113212000142871106"]
    )
    func valid(code: String) throws {
        #expect(try CreditCode(code).value == code)
    }

    @Test("accessors read authority, type, division and organization code")
    func accessors() throws {
        let code = try CreditCode("91320214745555318W")
        #expect(code.registrationAuthority == .marketRegulation)
        #expect(code.organizationType == .enterprise)
        #expect(code.division?.code == "320214")
        #expect(code.division?.name == "新吴区")
        #expect(code.organizationCode == "745555318")
        let bureau = try CreditCode("113212000142871106")
        #expect(bureau.registrationAuthority == .institutionalOrganization)
        #expect(bureau.organizationType == .governmentBody)
        #expect(bureau.division == DivisionCode.taizhou)
    }

    @Test(
        "each rule names what is wrong",
        arguments: [
            ("91110000600037341", CreditCode.ValidationError.wrongLength(17)),
            ("91110000600037341I", .invalidCharacter("I", position: 18)),
            ("9111000O600037341L", .invalidCharacter("O", position: 8)),
            ("911100006000373418", .checkCharacterMismatch(expected: "L", found: "8")),
            ("91110000600037342L", .organizationCodeCheckMismatch(expected: "1", found: "2")),
            ("91AB0000600037341L", .invalidDivision("AB0000")),
        ]
    )
    func invalid(code: String, error: CreditCode.ValidationError) {
        #expect(throws: error) { try CreditCode(code) }
    }

    @Test("lower case is accepted and normalized")
    func lowercase() throws {
        #expect(try CreditCode("91110000600037341l").value == "91110000600037341L")
    }

    // Property: weights 3^i mod 31 are non-zero mod the prime 31 and character values differ by
    // less than 31, so MOD 31 detects every single substitution within the alphabet; characters
    // outside the alphabet are refused outright.
    @Test("every single-character substitution of a valid code is rejected (200 codes × 18 positions × 33 characters)")
    func substitutionsRejected() throws {
        var random = SeededRandomSource(seed: 32100)
        let replacements = Array("0123456789ABCDEFGHJKLMNPQRTUWXY") + ["I", "O"]
        for _ in 0..<200 {
            let code = try randomCreditCode(using: &random)
            let characters = Array(code.value)
            for position in characters.indices {
                for replacement in replacements where replacement != characters[position] {
                    var changed = characters
                    changed[position] = replacement
                    #expect(throws: CreditCode.ValidationError.self) { try CreditCode(String(changed)) }
                }
            }
        }
    }

    @Test("generated codes round-trip through text and Codable")
    func roundTrip() throws {
        var random = SeededRandomSource(seed: 11714)
        for _ in 0..<500 {
            let code = try randomCreditCode(using: &random)
            #expect(try CreditCode(code.value) == code)
            #expect(try JSONDecoder().decode([CreditCode].self, from: JSONEncoder().encode([code])) == [code])
        }
    }
}

func randomCreditCode(using random: inout SeededRandomSource) throws -> CreditCode {
    let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    let authorities: [RegistrationAuthority] = [.institutionalOrganization, .civilAffairs, .marketRegulation]
    let authority = authorities[Int(random.next() % 3)]
    let divisions = ["321200", "321202", "321281", "320100", "320583"]
    let body = String((0..<8).map { _ in alphabet[Int(random.next() % 31)] })
    return try CreditCode(
        authority: authority,
        type: Character(String(1 + random.next() % 3)),
        division: DivisionCode(divisions[Int(random.next() % 5)]),
        organizationBody: body
    )
}
