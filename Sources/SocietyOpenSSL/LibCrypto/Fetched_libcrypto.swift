internal import COpenSSL

/// Implementations fetched once from the default provider and shared.
///
/// `@unchecked Sendable`: fetched `EVP_MD`, `EVP_CIPHER` and `EVP_MAC` objects are reference-counted,
/// immutable after fetch and documented thread-safe for concurrent use in OpenSSL 3.
final class FetchedDigest: @unchecked Sendable {
    let pointer: OpaquePointer

    private init?(_ name: String) {
        guard let pointer = EVP_MD_fetch(nil, name, nil) else {
            ErrorQueue.clear()
            return nil
        }
        self.pointer = pointer
    }

    deinit { EVP_MD_free(pointer) }

    static let sm3 = FetchedDigest("SM3")
    static let sha256 = FetchedDigest("SHA256")
}

/// A cipher implementation fetched once; see ``FetchedDigest`` for why it is `Sendable`.
final class FetchedCipher: @unchecked Sendable {
    let pointer: OpaquePointer

    private init?(_ name: String) {
        guard let pointer = EVP_CIPHER_fetch(nil, name, nil) else {
            ErrorQueue.clear()
            return nil
        }
        self.pointer = pointer
    }

    deinit { EVP_CIPHER_free(pointer) }

    static let aes256GCM = FetchedCipher("AES-256-GCM")
    static let sm4CBC = FetchedCipher("SM4-CBC")
    static let sm4ECB = FetchedCipher("SM4-ECB")
    static let aes256Wrap = FetchedCipher("AES-256-WRAP")
}

/// The HMAC implementation fetched once; see ``FetchedDigest`` for why it is `Sendable`.
final class FetchedMAC: @unchecked Sendable {
    let pointer: OpaquePointer

    private init?(_ name: String) {
        guard let pointer = EVP_MAC_fetch(nil, name, nil) else {
            ErrorQueue.clear()
            return nil
        }
        self.pointer = pointer
    }

    deinit { EVP_MAC_free(pointer) }

    static let hmac = FetchedMAC("HMAC")
}
