/// The Merkle tree hashing of RFC 9162 (Certificate Transparency 2.0), section 2.1: the basis of
/// batch-signed envelopes and of the tamper-evident audit log.
///
/// Leaves hash as `H(0x00 ‖ data)` and interior nodes as `H(0x01 ‖ left ‖ right)`, so a leaf can never
/// pass for a node. A tree of `n` leaves splits at the largest power of two below `n`. Proofs are
/// lists of sibling hashes, verified with the algorithms of sections 2.1.3.2 and 2.1.4.2.
public struct MerkleTree: Sendable {
    /// The digest used for every hash of the tree.
    public let algorithm: DigestAlgorithm
    private let provider: any CryptoProvider

    /// Why a proof cannot be produced.
    public enum ProofError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The leaf index is not below the tree size.
        case indexOutOfRange(index: Int, size: Int)
        /// The older size is zero or larger than the newer size.
        case invalidSizes(old: Int, new: Int)

        public var description: String {
            switch self {
            case .indexOutOfRange(let index, let size): "leaf \(index) is outside a tree of \(size) leaves"
            case .invalidSizes(let old, let new): "no consistency proof from size \(old) to size \(new)"
            }
        }
    }

    /// A tree hasher that computes digests with `provider`.
    public init(algorithm: DigestAlgorithm, provider: any CryptoProvider) {
        self.algorithm = algorithm
        self.provider = provider
    }

    /// The plain digest of `input` (no domain prefix), for the compact range.
    func digest(_ input: [UInt8]) throws -> [UInt8] { try provider.digest(algorithm, of: input) }

    /// A digest session of the tree's algorithm.
    func makeDigestSession() throws -> any DigestSession { try provider.makeDigestSession(algorithm) }

    /// `H(0x00 ‖ data)`.
    public func leafHash(_ data: [UInt8]) throws -> [UInt8] {
        var input: [UInt8] = []
        data.withUnsafeBytes { MerkleTree.leafInput($0, into: &input) }
        return try provider.digest(algorithm, of: input)
    }

    /// Writes a leaf hash's input, `0x00 ‖ data`, over `input`.
    static func leafInput(_ data: UnsafeRawBufferPointer, into input: inout [UInt8]) {
        input.removeAll(keepingCapacity: true)
        input.append(0x00)
        input.append(contentsOf: data)
    }

    /// `H(0x01 ‖ left ‖ right)`.
    public func nodeHash(_ left: [UInt8], _ right: [UInt8]) throws -> [UInt8] {
        try provider.digest(algorithm, of: [0x01] + left + right)
    }

    /// The root of the tree whose leaves have the given hashes; `H("")` for the empty tree.
    public func rootHash(leafHashes: [[UInt8]]) throws -> [UInt8] {
        guard !leafHashes.isEmpty else { return try provider.digest(algorithm, of: []) }
        var range = CompactRange(tree: self)
        for hash in leafHashes { try range.append(leafHash: hash) }
        return try range.rootHash()
    }

    /// The audit path (RFC 9162 `PATH(m, D[n])`) proving that leaf `index` is in the tree.
    public func inclusionProof(index: Int, leafHashes: [[UInt8]]) throws -> [[UInt8]] {
        guard index >= 0, index < leafHashes.count else {
            throw ProofError.indexOutOfRange(index: index, size: leafHashes.count)
        }
        return try path(index, leafHashes[...])
    }

    /// The consistency proof (RFC 9162 `PROOF(m, D[n])`) that the tree of the first `oldSize`
    /// leaves is a prefix of the tree of all `leafHashes`.
    public func consistencyProof(oldSize: Int, leafHashes: [[UInt8]]) throws -> [[UInt8]] {
        guard oldSize > 0, oldSize <= leafHashes.count else {
            throw ProofError.invalidSizes(old: oldSize, new: leafHashes.count)
        }
        return try subproof(oldSize, leafHashes[...], complete: true)
    }

    /// Checks an inclusion proof against a root (RFC 9162 §2.1.3.2).
    public func verifyInclusion(
        leafHash: [UInt8],
        index: Int,
        treeSize: Int,
        proof: [[UInt8]],
        rootHash: [UInt8]
    ) throws -> Bool {
        guard index >= 0, index < treeSize else { return false }
        var fn = index
        var sn = treeSize - 1
        var result = leafHash
        for sibling in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                result = try nodeHash(sibling, result)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                result = try nodeHash(result, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && provider.constantTimeEquals(result, rootHash)
    }

    /// Checks a consistency proof between two roots (RFC 9162 §2.1.4.2).
    public func verifyConsistency(
        oldSize: Int,
        newSize: Int,
        oldRoot: [UInt8],
        newRoot: [UInt8],
        proof: [[UInt8]]
    ) throws -> Bool {
        guard oldSize > 0, oldSize <= newSize else { return false }
        if oldSize == newSize {
            return proof.isEmpty && provider.constantTimeEquals(oldRoot, newRoot)
        }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard let first = path.first else { return false }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = first
        var sr = first
        for sibling in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = try nodeHash(sibling, fr)
                sr = try nodeHash(sibling, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = try nodeHash(sr, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && provider.constantTimeEquals(fr, oldRoot) && provider.constantTimeEquals(sr, newRoot)
    }

    /// The largest power of two strictly below `n` (for n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    private func root(_ leaves: ArraySlice<[UInt8]>) throws -> [UInt8] {
        var range = CompactRange(tree: self)
        for hash in leaves { try range.append(leafHash: hash) }
        return try range.rootHash()
    }

    private func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) throws -> [[UInt8]] {
        let n = leaves.count
        guard n > 1 else { return [] }
        let k = MerkleTree.split(n)
        let start = leaves.startIndex
        if m < k {
            return try path(m, leaves[start..<start + k]) + [root(leaves[(start + k)...])]
        }
        return try path(m - k, leaves[(start + k)...]) + [root(leaves[start..<start + k])]
    }

    private func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, complete: Bool) throws -> [[UInt8]] {
        let n = leaves.count
        if m == n { return complete ? [] : [try root(leaves)] }
        let k = MerkleTree.split(n)
        let start = leaves.startIndex
        if m <= k {
            return try subproof(m, leaves[start..<start + k], complete: complete) + [root(leaves[(start + k)...])]
        }
        return try subproof(m - k, leaves[(start + k)...], complete: false) + [root(leaves[start..<start + k])]
    }
}

/// The right edge of a growing Merkle tree: one hash per perfect subtree, at most log₂(n) of them.
///
/// An append-only log keeps this instead of every leaf to compute its current root in
/// O(log n) per append, the way transparency logs do.
public struct CompactRange: Sendable {
    private let tree: MerkleTree
    /// Roots of the perfect subtrees covering the leaves so far, largest (leftmost) first, end to
    /// end in the first `used` bytes of one buffer of `width`-byte hashes: appending then copies
    /// bytes in place instead of allocating, freeing or resizing an array per hash.
    private var hashes: [UInt8] = []
    private var used = 0
    /// The length of one hash (0 until the first is known).
    private var width = 0
    /// How many leaves have been appended.
    public private(set) var size = 0
    /// The node hashes' input (`0x01 ‖ left ‖ right`) and output, kept between appends.
    private var scratch: [UInt8] = []
    private var node: [UInt8] = []

    /// Roots of the perfect subtrees covering the leaves so far, largest (leftmost) first.
    public var subtreeHashes: [[UInt8]] {
        guard width > 0 else { return [] }
        return stride(from: 0, to: used, by: width).map { Array(hashes[$0..<$0 + width]) }
    }

    /// An empty range hashed with `tree`'s digest.
    public init(tree: MerkleTree) { self.tree = tree }

    /// Restores a range from a stored size and subtree hashes (e.g. after a restart).
    public init(tree: MerkleTree, size: Int, subtreeHashes: [[UInt8]]) {
        self.tree = tree
        self.size = size
        self.width = subtreeHashes.first?.count ?? 0
        self.hashes = subtreeHashes.flatMap { $0 }
        self.used = hashes.count
    }

    /// Adds one leaf (already hashed with ``MerkleTree/leafHash(_:)``).
    public mutating func append(leafHash: [UInt8]) throws {
        let tree = self.tree
        // Taken out for the call (a mutating method cannot also lend one of its own properties).
        var output = node
        node = []
        defer { node = output }
        try leafHash.withUnsafeBytes { leaf in
            try append(leaf, output: &output) { input, output in output = try tree.digest(input) }
        }
    }

    /// Adds one leaf, hashing the nodes it completes through `hasher`'s digest session: the walk
    /// over a whole log, where the one-shot digests' allocations cost more than the hashing.
    package mutating func append(leafHash: [UInt8], hasher: MerkleHasher) throws {
        try leafHash.withUnsafeBytes { try append(leafHashes: $0, hasher: hasher) }
    }

    /// Adds the leaves whose hashes lie end to end in `leafHashes` (a whole number of hashes of
    /// this tree's width), in order, hashing nodes through `hasher`'s session. A walk hands over
    /// thousands of leaves at once; taken one by one from an array, each paid for a copy of its
    /// hash and two run-time exclusivity checks on the hasher (audit-walk profile, 2026-12-08).
    /// On an error, the leaves before the one that failed stay appended.
    package mutating func append(leafHashes: UnsafeRawBufferPointer, hasher: MerkleHasher) throws {
        if width == 0 { width = hasher.digestWidth }
        let width = self.width
        guard width > 0, leafHashes.count % width == 0 else {
            throw CryptoError(
                .invalidParameter,
                "\(leafHashes.count) bytes of leaf hashes in a tree of \(width)-byte hashes"
            )
        }
        // The hasher's buffer is moved out and back once per call: lending a class's property
        // `inout` is checked at run time on every access.
        var output = hasher.output
        hasher.output = []
        defer { hasher.output = output }
        let session = hasher.session
        var offset = 0
        while offset < leafHashes.count {
            try append(UnsafeRawBufferPointer(rebasing: leafHashes[offset..<(offset + width)]), output: &output) {
                input,
                output in try session.digest(of: input, into: &output)
            }
            offset += width
        }
    }

    private mutating func append(
        _ leafHash: UnsafeRawBufferPointer,
        output: inout [UInt8],
        digest: (_ input: [UInt8], _ output: inout [UInt8]) throws -> Void
    ) throws {
        if width == 0 { width = leafHash.count }
        guard leafHash.count == width, width > 0 else {
            throw CryptoError(.invalidParameter, "a \(leafHash.count)-byte leaf hash in a tree of \(width)-byte hashes")
        }
        // Each trailing 1 bit of the old size is a perfect subtree that the new leaf completes.
        // The merges only read the stored hashes and move `used` back; a failed digest puts
        // `used` where it was, so the range is unchanged.
        let before = used
        var done = false
        defer { if !done { used = before } }
        var merged = size
        var first = true
        while merged & 1 == 1, used >= width {
            if scratch.count != 1 + 2 * width {
                scratch = [UInt8](repeating: 0, count: 1 + 2 * width)
                scratch[0] = 0x01
            }
            let (left, width) = (used - width, width)
            scratch.withUnsafeMutableBytes { input in
                hashes.withUnsafeBytes { stored in
                    UnsafeMutableRawBufferPointer(rebasing: input[1..<(1 + width)])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[left..<(left + width)]))
                }
                let right = UnsafeMutableRawBufferPointer(rebasing: input[(1 + width)...])
                if first {
                    right.copyMemory(from: leafHash)
                } else {
                    output.withUnsafeBytes { right.copyMemory(from: $0) }
                }
            }
            used -= width
            try digest(scratch, &output)
            guard output.count == width else {
                throw CryptoError(.library, "a \(output.count)-byte node hash in a tree of \(width)-byte hashes")
            }
            first = false
            merged >>= 1
        }
        done = true
        if first { store(leafHash) } else { output.withUnsafeBytes { store($0) } }
        size += 1
    }

    /// Puts `hash` after the first `used` bytes, over what a merge left there.
    private mutating func store(_ hash: UnsafeRawBufferPointer) {
        let at = used
        if hashes.count >= at + hash.count {
            hashes.withUnsafeMutableBytes { buffer in
                UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + hash.count)]).copyMemory(from: hash)
            }
        } else {
            hashes.removeSubrange(at...)
            hashes.append(contentsOf: hash)
        }
        used += hash.count
    }

    /// The root of the leaves so far; `H("")` for none.
    public func rootHash() throws -> [UInt8] {
        let tree = self.tree
        return try foldRoot { input, output in output = try tree.digest(input) }
    }

    /// ``rootHash()`` through `hasher`'s digest session: a log with a tree head after every entry
    /// has its root recomputed once per entry in a walk, and the one-shot digests' context and
    /// arrays cost more than the hashing (audit-walk profile, 2026-12-08).
    package func rootHash(hasher: MerkleHasher) throws -> [UInt8] {
        let session = hasher.session
        return try foldRoot { input, output in try session.digest(of: input, into: &output) }
    }

    /// Folds the subtree hashes from the right, `H(0x01 ‖ left ‖ right)` at each step, in one
    /// kept node input.
    private func foldRoot(_ digest: (_ input: [UInt8], _ output: inout [UInt8]) throws -> Void) throws -> [UInt8] {
        var hash: [UInt8] = []
        guard width > 0, used >= width else {
            try digest([], &hash)
            return hash
        }
        var end = used - width
        hash = Array(hashes[end..<used])
        guard end > 0 else { return hash }
        let width = self.width
        var input = [UInt8](repeating: 0, count: 1 + 2 * width)
        input[0] = 0x01
        while end > 0 {
            let left = end - width
            input.withUnsafeMutableBytes { node in
                hashes.withUnsafeBytes { stored in
                    UnsafeMutableRawBufferPointer(rebasing: node[1..<(1 + width)])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[left..<end]))
                }
                hash.withUnsafeBytes {
                    UnsafeMutableRawBufferPointer(rebasing: node[(1 + width)...]).copyMemory(from: $0)
                }
            }
            try digest(input, &hash)
            guard hash.count == width else {
                throw CryptoError(.library, "a \(hash.count)-byte node hash in a tree of \(width)-byte hashes")
            }
            end = left
        }
        return hash
    }
}

/// Hashes a tree's leaves and nodes through one ``DigestSession``, reusing its buffers: the walk
/// over a whole audit log hashes every entry and about as many nodes. Not `Sendable`: a hasher
/// belongs to the thread that made it.
package final class MerkleHasher {
    let session: any DigestSession
    private var input: [UInt8] = []
    /// The last node hash (see ``CompactRange/append(leafHash:hasher:)``).
    var output: [UInt8] = []

    /// The length of the tree's hashes.
    package let digestWidth: Int

    /// A hasher with a session of `tree`'s digest.
    package init(tree: MerkleTree) throws {
        session = try tree.makeDigestSession()
        var probe: [UInt8] = []
        try session.digest(of: [], into: &probe)
        digestWidth = probe.count
    }

    /// Writes the leaf hash of `data` (`H(0x00 ‖ data)`) over `leaf`.
    package func leafHash(_ data: UnsafeRawBufferPointer, into leaf: inout [UInt8]) throws {
        MerkleTree.leafInput(data, into: &input)
        try session.digest(of: input, into: &leaf)
    }
}

extension MerkleTree {
    /// The root and every leaf's inclusion proof, computed together in O(n) hashes.
    ///
    /// Building the levels bottom-up, with an unpaired last node carried up unchanged, gives exactly
    /// RFC 9162's tree (split at the largest power of two); a leaf's proof is then its sibling at
    /// each level where it has one. Batch sealing needs all proofs at once, which the per-leaf
    /// ``inclusionProof(index:leafHashes:)`` would compute in O(n²).
    public func rootAndInclusionProofs(leafHashes: [[UInt8]]) throws -> (root: [UInt8], proofs: [[[UInt8]]]) {
        guard !leafHashes.isEmpty else { return (try rootHash(leafHashes: []), []) }
        var levels: [[[UInt8]]] = [leafHashes]
        while let current = levels.last, current.count > 1 {
            var next: [[UInt8]] = []
            next.reserveCapacity((current.count + 1) / 2)
            var index = 0
            while index + 1 < current.count {
                next.append(try nodeHash(current[index], current[index + 1]))
                index += 2
            }
            if index < current.count { next.append(current[index]) }
            levels.append(next)
        }
        var proofs: [[[UInt8]]] = []
        proofs.reserveCapacity(leafHashes.count)
        for leaf in leafHashes.indices {
            var proof: [[UInt8]] = []
            var position = leaf
            for level in levels.dropLast() {
                let sibling = position ^ 1
                if sibling < level.count { proof.append(level[sibling]) }
                position >>= 1
            }
            proofs.append(proof)
        }
        return (levels[levels.count - 1][0], proofs)
    }
}
