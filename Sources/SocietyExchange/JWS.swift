import Foundation
package import SocietyCore
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
        try self.init(
            header: header,
            encodedHeader: Base64URL.encode(try JSONValue.object(header).canonicalBytes()),
            payload: payload,
            encodedPayload: Base64URL.encode(payload),
            signature: signature
        )
    }

    private init(
        header: JSONObject,
        encodedHeader: String,
        payload: [UInt8],
        encodedPayload: String,
        signature: [UInt8]
    ) throws {
        self.header = header
        self.payload = payload
        self.signature = signature
        self.protectedHeader = encodedHeader
        self.encodedPayload = encodedPayload
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

    /// Signs `payload` under `header` with `key`. Package-visible so that SD-JWT and status lists
    /// (SocietyCertificates) sign through this one JWS implementation.
    package static func sign(header: JSONObject, payload: [UInt8], key: any SigningKey) throws -> JWS {
        let encodedHeader = Base64URL.encode(try JSONValue.object(header).canonicalBytes())
        let encodedPayload = Base64URL.encode(payload)
        let signature = try key.signature(for: signingInput(encodedHeader, encodedPayload))
        return try JWS(
            header: header,
            encodedHeader: encodedHeader,
            payload: payload,
            encodedPayload: encodedPayload,
            signature: signature
        )
    }

    /// Parses either serialization: compact (`a.b.c`) or JSON (flattened, or general with exactly
    /// one signature). Checks only the form; the signature is checked by whoever holds the key.
    public init(parsing text: String) throws(FormatError) {
        let trimmed = text.trimmingWhitespace
        if trimmed.utf8.first == UInt8(ascii: "{") {
            try self.init(json: trimmed)
            return
        }
        let parts = trimmed.dotSeparatedParts
        guard parts.count == 3 else {
            throw FormatError(reason: "a compact JWS has 3 dot-separated parts, this has \(parts.count)")
        }
        try self.init(parts: parts[0], parts[1], parts[2])
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
    /// The parts between the dots of a compact JOSE serialization, found on the UTF-8 bytes:
    /// splitting a String walks grapheme clusters, which for an envelope cost more than verifying
    /// its signature.
    var dotSeparatedParts: [String] {
        var text = self
        return text.withUTF8 { bytes in
            var parts: [String] = []
            var start = 0
            for dot in bytes.dotOffsets(upTo: .max) {
                parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<dot]), as: UTF8.self))
                start = dot + 1
            }
            parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self))
            return parts
        }
    }

    /// The text without leading and trailing spaces, tabs and newlines (a file's final newline),
    /// found on the UTF-8 bytes.
    var trimmingWhitespace: String {
        let isSpace: (UInt8) -> Bool = {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t")
        }
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return "" }
        if first == utf8.startIndex, utf8.index(after: last) == utf8.endIndex { return self }
        return String(self[first...last])
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The offsets of the first `limit` dots, found with `memchr`: an envelope is a few kilobytes
    /// of base64url with two to four dots, and a byte-by-byte loop over it cost as much as the
    /// rest of parsing.
    func dotOffsets(upTo limit: Int) -> [Int] {
        guard let base = baseAddress else { return [] }
        var offsets: [Int] = []
        var start = 0
        while offsets.count < limit, start < count,
            let found = memchr(base + start, Int32(UInt8(ascii: ".")), count - start)
        {
            let offset = UnsafeRawPointer(base).distance(to: found)
            offsets.append(offset)
            start = offset + 1
        }
        return offsets
    }
}
