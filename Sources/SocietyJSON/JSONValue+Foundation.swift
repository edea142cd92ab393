public import Foundation

extension JSONValue {
    /// The RFC 8785 canonical form as `Data`, for APIs that take `Data` (hashing, file writes).
    public func canonicalData() throws(JSONCanonicalizationError) -> Data {
        Data(try canonicalBytes())
    }

    /// Converts any `Encodable` to a `JSONValue` by way of `JSONEncoder`, so that the envelope layer
    /// can canonicalize and sign domain types without writing JSON by hand.
    ///
    /// Throws `EncodingError` (for example for NaN) or ``JSONParseError`` (for example when two
    /// coding keys produce the same name).
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        self = try JSONParser().parse(try encoder.encode(value))
    }

    /// Decodes a `Decodable` type from this value by way of `JSONDecoder`, the inverse of
    /// ``init(encoding:)``.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(type, from: try canonicalData())
    }
}

extension JSONValue: Codable {
    /// Decodes from any decoder's single-value representation, trying each JSON kind in turn.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(JSONObject(value))
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Not a JSON value")
        }
    }

    /// Encodes as the matching JSON kind; objects are written in canonical key order.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .object(let object):
            var container = encoder.container(keyedBy: MemberKey.self)
            for member in object.members {
                try container.encode(member.value, forKey: MemberKey(stringValue: member.key))
            }
        }
    }

    /// A coding key for arbitrary member names.
    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
