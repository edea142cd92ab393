import Foundation
public import SocietyCore
import SocietyOpenSSL
import Synchronization

/// The storage port held in memory, with the SQLite store's semantics: the in-process twin that
/// unit tests of the pure modules run on (as swift-nio's embedded channel or GRDB's in-memory
/// queue stand in for the real thing).
///
/// - Records are kept encoded (JSON) with their schema version and index values, so a type that
///   does not round-trip, or a missing upgrade step, fails here as it would in SQLite.
/// - A write transaction works on a copy of the tables and replaces them only when its closure
///   returns: a thrown error leaves nothing behind. Writers queue for one writer; readers see the
///   last committed state and never wait.
/// - Reading a record type with sensitive fields needs a purpose
///   (``SocietyCore/StoreError/purposeRequired(kind:field:)``); searchable sensitive indexes
///   answer equality only; queries name declared indexes only.
/// - Puts, deletes and reads of sensitive records are audited in ``auditLog`` with the same
///   actions (`put`, `delete`, `read`, `read.query`) and keyed-hash subjects as SQLite's.
///
/// Sensitive fields are not encrypted: nothing leaves the process.
public final class InMemoryStore: RecordStore {
    /// The cryptography that hashes audit subjects and the audit tree (OpenSSL).
    public let crypto: any CryptoProvider
    /// The store's keys, drawn at random when the store is made.
    public let keys: StaticKeyProvider
    /// The algorithms of the audit tree and subject hashes.
    public let profile: StorageCryptoProfile
    /// The audit log every audited transaction appends to.
    public let auditLog: InMemoryAuditLog
    private let auditing: (actor: String, clock: any WallClock)?
    private let subjects: AuditSubjectHasher
    private let committed = Mutex(Tables())
    private let writers = WriterQueue()

    /// An empty store.
    ///
    /// - Parameters:
    ///   - clock: the time written into audit entries.
    ///   - actor: the party named in audit entries (`CREDITCODE/SUBSYSTEM`).
    ///   - origin: the origin line of the audit log's checkpoints.
    ///   - profile: the digest of the audit tree and subject hashes.
    ///   - audited: whether transactions append audit entries.
    public init(
        clock: any WallClock = SystemWallClock(),
        actor: String = "test/in-memory",
        origin: String = "test.example/audit",
        profile: StorageCryptoProfile = .standard,
        audited: Bool = true
    ) throws {
        let crypto = OpenSSLCryptoProvider()
        self.crypto = crypto
        self.profile = profile
        self.keys = try StaticKeyProvider.random(using: crypto)
        self.auditLog = InMemoryAuditLog(origin: origin, digest: profile.digest, crypto: crypto)
        self.auditing = audited ? (actor, clock) : nil
        self.subjects = AuditSubjectHasher(
            key: try keys.currentKey(for: .auditSubject),
            digest: profile.digest,
            crypto: crypto
        )
    }

    /// Runs `body` on a snapshot of the committed tables; sensitive reads are audited after it
    /// returns.
    public func read<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T {
        let transaction = InMemoryTransaction(
            tables: committed.withLock { $0 },
            purpose: purpose,
            writable: false,
            store: self
        )
        defer { transaction.end() }
        let result = try await body(transaction)
        try auditLog.append(transaction.pendingAudit)
        return result
    }

    /// Runs `body` on a copy of the tables, which replaces them (with the audit entries) when it
    /// returns; a thrown error discards the copy.
    public func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        await writers.acquire()
        do {
            let transaction = InMemoryTransaction(
                tables: committed.withLock { $0 },
                purpose: purpose,
                writable: true,
                store: self
            )
            defer { transaction.end() }
            let result = try await body(transaction)
            let (tables, audit) = transaction.outcome
            try auditLog.append(audit)
            committed.withLock { $0 = tables }
            await writers.release()
            return result
        } catch {
            await writers.release()
            throw error
        }
    }

    /// The audit entry for `action` on record `id` of `kind`, or `nil` when the store is not audited.
    func auditEntry(
        _ action: String,
        kind: String,
        id: String,
        purpose: Purpose?,
        outcome: AuditOutcome = .success
    ) throws -> AuditEntry? {
        guard let auditing else { return nil }
        return AuditEntry(
            time: auditing.clock.now(),
            actor: auditing.actor,
            action: action,
            subject: try subjects.subject(kind: kind, id: id),
            purpose: purpose,
            outcome: outcome
        )
    }
}

/// One stored record: its encoded body, schema version, index values and insertion number.
struct StoredRecord: Sendable {
    var sequence: Int
    var version: Int
    var body: Data
    var index: [String: IndexValue]
    var key: RecordKey
}

/// Every kind's records by key, and the next insertion number.
struct Tables: Sendable {
    var kinds: [String: [String: StoredRecord]] = [:]
    var nextSequence = 0
}

/// One writer at a time, in arrival order, without blocking a thread while waiting.
actor WriterQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the turn to the next writer (it stays busy) or frees it.
    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
