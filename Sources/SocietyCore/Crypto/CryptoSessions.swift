/// Seals many values under one key, on one thread: a bulk load sealing a field of every record.
///
/// A provider can keep one keyed cipher context for the session instead of finding one per call;
/// the default session simply calls ``CryptoProvider/seal(_:_:key:nonce:associatedData:)``. Not
/// `Sendable`: a session belongs to the thread that made it.
public protocol AEADSealingSession: AnyObject {
    /// Appends `nonce ‖ ciphertext ‖ tag` of `plaintext` to `output`. `nonce` must be fresh random
    /// bytes of the algorithm's nonce length, never repeated under the session's key.
    func seal(
        _ plaintext: [UInt8],
        nonce: [UInt8],
        associatedData: [UInt8],
        appendingTo output: inout [UInt8]
    )
        throws
}

/// Computes many HMACs under one key, on one thread: a bulk load hashing every record's key.
///
/// A provider can keep one keyed MAC context for the session; the default session calls
/// ``CryptoProvider/authenticationCode(_:key:data:)``. Not `Sendable`, like ``AEADSealingSession``.
public protocol MACSession: AnyObject {
    /// The HMAC of `data` under the session's key.
    func authenticationCode(of data: [UInt8]) throws -> [UInt8]
}

/// Computes many digests on one thread: an audit log's walk hashing every entry and tree node.
///
/// A provider can keep one digest context for the session and write each digest into the caller's
/// buffer; the default session calls ``CryptoProvider/digest(_:of:)``. Not `Sendable`, like
/// ``AEADSealingSession``.
public protocol DigestSession: AnyObject {
    /// Replaces the contents of `output` with the digest of `data` (keeping `output`'s storage
    /// when it is large enough, so that a caller hashing in a loop allocates nothing).
    func digest(of data: [UInt8], into output: inout [UInt8]) throws
}

extension CryptoProvider {
    /// A session that digests through ``digest(_:of:)``.
    public func makeDigestSession(_ algorithm: DigestAlgorithm) throws -> any DigestSession {
        ProviderDigestSession(provider: self, algorithm: algorithm)
    }

    /// A session that seals through ``seal(_:_:key:nonce:associatedData:)``.
    public func makeSealingSession(_ algorithm: AEADAlgorithm, key: [UInt8]) throws -> any AEADSealingSession {
        ProviderSealingSession(provider: self, algorithm: algorithm, key: key)
    }

    /// A session that authenticates through ``authenticationCode(_:key:data:)``.
    public func makeMACSession(_ algorithm: DigestAlgorithm, key: [UInt8]) throws -> any MACSession {
        ProviderMACSession(provider: self, algorithm: algorithm, key: key)
    }
}

/// The default sealing session: one call to the provider per value.
package final class ProviderSealingSession: AEADSealingSession {
    let provider: any CryptoProvider
    let algorithm: AEADAlgorithm
    let key: [UInt8]

    package init(provider: any CryptoProvider, algorithm: AEADAlgorithm, key: [UInt8]) {
        self.provider = provider
        self.algorithm = algorithm
        self.key = key
    }

    package func seal(
        _ plaintext: [UInt8],
        nonce: [UInt8],
        associatedData: [UInt8],
        appendingTo output: inout [UInt8]
    ) throws {
        let box = try provider.seal(algorithm, plaintext, key: key, nonce: nonce, associatedData: associatedData)
        output += box.nonce
        output += box.ciphertext
        output += box.tag
    }
}

/// The default MAC session: one call to the provider per value.
package final class ProviderMACSession: MACSession {
    let provider: any CryptoProvider
    let algorithm: DigestAlgorithm
    let key: [UInt8]

    package init(provider: any CryptoProvider, algorithm: DigestAlgorithm, key: [UInt8]) {
        self.provider = provider
        self.algorithm = algorithm
        self.key = key
    }

    package func authenticationCode(of data: [UInt8]) throws -> [UInt8] {
        try provider.authenticationCode(algorithm, key: key, data: data)
    }
}

/// The default digest session: one call to the provider per value.
package final class ProviderDigestSession: DigestSession {
    let provider: any CryptoProvider
    let algorithm: DigestAlgorithm

    package init(provider: any CryptoProvider, algorithm: DigestAlgorithm) {
        self.provider = provider
        self.algorithm = algorithm
    }

    package func digest(of data: [UInt8], into output: inout [UInt8]) throws {
        output = try provider.digest(algorithm, of: data)
    }
}
