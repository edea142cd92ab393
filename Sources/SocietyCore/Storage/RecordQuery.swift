/// A query on one indexed field of a record type: a condition, an order and a limit.
///
/// Queries only use declared ``RecordIndex`` fields, so every query is served by an index and a
/// city-scale table is never searched row by row.
public struct RecordQuery<Record: StorableRecord>: Sendable {
    /// How the indexed value must compare.
    public enum Condition: Hashable, Sendable {
        /// Every record (an index scan when ``RecordQuery/order`` names a field).
        case any
        /// The value equals this one. The only condition a searchable sensitive index supports.
        case equals(IndexValue)
        /// The value lies between the bounds; `nil` leaves that side open.
        case range(lower: IndexValue?, upper: IndexValue?, upperInclusive: Bool)
        /// The value is one of these.
        case among([IndexValue])
    }

    /// The ordering of results.
    public enum Order: Hashable, Sendable {
        /// Storage order (fastest).
        case unspecified
        /// By the named indexed field, ascending.
        case ascending(String)
        /// By the named indexed field, descending.
        case descending(String)
    }

    /// The indexed field the condition tests, or `nil` for ``Condition/any``.
    public var field: String?
    /// The condition on ``field``.
    public var condition: Condition
    /// The order of results.
    public var order: Order
    /// The largest number of results, or `nil` for all.
    public var limit: Int?

    /// All records of the type, in storage order.
    public static var all: RecordQuery { RecordQuery(field: nil, condition: .any, order: .unspecified, limit: nil) }

    /// Records whose `field` satisfies `condition`.
    public static func filter(_ field: String, _ condition: Condition) -> RecordQuery {
        RecordQuery(field: field, condition: condition, order: .unspecified, limit: nil)
    }

    /// Records whose `field` equals `value`.
    public static func filter(_ field: String, equals value: IndexValue) -> RecordQuery {
        filter(field, .equals(value))
    }

    /// Records whose `field` lies in `lower ..< upper` (or `...` when `inclusive`).
    public static func filter(
        _ field: String,
        from lower: IndexValue?,
        to upper: IndexValue?,
        inclusive: Bool = false
    ) -> RecordQuery {
        filter(field, .range(lower: lower, upper: upper, upperInclusive: inclusive))
    }

    /// Creates a query from its parts.
    public init(field: String?, condition: Condition, order: Order, limit: Int?) {
        self.field = field
        self.condition = condition
        self.order = order
        self.limit = limit
    }

    /// The same query ordered by `field`.
    public func ordered(by field: String, descending: Bool = false) -> RecordQuery {
        var copy = self
        copy.order = descending ? .descending(field) : .ascending(field)
        return copy
    }

    /// The same query returning at most `count` records.
    public func limited(to count: Int) -> RecordQuery {
        var copy = self
        copy.limit = count
        return copy
    }
}
