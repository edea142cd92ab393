import SocietyJSON
import Testing

/// A rejected input and the error (kind and byte offset) it must produce.
struct RejectedInput: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var kind: JSONParseError.Kind
    var offset: Int
    var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription }

    init(_ text: String, _ kind: JSONParseError.Kind, at offset: Int) {
        self.init(bytes: Array(text.utf8), kind, at: offset)
    }

    init(bytes: [UInt8], _ kind: JSONParseError.Kind, at offset: Int) {
        self.bytes = bytes
        self.kind = kind
        self.offset = offset
    }
}

let rejectedInputs: [RejectedInput] = [
    // Duplicate keys, including ones that only collide after escapes are decoded.
    RejectedInput(#"{"a":1,"a":2}"#, .duplicateKey("a"), at: 7),
    RejectedInput(#"{"b":1,"a":2,"b":3}"#, .duplicateKey("b"), at: 13),
    RejectedInput(#"{"a":1,"\u0061":2}"#, .duplicateKey("a"), at: 7),
    RejectedInput(#"{"c":1,"b":2,"a":3,"b":4,"c":5}"#, .duplicateKey("b"), at: 19),
    RejectedInput(#"[{"x":{"y":1,"y":2}}]"#, .duplicateKey("y"), at: 13),
    // Lone surrogates.
    RejectedInput(#""\uD800""#, .loneSurrogate, at: 1),
    RejectedInput(#""\udc00""#, .loneSurrogate, at: 1),
    RejectedInput(#""ab\uD83D\u0041""#, .loneSurrogate, at: 3),
    RejectedInput(#""\uD83Dx""#, .loneSurrogate, at: 1),
    RejectedInput(#""\uD83D\uD83D""#, .loneSurrogate, at: 1),
    // Trailing data.
    RejectedInput("[1] x", .trailingGarbage, at: 4),
    RejectedInput("1 2", .trailingGarbage, at: 2),
    RejectedInput("{}}", .trailingGarbage, at: 2),
    RejectedInput("null\u{0}", .trailingGarbage, at: 4),
    // Structure.
    RejectedInput("", .unexpectedEnd, at: 0),
    RejectedInput("   ", .unexpectedEnd, at: 3),
    RejectedInput("[", .unexpectedEnd, at: 1),
    RejectedInput("[1,", .unexpectedEnd, at: 3),
    RejectedInput(#"{"a":"#, .unexpectedEnd, at: 5),
    RejectedInput("tru", .unexpectedEnd, at: 3),
    RejectedInput("nul1", .unexpectedCharacter(UInt8(ascii: "1")), at: 3),
    RejectedInput("[1,]", .unexpectedCharacter(UInt8(ascii: "]")), at: 3),
    RejectedInput("[1 2]", .unexpectedCharacter(UInt8(ascii: "2")), at: 3),
    RejectedInput(#"{"a" 1}"#, .unexpectedCharacter(UInt8(ascii: "1")), at: 5),
    RejectedInput(#"{"a":1,}"#, .unexpectedCharacter(UInt8(ascii: "}")), at: 7),
    RejectedInput("{a:1}", .unexpectedCharacter(UInt8(ascii: "a")), at: 1),
    RejectedInput("'a'", .unexpectedCharacter(UInt8(ascii: "'")), at: 0),
    RejectedInput("NaN", .unexpectedCharacter(UInt8(ascii: "N")), at: 0),
    RejectedInput(".5", .unexpectedCharacter(UInt8(ascii: ".")), at: 0),
    RejectedInput("+1", .unexpectedCharacter(UInt8(ascii: "+")), at: 0),
    RejectedInput("[1]\u{FEFF}", .trailingGarbage, at: 3),
    RejectedInput(bytes: [0xEF, 0xBB, 0xBF, 0x31], .unexpectedCharacter(0xEF), at: 0),
    // Strings.
    RejectedInput(#""abc"#, .unterminatedString, at: 0),
    RejectedInput(#"["a\"]"#, .unterminatedString, at: 1),
    RejectedInput(#""\"#, .unterminatedString, at: 0),
    RejectedInput(#""\x""#, .invalidEscape, at: 1),
    RejectedInput(#""\u12G4""#, .invalidEscape, at: 1),
    RejectedInput(#""\u12""#, .invalidEscape, at: 1),
    RejectedInput("\"a\u{1}b\"", .controlCharacterInString, at: 2),
    RejectedInput("\"a\nb\"", .controlCharacterInString, at: 2),
    RejectedInput("\"\\n\tb\"", .controlCharacterInString, at: 3),
    // UTF-8.
    RejectedInput(bytes: [0x22, 0xC3, 0x28, 0x22], .invalidUTF8, at: 1),
    RejectedInput(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, at: 1),  // Encoded surrogate.
    RejectedInput(bytes: [0x22, 0xC0, 0x80, 0x22], .invalidUTF8, at: 1),  // Overlong NUL.
    RejectedInput(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], .invalidUTF8, at: 1),  // Overlong "/".
    RejectedInput(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, at: 1),  // Above U+10FFFF.
    RejectedInput(bytes: [0x22, 0x61, 0xFF, 0x22], .invalidUTF8, at: 2),
    RejectedInput(bytes: [0x22, 0x5C, 0x6E, 0x80, 0x22], .invalidUTF8, at: 3),  // After an escape.
    RejectedInput(bytes: [0x22, 0xE2, 0x82], .invalidUTF8, at: 1),  // Truncated at the end.
    // Numbers.
    RejectedInput("01", .invalidNumber, at: 0),
    RejectedInput("-01", .invalidNumber, at: 0),
    RejectedInput("-", .invalidNumber, at: 0),
    RejectedInput("-a", .invalidNumber, at: 0),
    RejectedInput("1.", .invalidNumber, at: 0),
    RejectedInput("[1.e5]", .invalidNumber, at: 1),
    RejectedInput("1e", .invalidNumber, at: 0),
    RejectedInput("1e+", .invalidNumber, at: 0),
    RejectedInput("1E-x", .invalidNumber, at: 0),
    RejectedInput("1e400", .numberOutOfRange, at: 0),
    RejectedInput("[0, -1.8e308]", .numberOutOfRange, at: 4),
    RejectedInput("123456789012345678901234567890e300", .numberOutOfRange, at: 0),
]

@Suite("Parser errors")
struct ParserErrorTests {
    @Test("Rejected inputs report their kind and byte offset", arguments: rejectedInputs)
    func rejected(_ input: RejectedInput) {
        #expect(throws: JSONParseError(input.kind, at: input.offset)) {
            try JSONValue(parsing: input.bytes)
        }
    }

    @Test("The description names the problem and the byte")
    func description() {
        #expect(JSONParseError(.duplicateKey("a"), at: 12).description == #"duplicate key "a" at byte 12"#)
        #expect(JSONParseError(.duplicateKey("q\"\n"), at: 1).description == #"duplicate key "q\"\n" at byte 1"#)
        #expect(JSONParseError(.trailingGarbage, at: 4).description == "unexpected data after the JSON value at byte 4")
        #expect(JSONParseError(.unexpectedCharacter(0x7D), at: 3).description == "unexpected character '}' at byte 3")
        #expect(JSONParseError(.unexpectedCharacter(0xEF), at: 0).description == "unexpected byte 0xEF at byte 0")
        #expect(
            JSONParseError(.nestingTooDeep(512), at: 512).description == "nesting deeper than 512 levels at byte 512"
        )
    }

    @Test("Nesting is capped, so deep input cannot overflow the stack")
    func nestingLimit() throws {
        let limit = JSONParser.defaultMaximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try JSONValue(parsing: deepest).arrayValue?.count == 1)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONParseError(.nestingTooDeep(limit), at: limit)) { try JSONValue(parsing: tooDeep) }
        let objects = String(repeating: #"{"a":"#, count: 100_000)
        #expect(throws: JSONParseError(.nestingTooDeep(limit), at: limit * 5)) { try JSONValue(parsing: objects) }
        let custom = JSONParser(maximumDepth: 2)
        #expect(throws: JSONParseError(.nestingTooDeep(2), at: 2)) { try custom.parse("[[[]]]") }
        #expect(try custom.parse("[[]]") == [[]])
    }

    @Test("Objects of every size sort canonically and report the first duplicate", arguments: [2, 5, 32, 33, 300])
    func objectSizes(_ count: Int) throws {
        // Keys in reverse order, so every object takes the sorting path.
        let keys = (0..<count).reversed().map { "k\($0)" }
        let members = keys.map { #""\#($0)":1"# }
        let value = try JSONValue(parsing: "{" + members.joined(separator: ",") + "}")
        #expect(value.objectValue?.keys == keys.sorted())

        // Two duplicates; the error names the one that comes first in the document.
        let duplicated = "{" + (members + [#""k1":2"#, #""k0":3"#]).joined(separator: ",") + "}"
        let offset = duplicated.utf8.count - #""k1":2,"k0":3}"#.utf8.count
        #expect(throws: JSONParseError(.duplicateKey("k1"), at: offset)) { try JSONValue(parsing: duplicated) }
    }

    @Test("Valid edge inputs parse")
    func acceptedEdges() throws {
        #expect(try JSONValue(parsing: "\"\\u0000\"") == .string("\u{0}"))
        #expect(try JSONValue(parsing: #""\uD834\uDD1E""#) == .string("\u{1D11E}"))
        #expect(try JSONValue(parsing: "\"\u{10FFFF}\"") == .string("\u{10FFFF}"))
        #expect(try JSONValue(parsing: #"{"":""}"#) == ["": ""])
        #expect(try JSONValue(parsing: " 0 ") == 0)
        #expect(try JSONValue(parsing: "-0").doubleValue?.sign == .minus)
        #expect(try JSONValue(parsing: "[true,false,null]") == [true, false, nil])
    }

    @Test("Parsing from Data-like, String and non-contiguous collections gives the same value")
    func inputForms() throws {
        let text = #"{"k":[1,"é",{"z":null}]}"#
        let fromString = try JSONValue(parsing: text)
        let fromBytes = try JSONValue(parsing: Array(text.utf8))
        let fromSlice = try JSONValue(parsing: Array(("  " + text).utf8)[2...])
        let fromLazy = try JSONValue(parsing: text.utf8.lazy.map { $0 })
        #expect(fromString == fromBytes)
        #expect(fromString == fromSlice)
        #expect(fromString == fromLazy)
        // Offsets are relative to the start of the collection, also for a slice.
        #expect(throws: JSONParseError(.trailingGarbage, at: 2)) {
            try JSONValue(parsing: Array("xx1 x".utf8)[2...])
        }
    }
}
