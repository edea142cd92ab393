/// Why bytes are not a GZIP member this module accepts.
public enum GZipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Shorter than a header and trailer, or a header field runs past the end.
    case truncated
    /// The first bytes are not `1F 8B 08` (GZIP, DEFLATE).
    case notGZip
    /// Reserved header flag bits are set (RFC 1952 §2.3.1 says to reject them).
    case reservedFlags
    /// The DEFLATE stream inside is malformed or too large.
    case deflate(DeflateError)
    /// The CRC-32 in the trailer does not match the decompressed bytes.
    case checksumMismatch
    /// The length in the trailer does not match the decompressed bytes.
    case lengthMismatch
    /// Bytes follow the trailer (a second member, or garbage); status lists have one member.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated: "GZIP data is truncated"
        case .notGZip: "data is not GZIP (no 1F 8B 08 header)"
        case .reservedFlags: "GZIP header sets reserved flags"
        case .deflate(let error): "GZIP body: \(error)"
        case .checksumMismatch: "GZIP CRC-32 does not match the data"
        case .lengthMismatch: "GZIP length does not match the data"
        case .trailingBytes(let count): "\(count) bytes follow the GZIP member"
        }
    }
}

/// GZIP framing (RFC 1952) around ``Deflate``: what the W3C Bitstring Status List requires for
/// `encodedList`.
public enum GZip {
    /// One GZIP member: a 10-byte header with no name and modification time 0 (so the same list
    /// always compresses to the same bytes), the DEFLATE data, CRC-32 and length.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF]
        output += Deflate.deflate(input)
        output += littleEndian(CRC32.checksum(input))
        output += littleEndian(UInt32(truncatingIfNeeded: input.count))
        return output
    }

    /// Decompresses one GZIP member, checking the CRC-32 and length; optional header fields
    /// (extra, name, comment, header CRC) are skipped.
    public static func decompress(
        _ input: [UInt8],
        maximumOutputSize: Int = Deflate.defaultMaximumOutputSize
    ) throws(GZipError) -> [UInt8] {
        guard input.count >= 18 else { throw .truncated }
        guard input[0] == 0x1F, input[1] == 0x8B, input[2] == 0x08 else { throw .notGZip }
        let flags = input[3]
        guard flags & 0xE0 == 0 else { throw .reservedFlags }
        var position = 10
        if flags & 0x04 != 0 {  // FEXTRA
            guard position + 2 <= input.count else { throw .truncated }
            position += 2 + (Int(input[position]) | Int(input[position + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while position < input.count && input[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 0x02 != 0 { position += 2 }  // FHCRC
        guard position < input.count else { throw .truncated }
        let body: (output: [UInt8], consumed: Int)
        do {
            body = try Deflate.inflate(Array(input[position...]), maximumOutputSize: maximumOutputSize)
        } catch {
            throw .deflate(error)
        }
        let trailer = position + body.consumed
        guard trailer + 8 <= input.count else { throw .truncated }
        guard readLittleEndian(input, trailer) == CRC32.checksum(body.output) else { throw .checksumMismatch }
        guard readLittleEndian(input, trailer + 4) == UInt32(truncatingIfNeeded: body.output.count) else {
            throw .lengthMismatch
        }
        guard trailer + 8 == input.count else { throw .trailingBytes(input.count - trailer - 8) }
        return body.output
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private static func readLittleEndian(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }
}
