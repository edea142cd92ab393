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
    static func writtenLog(_ fixture: Fixture, count: Int) throws -> (path: String, key: any SigningKey) {
        let store = try fixture.store()
        let key = try fixture.crypto.generateSigningKey(.ed25519)
        try store.auditLog.append((0..<count).map(AuditTests.entry))
        _ = try store.auditLog.checkpoint(signingWith: key, keyName: "taizhou-audit")
        return (fixture.path(), key)
    }

    @Test("every public query answers on a log opened by path")
    func everyQueryAnswers() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let (path, key) = try AuditByPathTests.writtenLog(fixture, count: 9)
        let log = try SQLiteAuditLog(path: path, crypto: fixture.crypto)
        let tree = MerkleTree(algorithm: .sha256, provider: fixture.crypto)

        #expect(try withDeadline { try log.origin() } == "test.example/audit")
        #expect(try withDeadline { try log.size() } == 9)
        let head = try withDeadline { try log.treeHead() }
        #expect(head.size == 9)
        #expect(head.origin == "test.example/audit")
        let leaves = try withDeadline { try (0..<9).map { try log.leafHash(at: $0) } }
        #expect(head.rootHash == (try tree.rootHash(leafHashes: leaves)))
        #expect(try withDeadline { try log.entry(at: 4) } == AuditTests.entry(4))
        #expect(try withDeadline { try log.rootHash(size: 9) } == head.rootHash)
        let proof = try withDeadline { try log.inclusionProof(index: 4, treeSize: 9) }
        #expect(
            try tree.verifyInclusion(leafHash: leaves[4], index: 4, treeSize: 9, proof: proof, rootHash: head.rootHash)
        )
        let consistency = try withDeadline { try log.consistencyProof(from: 3, to: 9) }
        #expect(
            try tree.verifyConsistency(
                oldSize: 3,
                newSize: 9,
                oldRoot: try tree.rootHash(leafHashes: Array(leaves[..<3])),
                newRoot: head.rootHash,
                proof: consistency
            )
        )
        #expect(try withDeadline { try log.checkpoints() }.count == 1)
        let verification = try withDeadline { try log.verify(checkpointKey: key.publicKey) }
        #expect(verification.isValid)
        #expect(verification.checkpointsChecked == 2)
        let signed = try withDeadline { try log.checkpoint(signingWith: key, keyName: "taizhou-audit") }
        #expect(signed.checkpoint == head)
        #expect(try withDeadline { try log.append([AuditTests.entry(9)]) } == 9..<10)
        #expect(try withDeadline { try log.size() } == 10)
    }

    @Test("errors about missing entries answer too (they report the size)")
    func errorsAnswer() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let (path, _) = try AuditByPathTests.writtenLog(fixture, count: 3)
        let log = try SQLiteAuditLog(path: path, crypto: fixture.crypto)
        #expect(throws: AuditLogError.noSuchEntry(index: 7, size: 3)) { try withDeadline { try log.entry(at: 7) } }
        #expect(throws: AuditLogError.noSuchEntry(index: 7, size: 3)) { try withDeadline { try log.leafHash(at: 7) } }
        #expect(throws: AuditLogError.noSuchEntry(index: 5, size: 3)) {
            try withDeadline { try log.inclusionProof(index: 5, treeSize: 3) }
        }
    }
}

/// Why ``withDeadline(seconds:_:)`` gave up.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "no answer within \(seconds) s: the call is waiting on itself" }
}

/// Runs `body` on a thread of its own and waits at most `seconds` for it. A call that hangs is
/// abandoned (its thread stays blocked) and the test fails with ``DeadlineExceeded``, so a
/// deadlock shows up as a failure rather than a run that never ends.
func withDeadline<T: Sendable>(seconds: Double = 20, _ body: @escaping @Sendable () throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.set(Result { try body() })
        done.signal()
    }
    thread.start()
    guard done.wait(timeout: .now() + seconds) == .success, let result = box.get() else {
        throw DeadlineExceeded(seconds: seconds)
    }
    return try result.get()
}

/// One result handed from a worker thread to the waiting test.
///
/// `@unchecked Sendable` because `value` is only touched while `lock` is held.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, any Error>?
    func set(_ result: Result<T, any Error>) { lock.withLock { value = result } }
    func get() -> Result<T, any Error>? { lock.withLock { value } }
}
