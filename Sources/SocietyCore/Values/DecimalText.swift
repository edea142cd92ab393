/// Decimal text written in Swift instead of `String(format:)`.
///
/// Why: on Linux `String(format:)` runs through CoreFoundation and the C library's `printf`, and a
/// parallel test run crashed inside that path (a copy of a freshly formatted counter with a garbage
/// length); `%@` with a Swift string is worse still, depending on a bridged object's lifetime. The
/// SDK formats only integers and fixed-point numbers, which these functions do without any of it.
package enum DecimalText {
    /// `value` in decimal, left-padded with zeros to at least `width` digits (a minus sign, when
    /// negative, goes ahead of the zeros): `padded(7, width: 3)` is `"007"`, like `%03d`.
    package static func padded<Value: BinaryInteger>(_ value: Value, width: Int) -> String {
        let digits = String(value.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count))
        return (value < 0 ? "-" : "") + zeros + digits
    }

    /// `value` rounded to `decimals` places (half away from zero), like `%.Nf`; with `sign` a plus
    /// sign ahead of a positive value, like `%+.Nf`. Values beyond ±9.2e18 / 10^decimals and
    /// non-finite values print as Swift describes them.
    package static func fixed(_ value: Double, decimals: Int, sign: Bool = false) -> String {
        let places = max(0, min(decimals, 12))
        var scale: Double = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        guard value.isFinite, scaled < 9.2e18 else { return value.description }
        let units = UInt64(scaled)
        let divisor = UInt64(scale)
        let whole = String(units / divisor)
        let fraction = places == 0 ? "" : "." + padded(units % divisor, width: places)
        let prefix = value < 0 && units != 0 ? "-" : sign ? "+" : ""
        return prefix + whole + fraction
    }
}
