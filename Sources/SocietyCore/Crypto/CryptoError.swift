/// The one error type of the cryptography port and its adapters.
///
/// It is a struct rather than an enum so that adapters can add codes without breaking callers, as
/// swift-nio and swift-certificates do: `catch` matches on ``code``, and equality compares only the
/// code. ``libraryErrors`` keeps the backend's own error queue (for OpenSSL, the `ERR_get_error()`
/// lines) because "failed" alone cannot be diagnosed.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure happened; callers branch on this, never on the message.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable, camel-case name for the code, as printed in logs.
        public let name: String

        /// Creates a code; adapters may define their own with a distinct name.
        public init(_ name: String) { self.name = name }

        /// The name of the code.
        public var description: String { name }

        /// Key bytes, PEM, DER or JWK could not be read as a key of the requested algorithm.
        public static let invalidKey = Code("invalidKey")
        /// A signature does not have the shape the algorithm requires (DER, or raw `r‖s`).
        public static let invalidSignatureEncoding = Code("invalidSignatureEncoding")
        /// The backend does not offer the requested algorithm or the operation for it.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// Authenticated decryption failed: wrong key, or the ciphertext, tag, nonce or associated
        /// data were modified. Deliberately one code, so that an attacker learns nothing more.
        public static let decryptionFailed = Code("decryptionFailed")
        /// A parameter has the wrong size or value (a key or nonce length, a byte count).
        public static let invalidParameter = Code("invalidParameter")
        /// The cryptographic library itself failed; ``CryptoError/libraryErrors`` says why.
        public static let library = Code("library")
    }

    /// What kind of failure happened.
    public var code: Code
    /// A human-readable explanation, never containing key material.
    public var message: String
    /// The backend's own error lines, oldest first (for OpenSSL: `ERR_error_string_n` output).
    public var libraryErrors: [String]
    /// The source file that raised the error, for diagnosis.
    public var file: String
    /// The source line that raised the error, for diagnosis.
    public var line: UInt

    /// Creates an error; `file` and `line` default to the caller's location.
    public init(
        _ code: Code,
        _ message: String = "",
        libraryErrors: [String] = [],
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.libraryErrors = libraryErrors
        self.file = file
        self.line = line
    }

    /// Errors are equal when their codes are equal, so tests and `catch` clauses can compare
    /// against `CryptoError(.invalidKey)` without knowing the message.
    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistently with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The code, the message and the library's error lines.
    public var description: String {
        var text = "CryptoError.\(code)"
        if !message.isEmpty { text += ": \(message)" }
        if !libraryErrors.isEmpty { text += " [" + libraryErrors.joined(separator: "; ") + "]" }
        return text
    }
}
