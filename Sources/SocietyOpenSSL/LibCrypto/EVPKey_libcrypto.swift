internal import COpenSSL
import Foundation
import SocietyCore

extension SignatureAlgorithm {
    /// The key-management name OpenSSL 3 uses for this algorithm's keys.
    var keyTypeName: String {
        switch self {
        case .sm2: "SM2"
        case .ed25519: "ED25519"
        case .p256: "EC"
        }
    }

    /// The curve name for the elliptic-curve keys, as `EVP_PKEY_get_group_name` reports it.
    var groupName: String? {
        switch self {
        case .sm2: "SM2"
        case .ed25519: nil
        case .p256: "prime256v1"
        }
    }

    /// The curve's NID, for deriving a public point from a raw scalar.
    var curveNID: Int32? {
        switch self {
        case .sm2: NID_sm2
        case .ed25519: nil
        case .p256: NID_X9_62_prime256v1
        }
    }

    /// The digest the signature uses, by OpenSSL name; `nil` for Ed25519 (pure EdDSA).
    var digestName: String? {
        switch self {
        case .sm2: "SM3"
        case .ed25519: nil
        case .p256: "SHA256"
        }
    }
}

/// Owns one `EVP_PKEY`; freed in `deinit`.
///
/// `@unchecked Sendable`: the key is never mutated after creation, and OpenSSL 3 documents a
/// read-only `EVP_PKEY` as safe to share between threads when each operation creates its own
/// `EVP_PKEY_CTX`/`EVP_MD_CTX`, which ``sign(_:)`` and ``verify(_:message:)`` do; the template
/// contexts they copy from are read and written only while `templateLock` is held.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    let algorithm: SignatureAlgorithm

    /// Contexts initialised once with this key (and the default SM2 identifier), for signing and
    /// for verifying, that each operation copies instead of initialising its own: initialising
    /// fetches the signature algorithm and the digest from the provider and, for ECDSA, encodes the
    /// AlgorithmIdentifier (≈ 2.5 µs, a tenth of an ES256 signature); copying costs ≈ 0.2 µs.
    private var signingTemplate: SignatureContext?
    private var verifyingTemplate: SignatureContext?
    /// A pthread mutex (not a spin lock), so that ThreadSanitizer sees the hand-over.
    private let templateLock = NSLock()

    /// Takes ownership of `pointer` after checking it is a key of `algorithm`.
    init(taking pointer: OpaquePointer, algorithm: SignatureAlgorithm) throws {
        self.pointer = pointer
        self.algorithm = algorithm
        guard isKind(of: algorithm) else {
            throw CryptoError(.invalidKey, "the key is not a \(algorithm) key")
        }
    }

    deinit { EVP_PKEY_free(pointer) }

    private func isKind(of algorithm: SignatureAlgorithm) -> Bool {
        guard EVP_PKEY_is_a(pointer, algorithm.keyTypeName) == 1 else { return false }
        guard let expected = algorithm.groupName else { return true }
        return groupName() == expected
    }

    private func groupName() -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        let result = buffer.withUnsafeMutableBufferPointer { pointer in
            EVP_PKEY_get_group_name(self.pointer, pointer.baseAddress, pointer.count, &length)
        }
        guard result == 1 else {
            ErrorQueue.clear()
            return nil
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Generation and import

    /// A fresh key pair from OpenSSL's DRBG.
    static func generate(_ algorithm: SignatureAlgorithm) throws -> EVPKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm.keyTypeName, nil) else {
            throw ErrorQueue.error(.unsupportedAlgorithm, "no key management for \(algorithm)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        if algorithm == .p256 {
            try ErrorQueue.check(EVP_PKEY_CTX_set_group_name(context, "P-256"), "EVP_PKEY_CTX_set_group_name")
        }
        var key: OpaquePointer?
        try ErrorQueue.check(EVP_PKEY_generate(context, &key), "EVP_PKEY_generate")
        guard let key else { throw ErrorQueue.error(.library, "EVP_PKEY_generate returned no key") }
        return try EVPKey(taking: key, algorithm: algorithm)
    }

    /// A private key from its raw form: the 32-byte seed (Ed25519) or scalar (SM2, P-256).
    static func privateKey(raw: [UInt8], algorithm: SignatureAlgorithm) throws -> EVPKey {
        guard raw.count == 32 else { throw CryptoError(.invalidKey, "raw private key must be 32 bytes") }
        if algorithm == .ed25519 {
            let key = raw.withNonNullBytes { EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, $0, $1) }
            guard let key else { throw ErrorQueue.error(.invalidKey, "Ed25519 raw private key") }
            return try EVPKey(taking: key, algorithm: algorithm)
        }
        let publicPoint = try ECMath.publicPoint(scalar: raw, algorithm: algorithm)
        return try fromData(algorithm: algorithm, privateScalar: raw, publicPoint: publicPoint)
    }

    /// A public key from its raw form: 32 bytes (Ed25519), `X‖Y` or `04‖X‖Y` (SM2, P-256).
    static func publicKey(raw: [UInt8], algorithm: SignatureAlgorithm) throws -> EVPKey {
        if algorithm == .ed25519 {
            guard raw.count == 32 else { throw CryptoError(.invalidKey, "Ed25519 public key must be 32 bytes") }
            let key = raw.withNonNullBytes { EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, $0, $1) }
            guard let key else { throw ErrorQueue.error(.invalidKey, "Ed25519 raw public key") }
            return try EVPKey(taking: key, algorithm: algorithm)
        }
        let point: [UInt8]
        switch raw.count {
        case 64: point = [0x04] + raw
        case 65 where raw[0] == 0x04: point = raw
        default: throw CryptoError(.invalidKey, "EC public key must be X‖Y (64) or 04‖X‖Y (65) bytes")
        }
        let key = try fromData(algorithm: algorithm, privateScalar: nil, publicPoint: point)
        try key.checkPublic()
        return key
    }

    /// Builds an EC key (SM2 or P-256) with `EVP_PKEY_fromdata`.
    private static func fromData(
        algorithm: SignatureAlgorithm,
        privateScalar: [UInt8]?,
        publicPoint: [UInt8]
    ) throws -> EVPKey {
        guard let group = algorithm.groupName else { throw CryptoError(.unsupportedAlgorithm, "\(algorithm)") }
        guard let builder = OSSL_PARAM_BLD_new() else { throw ErrorQueue.error(.library, "OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        var scalar: OpaquePointer?
        defer { BN_clear_free(scalar) }
        if let privateScalar {
            scalar = privateScalar.withNonNullBytes { BN_bin2bn($0, Int32($1), nil) }
            guard let scalar else { throw ErrorQueue.error(.library, "BN_bin2bn") }
            try ErrorQueue.check(OSSL_PARAM_BLD_push_BN(builder, copenssl_param_priv_key(), scalar), "push priv")
        }
        // The builder keeps pointers to the values until OSSL_PARAM_BLD_to_param copies them, so
        // the conversion happens inside the closures that keep the group name and point alive.
        let built: UnsafeMutablePointer<OSSL_PARAM>? = try group.withCString { groupName in
            try publicPoint.withNonNullBytes { bytes, count in
                try ErrorQueue.check(
                    OSSL_PARAM_BLD_push_utf8_string(builder, copenssl_param_group_name(), groupName, 0),
                    "push group"
                )
                try ErrorQueue.check(
                    OSSL_PARAM_BLD_push_octet_string(builder, copenssl_param_pub_key(), bytes, count),
                    "push pub"
                )
                return OSSL_PARAM_BLD_to_param(builder)
            }
        }
        guard let params = built else { throw ErrorQueue.error(.library, "OSSL_PARAM_BLD_to_param") }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm.keyTypeName, nil) else {
            throw ErrorQueue.error(.unsupportedAlgorithm, "no key management for \(algorithm)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_fromdata_init(context), "EVP_PKEY_fromdata_init")
        let selection = privateScalar == nil ? copenssl_selection_public_key() : copenssl_selection_keypair()
        var key: OpaquePointer?
        try ErrorQueue.check(
            EVP_PKEY_fromdata(context, &key, selection, params),
            "EVP_PKEY_fromdata",
            code: .invalidKey
        )
        guard let key else { throw ErrorQueue.error(.invalidKey, "EVP_PKEY_fromdata returned no key") }
        return try EVPKey(taking: key, algorithm: algorithm)
    }

    /// A private key from DER: PKCS#8, or the traditional SEC1 form for EC keys.
    static func privateKey(der: [UInt8], algorithm: SignatureAlgorithm) throws -> EVPKey {
        let key: OpaquePointer? = der.withNonNullBytes { bytes, count in
            var cursor: UnsafePointer<UInt8>? = bytes
            guard let key = d2i_AutoPrivateKey(nil, &cursor, count) else { return nil }
            guard cursor == bytes + count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let key else { throw ErrorQueue.error(.invalidKey, "DER is not a private key (or has trailing bytes)") }
        return try EVPKey(taking: key, algorithm: algorithm).checkedPair()
    }

    /// A public key from a DER `SubjectPublicKeyInfo`.
    static func publicKey(der: [UInt8], algorithm: SignatureAlgorithm) throws -> EVPKey {
        let key: OpaquePointer? = der.withNonNullBytes { bytes, count in
            var cursor: UnsafePointer<UInt8>? = bytes
            guard let key = d2i_PUBKEY(nil, &cursor, count) else { return nil }
            guard cursor == bytes + count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let key else { throw ErrorQueue.error(.invalidKey, "DER is not a public key (or has trailing bytes)") }
        let wrapped = try EVPKey(taking: key, algorithm: algorithm)
        try wrapped.checkPublic()
        return wrapped
    }

    /// Fails with `.invalidKey` unless the public part is a valid point of the right order.
    private func checkPublic() throws {
        guard algorithm != .ed25519 else { return }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw ErrorQueue.error(.library, "EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_public_check(context), "public key check", code: .invalidKey)
    }

    /// Fails with `.invalidKey` unless the private and public parts match.
    private func checkedPair() throws -> EVPKey {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw ErrorQueue.error(.library, "EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_pairwise_check(context), "key pair check", code: .invalidKey)
        return self
    }

    // MARK: Export

    /// The raw private key: 32-byte seed or scalar.
    func rawPrivateKey() throws -> [UInt8] {
        if algorithm == .ed25519 {
            return try [UInt8].filled(capacity: 32) { output in
                var length = 32
                try ErrorQueue.check(EVP_PKEY_get_raw_private_key(pointer, output, &length), "raw private key")
                return length
            }
        }
        var scalar: OpaquePointer?
        defer { BN_clear_free(scalar) }
        try ErrorQueue.check(EVP_PKEY_get_bn_param(pointer, OSSL_PKEY_PARAM_PRIV_KEY, &scalar), "get priv")
        return try [UInt8].filled(capacity: 32) { output in
            guard BN_bn2binpad(scalar, output, 32) == 32 else { throw ErrorQueue.error(.library, "BN_bn2binpad") }
            return 32
        }
    }

    /// The raw public key: 32 bytes (Ed25519) or `X‖Y` (64 bytes).
    func rawPublicKey() throws -> [UInt8] {
        if algorithm == .ed25519 {
            return try [UInt8].filled(capacity: 32) { output in
                var length = 32
                try ErrorQueue.check(EVP_PKEY_get_raw_public_key(pointer, output, &length), "raw public key")
                return length
            }
        }
        return try coordinate(OSSL_PKEY_PARAM_EC_PUB_X) + coordinate(OSSL_PKEY_PARAM_EC_PUB_Y)
    }

    private func coordinate(_ name: String) throws -> [UInt8] {
        var value: OpaquePointer?
        defer { BN_free(value) }
        try ErrorQueue.check(EVP_PKEY_get_bn_param(pointer, name, &value), "get \(name)")
        return try [UInt8].filled(capacity: 32) { output in
            guard BN_bn2binpad(value, output, 32) == 32 else { throw ErrorQueue.error(.library, "BN_bn2binpad") }
            return 32
        }
    }

    /// The PKCS#8 `PrivateKeyInfo` DER.
    func pkcs8DER() throws -> [UInt8] {
        guard let info = EVP_PKEY2PKCS8(pointer) else { throw ErrorQueue.error(.library, "EVP_PKEY2PKCS8") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        let length = i2d_PKCS8_PRIV_KEY_INFO(info, nil)
        guard length > 0 else { throw ErrorQueue.error(.library, "i2d_PKCS8_PRIV_KEY_INFO") }
        return try [UInt8].filled(capacity: Int(length)) { output in
            var cursor: UnsafeMutablePointer<UInt8>? = output
            return Int(i2d_PKCS8_PRIV_KEY_INFO(info, &cursor))
        }
    }

    /// The `SubjectPublicKeyInfo` DER.
    func spkiDER() throws -> [UInt8] {
        let length = i2d_PUBKEY(pointer, nil)
        guard length > 0 else { throw ErrorQueue.error(.library, "i2d_PUBKEY") }
        return try [UInt8].filled(capacity: Int(length)) { output in
            var cursor: UnsafeMutablePointer<UInt8>? = output
            return Int(i2d_PUBKEY(pointer, &cursor))
        }
    }

    // MARK: Signing

    /// A context for one operation: a copy of this key's template for it, made on first use; a
    /// freshly initialised context if copying fails.
    func operationContext(signing: Bool) throws -> SignatureContext {
        templateLock.lock()
        defer { templateLock.unlock() }
        let template: SignatureContext
        if let existing = signing ? signingTemplate : verifyingTemplate {
            template = existing
        } else {
            template = try SignatureContext(key: self, signing: signing)
            if signing { signingTemplate = template } else { verifyingTemplate = template }
        }
        if let copy = try? SignatureContext(copying: template) { return copy }
        ErrorQueue.clear()
        return try SignatureContext(key: self, signing: signing)
    }

    /// Signs `message` in OpenSSL's native form (DER for SM2 and ECDSA, 64 bytes for Ed25519).
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        let digest = try operationContext(signing: true)
        let capacity = Int(EVP_PKEY_get_size(pointer))
        guard capacity > 0 else { throw ErrorQueue.error(.library, "EVP_PKEY_get_size") }
        return try [UInt8].filled(capacity: capacity) { output in
            var length = capacity
            let result = message.withNonNullBytes { EVP_DigestSign(digest.pointer, output, &length, $0, $1) }
            try ErrorQueue.check(result, "EVP_DigestSign \(algorithm)")
            return length
        }
    }

    /// Verifies a native-form signature; every failure, including malformed input, is `false`.
    ///
    /// `distinguishingIdentifier` exists only so a test can show that the SM2 identifier matters.
    func verify(
        _ signature: [UInt8],
        message: [UInt8],
        distinguishingIdentifier: [UInt8]? = SignatureAlgorithm.sm2DefaultIdentifier
    ) -> Bool {
        guard !signature.isEmpty,
            let digest = distinguishingIdentifier == SignatureAlgorithm.sm2DefaultIdentifier
                ? try? operationContext(signing: false)
                : try? SignatureContext(key: self, signing: false, distinguishingIdentifier: distinguishingIdentifier)
        else {
            ErrorQueue.clear()
            return false
        }
        let result = signature.withNonNullBytes { signatureBytes, signatureCount in
            message.withNonNullBytes { EVP_DigestVerify(digest.pointer, signatureBytes, signatureCount, $0, $1) }
        }
        if result != 1 { ErrorQueue.clear() }
        return result == 1
    }
}

/// Owns one `EVP_MD_CTX` initialised for signing or verifying with a key; freed in `deinit`.
///
/// For SM2 it sets the GM/T 0009 distinguishing identifier on the context before any data is fed,
/// because OpenSSL 3.0 otherwise hashes an empty identifier into `Z`.
final class SignatureContext {
    let pointer: OpaquePointer

    init(
        key: EVPKey,
        signing: Bool,
        distinguishingIdentifier: [UInt8]? = SignatureAlgorithm.sm2DefaultIdentifier
    )
        throws
    {
        guard let pointer = EVP_MD_CTX_new() else { throw ErrorQueue.error(.library, "EVP_MD_CTX_new") }
        self.pointer = pointer
        var keyContext: OpaquePointer?
        let result =
            signing
            ? EVP_DigestSignInit_ex(pointer, &keyContext, key.algorithm.digestName, nil, nil, key.pointer, nil)
            : EVP_DigestVerifyInit_ex(pointer, &keyContext, key.algorithm.digestName, nil, nil, key.pointer, nil)
        try ErrorQueue.check(result, signing ? "EVP_DigestSignInit_ex" : "EVP_DigestVerifyInit_ex")
        if key.algorithm == .sm2, let distinguishingIdentifier {
            guard let keyContext else { throw ErrorQueue.error(.library, "no EVP_PKEY_CTX for SM2") }
            let set = distinguishingIdentifier.withNonNullBytes { EVP_PKEY_CTX_set1_id(keyContext, $0, Int32($1)) }
            try ErrorQueue.check(set, "EVP_PKEY_CTX_set1_id")
        }
    }

    /// A copy of `template` for one operation (`EVP_MD_CTX_copy_ex`, which duplicates its
    /// `EVP_PKEY_CTX` with the key, the digest and the SM2 identifier).
    init(copying template: SignatureContext) throws {
        guard let pointer = EVP_MD_CTX_new() else { throw ErrorQueue.error(.library, "EVP_MD_CTX_new") }
        guard EVP_MD_CTX_copy_ex(pointer, template.pointer) == 1 else {
            EVP_MD_CTX_free(pointer)
            throw ErrorQueue.error(.library, "EVP_MD_CTX_copy_ex")
        }
        // Used once and freed: EVP_DigestSignFinal / EVP_DigestVerifyFinal need not finalise a
        // further copy to keep this one usable.
        EVP_MD_CTX_set_flags(pointer, EVP_MD_CTX_FLAG_FINALISE)
        self.pointer = pointer
    }

    deinit { EVP_MD_CTX_free(pointer) }
}

/// Elliptic-curve arithmetic the EVP layer does not offer: deriving `d·G`, and converting ECDSA
/// signatures between DER and raw `r‖s`.
enum ECMath {
    /// The uncompressed point `04‖X‖Y` of `scalar·G`, after checking `1 ≤ scalar < n` (SM2:
    /// `scalar < n − 1`, since signing inverts `1 + d`).
    static func publicPoint(scalar: [UInt8], algorithm: SignatureAlgorithm) throws -> [UInt8] {
        guard let nid = algorithm.curveNID else { throw CryptoError(.unsupportedAlgorithm, "\(algorithm)") }
        guard let group = EC_GROUP_new_by_curve_name(nid) else { throw ErrorQueue.error(.library, "EC_GROUP") }
        defer { EC_GROUP_free(group) }
        guard let d = scalar.withNonNullBytes({ BN_bin2bn($0, Int32($1), nil) }) else {
            throw ErrorQueue.error(.library, "BN_bin2bn")
        }
        defer { BN_clear_free(d) }
        guard let order = EC_GROUP_get0_order(group), let limit = BN_dup(order) else {
            throw ErrorQueue.error(.library, "EC_GROUP_get0_order")
        }
        defer { BN_free(limit) }
        if algorithm == .sm2 { BN_sub_word(limit, 1) }
        guard BN_is_zero(d) == 0, BN_cmp(d, limit) < 0 else {
            throw CryptoError(.invalidKey, "private scalar out of range")
        }
        guard let point = EC_POINT_new(group) else { throw ErrorQueue.error(.library, "EC_POINT_new") }
        defer { EC_POINT_free(point) }
        try ErrorQueue.check(EC_POINT_mul(group, point, d, nil, nil, nil), "EC_POINT_mul")
        return try [UInt8].filled(capacity: 65) { output in
            let length = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, output, 65, nil)
            guard length == 65 else { throw ErrorQueue.error(.library, "EC_POINT_point2oct") }
            return length
        }
    }

    /// DER `SEQUENCE { r, s }` → raw `r‖s`, each left-padded to 32 bytes.
    static func rawSignature(fromDER der: [UInt8]) throws -> [UInt8] {
        if let raw = strictRawSignature(fromDER: der) { return raw }
        return try rawSignatureThroughOpenSSL(fromDER: der)
    }

    /// ``rawSignature(fromDER:)`` through `d2i_ECDSA_SIG`, for every input.
    static func rawSignatureThroughOpenSSL(fromDER der: [UInt8]) throws -> [UInt8] {
        let signature: OpaquePointer? = der.withNonNullBytes { bytes, count in
            var cursor: UnsafePointer<UInt8>? = bytes
            guard let signature = d2i_ECDSA_SIG(nil, &cursor, count) else { return nil }
            guard cursor == bytes + count else {
                ECDSA_SIG_free(signature)
                return nil
            }
            return signature
        }
        guard let signature else {
            throw ErrorQueue.error(.invalidSignatureEncoding, "not a DER ECDSA signature")
        }
        defer { ECDSA_SIG_free(signature) }
        guard let r = ECDSA_SIG_get0_r(signature), let s = ECDSA_SIG_get0_s(signature),
            BN_num_bytes_(r) <= 32, BN_num_bytes_(s) <= 32, BN_is_negative(r) == 0, BN_is_negative(s) == 0
        else { throw CryptoError(.invalidSignatureEncoding, "r or s does not fit 32 bytes") }
        return try [UInt8].filled(capacity: 64) { output in
            guard BN_bn2binpad(r, output, 32) == 32, BN_bn2binpad(s, output + 32, 32) == 32 else {
                throw ErrorQueue.error(.library, "BN_bn2binpad")
            }
            return 64
        }
    }

    /// The common case of ``rawSignature(fromDER:)`` without OpenSSL: a DER signature exactly as
    /// OpenSSL writes one (short lengths, minimal non-negative integers of at most 32 bytes, no
    /// trailing bytes), read by hand, because every ES256 signature is converted and decoding it
    /// into two BIGNUMs cost more than the rest of the conversion. `nil` for anything else, which
    /// then goes through `d2i_ECDSA_SIG`; a signature accepted here decodes the same there.
    static func strictRawSignature(fromDER der: [UInt8]) -> [UInt8]? {
        der.withUnsafeBufferPointer { der -> [UInt8]? in
            guard der.count >= 8, der[0] == 0x30, der[1] < 0x80, Int(der[1]) == der.count - 2 else { return nil }
            /// The integer at `offset`: its magnitude bytes and the offset after it.
            func integer(at offset: Int) -> (bytes: UnsafeBufferPointer<UInt8>, end: Int)? {
                guard offset + 2 < der.count, der[offset] == 0x02 else { return nil }
                let length = Int(der[offset + 1])
                let start = offset + 2
                guard length >= 1, length <= 33, start + length <= der.count, der[start] < 0x80 else { return nil }
                var magnitude = UnsafeBufferPointer(rebasing: der[start..<(start + length)])
                if length > 1 && der[start] == 0 {
                    // A leading zero only where the next byte's top bit is set (minimal encoding).
                    guard der[start + 1] >= 0x80 else { return nil }
                    magnitude = UnsafeBufferPointer(rebasing: magnitude[1...])
                }
                guard magnitude.count <= 32 else { return nil }
                return (magnitude, start + length)
            }
            guard let r = integer(at: 2), let s = integer(at: r.end), s.end == der.count else { return nil }
            return [UInt8](unsafeUninitializedCapacity: 64) { output, count in
                output.initialize(repeating: 0)
                _ = UnsafeMutableBufferPointer(rebasing: output[(32 - r.bytes.count)..<32]).update(
                    fromContentsOf: r.bytes
                )
                _ = UnsafeMutableBufferPointer(rebasing: output[(64 - s.bytes.count)...]).update(
                    fromContentsOf: s.bytes
                )
                count = 64
            }
        }
    }

    /// Raw `r‖s` (64 bytes) → DER `SEQUENCE { r, s }`.
    ///
    /// Written by hand (every ES256 verification converts a signature, and going through two
    /// BIGNUMs and `i2d_ECDSA_SIG` cost more than the rest of the conversion): each half becomes a
    /// minimal DER INTEGER of a non-negative number, exactly as `i2d_ECDSA_SIG` writes it.
    static func derSignature(fromRaw raw: [UInt8]) throws -> [UInt8] {
        guard raw.count == 64 else { throw CryptoError(.invalidSignatureEncoding, "raw signature must be 64 bytes") }
        return raw.withUnsafeBufferPointer { raw in
            /// The magnitude without leading zero bytes (one zero byte for zero), and whether it
            /// needs a 0x00 in front to read as non-negative.
            func minimal(_ half: Range<Int>) -> (bytes: UnsafeBufferPointer<UInt8>, pad: Bool) {
                var start = half.lowerBound
                while start < half.upperBound - 1 && raw[start] == 0 { start += 1 }
                return (UnsafeBufferPointer(rebasing: raw[start..<half.upperBound]), raw[start] >= 0x80)
            }
            let r = minimal(0..<32)
            let s = minimal(32..<64)
            let rLength = r.bytes.count + (r.pad ? 1 : 0)
            let sLength = s.bytes.count + (s.pad ? 1 : 0)
            var der: [UInt8] = []
            der.reserveCapacity(6 + rLength + sLength)
            der.append(contentsOf: [0x30, UInt8(4 + rLength + sLength), 0x02, UInt8(rLength)])
            if r.pad { der.append(0) }
            der.append(contentsOf: r.bytes)
            der.append(contentsOf: [0x02, UInt8(sLength)])
            if s.pad { der.append(0) }
            der.append(contentsOf: s.bytes)
            return der
        }
    }

    /// ``derSignature(fromRaw:)`` through OpenSSL, which the hand-written form must equal (tests
    /// compare them).
    static func derSignatureThroughOpenSSL(fromRaw raw: [UInt8]) throws -> [UInt8] {
        guard raw.count == 64 else { throw CryptoError(.invalidSignatureEncoding, "raw signature must be 64 bytes") }
        guard let signature = ECDSA_SIG_new() else { throw ErrorQueue.error(.library, "ECDSA_SIG_new") }
        defer { ECDSA_SIG_free(signature) }
        let r = raw.withNonNullBytes { bytes, _ in BN_bin2bn(bytes, 32, nil) }
        let s = raw.withNonNullBytes { bytes, _ in BN_bin2bn(bytes + 32, 32, nil) }
        guard let r, let s, ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            throw ErrorQueue.error(.library, "ECDSA_SIG_set0")
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { throw ErrorQueue.error(.library, "i2d_ECDSA_SIG") }
        return try [UInt8].filled(capacity: Int(length)) { output in
            var cursor: UnsafeMutablePointer<UInt8>? = output
            return Int(i2d_ECDSA_SIG(signature, &cursor))
        }
    }

    /// `BN_num_bytes` is a macro; this is its definition.
    private static func BN_num_bytes_(_ value: OpaquePointer) -> Int32 { (BN_num_bits(value) + 7) / 8 }
}
