import Foundation
public import SocietyCore

/// The tamper-evident audit log on PostgreSQL: the same RFC 9162 tree over the same canonical
/// entries as the SQLite log, so the same entries give the same tree heads, proofs and
/// checkpoints whichever store kept them, and a checkpoint is portable between them.
///
/// Tables, in the department's schema: `ds_audit_entries(idx, entry, leaf)`,
/// `ds_audit_heads(size, root, range)` — a head per committed append with the compact range the
/// next append continues from — and `ds_audit_checkpoints(id, size, note)`; `ds_audit_meta` records
/// the digest and origin. A trigger refuses UPDATE and DELETE on the entries: that stops mistakes,
/// not a superuser, which is what the tree and the signed checkpoints are for.
///
/// Appends from several processes are serialised by a transaction-scoped advisory lock, so the log
/// stays one tree. Proofs read the leaf hashes of the tree they prove (32 bytes per entry);
/// ``verify()`` streams the entries in constant memory.
public struct PostgresAuditLog: AuditLog {
    private let database: PostgresDatabase
    let tree: MerkleTree
    let crypto: any CryptoProvider
    /// The origin line of this log's checkpoints.
    public let origin: String

    static let migrations = [
        PostgresMigration(
            "audit-1",
            [
                "CREATE TABLE {schema}.ds_audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
                "CREATE TABLE {schema}.ds_audit_entries (idx BIGINT PRIMARY KEY, entry BYTEA NOT NULL, leaf BYTEA NOT NULL)",
                "CREATE TABLE {schema}.ds_audit_heads (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, range BYTEA NOT NULL)",
                """
                CREATE TABLE {schema}.ds_audit_checkpoints (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                size BIGINT NOT NULL, note TEXT NOT NULL)
                """,
                """
                CREATE FUNCTION {schema}.ds_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
                """,
                """
                CREATE TRIGGER ds_audit_entries_append_only BEFORE UPDATE OR DELETE ON {schema}.ds_audit_entries
                FOR EACH ROW EXECUTE FUNCTION {schema}.ds_audit_append_only()
                """,
            ]
        )
    ]

    /// Opens the log in `database`'s schema, creating its tables when missing. The first opening
    /// records `digest` and `origin`; later ones must ask for the same digest (a log hashed with
    /// SM3 cannot continue with SHA-256), and take the recorded origin.
    public init(
        database: PostgresDatabase,
        origin: String,
        digest: DigestAlgorithm,
        crypto: any CryptoProvider
    ) async throws(PostgresStoreError) {
        try await database.migrate("audit", Self.migrations)
        let meta = database.table("ds_audit_meta")
        let recorded = try await database.transaction { session in
            try await session.rows(
                "INSERT INTO \(meta) (name, value) VALUES ('digest', $1), ('origin', $2) ON CONFLICT (name) DO NOTHING",
                [.text(digest.rawValue), .text(origin)]
            )
            var values: [String: String] = [:]
            for row in try await session.rows("SELECT name, value FROM \(meta)") {
                values[try row.value(0, as: String.self)] = try row.value(1, as: String.self)
            }
            return values
        }
        guard recorded["digest"] == digest.rawValue else {
            throw PostgresStoreError(
                .corrupt,
                "the audit log in schema \(database.schema) is hashed with \(recorded["digest"] ?? "nothing"), not \(digest.rawValue)"
            )
        }
        self.database = database
        self.origin = recorded["origin"] ?? origin
        self.tree = MerkleTree(algorithm: digest, provider: crypto)
        self.crypto = crypto
    }

    private init(
        database: PostgresDatabase,
        origin: String,
        digest: DigestAlgorithm,
        crypto: any CryptoProvider,
        opened: Void
    ) {
        self.database = database
        self.origin = origin
        self.tree = MerkleTree(algorithm: digest, provider: crypto)
        self.crypto = crypto
    }

    /// The log already kept in `database`'s schema, opened the way an auditor's tool needs:
    /// without the store's keys, with the digest and origin it records, creating and changing
    /// nothing. A schema without a log is ``SocietyCore/StoreError/notFound(_:)``.
    public static func existing(database: PostgresDatabase, crypto: any CryptoProvider) async throws -> PostgresAuditLog
    {
        let schema = database.schema
        let recorded = try await database.session { session in
            let present = try await session.rows(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'ds_audit_meta'",
                [.text(schema)]
            )
            guard !present.isEmpty else { return [String: String]?.none }
            var values: [String: String] = [:]
            for row in try await session.rows("SELECT name, value FROM \"\(schema)\".ds_audit_meta") {
                values[try row.value(0, as: String.self)] = try row.value(1, as: String.self)
            }
            return values
        }
        guard let recorded else { throw StoreError.notFound("\(database.location) schema \(schema)") }
        guard let name = recorded["digest"], let digest = DigestAlgorithm(rawValue: name) else {
            throw PostgresStoreError(.corrupt, "the audit log in schema \(schema) records no known digest")
        }
        return PostgresAuditLog(
            database: database,
            origin: recorded["origin"] ?? "digitalsociety/\(schema)",
            digest: digest,
            crypto: crypto,
            opened: ()
        )
    }

    /// The digest of the log's Merkle tree.
    public var digest: DigestAlgorithm { tree.algorithm }

    private var names: (entries: String, heads: String, checkpoints: String) {
        (database.table("ds_audit_entries"), database.table("ds_audit_heads"), database.table("ds_audit_checkpoints"))
    }

    /// Appends `entries` in one transaction, after any other process's append (advisory lock).
    @discardableResult
    public func append(_ entries: [AuditEntry]) async throws -> Range<Int> {
        let appender = try appender(for: entries)
        return try await database.transaction { session in try await appender(session) }
    }

    /// Appends prepared entries inside a transaction someone else runs: a record store's write
    /// appends its audit entries in its own transaction, so they commit with its changes or not at all.
    typealias Appender = @Sendable (PostgresDatabase.Session) async throws -> Range<Int>

    /// The entries' canonical bytes and leaf hashes computed now, and the statements that append
    /// them in a session (after taking the log's advisory lock, held to the end of the transaction).
    func appender(for entries: [AuditEntry]) throws -> Appender {
        let (entriesTable, headsTable, _) = names
        let tree = self.tree
        let lock = database.lockKey("audit")
        let prepared = try entries.map { entry in
            let bytes = entry.canonicalBytes
            return (bytes, try tree.leafHash(bytes))
        }
        return { session in
            try await session.rows("SELECT pg_advisory_xact_lock($1)", [.integer(lock)])
            var range = try await Self.state(session, headsTable, tree)
            let start = range.size
            guard !prepared.isEmpty else { return start..<start }
            // One statement for the whole batch: a bulk load audits a million puts.
            var indexes: [Int64] = []
            indexes.reserveCapacity(prepared.count)
            for (_, leaf) in prepared {
                indexes.append(Int64(range.size))
                try range.append(leafHash: leaf)
            }
            for part in stride(from: 0, to: prepared.count, by: 10_000) {
                let slice = part..<min(prepared.count, part + 10_000)
                try await session.rows(
                    """
                    INSERT INTO \(entriesTable) (idx, entry, leaf)
                    SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])
                    """,
                    [
                        .integers(Array(indexes[slice])), .byteArrays(prepared[slice].map(\.0)),
                        .byteArrays(prepared[slice].map(\.1)),
                    ]
                )
            }
            try await session.rows(
                "INSERT INTO \(headsTable) (size, root, range) VALUES ($1, $2, $3)",
                [.integer(Int64(range.size)), .bytes(try range.rootHash()), .bytes(range.subtreeHashes.flatMap { $0 })]
            )
            return start..<range.size
        }
    }

    /// The compact range of the latest head.
    private static func state(
        _ session: PostgresDatabase.Session,
        _ heads: String,
        _ tree: MerkleTree
    ) async throws
        -> CompactRange
    {
        guard let row = try await session.rows("SELECT size, range FROM \(heads) ORDER BY size DESC LIMIT 1").first
        else {
            return CompactRange(tree: tree)
        }
        let size = Int(try row.value(0, as: Int64.self))
        let packed = try row.bytes(1)
        let width = tree.algorithm.byteCount
        guard packed.count % width == 0, packed.count / width == size.nonzeroBitCount else {
            throw AuditLogError.corruptState("the latest tree head's compact range does not match its size \(size)")
        }
        let hashes = stride(from: 0, to: packed.count, by: width).map { Array(packed[$0..<$0 + width]) }
        return CompactRange(tree: tree, size: size, subtreeHashes: hashes)
    }

    /// The number of committed entries (the size of the latest tree head).
    public func size() async throws -> Int { try await treeHead().size }

    /// The entry at `index`.
    public func entry(at index: Int) async throws -> AuditEntry {
        let entries = names.entries
        let bytes = try await database.session { session in
            try await session.rows("SELECT entry FROM \(entries) WHERE idx = $1", [.integer(Int64(index))]).first?
                .bytes(0)
        }
        guard let bytes else { throw AuditLogError.noSuchEntry(index: index, size: try await size()) }
        return try AuditEntry(canonicalBytes: bytes)
    }

    /// The latest tree head, unsigned.
    public func treeHead() async throws -> AuditCheckpoint {
        let heads = names.heads
        let (origin, tree) = (self.origin, self.tree)
        return try await database.session { session in
            guard let row = try await session.rows("SELECT size, root FROM \(heads) ORDER BY size DESC LIMIT 1").first
            else {
                return AuditCheckpoint(origin: origin, size: 0, rootHash: try tree.rootHash(leafHashes: []))
            }
            return AuditCheckpoint(
                origin: origin,
                size: Int(try row.value(0, as: Int64.self)),
                rootHash: try row.bytes(1)
            )
        }
    }

    /// Signs the latest tree head and stores the signed checkpoint.
    public func checkpoint(signingWith key: some SigningKey, keyName: String) async throws -> SignedCheckpoint {
        let signed = try await treeHead().signed(by: key, keyName: keyName, crypto: crypto)
        let checkpoints = names.checkpoints
        let text = signed.text
        let size = Int64(signed.checkpoint.size)
        _ = try await database.session { session in
            try await session.rows(
                "INSERT INTO \(checkpoints) (size, note) VALUES ($1, $2)",
                [.integer(size), .text(text)]
            )
        }
        return signed
    }

    /// The stored signed checkpoints, oldest first.
    public func checkpoints() async throws -> [SignedCheckpoint] {
        let checkpoints = names.checkpoints
        let notes = try await database.session { session in
            try await session.rows("SELECT note FROM \(checkpoints) ORDER BY id").map {
                try $0.value(0, as: String.self)
            }
        }
        return try notes.map { try SignedCheckpoint(text: $0) }
    }

    /// The leaf hashes of the first `count` entries.
    private func leaves(_ count: Int) async throws -> [[UInt8]] {
        let entries = names.entries
        return try await database.session { session in
            var leaves: [[UInt8]] = []
            leaves.reserveCapacity(count)
            try await session.forEach(
                "SELECT leaf FROM \(entries) WHERE idx < $1 ORDER BY idx",
                [.integer(Int64(count))]
            ) { row in leaves.append(try row.bytes(0)) }
            return leaves
        }
    }

    /// The inclusion proof of entry `index` in the tree of the first `treeSize` entries.
    public func inclusionProof(index: Int, treeSize: Int) async throws -> [[UInt8]] {
        let size = try await self.size()
        guard treeSize <= size, index >= 0, index < treeSize else {
            throw AuditLogError.noSuchEntry(index: index, size: min(treeSize, size))
        }
        return try tree.inclusionProof(index: index, leafHashes: try await leaves(treeSize))
    }

    /// The consistency proof from the tree of `oldSize` entries to that of `newSize`.
    public func consistencyProof(from oldSize: Int, to newSize: Int) async throws -> [[UInt8]] {
        let size = try await self.size()
        guard oldSize > 0, oldSize <= newSize, newSize <= size else {
            throw AuditLogError.invalidSizes(old: oldSize, new: newSize, size: size)
        }
        return try tree.consistencyProof(oldSize: oldSize, leafHashes: try await leaves(newSize))
    }

    /// The root of the first `size` entries, recomputed from the stored leaves.
    public func rootHash(size: Int) async throws -> [UInt8] {
        let stored = try await self.size()
        guard size >= 0, size <= stored else { throw AuditLogError.noSuchEntry(index: size, size: stored) }
        return try tree.rootHash(leafHashes: try await leaves(size))
    }

    /// ``verify(checkpointKey:progress:)`` without checking checkpoint signatures.
    public func verify() async throws -> AuditVerification { try await verify(checkpointKey: nil) }

    /// Recomputes every leaf from its entry, streaming, and every stored head and checkpoint from
    /// the leaves (and checks each checkpoint's signature with `checkpointKey`, when given); the
    /// first mismatch is reported, not thrown.
    ///
    /// - Parameter progress: told how many entries have been walked, every 10,000 and at the end.
    public func verify(
        checkpointKey: (any VerifyingKey)? = nil,
        progress: ProgressHandler? = nil
    ) async throws -> AuditVerification {
        let (entriesTable, headsTable, checkpointsTable) = names
        let (tree, crypto) = (self.tree, self.crypto)
        let (sizes, total) = try await database.session { session in
            var expected: [(Int, [UInt8], SignedCheckpoint?)] = []
            for row in try await session.rows("SELECT size, root FROM \(headsTable) ORDER BY size") {
                expected.append((Int(try row.value(0, as: Int64.self)), try row.bytes(1), nil))
            }
            for row in try await session.rows("SELECT note FROM \(checkpointsTable) ORDER BY id") {
                let signed = try SignedCheckpoint(text: try row.value(0, as: String.self))
                expected.append((signed.checkpoint.size, signed.checkpoint.rootHash, signed))
            }
            let total = try await session.rows("SELECT count(*) FROM \(entriesTable)").first?.value(0, as: Int64.self)
            return (expected, Int(total ?? 0))
        }
        let wanted = Set(sizes.map(\.0))
        let walk = try await database.session { session in
            var meter = ProgressMeter("audit verification", total: total, every: 10_000, handler: progress)
            var range = CompactRange(tree: tree)
            // One digest session and kept buffers for the walk, as the SQLite log's walk has.
            let hasher = try MerkleHasher(tree: tree)
            var leaf: [UInt8] = []
            var roots: [Int: [UInt8]] = [:]
            if wanted.contains(0) { roots[0] = try range.rootHash() }
            var broken: (Int, String)?
            try await session.forEach("SELECT idx, entry, leaf FROM \(entriesTable) ORDER BY idx") { row in
                guard broken == nil else { return }
                let index = Int(try row.value(0, as: Int64.self))
                guard index == range.size else {
                    broken = (range.size, "entry \(range.size) is missing (the next stored index is \(index))")
                    return
                }
                try row.bytes(1).withUnsafeBytes { try hasher.leafHash($0, into: &leaf) }
                guard crypto.constantTimeEquals(leaf, try row.bytes(2)) else {
                    broken = (index, "entry \(index) does not match its leaf hash (the entry was altered)")
                    return
                }
                try range.append(leafHash: leaf, hasher: hasher)
                if wanted.contains(range.size) { roots[range.size] = try range.rootHash(hasher: hasher) }
                meter.advance()
            }
            meter.finish()
            return (range.size, try range.rootHash(), roots, broken)
        }
        let (size, root, roots, broken) = walk
        if let (index, problem) = broken {
            return AuditVerification(
                size: index,
                rootHash: root,
                checkpointsChecked: 0,
                firstBrokenEntry: index,
                problem: problem
            )
        }
        var checked = 0
        for (headSize, headRoot, signed) in sizes {
            if let signed, let checkpointKey, !signed.isValid(for: checkpointKey, crypto: crypto) {
                return AuditVerification(
                    size: size,
                    rootHash: root,
                    checkpointsChecked: checked,
                    firstBrokenEntry: min(headSize, size),
                    problem: "the checkpoint at size \(headSize) is not signed by the given key"
                )
            }
            guard let expected = roots[headSize], crypto.constantTimeEquals(expected, headRoot) else {
                return AuditVerification(
                    size: size,
                    rootHash: root,
                    checkpointsChecked: checked,
                    firstBrokenEntry: min(headSize, size),
                    problem: "the tree head at size \(headSize) does not match the entries"
                )
            }
            checked += 1
        }
        return AuditVerification(
            size: size,
            rootHash: root,
            checkpointsChecked: checked,
            firstBrokenEntry: nil,
            problem: nil
        )
    }
}
