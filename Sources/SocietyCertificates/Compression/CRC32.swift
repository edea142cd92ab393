/// CRC-32 as GZIP (RFC 1952 §8) and zlib compute it: the reflected polynomial `0xEDB88320`,
/// initial value and final XOR `0xFFFFFFFF`.
///
/// Written here rather than taken from zlib because this module is pure Swift; the check value
/// `crc32("123456789") == 0xCBF43926` is the catalogue value every CRC-32 implementation agrees on.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    /// The CRC-32 of `bytes`, continuing from `crc` (the CRC of the bytes before them; 0 to start).
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        var value = ~crc
        for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
        return ~value
    }
}
