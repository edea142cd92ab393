import SocietyCore

/// A W3C Trace Context `traceparent` value (https://www.w3.org/TR/trace-context/, version `00`):
/// which trace a request belongs to and which span sent it.
///
/// The gateway reads it from a request, logs the trace id with every line about the request, and
/// answers with its own span in the same trace; ``ExchangeClient`` sends one with every call.
public struct TraceParent: Hashable, Sendable, CustomStringConvertible {
    /// 16 bytes, not all zero.
    public let traceID: [UInt8]
    /// 8 bytes, not all zero: the span of the sender.
    public let parentID: [UInt8]
    /// The trace flags (bit 0: sampled).
    public let flags: UInt8

    /// A value from its parts; `nil` when an id has the wrong length or is all zeros.
    public init?(traceID: [UInt8], parentID: [UInt8], flags: UInt8 = 1) {
        guard traceID.count == 16, parentID.count == 8, traceID.contains(where: { $0 != 0 }),
            parentID.contains(where: { $0 != 0 })
        else { return nil }
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// Parses a header value; `nil` for anything the specification says to ignore (wrong length
    /// or form, upper-case hex, version `ff`, all-zero ids). A version above `00` is read by its
    /// first four fields, as the specification asks of a version-00 reader.
    public init?(header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, let version = TraceParent.hex(parts[0], count: 1), version[0] != 0xFF,
            version[0] != 0 || parts.count == 4,
            let trace = TraceParent.hex(parts[1], count: 16), let parent = TraceParent.hex(parts[2], count: 8),
            let flags = TraceParent.hex(parts[3], count: 1)
        else { return nil }
        self.init(traceID: trace, parentID: parent, flags: flags[0])
    }

    /// A new trace: random ids from `random` (the crypto provider's random source).
    public static func start(random: (Int) throws -> [UInt8]) rethrows -> TraceParent? {
        TraceParent(traceID: try random(16), parentID: try random(8))
    }

    /// The same trace with `span` as the parent: what a hop sends on.
    public func child(span: [UInt8]) -> TraceParent? {
        TraceParent(traceID: traceID, parentID: span, flags: flags)
    }

    /// `00-TRACE-PARENT-FLAGS` in lower-case hex.
    public var description: String {
        "00-\(Hex.encode(traceID))-\(Hex.encode(parentID))-\(Hex.encode([flags]))"
    }

    /// The trace id in hex, as logs show it.
    public var traceIDText: String { Hex.encode(traceID) }

    private static func hex(_ text: Substring, count: Int) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == count * 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
