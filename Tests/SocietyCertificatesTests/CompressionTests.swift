import Foundation
import SocietyCore
import SocietyTesting
import Testing

@testable import SocietyCertificates

/// DEFLATE, GZIP and CRC-32, checked against known values and against Python's `zlib`/`gzip`
/// (which use zlib, so stored, fixed and dynamic blocks all occur) in both directions.
@Suite("Compression")
struct CompressionTests {
    @Test("CRC-32 catalogue check values")
    func crc() {
        // "123456789" → CBF43926 is the CRC-32 check value of the CRC catalogue (Williams/Cook).
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        let split = CRC32.checksum(Array("56789".utf8), continuing: CRC32.checksum(Array("1234".utf8)))
        #expect(split == 0xCBF4_3926)
    }

    static let samples: [[UInt8]] = [
        [],
        [0],
        Array("hello, hello, hello, hello".utf8),
        [UInt8](repeating: 0, count: 16_384),
        (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) },
        Array(String(repeating: "泰州市 电子证照 亮证 ", count: 500).utf8),
    ]

    @Test("deflate then inflate gives the input back", arguments: samples.indices)
    func roundTrip(index: Int) throws {
        let input = Self.samples[index]
        let compressed = Deflate.deflate(input)
        #expect(try Deflate.inflate(compressed).output == input)
        #expect(try GZip.decompress(GZip.compress(input)) == input)
    }

    @Test("a 16 KiB zero bitstring compresses to about 125 bytes")
    func zeros() {
        // 64 matches of 258 bytes at 13–14 bits each, plus the 18 bytes of GZIP framing.
        let size = GZip.compress([UInt8](repeating: 0, count: 16_384)).count
        #expect(size < 150, "\(size) bytes")
    }

    @Test("Python's gzip reads what we write", arguments: samples.indices)
    func pythonReads(index: Int) throws {
        let input = Self.samples[index]
        let run = try Shell.python(
            "import sys,gzip,hashlib; print(hashlib.sha256(gzip.decompress(sys.stdin.buffer.read())).hexdigest())",
            input: GZip.compress(input)
        )
        #expect(run.status == 0, "\(run.error)")
        let expected = try Shell.python(
            "import sys,hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
            input: input
        )
        #expect(run.output == expected.output)
    }

    @Test("we read what Python's gzip and zlib write, at every level", arguments: [0, 1, 6, 9])
    func weRead(level: Int) throws {
        for input in Self.samples {
            let run = try Shell.python(
                "import sys,gzip; sys.stdout.write(gzip.compress(sys.stdin.buffer.read(), \(level)).hex())",
                input: input
            )
            #expect(run.status == 0, "\(run.error)")
            #expect(try GZip.decompress(hexBytes(run.output)) == input)
            let raw = try Shell.python(
                "import sys,zlib; c=zlib.compressobj(\(level), zlib.DEFLATED, -15); "
                    + "sys.stdout.write((c.compress(sys.stdin.buffer.read())+c.flush()).hex())",
                input: input
            )
            #expect(try Deflate.inflate(hexBytes(raw.output)).output == input)
        }
    }

    @Test("Python's gzip with a file name and fixed-Huffman-only (Z_FIXED) blocks")
    func pythonHeaderFields() throws {
        let input = Array(String(repeating: "abcabcabd", count: 300).utf8)
        let run = try Shell.python(
            "import sys,zlib,io,gzip; b=io.BytesIO(); f=gzip.GzipFile('status.bin','wb',9,b,0); "
                + "f.write(sys.stdin.buffer.read()); f.close(); sys.stdout.write(b.getvalue().hex())",
            input: input
        )
        #expect(try GZip.decompress(hexBytes(run.output)) == input)
        let fixed = try Shell.python(
            "import sys,zlib; c=zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_FIXED); "
                + "sys.stdout.write((c.compress(sys.stdin.buffer.read())+c.flush()).hex())",
            input: input
        )
        #expect(try Deflate.inflate(hexBytes(fixed.output)).output == input)
    }

    @Test("malformed input fails with a typed error")
    func malformed() {
        #expect(throws: DeflateError.reservedBlockType) { try Deflate.inflate([0x07]) }
        #expect(throws: DeflateError.truncated) { try Deflate.inflate([]) }
        #expect(throws: DeflateError.storedLengthMismatch) { try Deflate.inflate([0x01, 0x05, 0x00, 0x00, 0x00]) }
        // Fixed block: a match at distance 1 with nothing written yet.
        var writer = Deflate.BitWriter()
        writer.write(1, count: 1)
        writer.write(1, count: 2)
        writer.writeLength(3)
        writer.writeDistance(1)
        #expect(throws: DeflateError.distanceTooFar(distance: 1, available: 0)) {
            try Deflate.inflate(writer.finish())
        }
        #expect(throws: GZipError.notGZip) { try GZip.decompress([UInt8](repeating: 0, count: 20)) }
        var corrupted = GZip.compress(Array("status".utf8))
        corrupted[corrupted.count - 5] ^= 1
        #expect(throws: GZipError.checksumMismatch) { try GZip.decompress(corrupted) }
        #expect(throws: GZipError.trailingBytes(1)) { try GZip.decompress(GZip.compress([1, 2, 3]) + [0]) }
    }

    @Test("a zip bomb stops at the output limit")
    func bomb() {
        let bomb = GZip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(bomb.count < 10_000)
        #expect(throws: GZipError.deflate(.outputTooLarge(limit: 65_536))) {
            try GZip.decompress(bomb, maximumOutputSize: 65_536)
        }
    }

    @Test("random and mutated input never traps")
    func fuzz() {
        // Seeded and printed, so that a trap can be replayed with DIGITALSOCIETY_SEED.
        var random = SeededRandomSource(seed: TestSeed.make("Compression.fuzz"))
        let valid = GZip.compress(Array(String(repeating: "电子证照", count: 200).utf8))
        for round in 0..<3_000 {
            var input: [UInt8]
            if round % 2 == 0 {
                input = (0..<Int.random(in: 0..<200, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            } else {
                input = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    input[Int.random(in: 0..<input.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            _ = try? Deflate.inflate(input, maximumOutputSize: 1 << 16)
            _ = try? GZip.decompress(input, maximumOutputSize: 1 << 16)
        }
    }
}
