/// Why compressed bytes could not be inflated.
///
/// Every malformed input ends in one of these, never in a trap: the status list comes from the
/// network, and a verifier must survive whatever it is sent (the fuzz tests feed it random bytes).
public enum DeflateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input ended inside a block.
    case truncated
    /// A block header names the reserved block type 3.
    case reservedBlockType
    /// A stored block's length and its one's complement disagree.
    case storedLengthMismatch
    /// A dynamic block's code lengths do not form a usable prefix code.
    case invalidCodeLengths(String)
    /// A code that decodes to no symbol, or to a length or distance symbol that does not exist.
    case invalidSymbol
    /// A back-reference reaches before the start of the output.
    case distanceTooFar(distance: Int, available: Int)
    /// The output would exceed the caller's limit: the defence against a "zip bomb".
    case outputTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .truncated: "compressed data ends inside a block"
        case .reservedBlockType: "compressed data uses the reserved block type 3"
        case .storedLengthMismatch: "stored block length does not match its complement"
        case .invalidCodeLengths(let reason): "invalid Huffman code lengths: \(reason)"
        case .invalidSymbol: "compressed data contains an invalid Huffman code"
        case .distanceTooFar(let distance, let available):
            "back-reference distance \(distance) exceeds the \(available) bytes written so far"
        case .outputTooLarge(let limit): "decompressed data exceeds the limit of \(limit) bytes"
        }
    }
}

/// Raw DEFLATE (RFC 1951): inflate for every block type, deflate with fixed Huffman codes and
/// LZ77 matches.
///
/// The status list only needs to compress a mostly-zero bitstring, which fixed codes with
/// long matches reduce from 16 KiB to a few dozen bytes; dynamic codes would buy little there.
/// Inflate must read whatever another issuer's zlib wrote, so it handles stored, fixed and dynamic
/// blocks. The decoder follows the structure of Mark Adler's `puff.c` (canonical codes decoded
/// from per-length counts), which is small enough to review in one sitting.
public enum Deflate {
    /// The default output limit for ``inflate(_:maximumOutputSize:)``: 16 MiB, far above any
    /// status list (131,072 entries are 16 KiB) and far below what would hurt a phone.
    public static let defaultMaximumOutputSize = 16 << 20

    // MARK: Tables (RFC 1951 §3.2.5)

    static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
        258,
    ]
    static let lengthExtra: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    static let distanceExtra: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]
    /// The order in which a dynamic block lists the code-length code lengths.
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    // MARK: Inflate

    /// Decompresses raw DEFLATE data.
    ///
    /// - Parameter maximumOutputSize: the most bytes the output may hold; larger output throws
    ///   ``DeflateError/outputTooLarge(limit:)`` as soon as the limit is crossed.
    /// - Returns: the bytes, and how many input bytes the stream used (GZIP reads its trailer after).
    public static func inflate(
        _ input: [UInt8],
        maximumOutputSize: Int = defaultMaximumOutputSize
    ) throws(DeflateError) -> (output: [UInt8], consumed: Int) {
        var state = Inflater(input: input, limit: maximumOutputSize)
        try state.run()
        return (state.output, state.position)
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        /// Builds the code for `lengths` (0 = symbol unused). Incomplete codes are allowed only
        /// where RFC 1951 allows them (a single distance code), so callers check ``isComplete``.
        init(lengths: [Int]) throws(DeflateError) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            var left = 1
            for length in 1..<16 {
                left <<= 1
                left -= counts[length]
                if left < 0 { throw .invalidCodeLengths("over-subscribed code") }
            }
            self.left = left
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }

        /// Codes left unused: 0 for a complete code.
        let left: Int
        var isComplete: Bool { left == 0 }
    }

    struct Inflater {
        let input: [UInt8]
        let limit: Int
        var position = 0
        var bitBuffer = 0
        var bitCount = 0
        var output: [UInt8] = []

        init(input: [UInt8], limit: Int) {
            self.input = input
            self.limit = limit
        }

        mutating func bits(_ count: Int) throws(DeflateError) -> Int {
            var value = bitBuffer
            while bitCount < count {
                guard position < input.count else { throw .truncated }
                value |= Int(input[position]) << bitCount
                position += 1
                bitCount += 8
            }
            bitBuffer = value >> count
            bitCount -= count
            return value & ((1 << count) - 1)
        }

        mutating func decode(_ code: Huffman) throws(DeflateError) -> Int {
            var value = 0
            var first = 0
            var index = 0
            for length in 1..<16 {
                value |= try bits(1)
                let count = code.counts[length]
                if value - count < first { return code.symbols[index + (value - first)] }
                index += count
                first += count
                first <<= 1
                value <<= 1
            }
            throw .invalidSymbol
        }

        mutating func append(_ byte: UInt8) throws(DeflateError) {
            guard output.count < limit else { throw .outputTooLarge(limit: limit) }
            output.append(byte)
        }

        mutating func run() throws(DeflateError) {
            var last = false
            while !last {
                last = try bits(1) == 1
                switch try bits(2) {
                case 0: try stored()
                case 1: try codes(Inflater.fixedLiterals, Inflater.fixedDistances)
                case 2: try dynamic()
                default: throw .reservedBlockType
                }
            }
        }

        mutating func stored() throws(DeflateError) {
            bitBuffer = 0
            bitCount = 0
            guard position + 4 <= input.count else { throw .truncated }
            let length = Int(input[position]) | Int(input[position + 1]) << 8
            let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
            position += 4
            guard length == ~complement & 0xFFFF else { throw .storedLengthMismatch }
            guard position + length <= input.count else { throw .truncated }
            guard output.count + length <= limit else { throw .outputTooLarge(limit: limit) }
            output.append(contentsOf: input[position..<(position + length)])
            position += length
        }

        static let fixedLiterals: Huffman = {
            var lengths = [Int](repeating: 8, count: 288)
            for symbol in 144..<256 { lengths[symbol] = 9 }
            for symbol in 256..<280 { lengths[symbol] = 7 }
            // The fixed code is a constant of RFC 1951 §3.2.6 and always complete.
            return (try? Huffman(lengths: lengths)) ?? Huffman.empty
        }()

        static let fixedDistances: Huffman = {
            (try? Huffman(lengths: [Int](repeating: 5, count: 30))) ?? Huffman.empty
        }()

        mutating func dynamic() throws(DeflateError) {
            let literalCount = try bits(5) + 257
            let distanceCount = try bits(5) + 1
            let codeLengthCount = try bits(4) + 4
            guard literalCount <= 286, distanceCount <= 30 else {
                throw .invalidCodeLengths("too many length or distance codes")
            }
            var codeLengthLengths = [Int](repeating: 0, count: 19)
            for index in 0..<codeLengthCount { codeLengthLengths[Deflate.codeLengthOrder[index]] = try bits(3) }
            let codeLengthCode = try Huffman(lengths: codeLengthLengths)
            guard codeLengthCode.isComplete else { throw .invalidCodeLengths("incomplete code-length code") }

            var lengths: [Int] = []
            lengths.reserveCapacity(literalCount + distanceCount)
            while lengths.count < literalCount + distanceCount {
                let symbol = try decode(codeLengthCode)
                var repeatCount = 0
                var repeated = 0
                switch symbol {
                case 0..<16:
                    lengths.append(symbol)
                    continue
                case 16:
                    guard let previous = lengths.last else {
                        throw .invalidCodeLengths("repeat with no previous length")
                    }
                    repeated = previous
                    repeatCount = 3 + (try bits(2))
                case 17: repeatCount = 3 + (try bits(3))
                default: repeatCount = 11 + (try bits(7))
                }
                guard lengths.count + repeatCount <= literalCount + distanceCount else {
                    throw .invalidCodeLengths("repeat runs past the last code")
                }
                lengths.append(contentsOf: repeatElement(repeated, count: repeatCount))
            }
            guard lengths[256] != 0 else { throw .invalidCodeLengths("no end-of-block code") }
            let literals = try Huffman(lengths: Array(lengths[..<literalCount]))
            // RFC 1951 permits an incomplete code only when it has a single code.
            guard literals.isComplete || literalCount - literals.counts[0] == 1 else {
                throw .invalidCodeLengths("incomplete literal/length code")
            }
            let distances = try Huffman(lengths: Array(lengths[literalCount...]))
            guard distances.isComplete || distanceCount - distances.counts[0] <= 1 else {
                throw .invalidCodeLengths("incomplete distance code")
            }
            try codes(literals, distances)
        }

        mutating func codes(_ literals: Huffman, _ distances: Huffman) throws(DeflateError) {
            while true {
                let symbol = try decode(literals)
                if symbol < 256 {
                    try append(UInt8(symbol))
                } else if symbol == 256 {
                    return
                } else {
                    let lengthIndex = symbol - 257
                    guard lengthIndex < 29 else { throw .invalidSymbol }
                    let length = Deflate.lengthBase[lengthIndex] + (try bits(Deflate.lengthExtra[lengthIndex]))
                    let distanceSymbol = try decode(distances)
                    guard distanceSymbol < 30 else { throw .invalidSymbol }
                    let distance =
                        Deflate.distanceBase[distanceSymbol] + (try bits(Deflate.distanceExtra[distanceSymbol]))
                    guard distance <= output.count else {
                        throw .distanceTooFar(distance: distance, available: output.count)
                    }
                    guard output.count + length <= limit else { throw .outputTooLarge(limit: limit) }
                    let start = output.count - distance
                    for offset in 0..<length { output.append(output[start + offset]) }
                }
            }
        }
    }

    // MARK: Deflate

    /// Compresses `input` into one final fixed-Huffman block, with LZ77 matches found through a
    /// hash of the next three bytes (one candidate per hash: fast, and enough for runs of zeros).
    public static func deflate(_ input: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, count: 1)  // BFINAL
        writer.write(1, count: 2)  // BTYPE = fixed Huffman
        var head = [Int](repeating: -1, count: 1 << 15)
        var index = 0
        while index < input.count {
            var bestLength = 0
            var bestDistance = 0
            if index + 3 <= input.count {
                let hash = Deflate.hash(input, index)
                let candidate = head[hash]
                head[hash] = index
                // A run of one byte repeated is a match at distance 1, which the hash finds only
                // after it has seen the byte twice; check it directly because that is the common case.
                for start in [index - 1, candidate] where start >= 0 && index - start <= 32_768 && start < index {
                    var length = 0
                    let maximum = min(258, input.count - index)
                    while length < maximum && input[start + length] == input[index + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = index - start
                    }
                }
            }
            if bestLength >= 3 {
                writer.writeLength(bestLength)
                writer.writeDistance(bestDistance)
                // Index the positions the match covers, so later data can refer into it.
                var covered = index + 1
                while covered < index + bestLength, covered + 3 <= input.count {
                    head[Deflate.hash(input, covered)] = covered
                    covered += 1
                }
                index += bestLength
            } else {
                writer.writeLiteral(Int(input[index]))
                index += 1
            }
        }
        writer.writeLiteral(256)
        return writer.finish()
    }

    static func hash(_ bytes: [UInt8], _ index: Int) -> Int {
        let value = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
        return (value &* 2_654_435_761) >> 17 & 0x7FFF
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var buffer = 0
        var count = 0

        /// Writes `value`'s low `count` bits, least significant first (RFC 1951 §3.1.1).
        mutating func write(_ value: Int, count bits: Int) {
            buffer |= value << count
            count += bits
            while count >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: buffer))
                buffer >>= 8
                count -= 8
            }
        }

        /// Writes a Huffman code, which RFC 1951 packs most significant bit first.
        mutating func writeCode(_ code: Int, length: Int) {
            var reversed = 0
            for bit in 0..<length { reversed |= (code >> bit & 1) << (length - 1 - bit) }
            write(reversed, count: length)
        }

        /// The fixed literal/length code of `symbol` (RFC 1951 §3.2.6).
        mutating func writeLiteral(_ symbol: Int) {
            switch symbol {
            case 0..<144: writeCode(0x30 + symbol, length: 8)
            case 144..<256: writeCode(0x190 + symbol - 144, length: 9)
            case 256..<280: writeCode(symbol - 256, length: 7)
            default: writeCode(0xC0 + symbol - 280, length: 8)
            }
        }

        mutating func writeLength(_ length: Int) {
            var index = 28
            while Deflate.lengthBase[index] > length { index -= 1 }
            writeLiteral(257 + index)
            write(length - Deflate.lengthBase[index], count: Deflate.lengthExtra[index])
        }

        mutating func writeDistance(_ distance: Int) {
            var index = 29
            while Deflate.distanceBase[index] > distance { index -= 1 }
            writeCode(index, length: 5)
            write(distance - Deflate.distanceBase[index], count: Deflate.distanceExtra[index])
        }

        mutating func finish() -> [UInt8] {
            if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
            buffer = 0
            count = 0
            return bytes
        }
    }
}

extension Deflate.Huffman {
    /// A code with no symbols, only as the unreachable fallback for the fixed tables.
    static var empty: Deflate.Huffman {
        Deflate.Huffman(emptyWithSymbols: [])
    }

    private init(emptyWithSymbols symbols: [Int]) {
        self.symbols = symbols
        self.left = 0
    }
}
