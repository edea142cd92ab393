/// The compact binary form of a record body.
///
/// JSONEncoder and PropertyListEncoder are too slow for a 500,000 records/s scan, and the store must
/// encrypt individual top-level fields while encoding, so records use this small self-describing
/// format. Every value starts with a tag byte:
///
/// | tag | value |
/// |-----|-------|
/// | 0 | nil |
/// | 1, 2 | false, true |
/// | 3 | signed integer, zigzag LEB128 |
/// | 4 | unsigned integer, LEB128 |
/// | 5 | Double, 8 bytes little-endian |
/// | 6 | string: LEB128 length, UTF-8 |
/// | 7 | keyed container: u32 LE byte length, u32 LE count, then (LEB128 key length, key, value)… |
/// | 8 | unkeyed container: u32 LE byte length, u32 LE count, then values… |
/// | 9 | sealed field: LEB128 length, then the sealed blob (top level only) |
enum RecordTag {
    static let null: UInt8 = 0
    static let falseValue: UInt8 = 1
    static let trueValue: UInt8 = 2
    static let signed: UInt8 = 3
    static let unsigned: UInt8 = 4
    static let double: UInt8 = 5
    static let string: UInt8 = 6
    static let keyed: UInt8 = 7
    static let unkeyed: UInt8 = 8
    static let sealed: UInt8 = 9
}

/// Why record bytes could not be decoded.
struct RecordFormatError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The append-only byte buffer the encoder writes into.
package final class RecordWriter {
    /// Unchecked for exclusivity: a writer belongs to one encoding on one thread, and none of its
    /// methods calls out while modifying `bytes`, so accesses never overlap; the dynamic checks
    /// (a thread-local access set per append) were a twentieth of a bulk load's time.
    @exclusivity(unchecked) package var bytes: [UInt8] = []

    package init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inline(__always) func append(_ byte: UInt8) { bytes.append(byte) }

    func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    func appendSigned(_ value: Int64) {
        bytes.append(RecordTag.signed)
        appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    func appendUnsigned(_ value: UInt64) {
        bytes.append(RecordTag.unsigned)
        appendVarint(value)
    }

    func appendDouble(_ value: Double) {
        bytes.append(RecordTag.double)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    func appendString(_ value: String) {
        bytes.append(RecordTag.string)
        var value = value
        value.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func appendKey(_ key: String) {
        var key = key
        key.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a container header and returns its offset, for ``elementAdded(header:)``.
    func beginContainer(tag: UInt8) -> Int {
        let offset = bytes.count
        bytes.append(tag)
        bytes.append(contentsOf: repeatElement(0, count: 8))
        return offset
    }

    /// Updates a container's byte length and count after one more element was written.
    ///
    /// One access to the buffer for both fields: this runs once per encoded field, and eight
    /// single-byte stores with their bounds checks were a measurable part of encoding.
    func elementAdded(header: Int) {
        let length = UInt32(truncatingIfNeeded: bytes.count - header - 9)
        bytes.withUnsafeMutableBytes { raw in
            let count = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: header + 5, as: UInt32.self)) &+ 1
            raw.storeBytes(of: length.littleEndian, toByteOffset: header + 1, as: UInt32.self)
            raw.storeBytes(of: count.littleEndian, toByteOffset: header + 5, as: UInt32.self)
        }
    }

    /// Updates only the byte length of an enclosing container (its count is already right).
    func elementAddedLength(header: Int) {
        let length = UInt32(truncatingIfNeeded: bytes.count - header - 9)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length.littleEndian, toByteOffset: header + 1, as: UInt32.self)
        }
    }
}

/// Reading primitives from record bytes, with bounds checks (stored bytes come from outside).
struct RecordReader {
    let bytes: [UInt8]

    func byte(at offset: Int) throws -> UInt8 {
        guard offset >= 0, offset < bytes.count else { throw RecordFormatError("truncated record") }
        return bytes[offset]
    }

    func varint(at offset: inout Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte(at: offset)
            offset += 1
            guard shift < 64 else { throw RecordFormatError("varint too long") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    func u32(at offset: Int) throws -> Int {
        guard offset >= 0, offset + 4 <= bytes.count else { throw RecordFormatError("truncated record") }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3])
            << 24
    }

    /// The range of a length-prefixed byte run starting at `offset` (after the tag).
    func lengthPrefixed(at offset: Int) throws -> Range<Int> {
        var position = offset
        let length = try varint(at: &position)
        guard length <= UInt64(bytes.count - position) else { throw RecordFormatError("truncated record") }
        return position..<position + Int(length)
    }

    /// The offset just after the value starting at `offset`.
    func skip(at offset: Int) throws -> Int {
        let tag = try byte(at: offset)
        switch tag {
        case RecordTag.null, RecordTag.falseValue, RecordTag.trueValue: return offset + 1
        case RecordTag.signed, RecordTag.unsigned:
            var position = offset + 1
            _ = try varint(at: &position)
            return position
        case RecordTag.double: return offset + 9
        case RecordTag.string, RecordTag.sealed: return try lengthPrefixed(at: offset + 1).upperBound
        case RecordTag.keyed, RecordTag.unkeyed:
            let end = offset + 9 + (try u32(at: offset + 1))
            guard end <= bytes.count else { throw RecordFormatError("truncated container") }
            return end
        default: throw RecordFormatError("unknown tag \(tag)")
        }
    }

    func string(at offset: Int) throws -> String {
        guard try byte(at: offset) == RecordTag.string else { throw RecordFormatError("expected a string") }
        let range = try lengthPrefixed(at: offset + 1)
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw RecordFormatError("invalid UTF-8")
        }
        return text
    }

    func signed(at offset: Int) throws -> Int64 {
        var position = offset + 1
        switch try byte(at: offset) {
        case RecordTag.signed:
            let raw = try varint(at: &position)
            return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        case RecordTag.unsigned:
            let raw = try varint(at: &position)
            guard raw <= UInt64(Int64.max) else { throw RecordFormatError("integer out of range") }
            return Int64(raw)
        default: throw RecordFormatError("expected an integer")
        }
    }

    func unsigned(at offset: Int) throws -> UInt64 {
        var position = offset + 1
        switch try byte(at: offset) {
        case RecordTag.unsigned: return try varint(at: &position)
        case RecordTag.signed:
            let value = try signed(at: offset)
            guard value >= 0 else { throw RecordFormatError("negative value for an unsigned integer") }
            return UInt64(value)
        default: throw RecordFormatError("expected an integer")
        }
    }

    func double(at offset: Int) throws -> Double {
        switch try byte(at: offset) {
        case RecordTag.double:
            guard offset + 9 <= bytes.count else { throw RecordFormatError("truncated record") }
            var bits: UInt64 = 0
            for i in (1...8).reversed() { bits = bits << 8 | UInt64(bytes[offset + i]) }
            return Double(bitPattern: bits)
        case RecordTag.signed: return Double(try signed(at: offset))
        case RecordTag.unsigned: return Double(try unsigned(at: offset))
        default: throw RecordFormatError("expected a number")
        }
    }

    func bool(at offset: Int) throws -> Bool {
        switch try byte(at: offset) {
        case RecordTag.trueValue: return true
        case RecordTag.falseValue: return false
        default: throw RecordFormatError("expected a boolean")
        }
    }
}
