/// Hex helpers for known-answer vectors, which every standard prints in hex.
enum Hex {
    /// Decodes hex (whitespace ignored); a malformed vector is a test-authoring bug, so it yields an
    /// empty array that the test's expectations will then reject.
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8.filter { !$0.isWhitespace })
        guard digits.count % 2 == 0 else { return [] }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return [] }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    /// Lower-case hex of `bytes`.
    static func string(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

extension String {
    /// The UTF-8 bytes, for messages written as text.
    var bytes: [UInt8] { Array(utf8) }
}
