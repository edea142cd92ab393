import Foundation

/// Decrypts one top-level sealed field: `(field name, sealed blob) → plaintext`.
package typealias FieldOpener = (String, ArraySlice<UInt8>) throws -> [UInt8]

/// Decodes a record from the ``RecordTag`` format, opening sealed top-level fields.
package enum RecordDecoding {
    /// Decodes `type` from `bytes`. `opener` is `nil` when the transaction may not read sensitive
    /// fields: meeting a sealed field then throws `missingOpener`.
    package static func decode<Value: Decodable>(
        _ type: Value.Type,
        from bytes: [UInt8],
        opener: FieldOpener?
    ) throws -> Value {
        try Value(from: decoder(for: bytes, opener: opener))
    }

    /// A decoder positioned on the whole body, for upgrade steps that decode an older shape.
    package static func decoder(for bytes: [UInt8], opener: FieldOpener?) -> any Decoder {
        ValueDecoder(reader: RecordReader(bytes: bytes), offset: 0, codingPath: [], opener: opener)
    }
}

/// Thrown when a sealed field is met by a decoder without the right to open it.
package struct MissingOpener: Error {
    package let field: String
}

private struct ValueDecoder: Decoder {
    let reader: RecordReader
    let offset: Int
    /// The coding path is built only when asked for (errors, nested containers): building it
    /// allocates, and most values never need it.
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { fullPath(parentPath, key) }
    let opener: FieldOpener?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(
        reader: RecordReader,
        offset: Int,
        codingPath: [any CodingKey],
        key: (any CodingKey)? = nil,
        opener: FieldOpener?
    ) {
        self.reader = reader
        self.offset = offset
        self.parentPath = codingPath
        self.key = key
        self.opener = opener
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(
            try KeyedReader<Key>(reader: reader, offset: offset, codingPath: codingPath, opener: opener)
        )
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try UnkeyedReader(reader: reader, offset: offset, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleReader(reader: reader, offset: offset, parentPath: parentPath, key: key)
    }
}

private func fullPath(_ parentPath: [any CodingKey], _ key: (any CodingKey)?) -> [any CodingKey] {
    key.map { parentPath + [$0] } ?? parentPath
}

private func mismatch(_ type: Any.Type, _ path: [any CodingKey], _ error: any Error) -> DecodingError {
    DecodingError.typeMismatch(type, DecodingError.Context(codingPath: path, debugDescription: "\(error)"))
}

/// Reads one value of `T` at `offset`: primitives directly, others through `init(from:)`. The
/// value's coding path is `codingPath` followed by `key`, built only for an error.
///
/// Types are compared by metatype: a failed dynamic cast is a slow runtime call, and most values a
/// record holds are either a primitive or a type of its own.
private func readValue<T: Decodable>(
    _ type: T.Type,
    reader: RecordReader,
    offset: Int,
    codingPath: [any CodingKey],
    key: (any CodingKey)? = nil
) throws -> T {
    do {
        if T.self == String.self, let v = try reader.string(at: offset) as? T { return v }
        if T.self == Int.self, let v = Int(exactly: try reader.signed(at: offset)) as? T { return v }
        if T.self == Int64.self, let v = try reader.signed(at: offset) as? T { return v }
        if T.self == Double.self, let v = try reader.double(at: offset) as? T { return v }
        if T.self == Bool.self, let v = try reader.bool(at: offset) as? T { return v }
        if T.self == Float.self, let v = Float(try reader.double(at: offset)) as? T { return v }
        if let v = try primitiveInteger(type, reader: reader, offset: offset) { return v }
    } catch let error as RecordFormatError {
        throw mismatch(T.self, fullPath(codingPath, key), error)
    }
    return try T(from: ValueDecoder(reader: reader, offset: offset, codingPath: codingPath, key: key, opener: nil))
}

private func primitiveInteger<T>(_ type: T.Type, reader: RecordReader, offset: Int) throws -> T? {
    func exact<I: FixedWidthInteger>(_ i: I.Type) throws -> T? {
        if I.isSigned {
            guard let v = I(exactly: try reader.signed(at: offset)) else { throw RecordFormatError("out of range") }
            return v as? T
        }
        guard let v = I(exactly: try reader.unsigned(at: offset)) else { throw RecordFormatError("out of range") }
        return v as? T
    }
    if type == Int8.self { return try exact(Int8.self) }
    if type == Int16.self { return try exact(Int16.self) }
    if type == Int32.self { return try exact(Int32.self) }
    if type == UInt.self { return try exact(UInt.self) }
    if type == UInt8.self { return try exact(UInt8.self) }
    if type == UInt16.self { return try exact(UInt16.self) }
    if type == UInt32.self { return try exact(UInt32.self) }
    if type == UInt64.self { return try exact(UInt64.self) }
    return nil
}

private func integer<T: FixedWidthInteger>(
    _ type: T.Type,
    reader: RecordReader,
    offset: Int,
    codingPath: [any CodingKey],
    key: (any CodingKey)? = nil
) throws -> T {
    do {
        if T.isSigned {
            guard let value = T(exactly: try reader.signed(at: offset)) else { throw RecordFormatError("out of range") }
            return value
        }
        guard let value = T(exactly: try reader.unsigned(at: offset)) else { throw RecordFormatError("out of range") }
        return value
    } catch let error as RecordFormatError {
        throw mismatch(T.self, fullPath(codingPath, key), error)
    }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: RecordReader
    let codingPath: [any CodingKey]
    let opener: FieldOpener?
    /// (key bytes range, value offset) for each entry, in stored order.
    private let entries: [(Range<Int>, Int)]

    init(reader: RecordReader, offset: Int, codingPath: [any CodingKey], opener: FieldOpener?) throws {
        self.reader = reader
        self.codingPath = codingPath
        self.opener = opener
        guard try reader.byte(at: offset) == RecordTag.keyed else {
            throw mismatch([String: Any].self, codingPath, RecordFormatError("expected a keyed container"))
        }
        let end = offset + 9 + (try reader.u32(at: offset + 1))
        let count = try reader.u32(at: offset + 5)
        guard end <= reader.bytes.count, count <= end - offset else {
            throw mismatch([String: Any].self, codingPath, RecordFormatError("truncated container"))
        }
        var entries: [(Range<Int>, Int)] = []
        entries.reserveCapacity(count)
        var position = offset + 9
        for _ in 0..<count {
            let keyRange = try reader.lengthPrefixed(at: position)
            let valueOffset = keyRange.upperBound
            entries.append((keyRange, valueOffset))
            position = try reader.skip(at: valueOffset)
        }
        guard position <= end else { throw mismatch([String: Any].self, codingPath, RecordFormatError("overrun")) }
        self.entries = entries
    }

    var allKeys: [Key] {
        entries.compactMap { entry in
            String(validating: reader.bytes[entry.0], as: UTF8.self).flatMap { Key(stringValue: $0) }
        }
    }

    private func find(_ key: Key) -> Int? {
        var name = key.stringValue
        return name.withUTF8 { utf8 -> Int? in
            reader.bytes.withUnsafeBufferPointer { bytes -> Int? in
                guard let base = bytes.baseAddress, let wanted = utf8.baseAddress else {
                    return entries.first { $0.0.isEmpty && utf8.isEmpty }?.1
                }
                for entry in entries where entry.0.count == utf8.count {
                    if memcmp(base + entry.0.lowerBound, wanted, utf8.count) == 0 { return entry.1 }
                }
                return nil
            }
        }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    /// The reader and offset holding `key`'s value, decrypting a sealed field first.
    private func locate(_ key: Key) throws -> (RecordReader, Int) {
        guard let offset = find(key) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(codingPath: codingPath, debugDescription: "no value stored")
            )
        }
        guard try reader.byte(at: offset) == RecordTag.sealed else { return (reader, offset) }
        guard let opener else { throw MissingOpener(field: key.stringValue) }
        let range = try reader.lengthPrefixed(at: offset + 1)
        return (RecordReader(bytes: try opener(key.stringValue, reader.bytes[range])), 0)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        let (reader, offset) = try locate(key)
        return try reader.byte(at: offset) == RecordTag.null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let (r, o) = try locate(key)
        return try readValue(type, reader: r, offset: o, codingPath: codingPath, key: key)
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let (r, o) = try locate(key)
        return try readValue(type, reader: r, offset: o, codingPath: codingPath, key: key)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let (r, o) = try locate(key)
        return try readValue(type, reader: r, offset: o, codingPath: codingPath, key: key)
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let (r, o) = try locate(key)
        return Float(try readValue(Double.self, reader: r, offset: o, codingPath: codingPath, key: key))
    }
    // Int and Int64, the common cases, avoid the generic path (unspecialised here, since the
    // container is generic over the caller's key type).
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        let (r, o) = try locate(key)
        do {
            guard let value = Int(exactly: try r.signed(at: o)) else { throw RecordFormatError("out of range") }
            return value
        } catch let error as RecordFormatError {
            throw mismatch(Int.self, fullPath(codingPath, key), error)
        }
    }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try int(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try int(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try int(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        let (r, o) = try locate(key)
        do {
            return try r.signed(at: o)
        } catch let error as RecordFormatError {
            throw mismatch(Int64.self, fullPath(codingPath, key), error)
        }
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try int(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try int(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try int(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try int(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try int(type, key) }

    private func int<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
        let (r, o) = try locate(key)
        return try integer(type, reader: r, offset: o, codingPath: codingPath, key: key)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (r, o) = try locate(key)
        return try readValue(type, reader: r, offset: o, codingPath: codingPath, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let (r, o) = try locate(key)
        return KeyedDecodingContainer(
            try KeyedReader<NestedKey>(reader: r, offset: o, codingPath: codingPath + [key], opener: nil)
        )
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let (r, o) = try locate(key)
        return try UnkeyedReader(reader: r, offset: o, codingPath: codingPath + [key])
    }

    func superDecoder() throws -> any Decoder {
        guard let key = Key(stringValue: "super") else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: codingPath, debugDescription: "no super")
            )
        }
        return try superDecoder(forKey: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        let (r, o) = try locate(key)
        return ValueDecoder(reader: r, offset: o, codingPath: codingPath + [key], opener: nil)
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedReader: UnkeyedDecodingContainer {
    let reader: RecordReader
    let codingPath: [any CodingKey]
    let count: Int?
    var currentIndex = 0
    private var position: Int
    private let end: Int

    init(reader: RecordReader, offset: Int, codingPath: [any CodingKey]) throws {
        self.reader = reader
        self.codingPath = codingPath
        guard try reader.byte(at: offset) == RecordTag.unkeyed else {
            throw mismatch([Any].self, codingPath, RecordFormatError("expected an unkeyed container"))
        }
        end = offset + 9 + (try reader.u32(at: offset + 1))
        count = try reader.u32(at: offset + 5)
        position = offset + 9
        guard end <= reader.bytes.count else { throw mismatch([Any].self, codingPath, RecordFormatError("truncated")) }
    }

    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private mutating func next() throws -> Int {
        guard !isAtEnd, position < end else {
            throw DecodingError.valueNotFound(
                Any.self,
                DecodingError.Context(codingPath: codingPath, debugDescription: "unkeyed container is at end")
            )
        }
        let offset = position
        position = try reader.skip(at: offset)
        currentIndex += 1
        return offset
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if try reader.byte(at: position) == RecordTag.null {
            _ = try next()
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let key = IndexKey(currentIndex)
        let offset = try next()
        return try readValue(type, reader: reader, offset: offset, codingPath: codingPath, key: key)
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        let key = IndexKey(currentIndex)
        return try integer(type, reader: reader, offset: try next(), codingPath: codingPath, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(currentIndex)]
        return KeyedDecodingContainer(
            try KeyedReader<NestedKey>(reader: reader, offset: try next(), codingPath: path, opener: nil)
        )
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = codingPath + [IndexKey(currentIndex)]
        return try UnkeyedReader(reader: reader, offset: try next(), codingPath: path)
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = codingPath + [IndexKey(currentIndex)]
        return ValueDecoder(reader: reader, offset: try next(), codingPath: path, opener: nil)
    }
}

private struct SingleReader: SingleValueDecodingContainer {
    let reader: RecordReader
    let offset: Int
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { fullPath(parentPath, key) }

    func decodeNil() -> Bool { (try? reader.byte(at: offset)) == RecordTag.null }
    func decode(_ type: Bool.Type) throws -> Bool {
        try readValue(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: String.Type) throws -> String {
        try readValue(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: Double.Type) throws -> Double {
        try readValue(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: Float.Type) throws -> Float {
        Float(try readValue(Double.self, reader: reader, offset: offset, codingPath: parentPath, key: key))
    }
    func decode(_ type: Int.Type) throws -> Int {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: Int8.Type) throws -> Int8 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: Int16.Type) throws -> Int16 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: Int32.Type) throws -> Int32 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: Int64.Type) throws -> Int64 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: UInt.Type) throws -> UInt {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: UInt8.Type) throws -> UInt8 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: UInt16.Type) throws -> UInt16 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: UInt32.Type) throws -> UInt32 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode(_ type: UInt64.Type) throws -> UInt64 {
        try integer(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try readValue(type, reader: reader, offset: offset, codingPath: parentPath, key: key)
    }
}
