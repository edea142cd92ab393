import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import Testing

/// A log opened by path has one reader connection. Every public query must answer on it: a query
/// that asks for a second connection while it holds the first would wait for ever, so each call
/// here runs under a deadline and a regression fails instead of hanging the run.
@Suite("Audit log opened by path")
struct AuditByPathTests {
    /// Writes a store with `count` audit entries and one signed checkpoint, then closes it.
    static func writtenLog(_ fixture: Fixture, count: Int) async throws -> (path: String, key: any SigningKey) {
        let store = try fixture.store()
        let key = try fixture.crypto.generateSigningKey(.ed25519)
        try await store.auditLog.append((0..<count).map(AuditTests.entry))
        _ = try await store.auditLog.checkpoint(signingWith: key, keyName: "taizhou-audit")
        return (fixture.path(), key)
    }

    @Test("every public query answers on a log opened by path")
    func everyQueryAnswers() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let (path, key) = try await AuditByPathTests.writtenLog(fixture, count: 9)
        let log = try SQLiteAuditLog(path: path, crypto: fixture.crypto)
        let tree = MerkleTree(algorithm: .sha256, provider: fixture.crypto)

        #expect(try await withDeadline { try await log.origin() } == "test.example/audit")
        #expect(try await withDeadline { try await log.size() } == 9)
        let head = try await withDeadline { try await log.treeHead() }
        #expect(head.size == 9)
        #expect(head.origin == "test.example/audit")
        let leaves = try await withDeadline { try await (0..<9).asyncMap { try await log.leafHash(at: $0) } }
        #expect(head.rootHash == (try tree.rootHash(leafHashes: leaves)))
        #expect(try await withDeadline { try await log.entry(at: 4) } == AuditTests.entry(4))
        #expect(try await withDeadline { try await log.rootHash(size: 9) } == head.rootHash)
        let proof = try await withDeadline { try await log.inclusionProof(index: 4, treeSize: 9) }
        #expect(
            try tree.verifyInclusion(leafHash: leaves[4], index: 4, treeSize: 9, proof: proof, rootHash: head.rootHash)
        )
        let consistency = try await withDeadline { try await log.consistencyProof(from: 3, to: 9) }
        #expect(
            try tree.verifyConsistency(
                oldSize: 3,
                newSize: 9,
                oldRoot: try tree.rootHash(leafHashes: Array(leaves[..<3])),
                newRoot: head.rootHash,
                proof: consistency
            )
        )
        #expect(try await withDeadline { try await log.checkpoints() }.count == 1)
        let verification = try await withDeadline { try await log.verify(checkpointKey: key.publicKey) }
        #expect(verification.isValid)
        #expect(verification.checkpointsChecked == 2)
        let signed = try await withDeadline { try await log.checkpoint(signingWith: key, keyName: "taizhou-audit") }
        #expect(signed.checkpoint == head)
        #expect(try await withDeadline { try await log.append([AuditTests.entry(9)]) } == 9..<10)
        #expect(try await withDeadline { try await log.size() } == 10)
    }

    @Test("errors about missing entries answer too (they report the size)")
    func errorsAnswer() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let (path, _) = try await AuditByPathTests.writtenLog(fixture, count: 3)
        let log = try SQLiteAuditLog(path: path, crypto: fixture.crypto)
        await #expect(throws: AuditLogError.noSuchEntry(index: 7, size: 3)) {
            try await withDeadline { try await log.entry(at: 7) }
        }
        await #expect(throws: AuditLogError.noSuchEntry(index: 7, size: 3)) {
            try await withDeadline { try await log.leafHash(at: 7) }
        }
        await #expect(throws: AuditLogError.noSuchEntry(index: 5, size: 3)) {
            try await withDeadline { try await log.inclusionProof(index: 5, treeSize: 3) }
        }
    }
}

/// Why ``withDeadline(seconds:_:)`` gave up.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "no answer within \(seconds) s: the call is waiting on itself" }
}

/// Runs `body` and waits at most `seconds` for it. A call that hangs is abandoned (its task stays
/// suspended) and the test fails with ``DeadlineExceeded``, so a deadlock shows up as a failure
/// rather than a run that never ends. Two minutes: a deadlock never answers, while a full test run
/// on two cores once kept a healthy query from being scheduled for more than 20 s.
func withDeadline<T: Sendable>(
    seconds: Double = 120,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.set(continuation)
        Task {
            let result = await Result(catching: { try await body() })
            once.resume(with: result)
        }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            once.resume(with: .failure(DeadlineExceeded(seconds: seconds)))
        }
    }
}

/// Resumes a continuation with whichever result arrives first.
///
/// `@unchecked Sendable` because `continuation` is only touched while `lock` is held.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    func set(_ continuation: CheckedContinuation<T, any Error>) { lock.withLock { self.continuation = continuation } }
    func resume(with result: Result<T, any Error>) {
        let waiting = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: result)
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
