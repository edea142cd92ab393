/// The outcome of walking an audit log from its first entry.
public struct AuditVerification: Hashable, Sendable {
    /// The number of entries walked.
    public var size: Int
    /// The root recomputed over every entry that was walked.
    public var rootHash: [UInt8]
    /// How many stored checkpoints and tree heads matched the recomputed roots.
    public var checkpointsChecked: Int
    /// The first entry at which the log breaks, or `nil` when it verifies.
    public var firstBrokenEntry: Int?
    /// What is wrong at ``firstBrokenEntry``.
    public var problem: String?

    /// Creates a result.
    public init(size: Int, rootHash: [UInt8], checkpointsChecked: Int, firstBrokenEntry: Int?, problem: String?) {
        self.size = size
        self.rootHash = rootHash
        self.checkpointsChecked = checkpointsChecked
        self.firstBrokenEntry = firstBrokenEntry
        self.problem = problem
    }

    /// Whether the whole log verified.
    public var isValid: Bool { firstBrokenEntry == nil }
}

/// An append-only, tamper-evident log of who accessed what and why: the audit port.
///
/// Every operation is `async`: a log in a network database answers without holding a thread, and
/// the SQLite log does its work on the store's own threads.
///
/// Entries are leaves of an RFC 9162 Merkle tree. Signed checkpoints commit to the tree at a size;
/// an inclusion proof shows one entry is in a checkpointed tree, and a consistency proof shows a
/// later checkpoint extends an earlier one, so nothing before it was changed or removed.
public protocol AuditLog: Sendable {
    /// Appends `entries` in order, in one transaction; returns the indexes they received.
    @discardableResult
    func append(_ entries: [AuditEntry]) async throws -> Range<Int>

    /// The number of entries.
    func size() async throws -> Int

    /// The entry at `index` (0-based).
    func entry(at index: Int) async throws -> AuditEntry

    /// The current, unsigned tree head.
    func treeHead() async throws -> AuditCheckpoint

    /// Signs the current tree head with `key`, stores the signed checkpoint and returns it.
    func checkpoint(signingWith key: some SigningKey, keyName: String) async throws -> SignedCheckpoint

    /// The signed checkpoints stored so far, oldest first.
    func checkpoints() async throws -> [SignedCheckpoint]

    /// The RFC 9162 inclusion proof of entry `index` in the tree of the first `treeSize` entries.
    func inclusionProof(index: Int, treeSize: Int) async throws -> [[UInt8]]

    /// The RFC 9162 consistency proof from the tree of `oldSize` entries to that of `newSize`.
    func consistencyProof(from oldSize: Int, to newSize: Int) async throws -> [[UInt8]]

    /// Walks every entry, recomputing leaf hashes and roots and checking them against the stored
    /// tree heads and checkpoints, and names the first entry where the log breaks.
    func verify() async throws -> AuditVerification
}

/// Why the audit log cannot answer.
public enum AuditLogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stored tree state is inconsistent (the file was altered or damaged).
    case corruptState(String)
    /// The entry index is not in the log.
    case noSuchEntry(index: Int, size: Int)
    /// The sizes do not allow a proof.
    case invalidSizes(old: Int, new: Int, size: Int)
    /// The log has no digest recorded, or one the SDK does not know.
    case unknownDigest(String)

    public var description: String {
        switch self {
        case .corruptState(let reason): "the audit log's state is corrupt: \(reason)"
        case .noSuchEntry(let index, let size): "entry \(index) is not in the log (it has \(size) entries)"
        case .invalidSizes(let old, let new, let size):
            "no proof between sizes \(old) and \(new) in a log of \(size) entries"
        case .unknownDigest(let name): "the audit log uses an unknown digest \"\(name)\""
        }
    }
}
