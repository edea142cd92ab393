internal import COpenSSL
import SocietyCore

/// Reads OpenSSL's thread-local error queue so that every ``CryptoError`` carries the library's
/// own reasons, and clears it so that stale lines never leak into a later error.
enum ErrorQueue {
    /// Removes and returns the queued error lines, oldest first.
    static func drain() -> [String] {
        var lines: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            let text = buffer.withUnsafeMutableBufferPointer { pointer -> String in
                guard let base = pointer.baseAddress else { return "error \(code)" }
                ERR_error_string_n(code, base, pointer.count)
                return String(cString: base)
            }
            lines.append(text)
        }
        return lines
    }

    /// Discards queued errors, after a failure that is an expected answer (an invalid signature).
    static func clear() { ERR_clear_error() }

    /// A ``CryptoError`` with `code` and `message` and the drained queue.
    static func error(
        _ code: CryptoError.Code,
        _ message: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> CryptoError {
        CryptoError(code, message, libraryErrors: drain(), file: file, line: line)
    }

    /// Throws a `.library` error (or `code`) unless `result` is 1, OpenSSL's success value.
    static func check(
        _ result: Int32,
        _ message: @autoclosure () -> String,
        code: CryptoError.Code = .library,
        file: String = #fileID,
        line: UInt = #line
    ) throws {
        guard result == 1 else { throw error(code, message(), file: file, line: line) }
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with a pointer that is never null, even for an empty array, because several
    /// OpenSSL functions reject a null buffer even when its length is zero.
    func withNonNullBytes<Result>(_ body: (UnsafePointer<UInt8>, Int) throws -> Result) rethrows -> Result {
        try withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { return try body(base, buffer.count) }
            return try withUnsafePointer(to: UInt8(0)) { try body($0, 0) }
        }
    }
}

extension [UInt8] {
    /// Builds an array by letting `body` write up to `capacity` bytes and return how many it wrote.
    static func filled(
        capacity: Int,
        _ body: (UnsafeMutablePointer<UInt8>) throws -> Int
    ) throws -> [UInt8] {
        guard capacity > 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            base.initialize(repeating: 0, count: capacity)
            count = capacity
            let written = try body(base)
            count = Swift.max(0, Swift.min(written, capacity))
        }
    }
}
