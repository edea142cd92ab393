import Foundation
public import SocietyCore
import Synchronization

/// The audit port held in memory: the same RFC 9162 tree, tree heads and signed checkpoints as the
/// SQLite log, for unit tests of the pure modules. Lost when the process ends.
public final class InMemoryAuditLog: AuditLog {
    private struct State {
        var entries: [AuditEntry] = []
        var leaves: [[UInt8]] = []
        /// One tree head per committed append: (size, root).
        var heads: [(Int, [UInt8])] = []
        var checkpoints: [SignedCheckpoint] = []
    }

    private let state = Mutex(State())
    private let tree: MerkleTree
    private let crypto: any CryptoProvider
    /// The origin line of this log's checkpoints.
    public let origin: String

    /// An empty log hashed with `digest`.
    public init(origin: String, digest: DigestAlgorithm, crypto: any CryptoProvider) {
        self.origin = origin
        self.tree = MerkleTree(algorithm: digest, provider: crypto)
        self.crypto = crypto
    }

    /// The digest of the log's Merkle tree.
    public var digest: DigestAlgorithm { tree.algorithm }

    /// Appends `entries` at once, recording a tree head over the new size.
    @discardableResult
    public func append(_ entries: [AuditEntry]) throws -> Range<Int> {
        let leaves = try entries.map { try tree.leafHash($0.canonicalBytes) }
        return try state.withLock { state in
            let start = state.entries.count
            guard !entries.isEmpty else { return start..<start }
            state.entries += entries
            state.leaves += leaves
            state.heads.append((state.leaves.count, try tree.rootHash(leafHashes: state.leaves)))
            return start..<state.entries.count
        }
    }

    /// The number of entries.
    public func size() -> Int { state.withLock { $0.entries.count } }

    /// The entry at `index`.
    public func entry(at index: Int) throws -> AuditEntry {
        try state.withLock { state in
            guard state.entries.indices.contains(index) else {
                throw AuditLogError.noSuchEntry(index: index, size: state.entries.count)
            }
            return state.entries[index]
        }
    }

    /// Every entry, oldest first (for assertions in tests).
    public func entries() -> [AuditEntry] { state.withLock { $0.entries } }

    /// The current tree head.
    public func treeHead() throws -> AuditCheckpoint {
        let leaves = state.withLock { $0.leaves }
        return AuditCheckpoint(origin: origin, size: leaves.count, rootHash: try tree.rootHash(leafHashes: leaves))
    }

    /// Signs the current tree head and keeps the signed checkpoint.
    public func checkpoint(signingWith key: some SigningKey, keyName: String) throws -> SignedCheckpoint {
        try state.withLock { state in
            let head = AuditCheckpoint(
                origin: origin,
                size: state.leaves.count,
                rootHash: try tree.rootHash(leafHashes: state.leaves)
            )
            let signed = try head.signed(by: key, keyName: keyName, crypto: crypto)
            state.checkpoints.append(signed)
            return signed
        }
    }

    /// The signed checkpoints, oldest first.
    public func checkpoints() -> [SignedCheckpoint] { state.withLock { $0.checkpoints } }

    /// The inclusion proof of entry `index` in the tree of the first `treeSize` entries.
    public func inclusionProof(index: Int, treeSize: Int) throws -> [[UInt8]] {
        let leaves = state.withLock { $0.leaves }
        guard treeSize <= leaves.count, index >= 0, index < treeSize else {
            throw AuditLogError.noSuchEntry(index: index, size: min(treeSize, leaves.count))
        }
        return try tree.inclusionProof(index: index, leafHashes: Array(leaves[..<treeSize]))
    }

    /// The consistency proof from the tree of `oldSize` entries to that of `newSize`.
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws -> [[UInt8]] {
        let leaves = state.withLock { $0.leaves }
        guard oldSize > 0, oldSize <= newSize, newSize <= leaves.count else {
            throw AuditLogError.invalidSizes(old: oldSize, new: newSize, size: leaves.count)
        }
        return try tree.consistencyProof(oldSize: oldSize, leafHashes: Array(leaves[..<newSize]))
    }

    /// Recomputes every leaf from its entry and every head and checkpoint from the leaves.
    public func verify() throws -> AuditVerification {
        let (entries, leaves, heads, checkpoints) = state.withLock {
            ($0.entries, $0.leaves, $0.heads, $0.checkpoints)
        }
        var range = CompactRange(tree: tree)
        var roots: [Int: [UInt8]] = [0: try range.rootHash()]
        for (index, entry) in entries.enumerated() {
            let leaf = try tree.leafHash(entry.canonicalBytes)
            guard crypto.constantTimeEquals(leaf, leaves[index]) else {
                return AuditVerification(
                    size: index,
                    rootHash: try range.rootHash(),
                    checkpointsChecked: 0,
                    firstBrokenEntry: index,
                    problem: "entry \(index) does not match its leaf hash (the entry was altered)"
                )
            }
            try range.append(leafHash: leaf)
            roots[index + 1] = try range.rootHash()
        }
        var checked = 0
        for (size, root) in heads + checkpoints.map({ ($0.checkpoint.size, $0.checkpoint.rootHash) }) {
            guard let expected = roots[size], crypto.constantTimeEquals(expected, root) else {
                return AuditVerification(
                    size: entries.count,
                    rootHash: try range.rootHash(),
                    checkpointsChecked: checked,
                    firstBrokenEntry: min(size, entries.count),
                    problem: "the tree head at size \(size) does not match the entries"
                )
            }
            checked += 1
        }
        return AuditVerification(
            size: entries.count,
            rootHash: try range.rootHash(),
            checkpointsChecked: checked,
            firstBrokenEntry: nil,
            problem: nil
        )
    }
}
