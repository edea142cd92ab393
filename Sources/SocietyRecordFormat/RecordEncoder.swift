/// Encrypts one top-level field's encoded bytes: `(field name, plaintext) → sealed blob`.
package typealias FieldSealer = (String, [UInt8]) throws -> [UInt8]

/// Encodes a record into the ``RecordTag`` format, sealing the sensitive top-level fields.
package enum RecordEncoding {
    package static func encode<Value: Encodable>(
        _ value: Value,
        sensitiveFields: [String] = [],
        sealer: FieldSealer? = nil
    ) throws -> [UInt8] {
        let writer = RecordWriter()
        _ = try encode(value, into: writer, sensitiveFields: sensitiveFields, sealer: sealer)
        return writer.bytes
    }

    /// Appends the encoding of `value` to `writer` (which may already hold other records, as
    /// a bulk load's chunk buffer does) and returns where it lies.
    package static func encode<Value: Encodable>(
        _ value: Value,
        into writer: RecordWriter,
        sensitiveFields: [String] = [],
        sealer: FieldSealer? = nil
    ) throws -> Range<Int> {
        let start = writer.bytes.count
        let encoder = ValueEncoder(
            writer: writer,
            codingPath: [],
            topLevel: sealer.map { Sealing(fields: sensitiveFields, seal: $0) }
        )
        try value.encode(to: encoder)
        if writer.bytes.count == start { writer.append(RecordTag.null) }
        return start..<writer.bytes.count
    }
}

/// What the record's own container seals: its sensitive fields, how, and a buffer reused for
/// each field's plaintext. One reference rather than a tuple of an array and a closure, which
/// every field of every record retained and released twice.
private final class Sealing {
    let fields: [String]
    let seal: FieldSealer
    let scratch = RecordWriter(capacity: 64)

    init(fields: [String], seal: @escaping FieldSealer) {
        self.fields = fields
        self.seal = seal
    }
}

/// The encoder for one value. A class, so that asking twice for a container returns the same one.
private final class ValueEncoder: Encoder {
    let writer: RecordWriter
    /// The coding path is built only when asked for (errors, nested containers): most values
    /// never need it, and building it allocates.
    private let parentPath: [any CodingKey]
    private let key: (any CodingKey)?
    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Set only for the record itself: which fields to seal and how.
    let topLevel: Sealing?
    private var keyedHeader: Int?
    private var unkeyedHeader: Int?

    init(
        writer: RecordWriter,
        codingPath: [any CodingKey],
        key: (any CodingKey)? = nil,
        topLevel: Sealing?
    ) {
        self.writer = writer
        self.parentPath = codingPath
        self.key = key
        self.topLevel = topLevel
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let header = keyedHeader ?? writer.beginContainer(tag: RecordTag.keyed)
        keyedHeader = header
        return KeyedEncodingContainer(
            KeyedWriter<Key>(writer: writer, header: header, codingPath: codingPath, topLevel: topLevel)
        )
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let header = unkeyedHeader ?? writer.beginContainer(tag: RecordTag.unkeyed)
        unkeyedHeader = header
        return UnkeyedWriter(writer: writer, header: header, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleWriter(writer: writer, parentPath: parentPath, key: key)
    }
}

/// Writes one value of any type into `writer`: primitives directly, others through `encode(to:)`.
///
/// Types are compared by metatype first: a failed `as?` cast is a slow runtime call, and most
/// values a record holds are either one of these primitives or a type of its own.
private func writeValue<T: Encodable>(
    _ value: T,
    into writer: RecordWriter,
    codingPath: [any CodingKey],
    key: (any CodingKey)? = nil
) throws {
    if T.self == String.self, let v = value as? String { return writer.appendString(v) }
    if T.self == Int.self, let v = value as? Int { return writer.appendSigned(Int64(v)) }
    if T.self == Int64.self, let v = value as? Int64 { return writer.appendSigned(v) }
    if T.self == Double.self, let v = value as? Double { return writer.appendDouble(v) }
    if T.self == Bool.self, let v = value as? Bool {
        return writer.append(v ? RecordTag.trueValue : RecordTag.falseValue)
    }
    if T.self == Int32.self, let v = value as? Int32 { return writer.appendSigned(Int64(v)) }
    if T.self == UInt8.self, let v = value as? UInt8 { return writer.appendUnsigned(UInt64(v)) }
    if T.self == Int8.self, let v = value as? Int8 { return writer.appendSigned(Int64(v)) }
    if T.self == Int16.self, let v = value as? Int16 { return writer.appendSigned(Int64(v)) }
    if T.self == UInt.self, let v = value as? UInt { return writer.appendUnsigned(UInt64(v)) }
    if T.self == UInt16.self, let v = value as? UInt16 { return writer.appendUnsigned(UInt64(v)) }
    if T.self == UInt32.self, let v = value as? UInt32 { return writer.appendUnsigned(UInt64(v)) }
    if T.self == UInt64.self, let v = value as? UInt64 { return writer.appendUnsigned(v) }
    if T.self == Float.self, let v = value as? Float { return writer.appendDouble(Double(v)) }
    let start = writer.bytes.count
    try value.encode(to: ValueEncoder(writer: writer, codingPath: codingPath, key: key, topLevel: nil))
    if writer.bytes.count == start { writer.append(RecordTag.null) }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: RecordWriter
    let header: Int
    let codingPath: [any CodingKey]
    let topLevel: Sealing?
    var parents: [Int] = []

    /// Writes the key, then the value (sealed when the field is sensitive), and counts it.
    private func slot(_ key: Key, _ write: (RecordWriter) throws -> Void) throws {
        let name = key.stringValue
        writer.appendKey(name)
        if let topLevel, topLevel.fields.contains(name) {
            let plain = topLevel.scratch
            plain.bytes.removeAll(keepingCapacity: true)
            try write(plain)
            let sealed = try topLevel.seal(name, plain.bytes)
            writer.append(RecordTag.sealed)
            writer.appendVarint(UInt64(sealed.count))
            writer.bytes.append(contentsOf: sealed)
        } else {
            try write(writer)
        }
        writer.elementAdded(header: header)
        for parent in parents.reversed() { writer.elementAddedLength(header: parent) }
    }

    mutating func encodeNil(forKey key: Key) throws { try slot(key) { $0.append(RecordTag.null) } }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try slot(key) { $0.append(value ? RecordTag.trueValue : RecordTag.falseValue) }
    }
    mutating func encode(_ value: String, forKey key: Key) throws { try slot(key) { $0.appendString(value) } }
    mutating func encode(_ value: Double, forKey key: Key) throws { try slot(key) { $0.appendDouble(value) } }
    mutating func encode(_ value: Float, forKey key: Key) throws { try slot(key) { $0.appendDouble(Double(value)) } }
    mutating func encode(_ value: Int, forKey key: Key) throws { try slot(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try slot(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try slot(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try slot(key) { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try slot(key) { $0.appendSigned(value) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try slot(key) { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try slot(key) { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        try slot(key) { $0.appendUnsigned(UInt64(value)) }
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        try slot(key) { $0.appendUnsigned(UInt64(value)) }
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try slot(key) { $0.appendUnsigned(value) } }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let path = codingPath
        try slot(key) { try writeValue(value, into: $0, codingPath: path, key: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        // Nested containers are written in place; a sensitive field must encode as a whole value.
        writer.appendKey(key.stringValue)
        let nested = writer.beginContainer(tag: RecordTag.keyed)
        writer.elementAdded(header: header)
        for parent in parents.reversed() { writer.elementAddedLength(header: parent) }
        return KeyedEncodingContainer(
            KeyedWriter<NestedKey>(
                writer: writer,
                header: nested,
                codingPath: codingPath + [key],
                topLevel: nil,
                parents: parents + [header]
            )
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writer.appendKey(key.stringValue)
        let nested = writer.beginContainer(tag: RecordTag.unkeyed)
        writer.elementAdded(header: header)
        for parent in parents.reversed() { writer.elementAddedLength(header: parent) }
        return UnkeyedWriter(
            writer: writer,
            header: nested,
            codingPath: codingPath + [key],
            parents: parents + [header]
        )
    }

    mutating func superEncoder() -> any Encoder {
        writer.appendKey("super")
        return SlotEncoder(writer: writer, header: header, codingPath: codingPath, parents: parents)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writer.appendKey(key.stringValue)
        return SlotEncoder(writer: writer, header: header, codingPath: codingPath + [key], parents: parents)
    }
}

/// The encoder handed out by `superEncoder`: writes one value in a parent's slot.
private final class SlotEncoder: Encoder {
    let writer: RecordWriter
    let header: Int
    let codingPath: [any CodingKey]
    let parents: [Int]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(writer: RecordWriter, header: Int, codingPath: [any CodingKey], parents: [Int]) {
        self.writer = writer
        self.header = header
        self.codingPath = codingPath
        self.parents = parents
    }

    private func grow() {
        writer.elementAdded(header: header)
        for parent in parents.reversed() { writer.elementAddedLength(header: parent) }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let nested = writer.beginContainer(tag: RecordTag.keyed)
        grow()
        return KeyedEncodingContainer(
            KeyedWriter<Key>(
                writer: writer,
                header: nested,
                codingPath: codingPath,
                topLevel: nil,
                parents: parents + [header]
            )
        )
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = writer.beginContainer(tag: RecordTag.unkeyed)
        grow()
        return UnkeyedWriter(writer: writer, header: nested, codingPath: codingPath, parents: parents + [header])
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleWriter(writer: writer, codingPath: codingPath, after: { [self] in grow() })
    }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let writer: RecordWriter
    let header: Int
    let codingPath: [any CodingKey]
    var parents: [Int] = []
    var count = 0

    private mutating func slot(_ write: (RecordWriter) throws -> Void) rethrows {
        try write(writer)
        writer.elementAdded(header: header)
        for parent in parents.reversed() { writer.elementAddedLength(header: parent) }
        count += 1
    }

    mutating func encodeNil() throws { slot { $0.append(RecordTag.null) } }
    mutating func encode(_ value: String) throws { slot { $0.appendString(value) } }
    mutating func encode(_ value: Int) throws { slot { $0.appendSigned(Int64(value)) } }
    mutating func encode(_ value: Int64) throws { slot { $0.appendSigned(value) } }
    mutating func encode(_ value: UInt8) throws { slot { $0.appendUnsigned(UInt64(value)) } }
    mutating func encode(_ value: Double) throws { slot { $0.appendDouble(value) } }
    mutating func encode(_ value: Bool) throws {
        slot { $0.append(value ? RecordTag.trueValue : RecordTag.falseValue) }
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath
        try slot { try writeValue(value, into: $0, codingPath: path) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = writer.beginContainer(tag: RecordTag.keyed)
        writer.elementAdded(header: header)
        for parent in parents.reversed() { writer.elementAddedLength(header: parent) }
        count += 1
        return KeyedEncodingContainer(
            KeyedWriter<NestedKey>(
                writer: writer,
                header: nested,
                codingPath: codingPath,
                topLevel: nil,
                parents: parents + [header]
            )
        )
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = writer.beginContainer(tag: RecordTag.unkeyed)
        writer.elementAdded(header: header)
        for parent in parents.reversed() { writer.elementAddedLength(header: parent) }
        count += 1
        return UnkeyedWriter(writer: writer, header: nested, codingPath: codingPath, parents: parents + [header])
    }

    mutating func superEncoder() -> any Encoder {
        count += 1
        return SlotEncoder(writer: writer, header: header, codingPath: codingPath, parents: parents)
    }
}

private struct SingleWriter: SingleValueEncodingContainer {
    let writer: RecordWriter
    private let parentPath: [any CodingKey]
    private let key: (any CodingKey)?
    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }
    var after: (() -> Void)?

    init(writer: RecordWriter, codingPath: [any CodingKey], after: (() -> Void)? = nil) {
        self.init(writer: writer, parentPath: codingPath, key: nil, after: after)
    }

    init(writer: RecordWriter, parentPath: [any CodingKey], key: (any CodingKey)?, after: (() -> Void)? = nil) {
        self.writer = writer
        self.parentPath = parentPath
        self.key = key
        self.after = after
    }

    mutating func encodeNil() throws {
        writer.append(RecordTag.null)
        after?()
    }
    mutating func encode(_ value: Bool) throws {
        writer.append(value ? RecordTag.trueValue : RecordTag.falseValue)
        after?()
    }
    mutating func encode(_ value: String) throws {
        writer.appendString(value)
        after?()
    }
    mutating func encode(_ value: Double) throws {
        writer.appendDouble(value)
        after?()
    }
    mutating func encode(_ value: Int) throws {
        writer.appendSigned(Int64(value))
        after?()
    }
    mutating func encode(_ value: Int64) throws {
        writer.appendSigned(value)
        after?()
    }
    mutating func encode(_ value: UInt64) throws {
        writer.appendUnsigned(value)
        after?()
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try writeValue(value, into: writer, codingPath: parentPath, key: key)
        after?()
    }
}
