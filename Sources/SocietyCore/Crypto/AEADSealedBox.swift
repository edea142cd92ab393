/// The output of authenticated encryption: everything the recipient needs besides the key and the
/// associated data.
public struct AEADSealedBox: Hashable, Sendable {
    /// The nonce (GCM) or IV (CBC) used; unique per key, never secret.
    public var nonce: [UInt8]
    /// The encrypted bytes.
    public var ciphertext: [UInt8]
    /// The authentication tag over the associated data, nonce and ciphertext.
    public var tag: [UInt8]

    /// Creates a sealed box from its parts, for instance after reading them from the wire.
    public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.tag = tag
    }

    /// `nonce ‖ ciphertext ‖ tag`, the single-blob form stores and envelopes keep.
    public var combined: [UInt8] { nonce + ciphertext + tag }

    /// Splits a ``combined`` blob for `algorithm`; throws `.invalidParameter` when it is too short.
    public init(combined: [UInt8], algorithm: AEADAlgorithm) throws {
        let nonceCount = algorithm.nonceByteCount
        let tagCount = algorithm.tagByteCount
        guard combined.count >= nonceCount + tagCount else {
            throw CryptoError(.invalidParameter, "sealed box shorter than nonce and tag")
        }
        self.nonce = Array(combined[..<nonceCount])
        self.ciphertext = Array(combined[nonceCount..<(combined.count - tagCount)])
        self.tag = Array(combined[(combined.count - tagCount)...])
    }
}
