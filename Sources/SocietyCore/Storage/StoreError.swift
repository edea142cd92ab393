/// Why the store refused or failed a record operation. Errors name the kind, the masked key and
/// the field, never a sensitive value.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A record with sensitive fields was read in a transaction opened without a purpose.
    case purposeRequired(kind: String, field: String)
    /// A sensitive field's ciphertext did not authenticate: it was altered, copied from another
    /// row or field, or written under a key this provider does not have.
    case decryptionFailed(kind: String, key: String, field: String)
    /// The stored bytes are not a record of this type.
    case undecodable(kind: String, key: String, reason: String)
    /// A record was stored under a schema version with no registered upgrade step.
    case noUpgrade(kind: String, fromVersion: Int, toVersion: Int)
    /// A kind or index name is not a lowercase identifier.
    case invalidName(String)
    /// The query names a field that the record type does not index.
    case unknownIndex(kind: String, field: String)
    /// The query asks a searchable sensitive index for something other than equality.
    case unsupportedQuery(kind: String, field: String, reason: String)
    /// The record could not be encoded.
    case unencodable(kind: String, reason: String)
    /// The record type has sensitive fields, a sensitive key or a searchable index, but the store
    /// was opened without encryption keys.
    case protectionRequired(kind: String)
    /// A transaction handle was used after its transaction ended, or a write through a read handle.
    case invalidHandle(String)
    /// The store was to be opened as it is, and there is none where it was looked for.
    case notFound(String)
    /// The store was to be opened as it is, and what is there is not one of the SDK's stores.
    case notAStore(String)

    public var description: String {
        switch self {
        case .purposeRequired(let kind, let field):
            "reading \(kind).\(field) needs a purpose: open the transaction with read(purpose:)"
        case .decryptionFailed(let kind, let key, let field):
            "\(kind) \(key): field \(field) does not decrypt (altered, moved or under an unknown key)"
        case .undecodable(let kind, let key, let reason): "\(kind) \(key) cannot be decoded: \(reason)"
        case .noUpgrade(let kind, let from, let to):
            "\(kind) stored at schema version \(from) has no upgrade step to version \(to)"
        case .invalidName(let name):
            "\"\(name)\" is not a valid name (lowercase letters, digits, _; starting with a letter; ≤ 48)"
        case .unknownIndex(let kind, let field): "\(kind) has no index named \(field)"
        case .unsupportedQuery(let kind, let field, let reason): "query on \(kind).\(field): \(reason)"
        case .unencodable(let kind, let reason): "\(kind) cannot be encoded: \(reason)"
        case .protectionRequired(let kind):
            "\(kind) has sensitive data but the store has no encryption keys (configure protection)"
        case .invalidHandle(let reason): "invalid use of a transaction handle: \(reason)"
        case .notFound(let place): "no store at \(place)"
        case .notAStore(let place): "\(place) is not a DigitalSociety store (left untouched)"
        }
    }
}
