extension JSONValue {
    /// The RFC 8785 canonical form as UTF-8 bytes: the exact bytes to hash or sign.
    ///
    /// Throws only when the value contains NaN or an infinity, which JSON cannot express; values
    /// produced by the parser never do.
    public func canonicalBytes() throws(JSONCanonicalizationError) -> [UInt8] {
        var buffer = OutputBuffer(capacity: 256)
        defer { buffer.deallocate() }
        guard CanonicalWriter.write(self, into: &buffer) else { throw CanonicalWriter.locateNonFinite(in: self) }
        return buffer.bytes
    }

    /// The RFC 8785 canonical form as a string, for logs, tests and text protocols.
    public func canonicalString() throws(JSONCanonicalizationError) -> String {
        String(decoding: try canonicalBytes(), as: UTF8.self)
    }

    /// Parses `input` and returns its canonical form in one step: what `taizhou json canonicalize`
    /// and verifiers that receive JSON from elsewhere need.
    public static func canonicalize(_ input: some Collection<UInt8>) throws(JSONParseError) -> [UInt8] {
        let value = try JSONParser().parse(input)
        var buffer = OutputBuffer(capacity: max(256, input.count))
        defer { buffer.deallocate() }
        guard CanonicalWriter.write(value, into: &buffer) else {
            // Unreachable: the parser rejects every number that is not finite.
            throw JSONParseError(.numberOutOfRange, at: 0)
        }
        return buffer.bytes
    }
}

/// Writes the canonical form of one object member by member, for a caller whose member names are
/// fixed and which writes them in canonical order: an envelope's claims are serialized for every
/// envelope sealed, and building a ``JSONObject`` (a sorted array of members and a value per
/// claim) only to serialize it cost more than writing the bytes.
///
/// Names must be ASCII without characters that need escaping, each greater than the previous one in
/// RFC 8785 order (checked in debug builds); values are written exactly as ``CanonicalWriter``
/// writes them inside an object, so the result equals ``JSONValue/canonicalBytes()`` of the same
/// object.
package struct CanonicalObjectWriter: ~Copyable {
    private var buffer: OutputBuffer
    private var memberCount = 0
    #if DEBUG
    private var previousKey: StaticString?
    #endif

    /// Starts an object, reserving `capacity` bytes.
    package init(capacity: Int = 256) {
        buffer = OutputBuffer(capacity: max(16, capacity))
        buffer.append(UInt8(ascii: "{"))
    }

    deinit { buffer.deallocate() }

    private mutating func writeKey(_ key: StaticString) {
        #if DEBUG
        let bytes = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        assert(bytes.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }, "key needs no escaping")
        if let previousKey {
            let previous = UnsafeBufferPointer(start: previousKey.utf8Start, count: previousKey.utf8CodeUnitCount)
            assert(compareUTF16(previous, bytes) < 0, "keys must be written in canonical order")
        }
        previousKey = key
        #endif
        if memberCount > 0 { buffer.append(UInt8(ascii: ",")) }
        memberCount += 1
        buffer.append(UInt8(ascii: "\""))
        buffer.append(key)
        buffer.append("\":")
    }

    /// Appends a string member.
    package mutating func add(_ key: StaticString, string: String) {
        writeKey(key)
        CanonicalWriter.writeString(string, into: &buffer)
    }

    /// Appends a number member; throws for NaN and infinities, like ``JSONValue/canonicalBytes()``.
    package mutating func add(_ key: StaticString, number: Double) throws(JSONCanonicalizationError) {
        guard number.isFinite else {
            throw JSONCanonicalizationError(value: number, pointer: "/\(key)")
        }
        writeKey(key)
        ECMAScriptNumber.write(number, into: &buffer)
    }

    /// Appends a member with any value; throws for a non-finite number inside it, with the JSON
    /// pointer from the object's root.
    package mutating func add(_ key: StaticString, value: JSONValue) throws(JSONCanonicalizationError) {
        writeKey(key)
        guard CanonicalWriter.write(value, into: &buffer) else {
            let error = CanonicalWriter.locateNonFinite(in: value)
            throw JSONCanonicalizationError(value: error.value, pointer: "/\(key)" + error.pointer)
        }
    }

    /// Closes the object and lends its canonical bytes to `body`.
    package consuming func finish<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        buffer.append(UInt8(ascii: "}"))
        return try body(UnsafeBufferPointer(start: buffer.base, count: buffer.count))
    }
}

/// A growable byte buffer for the writer. Appending to `[UInt8]` byte by byte checks uniqueness
/// and capacity on every call; this checks capacity only, which makes serializing about twice as
/// fast. The owner calls ``deallocate()`` (the type stays copyable so it can be a
/// `TextOutputStream`, which lets `Double.write(to:)` print digits without allocating a String).
struct OutputBuffer: TextOutputStream {
    private(set) var base: UnsafeMutablePointer<UInt8>
    var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    func deallocate() {
        base.deallocate()
    }

    /// A copy of the bytes written so far.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toAtLeast: count + extra) }
    }

    @inline(never)
    private mutating func grow(toAtLeast needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ byte: UInt8, repeating times: Int) {
        guard times > 0 else { return }
        reserve(times)
        (base + count).update(repeating: byte, count: times)
        count += times
    }

    mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { append($0) }
    }

    /// `TextOutputStream`'s fast path for ASCII text such as printed numbers.
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        append(buffer)
    }
}

/// Writes canonical JSON (RFC 8785 §3.2) into a byte buffer.
enum CanonicalWriter {
    /// Appends the canonical form of `value`; returns `false` on a non-finite number.
    static func write(_ value: JSONValue, into output: inout OutputBuffer) -> Bool {
        switch value {
        case .null:
            output.append("null")
        case .bool(true):
            output.append("true")
        case .bool(false):
            output.append("false")
        case .number(let number):
            guard number.isFinite else { return false }
            ECMAScriptNumber.write(number, into: &output)
        case .string(let string):
            writeString(string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                guard write(element, into: &output) else { return false }
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                guard write(member.value, into: &output) else { return false }
            }
            output.append(UInt8(ascii: "}"))
        }
        return true
    }

    /// Appends a quoted string with RFC 8785 §3.2.2.2 escaping: only `"`, `\` and control
    /// characters are escaped (the five with short forms, others as lowercase `\u00xx`); everything
    /// else, including non-ASCII and U+2028/U+2029, is written as UTF-8.
    static func writeString(_ string: String, into output: inout OutputBuffer) {
        output.append(UInt8(ascii: "\""))
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            writeEscaped(bytes, into: &output)
        }
        if done == nil {
            Array(string.utf8).withUnsafeBufferPointer { writeEscaped($0, into: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// ``writeString(_:into:)`` into an array, for error messages.
    static func writeString(_ string: String, into output: inout [UInt8]) {
        var buffer = OutputBuffer(capacity: string.utf8.count + 8)
        defer { buffer.deallocate() }
        writeString(string, into: &buffer)
        output.append(contentsOf: UnsafeBufferPointer(start: buffer.base, count: buffer.count))
    }

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout OutputBuffer) {
        guard let base = bytes.baseAddress else { return }
        var runStart = 0
        var position = 0
        let count = bytes.count
        while position < count {
            // Skip eight bytes at a time while none of them needs escaping: data is mostly text
            // without quotes, backslashes or control characters.
            while position + 8 <= count,
                !needsEscape(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            {
                position += 8
            }
            guard position < count else { break }
            let byte = bytes[position]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                position += 1
                continue
            }
            if runStart < position {
                output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
            }
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case 0x22: output.append(UInt8(ascii: "\""))
            case 0x5C: output.append(UInt8(ascii: "\\"))
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            default:
                output.append("u00")
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0xF))
            }
            position += 1
            runStart = position
        }
        if runStart < count {
            output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        }
    }

    /// Whether any of the eight bytes of `word` is a control character, `"` or `\\`: the classic
    /// SWAR tests "has a byte below n" and "has a zero byte" (of `word` XOR the repeated byte),
    /// exact as yes/no answers. Bytes of 0x80 and above, parts of UTF-8 sequences, never match.
    /// The parser uses it too, to find the end of a string.
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let quoteOrBackslash = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
        return (control | quoteOrBackslash) & high != 0
    }

    /// A lowercase hex digit, as RFC 8785 §3.2.2.2 requires for `\u00xx` escapes.
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Finds the first non-finite number, for the error. Only runs after writing failed.
    static func locateNonFinite(in value: JSONValue) -> JSONCanonicalizationError {
        func search(_ value: JSONValue, _ pointer: String) -> JSONCanonicalizationError? {
            switch value {
            case .number(let number) where !number.isFinite:
                return JSONCanonicalizationError(value: number, pointer: pointer)
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    if let found = search(element, pointer + "/\(index)") { return found }
                }
            case .object(let object):
                for member in object.members {
                    let token = member.key.replacing("~", with: "~0").replacing("/", with: "~1")
                    if let found = search(member.value, pointer + "/" + token) { return found }
                }
            default:
                break
            }
            return nil
        }
        return search(value, "") ?? JSONCanonicalizationError(value: .nan, pointer: "")
    }
}

/// ECMAScript `Number::toString` (ECMA-262 §7.1.12.1), which RFC 8785 §3.2.2.3 mandates.
///
/// The digits come from Swift's own float printing, which like ECMAScript produces the shortest
/// digit string that round-trips (closest to the exact value when several are that short); only
/// the layout differs, and that is redone here. Integers up to 2^53 take a faster exact path.
enum ECMAScriptNumber {
    /// Appends the canonical text of a finite number.
    static func write(_ value: Double, into output: inout OutputBuffer) {
        if value == 0 {
            output.append(UInt8(ascii: "0"))  // Both +0 and -0.
            return
        }
        if value < 0 { output.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if magnitude <= 9_007_199_254_740_992, magnitude.rounded(.towardZero) == magnitude {
            // Every integer up to 2^53 is its own shortest round-trip form.
            writeDecimal(UInt64(magnitude), into: &output)
            return
        }
        // Let Swift print its shortest form (for example "1.2345e-07") at the end of the output,
        // take the digits and exponent from it, and lay them out again in ECMAScript's form.
        let mark = output.count
        magnitude.write(to: &output)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            let printed = UnsafeBufferPointer(start: output.base + mark, count: output.count - mark)
            let (count, pointPosition) = shortestDigits(from: printed, into: digits)
            output.count = mark
            layOut(UnsafeBufferPointer(rebasing: digits[0..<count]), pointPosition: pointPosition, into: &output)
        }
    }

    /// Extracts the digits (no leading or trailing zeros) from Swift's printed form, and `n`, the
    /// position of the decimal point relative to them: value = 0.d1d2…dk × 10^n.
    static func shortestDigits(
        from printed: UnsafeBufferPointer<UInt8>,
        into digits: UnsafeMutableBufferPointer<UInt8>
    ) -> (count: Int, pointPosition: Int) {
        var count = 0
        var integerDigits: Int?
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in printed {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else if count < digits.count {
                    digits[count] = byte
                    count += 1
                }
            case UInt8(ascii: "."): integerDigits = count
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                if integerDigits == nil { integerDigits = count }
                inExponent = true
            case UInt8(ascii: "-"): exponentNegative = true
            default: break  // "+"
            }
        }
        var pointPosition = (integerDigits ?? count) + (exponentNegative ? -exponent : exponent)
        var first = 0
        while first < count && digits[first] == UInt8(ascii: "0") {
            first += 1
            pointPosition -= 1
        }
        var last = count
        while last > first && digits[last - 1] == UInt8(ascii: "0") { last -= 1 }
        if first > 0 {
            for index in first..<last { digits[index - first] = digits[index] }
        }
        return (last - first, pointPosition)
    }

    /// ECMA-262 §7.1.12.1 steps 6–10 for digits `d1…dk` and point position `n`.
    static func layOut(_ digits: UnsafeBufferPointer<UInt8>, pointPosition n: Int, into output: inout OutputBuffer) {
        let k = digits.count
        if k <= n && n <= 21 {
            output.append(digits)
            output.append(UInt8(ascii: "0"), repeating: n - k)
        } else if 0 < n && n <= 21 {
            output.append(UnsafeBufferPointer(rebasing: digits[0..<n]))
            output.append(UInt8(ascii: "."))
            output.append(UnsafeBufferPointer(rebasing: digits[n...]))
        } else if -6 < n && n <= 0 {
            output.append("0.")
            output.append(UInt8(ascii: "0"), repeating: -n)
            output.append(digits)
        } else {
            let exponent = n - 1
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(UnsafeBufferPointer(rebasing: digits[1...]))
            }
            output.append(exponent < 0 ? "e-" : "e+")
            writeDecimal(UInt64(exponent.magnitude), into: &output)
        }
    }

    /// Appends the decimal digits of an unsigned integer.
    static func writeDecimal(_ value: UInt64, into output: inout OutputBuffer) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var remaining = value
        var length = 0
        while remaining > 0 {
            length += 1
            remaining /= 10
        }
        output.reserve(length)
        remaining = value
        var position = output.count + length
        while remaining > 0 {
            position -= 1
            output.base[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        output.count += length
    }
}
