import SocietyCore

/// What a status list's set bit means (W3C Bitstring Status List §2.1 `statusPurpose`).
///
/// The specification forbids mixing purposes in one list, so an issuer keeps one list of each,
/// and a certificate has the same index in both.
public enum StatusPurpose: String, CaseIterable, Codable, Hashable, Sendable {
    /// A set bit means revoked, for good (注销/吊销).
    case revocation
    /// A set bit means suspended until reinstated (暂停/冻结).
    case suspension
}

/// Why an encoded status list cannot be read.
public enum StatusListError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `encodedList` does not start with the multibase prefix `u` (base64url, no padding).
    case notMultibaseBase64URL
    /// The text after `u` is not base64url.
    case invalidBase64URL
    /// The bytes are not a valid GZIP member (or inflate past the size limit).
    case compression(GZipError)
    /// The bitstring is shorter than the 131,072 entries (16 KiB) the specification requires,
    /// a minimum that gives herd privacy.
    case tooShort(entries: Int)
    /// An index outside the list.
    case indexOutOfRange(index: Int, size: Int)

    public var description: String {
        switch self {
        case .notMultibaseBase64URL: "encodedList must be multibase base64url (prefix u)"
        case .invalidBase64URL: "encodedList is not base64url"
        case .compression(let error): "encodedList: \(error)"
        case .tooShort(let entries):
            "status list has \(entries) entries; at least \(BitstringStatusList.minimumSize) are required"
        case .indexOutOfRange(let index, let size): "status index \(index) is outside the list of \(size)"
        }
    }
}

/// A W3C Bitstring Status List: one bit per certificate, index 0 the left-most (most significant)
/// bit of the first byte, published GZIP-compressed and multibase base64url-encoded.
///
/// A value type: the issuer changes a copy and publishes it; verifiers only read.
public struct BitstringStatusList: Hashable, Sendable {
    /// The minimum number of entries, 131,072 (16 KiB uncompressed): W3C Bitstring Status List §4.
    public static let minimumSize = 131_072

    /// The bits, eight entries per byte.
    public private(set) var bytes: [UInt8]

    /// The number of entries.
    public var size: Int { bytes.count * 8 }

    /// An all-zero list of `size` entries, rounded up to whole bytes and to the minimum size.
    public init(size: Int = BitstringStatusList.minimumSize) {
        bytes = [UInt8](repeating: 0, count: (max(size, Self.minimumSize) + 7) / 8)
    }

    /// The bit at `index`; throws for an index outside the list.
    public func isSet(_ index: Int) throws(StatusListError) -> Bool {
        guard index >= 0, index < size else { throw .indexOutOfRange(index: index, size: size) }
        return bytes[index / 8] & (0x80 >> UInt8(index % 8)) != 0
    }

    /// Sets or clears the bit at `index`.
    public mutating func set(_ index: Int, to value: Bool) throws(StatusListError) {
        guard index >= 0, index < size else { throw .indexOutOfRange(index: index, size: size) }
        let mask: UInt8 = 0x80 >> UInt8(index % 8)
        if value { bytes[index / 8] |= mask } else { bytes[index / 8] &= ~mask }
    }

    /// The `encodedList` text: `u` + base64url(GZIP(bits)).
    public var encodedList: String { "u" + Base64URL.encode(GZip.compress(bytes)) }

    /// Reads an `encodedList`, refusing lists shorter than the minimum and inflating no more
    /// than `maximumSize` entries (a hostile list cannot exhaust memory).
    public init(encodedList: String, maximumSize: Int = 8 * Deflate.defaultMaximumOutputSize) throws(StatusListError) {
        guard encodedList.hasPrefix("u") else { throw .notMultibaseBase64URL }
        guard let compressed = Base64URL.decode(String(encodedList.dropFirst())) else { throw .invalidBase64URL }
        let bytes: [UInt8]
        do {
            bytes = try GZip.decompress(compressed, maximumOutputSize: (maximumSize + 7) / 8)
        } catch {
            throw .compression(error)
        }
        guard bytes.count * 8 >= Self.minimumSize else { throw .tooShort(entries: bytes.count * 8) }
        self.bytes = bytes
    }
}
