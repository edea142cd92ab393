import Foundation
import Testing

@testable import SocietyJSON

/// The one-pass paths that envelopes use must agree exactly with the general ones: the canonical
/// check in the parser with "parse, serialize again and compare", the member-by-member writer with
/// serializing a ``JSONObject``, and the word-at-a-time string scans with the byte-by-byte rules.
@Suite("Canonical fast paths")
struct CanonicalFastPathTests {
    /// What `parseCanonical` must answer: the value when the input is its own canonical form.
    static func reference(_ input: [UInt8]) -> JSONValue? {
        guard let value = try? JSONParser().parse(input), (try? value.canonicalBytes()) == input else { return nil }
        return value
    }

    static func fast(_ input: [UInt8]) -> JSONValue? {
        input.withUnsafeBufferPointer { JSONParser().parseCanonical($0) }
    }

    static func expectAgreement(_ input: [UInt8], _ comment: String = "") {
        let expected = reference(input)
        let found = fast(input)
        #expect(found == expected, "\(comment) \(String(decoding: input, as: UTF8.self).debugDescription)")
    }

    /// Inputs that are canonical, and near misses that differ from their canonical form in one way.
    static let handWritten: [String] = [
        #"{}"#, #"[]"#, #"0"#, #"-0"#, #"1"#, #"-1"#, #"1.5"#, #"1.50"#, #"1e3"#, #"1000"#, #"1E3"#,
        #"1e+21"#, #"1e21"#, #"1000000000000000000000"#, #"100000000000000000000"#, #"1e-7"#, #"1e-07"#,
        #"0.000001"#, #"1e-6"#, #"9007199254740992"#, #"9007199254740993"#, #"123456789012345"#,
        #"1234567890123456"#, #"-123456789012345"#, #"5e-324"#, #"4.9e-324"#, #"1.7976931348623157e+308"#,
        #"0.1"#, #".1"#, #"01"#, #"1."#, #"true"#, #"false"#, #"null"#, #" null"#, #"null "#, "null\n",
        #""""#, #""a""#, #""\"""#, #""\\""#, #""\/""#, #""/""#, #""\b\f\n\r\t""#, #""\u0008""#,
        #""\u000a""#, #""\u001f""#, #""\u001F""#, #""\u0000""#, #""\u0001""#, #""\u0020""#, #""\u007f""#,
        #""\u00e9""#, #""é""#, #""\ud83d\ude00""#, #""😀""#, #""\uD83D\uDE00""#, #""\u2028""#, "\"\u{2028}\"",
        #"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#, #"{"a":1, "b":2}"#, #"{ "a":1}"#, #"{"a" :1}"#, #"{"a": 1}"#,
        #"{"a":1,"a":2}"#, #"[1,2]"#, #"[1, 2]"#, #"[ 1]"#, #"[1 ]"#, #"[[],{}]"#,
        #"{"\u0061":1}"#, #"{"a":{"c":[1,{"e":null}],"b":true}}"#, #"{"a":{"b":true,"c":[1,{"e":null}]}}"#,
        "{\"\u{E000}\":1,\"😀\":2}", "{\"😀\":2,\"\u{E000}\":1}", #"{"10":1,"1":2}"#, #"{"1":2,"10":1}"#,
        #""unterminated"#, #"{"a":1"#, #"[1,]"#, #"nul"#, "\"\u{01}\"", #"{"a":1}x"#,
    ]

    @Test("Hand-written inputs: the one-pass check agrees with serializing again")
    func handWrittenInputs() {
        for text in Self.handWritten { Self.expectAgreement(Array(text.utf8)) }
        #expect(Self.fast(Array(#"{"a":1,"b":[true,null,"x"]}"#.utf8)) != nil)
        #expect(Self.fast(Array(#"{"b":1,"a":2}"#.utf8)) == nil)
    }

    @Test("Invalid UTF-8 anywhere in a string is refused, by both parsers, at the same offset")
    func invalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xF0, 0x9F, 0x98, 0x22],  // a four-byte sequence cut short by the quote
            [0x22, 0x61, 0xE4, 0xB8, 0x22],
            [0x22, 0xC0, 0xAF, 0x22],  // overlong
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0x80, 0x22],
            [0x22] + Array("abcdefghijklmnop".utf8) + [0xFF] + Array("qrstuvwxyz".utf8) + [0x22],
            [0x22, 0xE4, 0xB8, 0x01, 0x22],  // a control byte inside a cut-short sequence
        ]
        for bytes in cases {
            #expect(Self.fast(bytes) == nil)
            #expect(throws: JSONParseError.self) { try JSONParser().parse(bytes) }
            do {
                _ = try JSONParser().parse(bytes)
            } catch {
                #expect(error.kind == .invalidUTF8, "\(bytes)")
            }
        }
    }

    @Test("Strings of every length and position of a special byte scan the same word by word")
    func stringScanAlignment() throws {
        let specials: [UInt8] = [0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, 0x20, 0x22, 0x2F, 0x5C, 0x7F, 0xC3]
        for length in 0..<20 {
            for position in 0..<max(1, length) {
                for special in specials {
                    var content = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    if length > 0 { content[position] = special }
                    if special == 0xC3, length > 0 {
                        // A two-byte character (é) needs its second byte.
                        if position + 1 < length { content[position + 1] = 0xA9 } else { content[position] = 0x41 }
                    }
                    let text = String(decoding: content, as: UTF8.self)
                    let value = JSONValue.string(text)
                    let canonical = try value.canonicalBytes()
                    #expect(canonical == Self.naiveCanonical(content), "\(content)")
                    #expect(try JSONParser().parse(canonical) == value)
                    Self.expectAgreement(canonical)
                    // The unescaped form is JSON only without control characters, quotes, backslashes.
                    Self.expectAgreement([0x22] + content + [0x22])
                }
            }
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// RFC 8785 §3.2.2.2 escaping, one byte at a time.
    static func naiveCanonical(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x22]
        for byte in bytes {
            switch byte {
            case 0x22: output += Array(#"\""#.utf8)
            case 0x5C: output += Array(#"\\"#.utf8)
            case 0x08: output += Array(#"\b"#.utf8)
            case 0x0C: output += Array(#"\f"#.utf8)
            case 0x0A: output += Array(#"\n"#.utf8)
            case 0x0D: output += Array(#"\r"#.utf8)
            case 0x09: output += Array(#"\t"#.utf8)
            case 0..<0x20: output += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: output.append(byte)
            }
        }
        return output + [0x22]
    }

    @Test("The fuzz corpus and single-byte changes of canonical texts: the one-pass check agrees")
    func corpusAndMutations() throws {
        var random = SystemRandomNumberGenerator()
        var canonicalSeen = 0
        for file in FuzzCorpusReplayTests.corpusFiles() {
            let bytes = [UInt8](try Data(contentsOf: file))
            Self.expectAgreement(bytes, file.lastPathComponent)
            guard let canonical = try? JSONValue.canonicalize(bytes), canonical.count < 4096 else { continue }
            canonicalSeen += 1
            Self.expectAgreement(canonical, file.lastPathComponent)
            let alphabet =
                Array(#" "\/{}[],:.-+eE0123456789abfnrtu"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xEF, 0xBF]
            for _ in 0..<40 {
                var mutated = canonical
                let position = Int.random(in: 0...mutated.count, using: &random)
                let byte = alphabet.randomElement(using: &random) ?? 0x20
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where position < mutated.count: mutated[position] = byte
                case 1 where position < mutated.count: mutated.remove(at: position)
                default: mutated.insert(byte, at: position)
                }
                Self.expectAgreement(mutated, file.lastPathComponent)
            }
        }
        #expect(canonicalSeen > 20)
    }

    @Test("Random numbers: canonical exactly when printed as ECMAScript prints them")
    func numbers() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            let canonical = try JSONValue.number(value).canonicalBytes()
            Self.expectAgreement(canonical)
            Self.expectAgreement(Array(String(value).utf8))
            Self.expectAgreement(Array("\(Int64.random(in: -999_999_999_999_999_999...999_999_999_999_999_999))".utf8))
        }
    }

    @Test("The member-by-member writer writes what serializing the object writes")
    func objectWriter() throws {
        let data: JSONValue = ["note": "泰州 \"quoted\" \\ \u{01}\n", "n": 1.5, "list": [1, "two", nil, true]]
        var writer = CanonicalObjectWriter(capacity: 4)
        writer.add("aud", string: "a\u{2028}b")
        try writer.add("data", value: data)
        try writer.add("exp", number: 1_780_000_300)
        try writer.add("iat", number: -0.0)
        writer.add("z", string: "😀")
        let written = writer.finish { Array($0) }
        let object: JSONValue = ["aud": "a\u{2028}b", "data": data, "exp": 1_780_000_300, "iat": -0.0, "z": "😀"]
        #expect(written == (try object.canonicalBytes()))

        var failing = CanonicalObjectWriter()
        #expect(throws: JSONCanonicalizationError(value: .infinity, pointer: "/data/x/1")) {
            try failing.add("data", value: ["x": [1, .number(.infinity)]])
        }
        do {
            try failing.add("exp", number: .nan)
            Issue.record("NaN was written")
        } catch {
            #expect(error.pointer == "/exp" && error.value.isNaN)
        }
    }
}
