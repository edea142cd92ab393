internal import COpenSSL
public import SocietyCore

/// Bare `EVP_DigestSign` / `EVP_DigestVerify` loops with no Swift wrapper in the way: the baseline
/// that `bench-crypto` compares the public API against. Not API; the underscore says so.
///
/// Each iteration does what any correct caller must do (fresh `EVP_MD_CTX`, init with the key, the
/// SM2 identifier, one-shot sign or verify, free), with the message pointer and output buffer
/// obtained once outside the loop.
public enum _RawBaseline {
    /// A key pair generated directly with `EVP_PKEY_generate`.
    public final class Key: Sendable {
        let key: EVPKey

        /// Generates a key for `algorithm`.
        public init(_ algorithm: SignatureAlgorithm) throws { self.key = try EVPKey.generate(algorithm) }
    }

    /// Signs `message` `iterations` times; returns the last signature in OpenSSL's native form
    /// (DER for SM2 and P-256).
    public static func sign(_ key: Key, message: [UInt8], iterations: Int) throws -> [UInt8] {
        let pkey = key.key.pointer
        let digestName = key.key.algorithm.digestName
        let isSM2 = key.key.algorithm == .sm2
        let identifier = SignatureAlgorithm.sm2DefaultIdentifier
        let capacity = Int(EVP_PKEY_get_size(pkey))
        var signature = [UInt8](repeating: 0, count: capacity)
        var length = capacity
        let ok: Bool = message.withUnsafeBufferPointer { messageBuffer in
            identifier.withUnsafeBufferPointer { identifierBuffer in
                signature.withUnsafeMutableBufferPointer { output in
                    for _ in 0..<iterations {
                        guard let context = EVP_MD_CTX_new() else { return false }
                        defer { EVP_MD_CTX_free(context) }
                        var keyContext: OpaquePointer?
                        guard EVP_DigestSignInit_ex(context, &keyContext, digestName, nil, nil, pkey, nil) == 1 else {
                            return false
                        }
                        if isSM2 {
                            guard EVP_PKEY_CTX_set1_id(keyContext, identifierBuffer.baseAddress, 16) == 1 else {
                                return false
                            }
                        }
                        length = capacity
                        guard
                            EVP_DigestSign(
                                context,
                                output.baseAddress,
                                &length,
                                messageBuffer.baseAddress,
                                messageBuffer.count
                            ) == 1
                        else { return false }
                    }
                    return true
                }
            }
        }
        guard ok else { throw ErrorQueue.error(.library, "baseline sign") }
        return Array(signature.prefix(length))
    }

    /// Verifies `signature` (native form, as ``sign(_:message:iterations:)`` returns it) over
    /// `message` `iterations` times; returns how many verifications succeeded.
    public static func verify(_ key: Key, signature: [UInt8], message: [UInt8], iterations: Int) -> Int {
        let pkey = key.key.pointer
        let digestName = key.key.algorithm.digestName
        let isSM2 = key.key.algorithm == .sm2
        let identifier = SignatureAlgorithm.sm2DefaultIdentifier
        var valid = 0
        message.withUnsafeBufferPointer { messageBuffer in
            identifier.withUnsafeBufferPointer { identifierBuffer in
                signature.withUnsafeBufferPointer { signatureBuffer in
                    for _ in 0..<iterations {
                        guard let context = EVP_MD_CTX_new() else { return }
                        defer { EVP_MD_CTX_free(context) }
                        var keyContext: OpaquePointer?
                        guard EVP_DigestVerifyInit_ex(context, &keyContext, digestName, nil, nil, pkey, nil) == 1
                        else { return }
                        if isSM2 { EVP_PKEY_CTX_set1_id(keyContext, identifierBuffer.baseAddress, 16) }
                        if EVP_DigestVerify(
                            context,
                            signatureBuffer.baseAddress,
                            signatureBuffer.count,
                            messageBuffer.baseAddress,
                            messageBuffer.count
                        ) == 1 {
                            valid += 1
                        }
                    }
                }
            }
        }
        return valid
    }

    /// Like ``sign(_:message:iterations:)``, but each iteration copies a context initialised once
    /// before the loop (`EVP_MD_CTX_copy_ex`) instead of initialising its own, as the SDK's keys do.
    /// Not the baseline: a reference showing what an envelope costs beyond the signature
    /// when both sides call libcrypto the same way.
    public static func signCopyingContext(_ key: Key, message: [UInt8], iterations: Int) throws -> [UInt8] {
        let template = try SignatureContext(key: key.key, signing: true)
        let capacity = Int(EVP_PKEY_get_size(key.key.pointer))
        var signature = [UInt8](repeating: 0, count: capacity)
        var length = capacity
        let ok: Bool = message.withUnsafeBufferPointer { messageBuffer in
            signature.withUnsafeMutableBufferPointer { output in
                for _ in 0..<iterations {
                    guard let context = EVP_MD_CTX_new() else { return false }
                    defer { EVP_MD_CTX_free(context) }
                    guard EVP_MD_CTX_copy_ex(context, template.pointer) == 1 else { return false }
                    EVP_MD_CTX_set_flags(context, EVP_MD_CTX_FLAG_FINALISE)
                    length = capacity
                    guard
                        EVP_DigestSign(
                            context,
                            output.baseAddress,
                            &length,
                            messageBuffer.baseAddress,
                            messageBuffer.count
                        )
                            == 1
                    else { return false }
                }
                return true
            }
        }
        guard ok else { throw ErrorQueue.error(.library, "baseline sign with a copied context") }
        return Array(signature.prefix(length))
    }

    /// Like ``verify(_:signature:message:iterations:)``, copying one context initialised before the
    /// loop, as ``signCopyingContext(_:message:iterations:)`` does.
    public static func verifyCopyingContext(_ key: Key, signature: [UInt8], message: [UInt8], iterations: Int) -> Int {
        guard let template = try? SignatureContext(key: key.key, signing: false) else { return 0 }
        var valid = 0
        message.withUnsafeBufferPointer { messageBuffer in
            signature.withUnsafeBufferPointer { signatureBuffer in
                for _ in 0..<iterations {
                    guard let context = EVP_MD_CTX_new() else { return }
                    defer { EVP_MD_CTX_free(context) }
                    guard EVP_MD_CTX_copy_ex(context, template.pointer) == 1 else { return }
                    EVP_MD_CTX_set_flags(context, EVP_MD_CTX_FLAG_FINALISE)
                    if EVP_DigestVerify(
                        context,
                        signatureBuffer.baseAddress,
                        signatureBuffer.count,
                        messageBuffer.baseAddress,
                        messageBuffer.count
                    ) == 1 {
                        valid += 1
                    }
                }
            }
        }
        return valid
    }
}
