/// A JSON value as RFC 8259 and I-JSON (RFC 7493) define it.
///
/// Every signature in the SDK is computed over the RFC 8785 canonical form of a `JSONValue`, so the
/// type is deliberately small: numbers are IEEE 754 doubles (the only numbers I-JSON allows), and
/// objects are ``JSONObject``s, which keep their members sorted in canonical order and reject
/// duplicate keys.
///
/// Strings and keys compare by their exact UTF-8 bytes, not by Swift's canonical equivalence: two
/// values are equal exactly when their canonical forms are equal, which is what a verifier needs.
/// (`-0` and `0` are equal, as they canonicalize to the same `0`.)
public enum JSONValue: Sendable {
    /// The JSON `null` literal.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number. It must be finite to be canonicalized (RFC 8785 §3.2.2.3).
    case number(Double)
    /// A string, kept exactly as written: canonicalization never normalizes Unicode.
    case string(String)
    /// An ordered array.
    case array([JSONValue])
    /// An object whose members are kept in canonical (UTF-16 code unit) key order.
    case object(JSONObject)
}

// MARK: - Equality

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return utf8Equal(a, b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let value):
            hasher.combine(1 as UInt8)
            hasher.combine(value)
        case .number(let value):
            hasher.combine(2 as UInt8)
            hasher.combine(value)
        case .string(let value):
            hasher.combine(3 as UInt8)
            hashUTF8(value, into: &hasher)
        case .array(let values):
            hasher.combine(4 as UInt8)
            hasher.combine(values)
        case .object(let object):
            hasher.combine(5 as UInt8)
            hasher.combine(object)
        }
    }
}

/// Compares two strings by their UTF-8 bytes: JSON canonicalization does not normalize Unicode, so
/// "é" precomposed and "e" + U+0301 are different strings here even though Swift's `==` says equal.
@inlinable
func utf8Equal(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
}

/// Hashes a string by its UTF-8 bytes, consistent with ``utf8Equal(_:_:)``.
func hashUTF8(_ string: String, into hasher: inout Hasher) {
    hasher.combine(string.utf8.count)
    let done: Void? = string.utf8.withContiguousStorageIfAvailable { buffer in
        hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
    }
    if done == nil {
        for byte in string.utf8 { hasher.combine(byte) }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .number(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Builds an object; when a key is repeated the last value wins, as in ``JSONObject``.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

// MARK: - Access

extension JSONValue {
    /// The member named `key` when this is an object, so that nested look-ups chain with `?`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` when this is an array and the index is in range; `nil` otherwise,
    /// because input documents are untrusted and an out-of-range index must not trap.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let values) = self, values.indices.contains(index) else { return nil }
        return values[index]
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The Boolean, when this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number, when this is a number.
    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }
}

extension JSONValue: CustomStringConvertible {
    /// The canonical text, or a note when the value holds a non-finite number and so has none.
    public var description: String {
        do {
            return try canonicalString()
        } catch {
            return "<\(error)>"
        }
    }
}
