import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare TCP client for what a well-behaved HTTP client will not do: announce a huge body and
/// not send it, send a body slowly, hold a thousand connections open at once.
///
/// Its reads block, so tests wait for them with ``awaitResponse()``, on a thread of its own: a read
/// blocking one of the two cooperative threads would starve the server under test. One task uses a
/// connection at a time (hence `@unchecked`).
final class RawConnection: @unchecked Sendable {
    private let socket: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds — generous, because the
    /// whole test run shares two cores and a server answering late under that load is not a failure;
    /// a server that never answers still fails the test.
    init(port: Int, timeout: Int = 120) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw GatewayTestFailure("socket() failed: errno \(errno)") }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw GatewayTestFailure("connect() failed: errno \(errno)")
        }
    }

    deinit { close(socket) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
            guard written > 0 else { throw GatewayTestFailure("write() failed: errno \(errno)") }
            offset += written
        }
    }

    /// ``response()`` read on a thread outside Swift's cooperative pool.
    func awaitResponse() async throws -> (status: Int, headers: [String: String], body: [UInt8]) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try self.response() }) }
        }
    }

    /// Reads one response: the status, the headers (names lower-cased) and a body of the
    /// `Content-Length` announced; throws when nothing arrives in time.
    func response() throws -> (status: Int, headers: [String: String], body: [UInt8]) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        func fill() throws {
            let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            guard count > 0 else { throw GatewayTestFailure("no response (read returned \(count), errno \(errno))") }
            buffer += chunk[0..<count]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            try fill()
            if buffer.count >= 4 {
                headerEnd = (0...(buffer.count - 4)).first { Array(buffer[$0..<$0 + 4]) == separator }
            }
        }
        guard let headerEnd else { throw GatewayTestFailure("no header end") }
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw GatewayTestFailure("bad status line \(head.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < headerEnd + 4 + length { try fill() }
        return (status, headers, Array(buffer[(headerEnd + 4)..<(headerEnd + 4 + length)]))
    }
}
