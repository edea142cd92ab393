import SocietyCore
public import SocietyJSON

/// A JSON Web Signature (RFC 7515) as the exchange uses it: a protected header, a payload and one
/// signature, in the compact or the flattened JSON serialization.
///
/// The protected header and the payload are RFC 8785 canonical JSON, so the same content always
/// yields the same bytes, the same hash and — for deterministic algorithms — the same signature.
public struct JWS: Hashable, Sendable {
    /// The protected header as base64url text, exactly as signed.
    public let protectedHeader: String
    /// The payload as base64url text, exactly as signed.
    public let encodedPayload: String
    /// The signature as base64url text.
    public let encodedSignature: String

    /// The parsed protected header.
    public let header: JSONObject
    /// The decoded payload bytes.
    public let payload: [UInt8]
    /// The decoded signature bytes.
    public let signature: [UInt8]

    /// Why text is not a well-formed JWS.
    public struct FormatError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What is wrong, for the error line a person reads.
        public var reason: String

        public var description: String { reason }
    }

    /// Assembles a JWS from a header and payload that are already signed.
    init(header: JSONObject, payload: [UInt8], signature: [UInt8]) throws {
        self.header = header
        self.payload = payload
        self.signature = signature
        self.protectedHeader = Base64URL.encode(try JSONValue.object(header).canonicalBytes())
        self.encodedPayload = Base64URL.encode(payload)
        self.encodedSignature = Base64URL.encode(signature)
    }

    /// The bytes the signature covers: `ASCII(BASE64URL(header) ‖ "." ‖ BASE64URL(payload))`.
    public var signingInput: [UInt8] { JWS.signingInput(protectedHeader, encodedPayload) }

    static func signingInput(_ header: String, _ payload: String) -> [UInt8] {
        var bytes = Array(header.utf8)
        bytes.reserveCapacity(header.utf8.count + payload.utf8.count + 1)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: payload.utf8)
        return bytes
    }

    /// `header.payload.signature`.
    public var compact: String { "\(protectedHeader).\(encodedPayload).\(encodedSignature)" }

    /// The flattened JSON serialization (RFC 7515 §7.2.2), canonical.
    public var flattenedJSON: String {
        let object: JSONValue = .object(
            JSONObject([
                "protected": .string(protectedHeader), "payload": .string(encodedPayload),
                "signature": .string(encodedSignature),
            ])
        )
        return object.description
    }

    /// Signs `payload` under `header` with `key`.
    static func sign(header: JSONObject, payload: [UInt8], key: any SigningKey) throws -> JWS {
        let encodedHeader = Base64URL.encode(try JSONValue.object(header).canonicalBytes())
        let encodedPayload = Base64URL.encode(payload)
        let signature = try key.signature(for: signingInput(encodedHeader, encodedPayload))
        return try JWS(header: header, payload: payload, signature: signature)
    }

    /// Parses either serialization: compact (`a.b.c`) or JSON (flattened, or general with exactly
    /// one signature). Checks only the form; the signature is checked by whoever holds the key.
    public init(parsing text: String) throws(FormatError) {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasPrefix("{") {
            try self.init(json: trimmed)
        } else {
            let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3 else {
                throw FormatError(reason: "a compact JWS has 3 dot-separated parts, this has \(parts.count)")
            }
            try self.init(parts: String(parts[0]), String(parts[1]), String(parts[2]))
        }
    }

    private init(json text: String) throws(FormatError) {
        let value: JSONValue
        do {
            value = try JSONParser().parse(text)
        } catch {
            throw FormatError(reason: "JWS JSON serialization is not JSON: \(error)")
        }
        var signed = value
        if let signatures = value["signatures"]?.arrayValue {
            guard signatures.count == 1, let only = signatures.first else {
                throw FormatError(reason: "a general JWS must carry exactly one signature here")
            }
            signed = only
        }
        guard let header = signed["protected"]?.stringValue, let payload = value["payload"]?.stringValue,
            let signature = signed["signature"]?.stringValue
        else { throw FormatError(reason: "JWS JSON needs string members protected, payload and signature") }
        if signed["header"] != nil {
            throw FormatError(reason: "unprotected JWS header members are not accepted")
        }
        try self.init(parts: header, payload, signature)
    }

    private init(parts header: String, _ payload: String, _ signature: String) throws(FormatError) {
        guard let headerBytes = Base64URL.decode(header) else {
            throw FormatError(reason: "JWS protected header is not base64url")
        }
        guard let payloadBytes = Base64URL.decode(payload) else {
            throw FormatError(reason: "JWS payload is not base64url")
        }
        guard let signatureBytes = Base64URL.decode(signature) else {
            throw FormatError(reason: "JWS signature is not base64url")
        }
        let headerValue: JSONValue
        do {
            headerValue = try JSONParser().parse(headerBytes)
        } catch {
            throw FormatError(reason: "JWS protected header is not JSON: \(error)")
        }
        guard case .object(let object) = headerValue else {
            throw FormatError(reason: "JWS protected header is not a JSON object")
        }
        self.protectedHeader = header
        self.encodedPayload = payload
        self.encodedSignature = signature
        self.header = object
        self.payload = payloadBytes
        self.signature = signatureBytes
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines (a file's final newline).
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
