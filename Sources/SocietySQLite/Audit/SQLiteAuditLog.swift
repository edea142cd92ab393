import Foundation
public import SocietyCore
import SocietyRecordFormat

/// The audit log kept in a store's SQLite file: an RFC 9162 Merkle tree over canonical entries,
/// with a tree head per committed transaction and signed C2SP checkpoints.
///
/// Record changes made through the store are appended in their own transaction, so a change and
/// its audit entry commit together or not at all. Proofs read leaf hashes streaming, in memory
/// proportional to log₂ of the size.
public struct SQLiteAuditLog: AuditLog {
    let store: SQLiteStore
    let tree: MerkleTree
    let crypto: any CryptoProvider

    /// The log of `store`, hashed with the store's profile digest.
    ///
    /// The store must have been opened with ``RecordProtection`` (it supplies the cryptography);
    /// use ``init(path:crypto:createIfMissing:)`` to open a log by itself.
    public init(store: SQLiteStore) {
        self.store = store
        let crypto = store.configuration.protection?.crypto ?? UnavailableCrypto()
        self.crypto = crypto
        self.tree = store.context.tree ?? MerkleTree(algorithm: .sha256, provider: crypto)
    }

    /// Opens the audit log in the file at `path` with the digest recorded in the file, for tools
    /// that verify, prove or checkpoint a log without the store's keys.
    ///
    /// With `createIfMissing: false` (what an auditor's tool wants) a missing file throws
    /// ``SocietyCore/StoreError/notFound(_:)`` and a file that is not an SDK store
    /// ``SocietyCore/StoreError/notAStore(_:)``, and nothing is created or changed.
    public init(path: String, crypto: any CryptoProvider, createIfMissing: Bool = true) throws {
        var configuration = SQLiteConfiguration()
        configuration.readerCount = 1
        configuration.createIfMissing = createIfMissing
        let store = try SQLiteStore(path: path, configuration: configuration)
        let name = try store.withReader { connection in
            try connection.rows("SELECT value FROM ds_meta WHERE name = 'audit_digest'").first?.first
        }
        var digest = DigestAlgorithm.sha256
        if case .text(let text) = name {
            guard let known = DigestAlgorithm(rawValue: text) else { throw AuditLogError.unknownDigest(text) }
            digest = known
        }
        self.store = store
        self.crypto = crypto
        self.tree = MerkleTree(algorithm: digest, provider: crypto)
    }

    /// The digest of the log's Merkle tree (SHA-256, or SM3 for a national-profile store).
    public var digest: DigestAlgorithm { tree.algorithm }

    /// The origin line of checkpoints: the store's configured origin, else the one recorded in
    /// the file, else the file name.
    public func origin() async throws -> String { try await store.onReader { try origin($0) } }

    /// The origin read on a connection the caller already holds: a log opened by path has one
    /// reader, so asking the pool for a second connection here would wait for ever.
    private func origin(_ connection: Connection) throws -> String {
        if let origin = store.configuration.audit?.origin { return origin }
        let value = try connection.rows("SELECT value FROM ds_meta WHERE name = 'audit_origin'").first?.first
        if case .text(let text) = value { return text }
        return "digitalsociety/audit/\(store.path.split(separator: "/").last.map(String.init) ?? "log")"
    }

    /// Appends `entries` in one transaction of their own.
    @discardableResult
    public func append(_ entries: [AuditEntry]) async throws -> Range<Int> {
        try await store.onWriter { connection in
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let range = try AuditTables.append(entries, connection, tree: tree)
                try connection.execute("COMMIT")
                return range
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    private func head(_ connection: Connection) throws -> AuditCheckpoint {
        let rows = try connection.rows("SELECT size, root FROM ds_audit_heads ORDER BY size DESC LIMIT 1")
        guard let row = rows.first, case .integer(let size) = row[0], case .blob(let root) = row[1] else {
            return AuditCheckpoint(origin: try origin(connection), size: 0, rootHash: try tree.rootHash(leafHashes: []))
        }
        return AuditCheckpoint(origin: try origin(connection), size: Int(size), rootHash: root)
    }

    /// The number of committed entries (the size of the latest tree head).
    public func size() async throws -> Int { try await treeHead().size }

    /// The entry at `index`.
    public func entry(at index: Int) async throws -> AuditEntry {
        let row = try await store.onReader { connection in
            try connection.rows("SELECT entry FROM ds_audit_entries WHERE idx = ?", [.integer(Int64(index))]).first
        }
        guard let row, case .blob(let bytes) = row[0] else {
            throw AuditLogError.noSuchEntry(index: index, size: try await size())
        }
        return try AuditEntry(canonicalBytes: bytes)
    }

    /// The latest tree head, unsigned.
    public func treeHead() async throws -> AuditCheckpoint { try await store.onReader { try head($0) } }

    /// Signs the latest tree head and stores the signed checkpoint.
    public func checkpoint(signingWith key: some SigningKey, keyName: String) async throws -> SignedCheckpoint {
        try await store.onWriter { connection in
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let signed = try head(connection).signed(by: key, keyName: keyName, crypto: crypto)
                try connection.execute(
                    "INSERT INTO ds_audit_checkpoints (size, note) VALUES (?, ?)",
                    [.integer(Int64(signed.checkpoint.size)), .text(signed.text)]
                )
                try connection.execute("COMMIT")
                return signed
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// The stored signed checkpoints, oldest first.
    public func checkpoints() async throws -> [SignedCheckpoint] {
        try await store.onReader { connection in
            try connection.rows("SELECT note FROM ds_audit_checkpoints ORDER BY rowid").compactMap { row in
                guard case .text(let text) = row[0] else { return nil }
                return try SignedCheckpoint(text: text)
            }
        }
    }

    /// The root of leaves `lower ..< upper`, read in order.
    private func root(_ connection: Connection, _ lower: Int, _ upper: Int) throws -> [UInt8] {
        var range = CompactRange(tree: tree)
        let statement = try connection.cached(
            "SELECT leaf FROM ds_audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx"
        )
        defer { statement.reset() }
        try statement.bind(Int64(lower), at: 1)
        try statement.bind(Int64(upper), at: 2)
        while try statement.step() { try range.append(leafHash: statement.blob(0)) }
        guard range.size == upper - lower else {
            throw AuditLogError.corruptState("entries \(lower)..<\(upper) are not all present")
        }
        return try range.rootHash()
    }

    private static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// RFC 9162 `PATH(m, D[lower..<upper])`.
    private func path(_ connection: Connection, _ m: Int, _ lower: Int, _ upper: Int) throws -> [[UInt8]] {
        let n = upper - lower
        guard n > 1 else { return [] }
        let k = SQLiteAuditLog.split(n)
        if m < k { return try path(connection, m, lower, lower + k) + [root(connection, lower + k, upper)] }
        return try path(connection, m - k, lower + k, upper) + [root(connection, lower, lower + k)]
    }

    /// RFC 9162 `SUBPROOF(m, D[lower..<upper], complete)`.
    private func subproof(
        _ connection: Connection,
        _ m: Int,
        _ lower: Int,
        _ upper: Int,
        _ complete: Bool
    ) throws
        -> [[UInt8]]
    {
        let n = upper - lower
        if m == n { return complete ? [] : [try root(connection, lower, upper)] }
        let k = SQLiteAuditLog.split(n)
        if m <= k {
            return try subproof(connection, m, lower, lower + k, complete) + [root(connection, lower + k, upper)]
        }
        return try subproof(connection, m - k, lower + k, upper, false) + [root(connection, lower, lower + k)]
    }

    /// The inclusion proof of entry `index` in the tree of the first `treeSize` entries.
    public func inclusionProof(index: Int, treeSize: Int) async throws -> [[UInt8]] {
        try await store.onReader { connection in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            let size = try head(connection).size
            guard treeSize <= size, index >= 0, index < treeSize else {
                throw AuditLogError.noSuchEntry(index: index, size: min(treeSize, size))
            }
            return try path(connection, index, 0, treeSize)
        }
    }

    /// The leaf hash stored for entry `index`.
    public func leafHash(at index: Int) async throws -> [UInt8] {
        let row = try await store.onReader { connection in
            try connection.rows("SELECT leaf FROM ds_audit_entries WHERE idx = ?", [.integer(Int64(index))]).first
        }
        guard let row, case .blob(let leaf) = row[0] else {
            throw AuditLogError.noSuchEntry(index: index, size: try await size())
        }
        return leaf
    }

    /// The root of the first `size` entries, recomputed from the stored leaves.
    public func rootHash(size: Int) async throws -> [UInt8] {
        try await store.onReader { connection in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            return try root(connection, 0, size)
        }
    }

    /// The consistency proof from the tree of `oldSize` entries to that of `newSize`.
    public func consistencyProof(from oldSize: Int, to newSize: Int) async throws -> [[UInt8]] {
        try await store.onReader { connection in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            let size = try head(connection).size
            guard oldSize > 0, oldSize <= newSize, newSize <= size else {
                throw AuditLogError.invalidSizes(old: oldSize, new: newSize, size: size)
            }
            return try subproof(connection, oldSize, 0, newSize, true)
        }
    }

    /// ``verify(checkpointKey:)`` without checking checkpoint signatures.
    public func verify() async throws -> AuditVerification { try await verify(checkpointKey: nil) }

    /// Walks every entry in one read snapshot: each entry's bytes must hash to its stored leaf,
    /// indexes must run without gaps, every tree head and checkpoint must match the recomputed
    /// root at its size (and each checkpoint's signature `checkpointKey`, when given), and no
    /// entry may lie beyond the last tree head. Names the first entry where this fails; when only
    /// a root disagrees, that is the first entry after the last matching head.
    ///
    /// - Parameter progress: told how many entries have been walked, about every 10,000 (the walk
    ///   counts in batches of 2,048) and at the end.
    public func verify(
        checkpointKey: (any VerifyingKey)?,
        progress: ProgressHandler? = nil
    ) async throws -> AuditVerification {
        let result = try await store.onReader { connection in
            // The walk reads the whole table; mapped, its pages are not copied out of the page
            // cache (the kernel's copy was a tenth of the walk's time in a profile, 2026-12-08).
            try connection.execute("PRAGMA mmap_size = \(BulkLoad.mappedBytes)")
            defer { try? connection.execute("PRAGMA mmap_size = 0") }
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            // The progress total from the primary key, not `count(*)`: counting read the whole
            // table once more before the walk read it (a gap only makes the total an overestimate,
            // and the walk reports the gap).
            let total = Int(try connection.scalar("SELECT coalesce(max(idx) + 1, 0) FROM ds_audit_entries") ?? 0)
            var meter = ProgressMeter("audit verification", total: total, every: 10_000, handler: progress)
            let result = try walk(connection, checkpointKey: checkpointKey) { meter.advance(by: $0) }
            meter.finish()
            return result
        }
        let logger = store.configuration.logger
        if let broken = result.firstBrokenEntry {
            logger.error(
                "audit log does not verify",
                metadata: [
                    "size": "\(result.size)", "firstBrokenEntry": "\(broken)", "problem": "\(result.problem ?? "")",
                ]
            )
        } else {
            logger.debug(
                "audit log verified",
                metadata: ["size": "\(result.size)", "checked": "\(result.checkpointsChecked)"]
            )
        }
        return result
    }

    /// Whether `stored` holds exactly `bytes`, looking at every byte whatever the first difference
    /// (as `constantTimeEquals` does for two arrays).
    private static func sameBytes(_ bytes: [UInt8], _ stored: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == stored.count else { return false }
        var difference: UInt8 = 0
        for position in 0..<bytes.count { difference |= bytes[position] ^ stored[position] }
        return difference == 0
    }

    /// How many entries the reading side hashes before handing them to the tree side.
    static let walkBatch = 2_048

    /// The walk in two stages on two threads: this one steps through the entries, hashes each and
    /// compares it with its stored leaf; a serial queue appends the leaves to the tree and checks
    /// every head and checkpoint at its size. The tree side gets the heads up to each batch's last
    /// entry with the batch, so the checks run in the same order as one thread would run them,
    /// and the first problem either side finds is the one the single-threaded walk would name.
    private func walk(
        _ connection: Connection,
        checkpointKey: (any VerifyingKey)?,
        walked: (Int) -> Void
    ) throws -> AuditVerification {
        var signed: [(Int, SignedCheckpoint?)] = []
        for row in try connection.rows("SELECT size, note FROM ds_audit_checkpoints ORDER BY size") {
            guard case .integer(let size) = row[0] else { continue }
            if case .text(let text) = row[1] { signed.append((Int(size), try? SignedCheckpoint(text: text))) }
        }
        let heads = try Statement(
            connection: connection,
            sql: "SELECT size, root FROM ds_audit_heads ORDER BY size",
            persistent: false
        )
        var head: (Int, [UInt8])? = try heads.step() ? (Int(heads.int64(0)), heads.blob(1)) : nil
        let entries = try Statement(
            connection: connection,
            sql: "SELECT idx, entry, leaf FROM ds_audit_entries ORDER BY idx",
            persistent: false
        )
        let side = try TreeSide(tree: tree, signed: signed, checkpointKey: checkpointKey, crypto: crypto)
        let queue = DispatchQueue(label: "DS.audit-walk")
        // At most this many batches wait for the tree side, so memory stays flat.
        let slots = DispatchSemaphore(value: 4)
        // One digest session and kept buffers for the reading side: per entry, the one-shot
        // digests' context and array allocations cost more than SHA-256 of the entry itself.
        let hasher = try MerkleHasher(tree: tree)
        var leaf: [UInt8] = []
        var leaves: [UInt8] = []
        var batchHeads: [(Int, [UInt8])] = []
        var next = 0
        var problem: (Int, String)?
        func send(everyHead: Bool) throws {
            while let (size, root) = head, everyHead || size <= next {
                batchHeads.append((size, root))
                head = try heads.step() ? (Int(heads.int64(0)), heads.blob(1)) : nil
            }
            guard !leaves.isEmpty || !batchHeads.isEmpty else { return }
            let (batch, attached) = (leaves, batchHeads)
            slots.wait()
            queue.async {
                side.take(batch, heads: attached)
                slots.signal()
            }
            leaves.removeAll(keepingCapacity: true)
            batchHeads.removeAll(keepingCapacity: true)
        }
        defer { queue.sync {} }
        while try entries.step() {
            let index = Int(entries.int64(0))
            guard index == next else {
                problem = (next, "entry \(next) is missing (the next stored entry is \(index))")
                break
            }
            // The entry and its stored leaf are read where SQLite holds them, not copied out.
            try entries.withBlob(1) { try hasher.leafHash($0, into: &leaf) }
            guard entries.withBlob(2, { stored in Self.sameBytes(leaf, stored) }) else {
                problem = (index, "entry \(index) does not match its leaf hash (the entry was altered)")
                break
            }
            leaves.append(contentsOf: leaf)
            next += 1
            if next % Self.walkBatch == 0 {
                walked(Self.walkBatch)
                try send(everyHead: false)
            }
        }
        walked(next % Self.walkBatch)
        // After a problem here, only the heads the entries before it reach; otherwise every head,
        // so that one beyond the last entry is reported.
        try send(everyHead: problem == nil)
        queue.sync {}
        return try side.verification(readingProblem: problem)
    }
}

/// The tree side of ``SQLiteAuditLog``'s walk: appends each batch of leaf hashes and checks the
/// heads and checkpoints it covers, on the walk's serial queue.
///
/// `@unchecked Sendable` because after it is made, only the walk's serial queue touches it until
/// the walk has waited for that queue; the hasher moves to that queue with it and is never used
/// by two threads at once.
private final class TreeSide: @unchecked Sendable {
    private var range: CompactRange
    private let hasher: MerkleHasher
    private let signed: [(Int, SignedCheckpoint?)]
    private let checkpointKey: (any VerifyingKey)?
    private let crypto: any CryptoProvider
    private var checked = 0
    private var lastGood = 0
    private var nextCheckpoint = 0
    /// The first problem found here, with the entry it names, or an error that stopped the walk.
    private var problem: (Int, String)?
    private var failure: (any Error)?

    init(
        tree: MerkleTree,
        signed: [(Int, SignedCheckpoint?)],
        checkpointKey: (any VerifyingKey)?,
        crypto: any CryptoProvider
    ) throws {
        range = CompactRange(tree: tree)
        hasher = try MerkleHasher(tree: tree)
        self.signed = signed
        self.checkpointKey = checkpointKey
        self.crypto = crypto
    }

    /// Appends `leaves` (hashes end to end) and checks each head and checkpoint as its size is
    /// reached; `heads` are those up to the batch's last entry (and, in the last batch, beyond).
    func take(_ leaves: [UInt8], heads: [(Int, [UInt8])]) {
        guard problem == nil, failure == nil else { return }
        do {
            var pending = heads[...]
            let width = hasher.digestWidth
            guard width > 0, leaves.count % width == 0 else {
                throw CryptoError(.library, "leaf hashes of \(leaves.count) bytes are not whole \(width)-byte hashes")
            }
            // The range is worked on as a local and put back once: a class's stored property
            // lent `inout` is checked at run time on every access.
            var range = self.range
            defer { self.range = range }
            let end = range.size + leaves.count / width
            try leaves.withUnsafeBytes { all in
                var offset = 0
                // The leaves up to the next head or checkpoint go to the range in one call.
                while offset < all.count {
                    let stop = min(end, nextCheck(after: range.size, pending))
                    let upTo = offset + (stop - range.size) * width
                    try range.append(leafHashes: UnsafeRawBufferPointer(rebasing: all[offset..<upTo]), hasher: hasher)
                    offset = upTo
                    if try !check(&pending, range) { return }
                }
            }
            if problem != nil { return }
            // Heads left over lie beyond the last entry (only the last batch carries such).
            if let (size, _) = pending.first {
                problem = (
                    range.size, "the tree head at size \(size) needs entries \(range.size)..<\(size), which are missing"
                )
            }
        } catch {
            failure = error
        }
    }

    /// The smallest size after `size` at which a head or checkpoint is to be checked (`Int.max`
    /// when none is left).
    private func nextCheck(after size: Int, _ pending: ArraySlice<(Int, [UInt8])>) -> Int {
        var next = Int.max
        if let (head, _) = pending.first { next = max(head, size + 1) }
        if nextCheckpoint < signed.count { next = min(next, max(signed[nextCheckpoint].0, size + 1)) }
        return next
    }

    /// Checks the heads and checkpoints at the current size; false once one does not match.
    private func check(_ pending: inout ArraySlice<(Int, [UInt8])>, _ range: CompactRange) throws -> Bool {
        while let (size, root) = pending.first, size <= range.size {
            guard size == range.size, crypto.constantTimeEquals(try range.rootHash(hasher: hasher), root) else {
                problem = (lastGood, "the tree head at size \(size) does not match entries \(lastGood)..<\(size)")
                return false
            }
            lastGood = size
            checked += 1
            pending = pending.dropFirst()
        }
        while nextCheckpoint < signed.count, signed[nextCheckpoint].0 <= range.size {
            let (size, note) = signed[nextCheckpoint]
            guard let note, note.checkpoint.size == size, size == range.size,
                crypto.constantTimeEquals(try range.rootHash(hasher: hasher), note.checkpoint.rootHash)
            else {
                problem = (lastGood, "the signed checkpoint at size \(size) does not match entries up to \(size)")
                return false
            }
            if let checkpointKey, !note.isValid(for: checkpointKey, crypto: crypto) {
                problem = (lastGood, "the signature of the checkpoint at size \(size) is not valid")
                return false
            }
            checked += 1
            nextCheckpoint += 1
        }
        return true
    }

    /// The outcome, once the queue is drained: this side's problem comes first (it lies at or
    /// before the entry the reading side stopped at), then the reading side's, then what only
    /// the end can show.
    func verification(readingProblem: (Int, String)?) throws -> AuditVerification {
        if let failure { throw failure }
        func broken(_ index: Int, _ text: String) throws -> AuditVerification {
            AuditVerification(
                size: range.size,
                rootHash: try range.rootHash(),
                checkpointsChecked: checked,
                firstBrokenEntry: index,
                problem: text
            )
        }
        if let (index, text) = problem ?? readingProblem { return try broken(index, text) }
        if lastGood < range.size {
            return try broken(lastGood, "entries \(lastGood)..<\(range.size) are not covered by any tree head")
        }
        if nextCheckpoint < signed.count {
            return try broken(range.size, "a signed checkpoint covers entries beyond \(range.size), which are missing")
        }
        return AuditVerification(
            size: range.size,
            rootHash: try range.rootHash(),
            checkpointsChecked: checked,
            firstBrokenEntry: nil,
            problem: nil
        )
    }
}

/// Stands in when a log is built from a store without cryptography: every call fails clearly.
struct UnavailableCrypto: CryptoProvider {
    private func fail() -> CryptoError {
        CryptoError(
            .unsupportedAlgorithm,
            "the store was opened without RecordProtection; open the log with a CryptoProvider"
        )
    }
    func generateSigningKey(_ algorithm: SignatureAlgorithm) throws -> any SigningKey { throw fail() }
    func importSigningKey(
        _ algorithm: SignatureAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws
        -> any SigningKey
    { throw fail() }
    func importVerifyingKey(
        _ algorithm: SignatureAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws
        -> any VerifyingKey
    { throw fail() }
    func digest(_ algorithm: DigestAlgorithm, of data: [UInt8]) throws -> [UInt8] { throw fail() }
    func authenticationCode(_ algorithm: DigestAlgorithm, key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        throw fail()
    }
    func seal(
        _ algorithm: AEADAlgorithm,
        _ plaintext: [UInt8],
        key: [UInt8],
        nonce: [UInt8]?,
        associatedData: [UInt8]
    )
        throws -> AEADSealedBox
    { throw fail() }
    func open(_ algorithm: AEADAlgorithm, _ box: AEADSealedBox, key: [UInt8], associatedData: [UInt8]) throws -> [UInt8]
    {
        throw fail()
    }
    func randomBytes(count: Int) throws -> [UInt8] { throw fail() }
    func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool { lhs == rhs }
}
