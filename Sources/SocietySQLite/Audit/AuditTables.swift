import SocietyCore
import SocietyRecordFormat

/// The audit log's tables and the operations on them, on one connection inside a transaction.
///
/// - `ds_audit_entries(idx, entry, leaf)`: each entry's canonical bytes and its RFC 9162 leaf hash.
/// - `ds_audit_heads(size, root, range)`: one tree head per committed transaction, with the compact
///   range (the right edge of the tree) that the next append continues from.
/// - `ds_audit_checkpoints(size, note)`: signed checkpoints in C2SP note form.
/// Triggers refuse UPDATE and DELETE through SQL; that stops mistakes, not attackers with the
/// file, which is what the Merkle tree, the heads and the signed checkpoints are for.
enum AuditTables {
    static let schema = """
        CREATE TABLE IF NOT EXISTS ds_audit_entries (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL, leaf BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS ds_audit_heads (size INTEGER PRIMARY KEY, root BLOB NOT NULL, range BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS ds_audit_checkpoints (size INTEGER NOT NULL, note TEXT NOT NULL);
        CREATE TRIGGER IF NOT EXISTS ds_audit_entries_no_update BEFORE UPDATE ON ds_audit_entries
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS ds_audit_entries_no_delete BEFORE DELETE ON ds_audit_entries
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """

    /// The latest tree head: size and compact range.
    static func state(_ connection: Connection, tree: MerkleTree) throws -> CompactRange {
        let statement = try connection.cached("SELECT size, range FROM ds_audit_heads ORDER BY size DESC LIMIT 1")
        defer { statement.reset() }
        guard try statement.step() else { return CompactRange(tree: tree) }
        let size = Int(statement.int64(0))
        let packed = statement.blob(1)
        let width = tree.algorithm.byteCount
        guard packed.count % width == 0, packed.count / width == size.nonzeroBitCount else {
            throw AuditLogError.corruptState("the latest tree head's compact range does not match its size \(size)")
        }
        let hashes = stride(from: 0, to: packed.count, by: width).map { Array(packed[$0..<$0 + width]) }
        return CompactRange(tree: tree, size: size, subtreeHashes: hashes)
    }

    /// Appends `entries` and records the new tree head; the caller's transaction makes it atomic.
    static func append(_ entries: [AuditEntry], _ connection: Connection, tree: MerkleTree) throws -> Range<Int> {
        var range = try state(connection, tree: tree)
        let start = range.size
        guard !entries.isEmpty else { return start..<start }
        let insert = try connection.cached("INSERT INTO ds_audit_entries (idx, entry, leaf) VALUES (?, ?, ?)")
        defer { insert.reset() }
        // The batch hashes through one digest session and kept buffers, as verification does.
        let hasher = try MerkleHasher(tree: tree)
        var leaf: [UInt8] = []
        for entry in entries {
            let bytes = entry.canonicalBytes
            try bytes.withUnsafeBytes { try hasher.leafHash($0, into: &leaf) }
            insert.reset()
            try insert.bind(Int64(range.size), at: 1)
            try insert.bind(bytes, at: 2)
            try insert.bind(leaf, at: 3)
            try insert.run()
            try range.append(leafHash: leaf, hasher: hasher)
        }
        try connection.execute(
            "INSERT INTO ds_audit_heads (size, root, range) VALUES (?, ?, ?)",
            [
                .integer(Int64(range.size)), .blob(try range.rootHash(hasher: hasher)),
                .blob(range.subtreeHashes.flatMap { $0 }),
            ]
        )
        return start..<range.size
    }
}
