/// A JSON object whose members are always sorted in RFC 8785 order and whose keys are unique.
///
/// Keeping the order as an invariant, rather than sorting at output time, makes canonical
/// serialization a single linear pass, makes equality order-independent for free, and lets
/// look-ups use binary search. RFC 8785 §3.2.3 orders keys by their UTF-16 code units, which is
/// not the order of Swift's `String` `<` (that compares Unicode scalars after normalization):
/// U+E000…U+FFFF sort *after* supplementary-plane characters in UTF-16.
public struct JSONObject: Sendable {
    /// One name/value pair.
    public struct Member: Sendable {
        /// The member's name, exactly as decoded.
        public var key: String
        /// The member's value.
        public var value: JSONValue

        /// Creates a member.
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in canonical key order.
    public private(set) var members: [Member]

    /// Creates an empty object.
    public init() {
        members = []
    }

    /// Creates an object from a dictionary. Dictionaries cannot hold duplicate keys, so this never
    /// fails; note that two keys that Swift considers equal (canonically equivalent) cannot both be
    /// in a Swift dictionary, while they can in a parsed ``JSONObject``.
    public init(_ dictionary: [String: JSONValue]) {
        var members = dictionary.map { Member(key: $0.key, value: $0.value) }
        members.sort { compareUTF16($0.key, $1.key) < 0 }
        self.members = members
    }

    /// Takes members that the parser has already sorted and checked for duplicates.
    init(sortedUniqueMembers: [Member]) {
        members = sortedUniqueMembers
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The keys in canonical order.
    public var keys: [String] { members.map(\.key) }

    /// The members as a Swift dictionary, for code that wants `Dictionary` APIs. Keys that differ
    /// only by Unicode normalization collapse in a Swift dictionary; the last one in canonical order
    /// wins.
    public var dictionary: [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        result.reserveCapacity(members.count)
        for member in members { result[member.key] = member.value }
        return result
    }

    /// The value for `key` (compared by exact UTF-8 bytes), or `nil`. Setting `nil` removes the
    /// member; setting a value replaces or inserts it at its canonical position.
    public subscript(key: String) -> JSONValue? {
        get {
            let (index, found) = position(of: key)
            // Not `found ? value : nil`: that `nil` would become `JSONValue.null` via the literal.
            guard found else { return nil }
            return members[index].value
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case (true, .some(let value)): members[index].value = value
            case (true, .none): members.remove(at: index)
            case (false, .some(let value)): members.insert(Member(key: key, value: value), at: index)
            case (false, .none): break
            }
        }
    }

    /// Binary search in canonical order: where `key` is, or where it would be inserted.
    private func position(of key: String) -> (index: Int, found: Bool) {
        var low = 0
        var high = members.count
        while low < high {
            let mid = (low + high) / 2
            let order = compareUTF16(members[mid].key, key)
            if order == 0 { return (mid, true) }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }
}

extension JSONObject: Sequence {
    /// Iterates the members in canonical order.
    public func makeIterator() -> IndexingIterator<[Member]> {
        members.makeIterator()
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Builds an object; when a key is repeated the last value wins.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }
}

extension JSONObject.Member: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        utf8Equal(lhs.key, rhs.key) && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hashUTF8(key, into: &hasher)
        hasher.combine(value)
    }
}

extension JSONObject: Hashable {}

// MARK: - UTF-16 code unit order

/// Compares two strings by their UTF-16 code units (RFC 8785 §3.2.3) and returns a negative number,
/// zero or a positive number.
///
/// Works on the UTF-8 bytes, which are in code point order; the two orders only differ when the
/// first differing characters are a BMP character at or above U+E000 and a supplementary-plane
/// character (a surrogate pair, D800–DBFF first, in UTF-16). Only then are the characters decoded.
func compareUTF16(_ a: String, _ b: String) -> Int {
    let fast: Int?? = a.utf8.withContiguousStorageIfAvailable { left in
        b.utf8.withContiguousStorageIfAvailable { right in
            compareUTF16(left, right)
        }
    }
    if let fast, let result = fast { return result }
    return compareUTF16(Array(a.utf8), Array(b.utf8))
}

/// ``compareUTF16(_:_:)`` on arrays, for strings whose UTF-8 is not contiguous (bridged strings).
private func compareUTF16(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBufferPointer { left in
        b.withUnsafeBufferPointer { right in compareUTF16(left, right) }
    }
}

/// ``compareUTF16(_:_:)`` on well-formed UTF-8 bytes.
func compareUTF16(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(a.count, b.count)
    var index = 0
    while index < common && a[index] == b[index] { index += 1 }
    if index == common { return a.count - b.count }
    let x = a[index]
    let y = b[index]
    // ASCII differs in the same way in every encoding. Otherwise back up to the start of the
    // character (the shared prefix puts it at the same place in both) and compare the characters.
    if x < 0x80 && y < 0x80 { return Int(x) - Int(y) }
    var start = index
    while start > 0 && a[start] & 0xC0 == 0x80 { start -= 1 }
    var left = decodeScalar(a, at: start)
    var right = decodeScalar(b, at: start)
    if left < 0x1_0000 || right < 0x1_0000 {
        left = utf16SortKey(left)
        right = utf16SortKey(right)
    }
    return left < right ? -1 : (left > right ? 1 : 0)
}

/// Maps a code point to its first UTF-16 code unit, which orders a BMP character against a different
/// supplementary one: a supplementary character begins with a high surrogate (D800–DBFF), between
/// U+D7FF and U+E000. (Two supplementary characters compare by code point, which is UTF-16 order.)
@inline(__always)
private func utf16SortKey(_ scalar: UInt32) -> UInt32 {
    scalar >= 0x1_0000 ? 0xD800 + ((scalar - 0x1_0000) >> 10) : scalar
}

/// Decodes the scalar whose first byte is at `index` (well-formed UTF-8 only).
private func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32 {
    let lead = UInt32(bytes[index])
    func continuation(_ offset: Int) -> UInt32 {
        index + offset < bytes.count ? UInt32(bytes[index + offset] & 0x3F) : 0
    }
    switch lead {
    case 0..<0x80: return lead
    case 0xC0..<0xE0: return (lead & 0x1F) << 6 | continuation(1)
    case 0xE0..<0xF0: return (lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2)
    default: return (lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3)
    }
}
