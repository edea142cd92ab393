public import SocietyCore
public import SocietyJSON

/// One SD-JWT disclosure (RFC 9901 §4.2.1): the base64url of the JSON array
/// `[salt, claim name, claim value]`, or `[salt, value]` for an array element.
///
/// The text is kept exactly as received, because the digest is computed over those characters,
/// not over a re-encoding (another issuer may have put spaces in its JSON).
public struct Disclosure: Hashable, Sendable {
    /// The base64url text, as issued and presented.
    public let encoded: String
    /// The salt, base64url of 16 random bytes when this SDK issues it.
    public let salt: String
    /// The claim name, or `nil` for an array element.
    public let name: String?
    /// The claim value.
    public let value: JSONValue

    /// Creates a disclosure for an object member, encoding `[salt, name, value]` as canonical JSON.
    public init(salt: String, name: String, value: JSONValue) throws(CertificateError) {
        guard name != "_sd", name != "..." else { throw .claimNameConflict(name) }
        let array: JSONValue = .array([.string(salt), .string(name), value])
        do {
            encoded = Base64URL.encode(try array.canonicalBytes())
        } catch {
            throw .malformed("claim \(name) holds a number JSON cannot express")
        }
        self.salt = salt
        self.name = name
        self.value = value
    }

    /// Parses a disclosure; `index` only labels the error.
    public init(parsing encoded: String, index: Int = 0) throws(CertificateError) {
        guard let bytes = Base64URL.decode(encoded) else {
            throw .malformedDisclosure(index: index, reason: "not base64url")
        }
        let parsed: JSONValue
        do {
            parsed = try JSONParser().parse(bytes)
        } catch {
            throw .malformedDisclosure(index: index, reason: "not JSON")
        }
        guard case .array(let elements) = parsed, elements.count == 2 || elements.count == 3,
            case .string(let salt) = elements[0]
        else { throw .malformedDisclosure(index: index, reason: "not [salt, name, value] or [salt, value]") }
        if elements.count == 3 {
            guard case .string(let name) = elements[1] else {
                throw .malformedDisclosure(index: index, reason: "claim name is not a string")
            }
            guard name != "_sd", name != "..." else { throw .claimNameConflict(name) }
            self.name = name
            self.value = elements[2]
        } else {
            self.name = nil
            self.value = elements[1]
        }
        self.encoded = encoded
        self.salt = salt
    }

    /// The digest that the signed payload lists for this disclosure: base64url(SHA-256(ASCII(encoded))).
    public func digest(using crypto: any CryptoProvider) throws -> String {
        Base64URL.encode(try crypto.digest(.sha256, of: Array(encoded.utf8)))
    }
}
