package import SocietyCore

/// Seals sensitive fields and computes keyed hashes, with the store's keys and profile.
///
/// A sealed field is `0x01 ‖ algorithm (1: AES-256-GCM, 2: SM4-CBC+HMAC-SM3) ‖ key-id length ‖
/// key id ‖ nonce ‖ ciphertext ‖ tag`. The associated data is `len ‖ kind ‖ len ‖ row key ‖
/// len ‖ field` (big-endian 32-bit lengths), where the row key is what the row stores (the keyed
/// hash for a sensitive key), so a ciphertext moved to another row, kind or field fails to open.
package struct FieldProtector: Sendable {
    package let crypto: any CryptoProvider
    package let keys: any KeyProvider
    package let profile: StorageCryptoProfile
    /// The current keys, when looked up once for a chunk of work (see ``pinned()``).
    private var sealKey: SymmetricKey?
    private var hashKey: SymmetricKey?
    private var subjectKey: SymmetricKey?

    package init(_ protection: RecordProtection) {
        crypto = protection.crypto
        keys = protection.keys
        profile = protection.profile
    }

    /// This protector with the current keys looked up now, for a bulk put or a scan's chunk: a
    /// key provider may be a remote service or take a lock, and a chunk of a thousand records
    /// needs its keys once, not per field. A key that cannot be looked up is left to each call,
    /// which then throws the provider's error. A key rotated while the chunk runs is used from the
    /// next chunk on.
    ///
    /// The pinned keys are private copies, so that threads working with their own pinned
    /// protectors never share (and fight over the reference count of) one key buffer.
    package func pinned() -> FieldProtector {
        func own(_ key: SymmetricKey?) -> SymmetricKey? {
            key.map { key in
                SymmetricKey(
                    id: String(decoding: Array(key.id.utf8), as: UTF8.self),
                    bytes: key.bytes.withUnsafeBufferPointer { Array($0) }
                )
            }
        }
        var copy = self
        copy.sealKey = own(try? keys.currentKey(for: .fieldEncryption))
        copy.hashKey = own(try? keys.currentKey(for: .searchableHash))
        copy.subjectKey = own(try? keys.currentKey(for: .auditSubject))
        return copy
    }

    package static func appendLengthPrefixed<S: Collection>(_ part: S, to out: inout [UInt8]) where S.Element == UInt8 {
        let count = UInt32(truncatingIfNeeded: part.count)
        out.append(UInt8(truncatingIfNeeded: count >> 24))
        out.append(UInt8(truncatingIfNeeded: count >> 16))
        out.append(UInt8(truncatingIfNeeded: count >> 8))
        out.append(UInt8(truncatingIfNeeded: count))
        out.append(contentsOf: part)
    }

    /// The same for bytes already in an array: a concrete overload, because the generic one runs
    /// unspecialised across modules, element by element (a profile of the bulk load found it).
    package static func appendLengthPrefixed(_ part: [UInt8], to out: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: part.count)
        out.append(UInt8(truncatingIfNeeded: count >> 24))
        out.append(UInt8(truncatingIfNeeded: count >> 16))
        out.append(UInt8(truncatingIfNeeded: count >> 8))
        out.append(UInt8(truncatingIfNeeded: count))
        out.append(contentsOf: part)
    }

    package static func associatedData(kind: String, rowKey: [UInt8], field: String) -> [UInt8] {
        var out: [UInt8] = []
        associatedData(kind: kind, rowKey: rowKey, field: field, into: &out)
        return out
    }

    /// The same bytes written over `out`, a buffer a caller sealing many fields keeps.
    package static func associatedData(kind: String, rowKey: [UInt8], field: String, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(12 + kind.utf8.count + rowKey.count + field.utf8.count)
        appendLengthPrefixed(kind.utf8, to: &out)
        appendLengthPrefixed(rowKey, to: &out)
        appendLengthPrefixed(field.utf8, to: &out)
    }

    /// A key id as a sealed field carries it: its UTF-8 bytes, at most 255.
    package static func keyIDBytes(_ key: SymmetricKey) -> [UInt8] { Array(key.id.utf8.prefix(255)) }

    private var algorithmByte: UInt8 { profile.aead == .aes256GCM ? 1 : 2 }

    /// Seals one field. `nonce` (of the profile's nonce length, fresh from the random source)
    /// lets a caller sealing many fields draw random bytes once for many nonces; `nil` draws one.
    package func seal(
        kind: String,
        rowKey: [UInt8],
        field: String,
        plaintext: [UInt8],
        nonce: [UInt8]? = nil
    ) throws -> [UInt8] {
        let key = try sealKey ?? keys.currentKey(for: .fieldEncryption)
        return try seal(
            kind: kind,
            rowKey: rowKey,
            field: field,
            plaintext: plaintext,
            nonce: try nonce ?? crypto.randomBytes(count: profile.aead.nonceByteCount),
            key: key,
            session: ProviderSealingSession(provider: crypto, algorithm: profile.aead, key: key.bytes)
        )
    }

    package func open(kind: String, rowKey: [UInt8], field: String, sealed: ArraySlice<UInt8>) throws -> [UInt8] {
        let start = sealed.startIndex
        guard sealed.count >= 3, sealed[start] == 0x01, sealed[start + 1] == 1 || sealed[start + 1] == 2 else {
            throw CryptoError(.decryptionFailed, "unknown sealed-field format")
        }
        let algorithm: AEADAlgorithm = sealed[start + 1] == 1 ? .aes256GCM : .sm4CBCHMACSM3
        let idLength = Int(sealed[start + 2])
        guard sealed.count >= 3 + idLength else { throw CryptoError(.decryptionFailed, "truncated sealed field") }
        let idBytes = sealed[(start + 3)..<(start + 3 + idLength)]
        let key: SymmetricKey
        if let sealKey, sealKey.id.utf8.elementsEqual(idBytes) {
            key = sealKey
        } else {
            key = try keys.key(for: .fieldEncryption, id: String(decoding: idBytes, as: UTF8.self))
        }
        let box = try AEADSealedBox(combined: Array(sealed[(start + 3 + idLength)...]), algorithm: algorithm)
        return try crypto.open(
            algorithm,
            box,
            key: key.bytes,
            associatedData: FieldProtector.associatedData(kind: kind, rowKey: rowKey, field: field)
        )
    }

    /// The current keys this protector pinned (see ``pinned()``), for sessions keyed with them.
    package var pinnedSealKey: SymmetricKey? { sealKey }
    package var pinnedHashKey: SymmetricKey? { hashKey }

    /// ``seal(kind:rowKey:field:plaintext:nonce:)`` through `session`, which is keyed with
    /// `key`: the same bytes, without finding a cipher context per field.
    package func seal(
        kind: String,
        rowKey: [UInt8],
        field: String,
        plaintext: [UInt8],
        nonce: [UInt8],
        key: SymmetricKey,
        session: any AEADSealingSession
    ) throws -> [UInt8] {
        var out: [UInt8] = []
        try seal(
            plaintext: plaintext,
            nonce: nonce,
            keyID: FieldProtector.keyIDBytes(key),
            associatedData: FieldProtector.associatedData(kind: kind, rowKey: rowKey, field: field),
            session: session,
            appendingTo: &out
        )
        return out
    }

    /// The sealed form of one field appended to `output`, for a caller sealing many fields with
    /// one key and its own buffers: `keyID` from ``keyIDBytes(_:)``, `associatedData` from
    /// ``associatedData(kind:rowKey:field:into:)``, `session` keyed with that key.
    package func seal(
        plaintext: [UInt8],
        nonce: [UInt8],
        keyID: [UInt8],
        associatedData: [UInt8],
        session: any AEADSealingSession,
        appendingTo output: inout [UInt8]
    ) throws {
        output.reserveCapacity(output.count + 3 + keyID.count + nonce.count + plaintext.count + 48)
        output.append(0x01)
        output.append(algorithmByte)
        output.append(UInt8(truncatingIfNeeded: keyID.count))
        output += keyID
        try session.seal(plaintext, nonce: nonce, associatedData: associatedData, appendingTo: &output)
    }

    /// ``keyedHash(domain:kind:name:value:)`` through `session`, which is keyed with the
    /// searchable-hash key.
    package func keyedHash(
        domain: String,
        kind: String,
        name: String,
        value: some Collection<UInt8>,
        session: any MACSession
    ) throws -> [UInt8] {
        try session.authenticationCode(
            of: FieldProtector.keyedHashInput(domain: domain, kind: kind, name: name, value: value)
        )
    }

    /// ``keyedHash(domain:kind:name:value:session:)`` for a value already in an array, with the
    /// input's first three parts (`prefix`, from ``keyedHashPrefix(domain:kind:name:)``) computed once
    /// for many values — what a bulk load does for each row's key and indexes. The input is built
    /// in `scratch`, a buffer the caller keeps from one value to the next.
    package static func keyedHash(
        prefix: [UInt8],
        value: [UInt8],
        session: any MACSession,
        scratch: inout [UInt8]
    ) throws -> [UInt8] {
        scratch.removeAll(keepingCapacity: true)
        scratch += prefix
        appendLengthPrefixed(value, to: &scratch)
        return try session.authenticationCode(of: scratch)
    }

    /// `len ‖ domain ‖ len ‖ kind ‖ len ‖ name`: the start of every keyed hash's input for one name.
    package static func keyedHashPrefix(domain: String, kind: String, name: String) -> [UInt8] {
        var data: [UInt8] = []
        appendLengthPrefixed(Array(domain.utf8), to: &data)
        appendLengthPrefixed(Array(kind.utf8), to: &data)
        appendLengthPrefixed(Array(name.utf8), to: &data)
        return data
    }

    /// `len ‖ domain ‖ len ‖ kind ‖ len ‖ name ‖ len ‖ value`, what a keyed hash covers.
    package static func keyedHashInput(
        domain: String,
        kind: String,
        name: String,
        value: some Collection<UInt8>
    ) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(16 + domain.utf8.count + kind.utf8.count + name.utf8.count + value.count)
        appendLengthPrefixed(domain.utf8, to: &data)
        appendLengthPrefixed(kind.utf8, to: &data)
        appendLengthPrefixed(name.utf8, to: &data)
        appendLengthPrefixed(value, to: &data)
        return data
    }

    /// `HMAC(searchable-hash key, len ‖ domain ‖ len ‖ kind ‖ len ‖ name ‖ value)`.
    package func keyedHash(domain: String, kind: String, name: String, value: some Collection<UInt8>) throws -> [UInt8]
    {
        let key = try hashKey ?? keys.currentKey(for: .searchableHash)
        let data = FieldProtector.keyedHashInput(domain: domain, kind: kind, name: name, value: value)
        return try crypto.authenticationCode(profile.digest, key: key.bytes, data: data)
    }

    package func auditSubject(kind: String, id: String) throws -> [UInt8] {
        try AuditSubjectHasher(
            key: subjectKey ?? keys.currentKey(for: .auditSubject),
            digest: profile.digest,
            crypto: crypto
        )
        .subject(kind: kind, id: id)
    }
}

extension IndexValue {
    /// A type byte and the value's bytes: the input of a searchable index's keyed hash.
    package var canonicalBytes: [UInt8] {
        switch self {
        case .integer(let v): [1] + withUnsafeBytes(of: v.bigEndian) { Array($0) }
        case .real(let v): [2] + withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) }
        case .text(let v): [3] + Array(v.utf8)
        }
    }
}

/// Seals the fields of a bulk load through one session keyed once, drawing nonces 256 at a time
/// and reusing one buffer each for the nonce, the associated data and the sealed field.
///
/// A field of twenty bytes otherwise cost six small arrays, more than the cipher itself (bulk-load
/// profile, 2026-12-07). Both stores' bulk preparers seal through it, so their rows stay
/// byte-compatible. Not `Sendable`: one belongs to the thread preparing a chunk.
package final class BulkFieldSealer {
    private let protector: FieldProtector
    private let kind: String
    private let keyID: [UInt8]
    private let session: any AEADSealingSession
    private var nonces: [UInt8] = []
    private var nonceOffset = 0
    private var nonce: [UInt8] = []
    private var associatedData: [UInt8] = []
    private var sealed: [UInt8] = []

    /// A sealer for `kind`'s fields under `key`, through `session` keyed with it.
    package init(protector: FieldProtector, kind: String, key: SymmetricKey, session: any AEADSealingSession) {
        self.protector = protector
        self.kind = kind
        self.keyID = FieldProtector.keyIDBytes(key)
        self.session = session
    }

    /// The sealed form of `plaintext` as `field` of the row `rowKey` (the same bytes as
    /// ``FieldProtector/seal(kind:rowKey:field:plaintext:nonce:)``), valid until the next call.
    package func seal(field: String, rowKey: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        let length = protector.profile.aead.nonceByteCount
        if nonceOffset + length > nonces.count {
            nonces = try protector.crypto.randomBytes(count: length * 256)
            nonceOffset = 0
        }
        nonce.removeAll(keepingCapacity: true)
        nonce += nonces[nonceOffset..<nonceOffset + length]
        nonceOffset += length
        FieldProtector.associatedData(kind: kind, rowKey: rowKey, field: field, into: &associatedData)
        sealed.removeAll(keepingCapacity: true)
        try protector.seal(
            plaintext: plaintext,
            nonce: nonce,
            keyID: keyID,
            associatedData: associatedData,
            session: session,
            appendingTo: &sealed
        )
        return sealed
    }
}
