/// A value the store can keep: any `Codable` type that declares how it is stored.
///
/// The adapter stores every conforming type without knowing it, so a domain module (or a third
/// party's own module) adds a record type by conforming, never by editing the adapter. The type
/// declares a stable ``recordKind`` (its table), a ``recordKey``, a ``schemaVersion`` with
/// ``upgrades`` from older versions, the ``indexes`` that queries may use, and the
/// ``sensitiveFields`` that are encrypted at rest and readable only with a purpose.
///
/// ```swift
/// struct Resident: StorableRecord {
///     static let recordKind = "resident"
///     static let sensitiveFields: Set<String> = ["id", "name"]
///     static let indexes: [RecordIndex<Resident>] = [
///         RecordIndex("district") { .text($0.district.code) },
///         RecordIndex("birthYear") { .integer(Int64($0.birthYear)) },
///     ]
///     var id: ResidentID
///     var name: String
///     var district: DivisionCode
///     var birthYear: Int
///     var recordKey: RecordKey { RecordKey(sensitive: id.unmasked) }
/// }
/// ```
public protocol StorableRecord: Codable, Sendable {
    /// The stable name of this kind of record: lowercase ASCII letters, digits and `_`, starting
    /// with a letter, at most 48 characters. It names the table, so it must never change.
    static var recordKind: String { get }

    /// The version of this type's stored shape. Raise it when a stored record of the previous
    /// shape can no longer be decoded as this type, and register an ``upgrades`` step for it.
    static var schemaVersion: Int { get }

    /// Steps that turn a record stored under an older ``schemaVersion`` into this type when read.
    static var upgrades: [RecordUpgrade<Self>] { get }

    /// The fields that queries can filter and order on.
    static var indexes: [RecordIndex<Self>] { get }

    /// The coding keys (top-level `CodingKey.stringValue`s) whose values are personal or secret:
    /// the store encrypts them at rest, binds each ciphertext to its record and field, and reads
    /// them back only in a transaction opened with a purpose.
    static var sensitiveFields: Set<String> { get }

    /// The key that identifies this record among the records of its kind.
    var recordKey: RecordKey { get }
}

extension StorableRecord {
    /// Version 1: a new type has no older shapes.
    public static var schemaVersion: Int { 1 }
    /// No upgrade steps.
    public static var upgrades: [RecordUpgrade<Self>] { [] }
    /// No indexes: the record is reachable by key and by full scans only.
    public static var indexes: [RecordIndex<Self>] { [] }
    /// No sensitive fields.
    public static var sensitiveFields: Set<String> { [] }
}

/// The key of a record within its kind.
///
/// A key that is personal data (a citizen identity number) is declared ``isSensitive``: the store
/// then keeps only a keyed hash of it as the row key, so the number never appears in clear in the
/// database file. Lookups by key still work, because the same key hashes to the same value.
public struct RecordKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's text. For a sensitive key this is the clear value: do not log it.
    public let value: String
    /// Whether the store must keep only a keyed hash of ``value``.
    public let isSensitive: Bool

    /// A key that may be stored in clear, such as a generated identifier or a credit code.
    public init(_ value: String) {
        self.value = value
        self.isSensitive = false
    }

    /// A key that is personal data; the store keeps only its keyed hash.
    public init(sensitive value: String) {
        self.value = value
        self.isSensitive = true
    }

    /// The key, masked when it is sensitive, so that it can appear in errors and logs.
    public var description: String {
        isSensitive ? Masking.keep(value, prefix: 2, suffix: 2) : value
    }
}

/// A value an index holds for one record: what queries compare.
public enum IndexValue: Hashable, Sendable, Comparable {
    /// A signed integer; compares numerically.
    case integer(Int64)
    /// A floating-point number; compares numerically.
    case real(Double)
    /// Text; compares by UTF-8 bytes (SQLite's `BINARY` collation).
    case text(String)

    private var rank: Int {
        switch self {
        case .integer, .real: 0
        case .text: 1
        }
    }

    /// SQLite's ordering: numbers before text, numbers by value, text by bytes.
    public static func < (lhs: IndexValue, rhs: IndexValue) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): a < b
        case (.integer(let a), .real(let b)): Double(a) < b
        case (.real(let a), .integer(let b)): a < Double(b)
        case (.real(let a), .real(let b)): a < b
        case (.text(let a), .text(let b)): Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        default: lhs.rank < rhs.rank
        }
    }
}

/// One indexed field of a record type: its name and how to read its value from a record.
public struct RecordIndex<Record: StorableRecord>: Sendable {
    /// The field's name in queries: lowercase ASCII letters, digits and `_`, starting with a
    /// letter. It names a column, so it must stay stable.
    public let name: String
    /// Whether the value is personal data. The store then keeps a keyed hash of it instead of the
    /// value, which allows equality lookups (find a resident by phone number) but no ranges or
    /// ordering, and never stores the value in clear.
    public let isSensitive: Bool
    /// Reads the value from a record; `nil` leaves the record out of this index.
    public let value: @Sendable (Record) -> IndexValue?

    /// A clear index, usable for equality, ranges and ordering.
    public init(_ name: String, value: @escaping @Sendable (Record) -> IndexValue?) {
        self.name = name
        self.isSensitive = false
        self.value = value
    }

    /// A searchable sensitive index: equality lookups through a keyed hash, never the clear value.
    public init(searchable name: String, value: @escaping @Sendable (Record) -> IndexValue?) {
        self.name = name
        self.isSensitive = true
        self.value = value
    }
}

/// A step that upgrades a record stored under an older schema version.
///
/// The step decodes the stored body as the old shape `Old` (a type the module keeps for this
/// purpose) and converts it; sensitive fields are decrypted as usual before `Old` sees them.
/// One step per old version, each converting straight to the current type.
public struct RecordUpgrade<Record: StorableRecord>: Sendable {
    /// The stored schema version this step reads.
    public let fromVersion: Int
    /// Decodes with the given decoder (as `Old`) and converts.
    public let upgrade: @Sendable (any Decoder) throws -> Record

    /// A step from `version`, decoding the stored body as `old` and converting it with `convert`.
    public init<Old: Decodable & SendableMetatype>(
        from version: Int,
        as old: Old.Type,
        _ convert: @escaping @Sendable (Old) throws -> Record
    ) {
        self.fromVersion = version
        self.upgrade = { decoder in try convert(Old(from: decoder)) }
    }
}
