extension JSONValue {
    /// The RFC 8785 canonical form as UTF-8 bytes: the exact bytes to hash or sign.
    ///
    /// Throws only when the value contains NaN or an infinity, which JSON cannot express; values
    /// produced by the parser never do.
    public func canonicalBytes() throws(JSONCanonicalizationError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        if CanonicalWriter.write(self, into: &output) { return output }
        throw CanonicalWriter.locateNonFinite(in: self)
    }

    /// The RFC 8785 canonical form as a string, for logs, tests and text protocols.
    public func canonicalString() throws(JSONCanonicalizationError) -> String {
        String(decoding: try canonicalBytes(), as: UTF8.self)
    }

    /// Parses `input` and returns its canonical form in one step: what `taizhou json canonicalize`
    /// and verifiers that receive JSON from elsewhere need.
    public static func canonicalize(_ input: some Collection<UInt8>) throws(JSONParseError) -> [UInt8] {
        let value = try JSONParser().parse(input)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        guard CanonicalWriter.write(value, into: &output) else {
            // Unreachable: the parser rejects every number that is not finite.
            throw JSONParseError(.numberOutOfRange, at: 0)
        }
        return output
    }
}

/// Writes canonical JSON (RFC 8785 §3.2) into a byte buffer.
enum CanonicalWriter {
    /// Appends the canonical form of `value`; returns `false` on a non-finite number.
    static func write(_ value: JSONValue, into output: inout [UInt8]) -> Bool {
        switch value {
        case .null:
            output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
        case .bool(true):
            output.append(contentsOf: [0x74, 0x72, 0x75, 0x65])  // true
        case .bool(false):
            output.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])  // false
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
    static func writeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            writeEscaped(bytes, into: &output)
        }
        if done == nil {
            Array(string.utf8).withUnsafeBufferPointer { writeEscaped($0, into: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var runStart = 0
        var position = 0
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                position += 1
                continue
            }
            if runStart < position {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
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
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
            position += 1
            runStart = position
        }
        if runStart < count {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        }
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
/// The digits come from Swift's `description`, which like ECMAScript produces the shortest digit
/// string that round-trips (closest to the exact value when several are that short); only the
/// layout differs, and that is redone here. Integers below 2^53 take a faster exact path.
enum ECMAScriptNumber {
    /// Appends the canonical text of a finite number.
    static func write(_ value: Double, into output: inout [UInt8]) {
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
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            let (count, pointPosition) = shortestDigits(of: magnitude, into: digits)
            layOut(UnsafeBufferPointer(rebasing: digits[0..<count]), pointPosition: pointPosition, into: &output)
        }
    }

    /// Extracts the shortest round-trip digits (no leading or trailing zeros) and `n`, the position of
    /// the decimal point relative to them: value = 0.d1d2…dk × 10^n.
    static func shortestDigits(of magnitude: Double, into digits: UnsafeMutableBufferPointer<UInt8>) -> (Int, Int) {
        var count = 0
        var integerDigits: Int?
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in magnitude.description.utf8 {
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
    static func layOut(_ digits: UnsafeBufferPointer<UInt8>, pointPosition n: Int, into output: inout [UInt8]) {
        let k = digits.count
        if k <= n && n <= 21 {
            output.append(contentsOf: digits)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<n]))
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[n...]))
        } else if -6 < n && n <= 0 {
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            output.append(contentsOf: digits)
        } else {
            let exponent = n - 1
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...]))
            }
            output.append(UInt8(ascii: "e"))
            output.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            writeDecimal(UInt64(exponent.magnitude), into: &output)
        }
    }

    /// Appends the decimal digits of an unsigned integer.
    static func writeDecimal(_ value: UInt64, into output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var remaining = value
            var start = buffer.count
            while remaining > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
}
