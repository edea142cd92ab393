/// A strict RFC 8259 / I-JSON parser that reads UTF-8 bytes.
///
/// It exists because canonicalization is only as trustworthy as its parser: a lenient parser lets
/// a signer and a verifier see different values in the same bytes. It therefore rejects duplicate
/// keys, lone surrogates, invalid UTF-8, numbers beyond the range of a double and trailing data,
/// and it caps nesting so that hostile input cannot exhaust the stack. It works on raw bytes, not
/// through Foundation, because parsing is most of the cost of canonicalizing large documents.
public struct JSONParser: Sendable {
    /// The default nesting limit: deep enough for any real document, shallow enough for any stack.
    public static let defaultMaximumDepth = 512

    /// How many arrays and objects may be nested inside one another.
    public var maximumDepth: Int

    /// Creates a parser with a nesting limit.
    public init(maximumDepth: Int = JSONParser.defaultMaximumDepth) {
        self.maximumDepth = maximumDepth
    }

    /// Parses one JSON text (optionally surrounded by whitespace) from UTF-8 bytes.
    public func parse(_ input: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let limit = maximumDepth
        let direct = input.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var core = ParserCore(bytes: buffer, maximumDepth: limit)
                return try core.parseDocument()
            }
        }
        if let direct { return try direct.get() }
        let copy = Array(input)
        let copied = copy.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var core = ParserCore(bytes: buffer, maximumDepth: limit)
                return try core.parseDocument()
            }
        }
        return try copied.get()
    }

    /// Parses one JSON text from a string (its UTF-8 bytes; offsets in errors count those bytes).
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8)
    }

    /// The value of `input` when `input` is exactly its RFC 8785 canonical form — when
    /// `try parse(input).canonicalBytes() == input` — and `nil` otherwise, including when it is not
    /// JSON at all.
    ///
    /// One pass instead of parsing, serializing again and comparing: a verifier that insists on
    /// canonical payloads (the envelope opener) checks every payload it receives. The canonical
    /// form is checked token by token: no whitespace, object keys strictly increasing in UTF-16
    /// order, only the escapes the serializer writes, and numbers exactly as ECMAScript prints them.
    /// A caller that needs to say why an input was refused parses it again with ``parse(_:)``.
    package func parseCanonical(_ input: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var core = ParserCore(bytes: input, maximumDepth: maximumDepth, checksCanonicalForm: true)
        guard let value = try? core.parseDocument(), core.isCanonical else { return nil }
        return value
    }
}

extension JSONValue {
    /// Parses UTF-8 bytes with the default ``JSONParser``.
    public init(parsing input: some Collection<UInt8>) throws(JSONParseError) {
        self = try JSONParser().parse(input)
    }

    /// Parses a string with the default ``JSONParser``.
    public init(parsing text: String) throws(JSONParseError) {
        self = try JSONParser().parse(text.utf8)
    }
}

// MARK: - Implementation

private enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let lowercaseE = UInt8(ascii: "e")
    static let uppercaseE = UInt8(ascii: "E")
}

/// Exact powers of ten: every one up to 10^22 is representable as a double, which is what makes the
/// fast number path exact (Clinger, "How to read floating point numbers accurately", 1990).
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// The recursive-descent parser over a byte buffer that lives only for the duration of one parse.
private struct ParserCore {
    let bytes: UnsafeBufferPointer<UInt8>
    let end: Int
    let maximumDepth: Int
    var index = 0
    var depth = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []
    /// The elements of the arrays being parsed, as one stack shared by all levels: each array is
    /// then built once at its exact size instead of growing (and reallocating) element by element.
    var elementStack: [JSONValue] = []
    /// The members of the objects being parsed, likewise.
    var memberStack: [JSONObject.Member] = []
    /// The byte offset of each key in `memberStack`, so that a duplicate key found while sorting
    /// can be reported where it was written.
    var keyOffsets: [Int] = []
    /// Whether to watch for anything that the canonical serializer would write differently.
    let checksCanonicalForm: Bool
    /// Stays `true` while everything read so far is in canonical form (when that is checked).
    var isCanonical = true

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int, checksCanonicalForm: Bool = false) {
        self.bytes = bytes
        self.end = bytes.count
        self.maximumDepth = maximumDepth
        self.checksCanonicalForm = checksCanonicalForm
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < end { throw JSONParseError(.trailingGarbage, at: index) }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09:
                index += 1
                // The canonical form has no whitespace between tokens.
                if checksCanonicalForm { isCanonical = false }
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < end else { throw JSONParseError(.unexpectedEnd, at: index) }
        let byte = bytes[index]
        switch byte {
        case ASCII.quote: return .string(try parseString())
        case ASCII.openBrace: return try parseObject()
        case ASCII.openBracket: return try parseArray()
        case ASCII.minus, ASCII.zero...ASCII.nine: return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw JSONParseError(.unexpectedCharacter(byte), at: index)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        for offset in 0..<count {
            let position = index + offset
            guard position < end else { throw JSONParseError(.unexpectedEnd, at: position) }
            let byte = bytes[position]
            if byte != expected[offset] { throw JSONParseError(.unexpectedCharacter(byte), at: position) }
        }
        index += count
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maximumDepth { throw JSONParseError(.nestingTooDeep(maximumDepth), at: index) }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < end && bytes[index] == ASCII.closeBracket {
            index += 1
            depth -= 1
            return .array([])
        }
        let base = elementStack.count
        while true {
            let element = try parseValue()
            elementStack.append(element)
            skipWhitespace()
            guard index < end else { throw JSONParseError(.unexpectedEnd, at: index) }
            let byte = bytes[index]
            index += 1
            if byte == ASCII.comma {
                skipWhitespace()
            } else if byte == ASCII.closeBracket {
                break
            } else {
                throw JSONParseError(.unexpectedCharacter(byte), at: index - 1)
            }
        }
        let elements = Array(elementStack[base...])
        elementStack.removeSubrange(base...)
        depth -= 1
        return .array(elements)
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < end && bytes[index] == ASCII.closeBrace {
            index += 1
            depth -= 1
            return .object(JSONObject(sortedUniqueMembers: []))
        }
        let base = memberStack.count
        var inOrder = true
        while true {
            guard index < end else { throw JSONParseError(.unexpectedEnd, at: index) }
            guard bytes[index] == ASCII.quote else {
                throw JSONParseError(.unexpectedCharacter(bytes[index]), at: index)
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < end else { throw JSONParseError(.unexpectedEnd, at: index) }
            guard bytes[index] == ASCII.colon else {
                throw JSONParseError(.unexpectedCharacter(bytes[index]), at: index)
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            // While keys arrive in canonical order (common for machine-written JSON) a duplicate can
            // only be the previous key; once they do not, duplicates are found while sorting.
            if inOrder && memberStack.count > base {
                let order = compareUTF16(memberStack[memberStack.count - 1].key, key)
                if order == 0 { throw JSONParseError(.duplicateKey(key), at: keyOffset) }
                if order > 0 {
                    inOrder = false
                    // The serializer writes members sorted, so the text is not canonical.
                    if checksCanonicalForm { isCanonical = false }
                }
            }
            memberStack.append(JSONObject.Member(key: key, value: value))
            keyOffsets.append(keyOffset)
            skipWhitespace()
            guard index < end else { throw JSONParseError(.unexpectedEnd, at: index) }
            let byte = bytes[index]
            index += 1
            if byte == ASCII.comma {
                skipWhitespace()
            } else if byte == ASCII.closeBrace {
                break
            } else {
                throw JSONParseError(.unexpectedCharacter(byte), at: index - 1)
            }
        }
        let members: [JSONObject.Member]
        if inOrder {
            members = Array(memberStack[base...])
        } else if memberStack.count - base <= 32 {
            try insertionSortMembers(from: base)
            members = Array(memberStack[base...])
        } else {
            members = try sortedMembers(from: base)
        }
        memberStack.removeSubrange(base...)
        keyOffsets.removeSubrange(base...)
        depth -= 1
        return .object(JSONObject(sortedUniqueMembers: members))
    }

    /// Sorts `memberStack[base...]` into canonical order in place (few members: insertion sort
    /// moves no more than a general sort and needs no allocation). Members are inserted in document
    /// order, so the first key found equal to an earlier one is the first duplicate in the document.
    mutating func insertionSortMembers(from base: Int) throws(JSONParseError) {
        let count = memberStack.count
        var duplicate: Int?
        memberStack.withUnsafeMutableBufferPointer { members in
            keyOffsets.withUnsafeMutableBufferPointer { offsets in
                for next in (base + 1)..<count {
                    var position = next
                    while position > base {
                        let order = compareUTF16(members[position - 1].key, members[position].key)
                        if order < 0 { break }
                        if order == 0 {
                            duplicate = position
                            return
                        }
                        members.swapAt(position - 1, position)
                        offsets.swapAt(position - 1, position)
                        position -= 1
                    }
                }
            }
        }
        if let duplicate {
            throw JSONParseError(.duplicateKey(memberStack[duplicate].key), at: keyOffsets[duplicate])
        }
    }

    /// Returns `memberStack[base...]` in canonical order (many members: an O(n log n) sort of
    /// positions) and reports the first duplicate in document order.
    func sortedMembers(from base: Int) throws(JSONParseError) -> [JSONObject.Member] {
        let members = memberStack[base...]
        // Ties are broken by position so that, among equal keys, the later one follows.
        let order = members.indices.sorted { left, right in
            let comparison = compareUTF16(members[left].key, members[right].key)
            return comparison < 0 || (comparison == 0 && left < right)
        }
        var duplicate: Int?
        for position in order.indices.dropFirst() {
            let previous = order[position - 1]
            let current = order[position]
            if compareUTF16(members[previous].key, members[current].key) == 0,
                duplicate.map({ current < $0 }) ?? true
            {
                duplicate = current
            }
        }
        if let duplicate {
            throw JSONParseError(.duplicateKey(members[duplicate].key), at: keyOffsets[duplicate])
        }
        return order.map { members[$0] }
    }

    // MARK: Strings

    mutating func parseString() throws(JSONParseError) -> String {
        // Fast path: find the first quote, backslash or control character a word at a time, noting
        // whether anything before it is not ASCII. A string without escapes is then made in one
        // step (ASCII needs no validation; other text the standard library validates while making
        // the String, instead of each character being validated here and again there). Anything
        // else takes the careful path, which also finds the offset of an error.
        let start = index + 1
        var position = start
        var seen: UInt64 = 0
        if let base = bytes.baseAddress {
            while position + 8 <= end {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                if CanonicalWriter.needsEscape(word) { break }
                seen |= word
                position += 8
            }
        }
        while position < end {
            let byte = bytes[position]
            if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 { break }
            seen |= UInt64(byte)
            position += 1
        }
        let isASCII = seen & 0x8080_8080_8080_8080 == 0
        if position < end, bytes[position] == ASCII.quote {
            let run = UnsafeBufferPointer(rebasing: bytes[start..<position])
            let string = String(decoding: run, as: UTF8.self)
            if isASCII || hasSameUTF8(string, as: run) {
                index = position + 1
                return string
            }
        }
        // An ASCII prefix is valid and has nothing to unescape: the careful path resumes after it.
        return try parseStringCarefully(resumingAt: isASCII ? position : start)
    }

    /// Whether `string` is exactly `bytes`: `String(decoding:as:)` replaces invalid UTF-8 with
    /// U+FFFD, which is valid UTF-8 and so can never equal the bytes it replaced. (The standard
    /// library's `String(validating:as:)` would say the same, but is not specialized and costs
    /// more than validating and comparing.)
    func hasSameUTF8(_ string: String, as bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard string.utf8.count == bytes.count else { return false }
        let same = string.utf8.withContiguousStorageIfAvailable { stored in
            guard let left = stored.baseAddress, let right = bytes.baseAddress else { return stored.isEmpty }
            // Eight bytes at a time, then the rest.
            var offset = 0
            while offset + 8 <= bytes.count {
                let a = UnsafeRawPointer(left + offset).loadUnaligned(as: UInt64.self)
                let b = UnsafeRawPointer(right + offset).loadUnaligned(as: UInt64.self)
                if a != b { return false }
                offset += 8
            }
            while offset < bytes.count {
                if left[offset] != right[offset] { return false }
                offset += 1
            }
            return true
        }
        return same ?? string.utf8.elementsEqual(bytes)
    }

    /// Parses the string whose opening quote is at `index`, validating each character and decoding
    /// escapes, from `resume` on: the bytes before it are known to be plain ASCII characters.
    mutating func parseStringCarefully(resumingAt resume: Int) throws(JSONParseError) -> String {
        let quote = index
        let start = index + 1
        var position = resume
        // Fast path: no escapes, so the string is a slice of the input.
        while position < end {
            let byte = bytes[position]
            if byte == ASCII.quote {
                index = position + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            }
            if byte == ASCII.backslash { break }
            if byte < 0x20 { throw JSONParseError(.controlCharacterInString, at: position) }
            position = byte < 0x80 ? position + 1 : try validateUTF8(at: position)
        }
        guard position < end else { throw JSONParseError(.unterminatedString, at: quote) }

        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < end {
            let byte = bytes[position]
            if byte == ASCII.quote {
                index = position + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte == ASCII.backslash {
                position = try parseEscape(at: position, quote: quote)
                continue
            }
            if byte < 0x20 { throw JSONParseError(.controlCharacterInString, at: position) }
            let runStart = position
            position = byte < 0x80 ? position + 1 : try validateUTF8(at: position)
            while position < end {
                let next = bytes[position]
                if next == ASCII.quote || next == ASCII.backslash || next < 0x20 { break }
                position = next < 0x80 ? position + 1 : try validateUTF8(at: position)
            }
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
        }
        throw JSONParseError(.unterminatedString, at: quote)
    }

    /// Checks the multi-byte UTF-8 sequence starting at `position` (Unicode Table 3-7, which
    /// excludes overlong forms, encoded surrogates and values above U+10FFFF) and returns the index
    /// after it.
    func validateUTF8(at position: Int) throws(JSONParseError) -> Int {
        let lead = bytes[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: throw JSONParseError(.invalidUTF8, at: position)
        }
        guard position + length <= end else { throw JSONParseError(.invalidUTF8, at: position) }
        let second = bytes[position + 1]
        guard second >= low && second <= high else { throw JSONParseError(.invalidUTF8, at: position) }
        for offset in 2..<max(2, length) where bytes[position + offset] & 0xC0 != 0x80 {
            throw JSONParseError(.invalidUTF8, at: position)
        }
        return position + length
    }

    /// Decodes the escape at `position` (a backslash) into `scratch` and returns the index after it.
    mutating func parseEscape(at position: Int, quote: Int) throws(JSONParseError) -> Int {
        guard position + 1 < end else { throw JSONParseError(.unterminatedString, at: quote) }
        let decoded: UInt8
        switch bytes[position + 1] {
        case ASCII.quote: decoded = ASCII.quote
        case ASCII.backslash: decoded = ASCII.backslash
        case ASCII.slash:
            // The serializer writes "/" unescaped.
            if checksCanonicalForm { isCanonical = false }
            decoded = ASCII.slash
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            return try parseUnicodeEscape(at: position)
        default:
            throw JSONParseError(.invalidEscape, at: position)
        }
        scratch.append(decoded)
        return position + 2
    }

    mutating func parseUnicodeEscape(at position: Int) throws(JSONParseError) -> Int {
        let unit = try hexQuad(escapeAt: position)
        if checksCanonicalForm && !isCanonicalUnicodeEscape(unit, at: position) { isCanonical = false }
        var next = position + 6
        let scalar: UInt32
        switch unit {
        case 0xD800...0xDBFF:
            guard next + 1 < end, bytes[next] == ASCII.backslash, bytes[next + 1] == UInt8(ascii: "u") else {
                throw JSONParseError(.loneSurrogate, at: position)
            }
            let low = try hexQuad(escapeAt: next)
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONParseError(.loneSurrogate, at: position) }
            scalar = 0x1_0000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            next += 6
        case 0xDC00...0xDFFF:
            throw JSONParseError(.loneSurrogate, at: position)
        default:
            scalar = unit
        }
        appendUTF8(scalar)
        return next
    }

    /// Whether the serializer writes the code unit `unit` as the `\u` escape at `position`: only
    /// control characters without a short escape are written so, as `\u00` and two lowercase hex
    /// digits (RFC 8785 §3.2.2.2); every other character is written as itself or a short escape.
    func isCanonicalUnicodeEscape(_ unit: UInt32, at position: Int) -> Bool {
        switch unit {
        case 0x08, 0x09, 0x0A, 0x0C, 0x0D: return false
        case 0..<0x20:
            // hexQuad has read these four hex digits; the first three are then "000" or "001", and
            // only the last one can be a letter, which must be lowercase.
            return !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains(bytes[position + 5])
        default: return false
        }
    }

    /// Reads the four hex digits of the `\u` escape whose backslash is at `position`.
    func hexQuad(escapeAt position: Int) throws(JSONParseError) -> UInt32 {
        guard position + 6 <= end else { throw JSONParseError(.invalidEscape, at: position) }
        var value: UInt32 = 0
        for offset in 2..<6 {
            let byte = bytes[position + offset]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(.invalidEscape, at: position)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x1_0000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Numbers

    @inline(__always)
    func isDigit(_ position: Int) -> Bool {
        position < end && bytes[position] >= ASCII.zero && bytes[position] <= ASCII.nine
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        var position = index
        let negative = bytes[position] == ASCII.minus
        if negative { position += 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var truncated = false
        var exponent = 0

        // Accumulates up to 19 significant digits exactly; more than that goes to the slow path.
        func accumulate(_ byte: UInt8) {
            let digit = UInt64(byte - ASCII.zero)
            if mantissa == 0 && digit == 0 { return }
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ digit
                significantDigits += 1
            } else {
                truncated = true
            }
        }

        guard position < end else { throw JSONParseError(.invalidNumber, at: start) }
        if bytes[position] == ASCII.zero {
            position += 1
            if isDigit(position) { throw JSONParseError(.invalidNumber, at: start) }
        } else if isDigit(position) {
            while isDigit(position) {
                accumulate(bytes[position])
                position += 1
            }
        } else {
            throw JSONParseError(.invalidNumber, at: start)
        }
        if position < end && bytes[position] == ASCII.dot {
            position += 1
            guard isDigit(position) else { throw JSONParseError(.invalidNumber, at: start) }
            while isDigit(position) {
                accumulate(bytes[position])
                exponent -= 1
                position += 1
            }
        }
        if position < end && (bytes[position] == ASCII.lowercaseE || bytes[position] == ASCII.uppercaseE) {
            position += 1
            var exponentNegative = false
            if position < end && (bytes[position] == ASCII.plus || bytes[position] == ASCII.minus) {
                exponentNegative = bytes[position] == ASCII.minus
                position += 1
            }
            guard isDigit(position) else { throw JSONParseError(.invalidNumber, at: start) }
            var written = 0
            while isDigit(position) {
                // Saturate: beyond this every non-zero mantissa over- or underflows anyway.
                if written < 100_000 { written = written * 10 + Int(bytes[position] - ASCII.zero) }
                position += 1
            }
            exponent += exponentNegative ? -written : written
        }
        index = position
        let value = try numberValue(
            start: start,
            negative: negative,
            mantissa: mantissa,
            truncated: truncated,
            exponent: exponent
        )
        if checksCanonicalForm && !isCanonicalNumber(value, start: start) { isCanonical = false }
        return value
    }

    /// The value of the number text `bytes[start..<index]`, whose parts have been read.
    func numberValue(
        start: Int,
        negative: Bool,
        mantissa: UInt64,
        truncated: Bool,
        exponent: Int
    ) throws(JSONParseError) -> Double {
        let position = index
        let value: Double
        if mantissa == 0 {
            value = 0
        } else if !truncated && mantissa <= 1 << 53 && (-22...22).contains(exponent) {
            // Both operands are exact, so one correctly rounded operation gives the exact result.
            let significand = Double(mantissa)
            value = exponent < 0 ? significand / exactPowersOfTen[-exponent] : significand * exactPowersOfTen[exponent]
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let parsed = Double(text) else { throw JSONParseError(.invalidNumber, at: start) }
            guard parsed.isFinite else { throw JSONParseError(.numberOutOfRange, at: start) }
            return parsed
        }
        return negative ? -value : value
    }

    /// Whether the number text `bytes[start..<index]` is exactly what ECMAScript prints for
    /// `value`, as the serializer writes it.
    func isCanonicalNumber(_ value: Double, start: Int) -> Bool {
        let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
        // Fast path: integers of at most 15 digits are exact doubles printed as their digits, so
        // their text is canonical unless it is "-0" (printed "0"). The grammar already excludes
        // leading zeros.
        let digits = text.first == ASCII.minus ? text.count - 1 : text.count
        if digits <= 15, text.allSatisfy({ $0 == ASCII.minus || ($0 >= ASCII.zero && $0 <= ASCII.nine) }) {
            return !(value == 0 && text.count > 1)
        }
        var printed = OutputBuffer(capacity: 32)
        defer { printed.deallocate() }
        ECMAScriptNumber.write(value, into: &printed)
        return UnsafeBufferPointer(start: printed.base, count: printed.count).elementsEqual(text)
    }
}
