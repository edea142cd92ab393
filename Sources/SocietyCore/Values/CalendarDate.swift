public import Foundation

/// A civil date without a time of day, as it appears on an ID card, a contract or a certificate.
///
/// Dates in the plan's records are calendar days in China Standard Time (UTC+8, no daylight saving
/// since 1991), not instants: a resident born on 1990-03-01 is born on that day wherever the server
/// runs. Keeping them apart from `Date` avoids the classic off-by-one-day bug at midnight UTC.
public struct CalendarDate: Hashable, Comparable, Sendable {
    /// The proleptic Gregorian year.
    public let year: Int
    /// The month, 1–12.
    public let month: Int
    /// The day of the month, 1–31.
    public let day: Int

    /// Why a year, month and day do not form a real calendar date.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The text is not `YYYY-MM-DD` (or `YYYYMMDD` where accepted).
        case malformed(String)
        /// The year is outside 1…9999.
        case yearOutOfRange(Int)
        /// The month is outside 1…12.
        case monthOutOfRange(Int)
        /// The day does not exist in that month (e.g. February 30, or February 29 in a common year).
        case dayOutOfRange(day: Int, month: Int, year: Int)

        public var description: String {
            switch self {
            case .malformed(let text): "date \"\(text)\" is not of the form YYYY-MM-DD"
            case .yearOutOfRange(let year): "year \(year) is outside 1…9999"
            case .monthOutOfRange(let month): "month \(month) is outside 1…12"
            case .dayOutOfRange(let day, let month, let year):
                "day \(day) does not exist in \(year)-\(CalendarDate.pad(month, 2))"
            }
        }
    }

    /// Creates a date, checking that it exists on the Gregorian calendar.
    public init(year: Int, month: Int, day: Int) throws(ValidationError) {
        guard (1...9999).contains(year) else { throw .yearOutOfRange(year) }
        guard (1...12).contains(month) else { throw .monthOutOfRange(month) }
        guard day >= 1, day <= CalendarDate.daysInMonth(month, year: year) else {
            throw .dayOutOfRange(day: day, month: month, year: year)
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses the ISO 8601 form `YYYY-MM-DD`.
    public init(iso8601 text: String) throws(ValidationError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = CalendarDate.digits(bytes[0..<4]), let month = CalendarDate.digits(bytes[5..<7]),
            let day = CalendarDate.digits(bytes[8..<10])
        else { throw .malformed(text) }
        try self.init(year: year, month: month, day: day)
    }

    /// Parses the compact form `YYYYMMDD` used inside identity numbers.
    public init(compact text: some StringProtocol) throws(ValidationError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, let year = CalendarDate.digits(bytes[0..<4]),
            let month = CalendarDate.digits(bytes[4..<6]), let day = CalendarDate.digits(bytes[6..<8])
        else { throw .malformed(String(text)) }
        try self.init(year: year, month: month, day: day)
    }

    /// The calendar day of `instant` in China Standard Time.
    public init(_ instant: Date) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + 8 * 3600
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        self.init(daysSinceEpoch: days)
    }

    /// The date `days` days after 1970-01-01 (negative for earlier dates).
    ///
    /// Days outside the supported years are clamped to 0001-01-01 and 9999-12-31.
    public init(daysSinceEpoch days: Int) {
        // Civil-from-days (H. Hinnant's algorithm), exact for the proleptic Gregorian calendar.
        let clamped = min(max(days, -719_162), 2_932_896)
        let z = clamped + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01; the basis for ordering and date arithmetic.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days later (or earlier, for a negative count).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day `years` years later; February 29 becomes February 28 in a common year.
    public func adding(years: Int) -> CalendarDate {
        let target = min(max(year + years, 1), 9999)
        let lastDay = CalendarDate.daysInMonth(month, year: target)
        return CalendarDate(unchecked: target, month, min(day, lastDay))
    }

    /// The same day `months` months later, clamped to the last day of a shorter month.
    public func adding(months: Int) -> CalendarDate {
        let index = year * 12 + (month - 1) + months
        let target = min(max(index / 12, 1), 9999)
        let targetMonth = index % 12 + 1
        let lastDay = CalendarDate.daysInMonth(targetMonth, year: target)
        return CalendarDate(unchecked: target, targetMonth, min(day, lastDay))
    }

    /// Whole years completed on `date`: the age in the sense of Chinese law (周岁).
    ///
    /// Someone born on February 29 turns a year older on March 1 in a common year.
    public func age(on date: CalendarDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    /// Number of days from `self` to `other` (negative if `other` is earlier).
    public func days(until other: CalendarDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// The first instant of this day in China Standard Time.
    public var startInstant: Date {
        Date(timeIntervalSince1970: TimeInterval(daysSinceEpoch * 86_400 - 8 * 3600))
    }

    /// `YYYY-MM-DD`.
    public var iso8601: String {
        "\(CalendarDate.pad(year, 4))-\(CalendarDate.pad(month, 2))-\(CalendarDate.pad(day, 2))"
    }

    /// `YYYYMMDD`, the form used inside identity numbers.
    public var compact: String {
        "\(CalendarDate.pad(year, 4))\(CalendarDate.pad(month, 2))\(CalendarDate.pad(day, 2))"
    }

    /// Whether `year` has a February 29.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in `month` of `year`.
    public static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// For parts already validated elsewhere (a stored identity number's birth date).
    init(trustedYear year: Int, month: Int, day: Int) {
        self.init(unchecked: year, month, day)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

extension CalendarDate: CustomStringConvertible {
    /// `YYYY-MM-DD`.
    public var description: String { iso8601 }
}

extension CalendarDate: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(iso8601:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(iso8601: text) }

    /// The canonical text.
    public var canonicalText: String { iso8601 }
}

/// A span of calendar days during which something holds: a card, a certificate, a contract.
///
/// `until` is inclusive, as printed on Chinese documents ("有效期限 2020.01.01-2040.01.01"); `nil`
/// means long-term (长期), as on ID cards issued to people over 46.
public struct ValidityPeriod: Hashable, Codable, Sendable {
    /// The first day of validity.
    public let from: CalendarDate
    /// The last day of validity, or `nil` for long-term.
    public let until: CalendarDate?

    /// Why a period cannot exist.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The last day is before the first day.
        case endsBeforeItStarts(from: CalendarDate, until: CalendarDate)

        public var description: String {
            switch self {
            case .endsBeforeItStarts(let from, let until): "validity ends on \(until), before it starts on \(from)"
            }
        }
    }

    /// Creates a period, refusing one that ends before it starts.
    public init(from: CalendarDate, until: CalendarDate?) throws(ValidationError) {
        if let until, until < from { throw .endsBeforeItStarts(from: from, until: until) }
        self.from = from
        self.until = until
    }

    /// Whether `date` falls within the period (both ends included).
    public func contains(_ date: CalendarDate) -> Bool {
        guard date >= from else { return false }
        guard let until else { return true }
        return date <= until
    }

    private enum CodingKeys: String, CodingKey { case from, until }

    /// Decodes and re-validates, so a stored period can never end before it starts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let from = try container.decode(CalendarDate.self, forKey: .from)
        let until = try container.decodeIfPresent(CalendarDate.self, forKey: .until)
        do {
            try self.init(from: from, until: until)
        } catch {
            throw DecodingError.dataCorruptedError(
                forKey: .until,
                in: container,
                debugDescription: error.description
            )
        }
    }
}
