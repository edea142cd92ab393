/// An amount of renminbi, held as whole fen (1/100 yuan) in an `Int64`.
///
/// Money never touches floating point: amounts are parsed from and printed to decimal text
/// directly, and arithmetic reports overflow instead of wrapping or trapping, because a payout
/// ledger must never silently produce a wrong sum.
public struct Money: Hashable, Comparable, Sendable {
    /// The amount in fen; negative for debts and reversals.
    public let fen: Int64

    /// Why an amount cannot be formed.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// The result does not fit in 64-bit fen.
        case overflow
        /// A division by zero, e.g. a per-capita amount for an empty household.
        case divisionByZero
        /// Text that is not a decimal amount with at most two fractional digits.
        case malformed(String)

        public var description: String {
            switch self {
            case .overflow: "amount overflows 64-bit fen"
            case .divisionByZero: "division of an amount by zero"
            case .malformed(let text): "\"\(text)\" is not an amount in yuan with at most two decimals"
            }
        }
    }

    /// Zero yuan.
    public static let zero = Money(fen: 0)

    /// An amount of `fen`.
    public init(fen: Int64) { self.fen = fen }

    /// Whole yuan, checked for overflow.
    public init(yuan: Int64) throws(Error) {
        let (value, overflow) = yuan.multipliedReportingOverflow(by: 100)
        guard !overflow else { throw .overflow }
        self.fen = value
    }

    /// Parses a decimal yuan amount such as `"1234.5"`, `"-0.07"` or `"15,000.00"`.
    public init(yuanText text: String) throws(Error) {
        var bytes = Array(text.utf8.filter { $0 != UInt8(ascii: ",") })
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes.removeFirst()
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !bytes.isEmpty, parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || (1...2).contains(parts[1].count)
        else { throw .malformed(text) }
        var fen: Int64 = 0
        for byte in parts[0] {
            guard let digit = Money.digit(byte) else { throw .malformed(text) }
            let (shifted, o1) = fen.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw .overflow }
            fen = sum
        }
        var cents: Int64 = 0
        if parts.count == 2 {
            for byte in parts[1] {
                guard let digit = Money.digit(byte) else { throw .malformed(text) }
                cents = cents * 10 + digit
            }
            if parts[1].count == 1 { cents *= 10 }
        }
        let (scaled, o3) = fen.multipliedReportingOverflow(by: 100)
        let (total, o4) = scaled.addingReportingOverflow(cents)
        guard !o3, !o4 else { throw .overflow }
        self.fen = negative ? -total : total
    }

    /// The sum, or ``Error/overflow``.
    public func adding(_ other: Money) throws(Error) -> Money {
        let (value, overflow) = fen.addingReportingOverflow(other.fen)
        guard !overflow else { throw .overflow }
        return Money(fen: value)
    }

    /// The difference, or ``Error/overflow``.
    public func subtracting(_ other: Money) throws(Error) -> Money {
        let (value, overflow) = fen.subtractingReportingOverflow(other.fen)
        guard !overflow else { throw .overflow }
        return Money(fen: value)
    }

    /// The amount times `factor` (months, persons), or ``Error/overflow``.
    public func multiplied(by factor: Int64) throws(Error) -> Money {
        let (value, overflow) = fen.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw .overflow }
        return Money(fen: value)
    }

    /// The amount divided by `divisor`, rounded half away from zero to the fen (e.g. per-capita
    /// household income).
    public func divided(by divisor: Int64) throws(Error) -> Money {
        guard divisor != 0 else { throw .divisionByZero }
        guard !(fen == .min && divisor == -1) else { throw .overflow }
        let quotient = fen / divisor
        let remainder = fen % divisor
        // Compare 2·|r| with |d| without overflowing.
        let r = remainder.magnitude
        let d = divisor.magnitude
        let roundsAway = r >= d - r
        guard remainder != 0, roundsAway else { return Money(fen: quotient) }
        return Money(fen: (fen < 0) != (divisor < 0) ? quotient - 1 : quotient + 1)
    }

    /// The amount scaled by `numerator / denominator`, rounded half away from zero, computed
    /// without overflow in the intermediate product (e.g. 1.5 × the dibao line = ×3/2).
    public func scaled(by numerator: Int64, over denominator: Int64) throws(Error) -> Money {
        guard denominator != 0 else { throw .divisionByZero }
        let product = fen.multipliedFullWidth(by: numerator)
        let wide = (Int128(product.high) << 64) | Int128(product.low)
        let d = Int128(denominator)
        var quotient = wide / d
        let remainder = wide % d
        if remainder != 0, remainder.magnitude * 2 >= d.magnitude {
            quotient += (wide < 0) != (d < 0) ? -1 : 1
        }
        guard let value = Int64(exactly: quotient) else { throw .overflow }
        return Money(fen: value)
    }

    /// The sum of `amounts`, or ``Error/overflow``.
    public static func sum(_ amounts: some Sequence<Money>) throws(Error) -> Money {
        var total = Money.zero
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    /// Plain decimal yuan with two places: `"1234.50"`, `"-0.07"`.
    public var yuanText: String {
        let magnitude = fen.magnitude
        let yuan = magnitude / 100
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + "\(yuan)." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    /// Display form with the currency sign and thousands separators: `"¥1,234.50"`.
    public var formatted: String {
        let magnitude = fen.magnitude
        var digits = Array(String(magnitude / 100))
        var grouped: [Character] = []
        while digits.count > 3 {
            grouped = [","] + Array(digits.suffix(3)) + grouped
            digits.removeLast(3)
        }
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + "¥" + String(digits + grouped) + "." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    private static func digit(_ byte: UInt8) -> Int64? {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        return Int64(byte - UInt8(ascii: "0"))
    }
}

extension Money: CustomStringConvertible {
    /// `"¥1,234.50"`.
    public var description: String { formatted }
}

extension Money: Codable {
    /// Decodes an integer number of fen.
    public init(from decoder: any Decoder) throws {
        self.init(fen: try decoder.singleValueContainer().decode(Int64.self))
    }

    /// Encodes an integer number of fen, never a floating-point yuan value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }
}
