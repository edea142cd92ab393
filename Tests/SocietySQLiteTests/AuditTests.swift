import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

@Suite("Audit log")
struct AuditTests {
    /// Leaves and roots for sizes 0–8 from transparency-dev/merkle `testonly/constants.go`
    /// (`LeafInputs()` and `RootHashes()`, RFC 6962/9162 hashing with SHA-256).
    static let leaves = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ]
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    @Test("MerkleTree and CompactRange give the published roots for sizes 0–8 (transparency-dev/merkle)")
    func publishedRoots() throws {
        let tree = MerkleTree(algorithm: .sha256, provider: OpenSSLCryptoProvider())
        let leafHashes = try AuditTests.leaves.map { try tree.leafHash(Hex.bytes($0)) }
        var range = CompactRange(tree: tree)
        #expect(Hex.string(try range.rootHash()) == AuditTests.roots[0])
        for size in 1...8 {
            try range.append(leafHash: leafHashes[size - 1])
            #expect(Hex.string(try range.rootHash()) == AuditTests.roots[size])
            #expect(Hex.string(try tree.rootHash(leafHashes: Array(leafHashes[..<size]))) == AuditTests.roots[size])
            for index in 0..<size {
                let proof = try tree.inclusionProof(index: index, leafHashes: Array(leafHashes[..<size]))
                #expect(
                    try tree.verifyInclusion(
                        leafHash: leafHashes[index],
                        index: index,
                        treeSize: size,
                        proof: proof,
                        rootHash: Hex.bytes(AuditTests.roots[size])
                    )
                )
            }
            for old in 1...size {
                let proof = try tree.consistencyProof(oldSize: old, leafHashes: Array(leafHashes[..<size]))
                #expect(
                    try tree.verifyConsistency(
                        oldSize: old,
                        newSize: size,
                        oldRoot: Hex.bytes(AuditTests.roots[old]),
                        newRoot: Hex.bytes(AuditTests.roots[size]),
                        proof: proof
                    )
                )
            }
        }
    }

    @Test("the walk's hasher gives the published roots, and the same subtree hashes as the one-shot path")
    func hasherMatchesOneShot() throws {
        let tree = MerkleTree(algorithm: .sha256, provider: OpenSSLCryptoProvider())
        let hasher = try MerkleHasher(tree: tree)
        var fast = CompactRange(tree: tree)
        var leaf: [UInt8] = []
        for size in 1...8 {
            try Hex.bytes(AuditTests.leaves[size - 1]).withUnsafeBytes { try hasher.leafHash($0, into: &leaf) }
            #expect(leaf == (try tree.leafHash(Hex.bytes(AuditTests.leaves[size - 1]))))
            try fast.append(leafHash: leaf, hasher: hasher)
            #expect(Hex.string(try fast.rootHash()) == AuditTests.roots[size])
        }
        // Beyond the published sizes: both paths, and a range restored midway, agree at every size.
        var plain = CompactRange(tree: tree)
        fast = CompactRange(tree: tree)
        var restored: CompactRange?
        for n in 0..<100 {
            let hash = try tree.leafHash(Array("entry \(n)".utf8))
            try plain.append(leafHash: hash)
            try fast.append(leafHash: hash, hasher: hasher)
            try restored?.append(leafHash: hash)
            if n == 44 { restored = CompactRange(tree: tree, size: plain.size, subtreeHashes: plain.subtreeHashes) }
            #expect(fast.subtreeHashes == plain.subtreeHashes)
            #expect(plain.subtreeHashes.count == (n + 1).nonzeroBitCount)
            #expect(try fast.rootHash() == plain.rootHash())
            if let restored { #expect(try restored.rootHash() == plain.rootHash()) }
        }
        // A leaf hash of another length is refused and leaves the range as it was.
        let root = try plain.rootHash()
        #expect(throws: CryptoError.self) { try plain.append(leafHash: [1, 2, 3]) }
        #expect(plain.size == 100)
        #expect(try plain.rootHash() == root)
    }

    @Test("leaves handed over many at once and roots folded through the session agree with the one-shot path")
    func batchedAppendMatchesOneShot() throws {
        let tree = MerkleTree(algorithm: .sha256, provider: OpenSSLCryptoProvider())
        let hasher = try MerkleHasher(tree: tree)
        var plain = CompactRange(tree: tree)
        var batched = CompactRange(tree: tree)
        #expect(Hex.string(try batched.rootHash(hasher: hasher)) == AuditTests.roots[0])
        // Runs of 0, 1, 2, … leaves, so that runs start and end at every kind of size.
        var next = 0
        for run in 0..<20 {
            var flat: [UInt8] = []
            for _ in 0..<run {
                let hash = try tree.leafHash(Array("entry \(next)".utf8))
                flat += hash
                try plain.append(leafHash: hash)
                next += 1
            }
            try flat.withUnsafeBytes { try batched.append(leafHashes: $0, hasher: hasher) }
            #expect(batched.size == plain.size)
            #expect(batched.subtreeHashes == plain.subtreeHashes)
            #expect(try batched.rootHash(hasher: hasher) == plain.rootHash())
        }
        #expect(next == 190)
        // Bytes that are not whole hashes are refused and change nothing.
        let root = try batched.rootHash()
        #expect(throws: CryptoError.self) {
            try [UInt8](repeating: 7, count: 40).withUnsafeBytes { try batched.append(leafHashes: $0, hasher: hasher) }
        }
        #expect(batched.size == 190)
        #expect(try batched.rootHash() == root)
    }

    @Test("a log with a tree head after every entry verifies, names an altered head, and reports its progress")
    func headAfterEveryEntry() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let log = store.auditLog
        // One append per entry, as services write: 2,500 heads across two of the walk's batches.
        for n in 0..<2_500 { try await log.append([AuditTests.entry(n)]) }
        let reports = Reports()
        let valid = try await log.verify(checkpointKey: nil) { reports.add($0) }
        #expect(valid.isValid && valid.size == 2_500 && valid.checkpointsChecked == 2_500)
        #expect(valid.rootHash == (try await log.treeHead().rootHash))
        let seen = reports.all
        #expect(seen.last?.completed == 2_500 && seen.last?.total == 2_500)
        #expect(seen.map(\.completed) == seen.map(\.completed).sorted())
        // A head's root changed at size 2,100 (in the second batch): the entries after the head of
        // 2,099 are named.
        try sqliteShell(fixture.path(), "UPDATE ds_audit_heads SET root = zeroblob(32) WHERE size = 2100;")
        let broken = try await log.verify()
        #expect(broken.firstBrokenEntry == 2_099)
        #expect(broken.problem?.contains("size 2100") == true)
        #expect(broken.size == 2_100)
    }

    /// Progress reports collected from the walk's thread.
    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var reports: [WorkProgress] = []
        func add(_ report: WorkProgress) { lock.withLock { reports.append(report) } }
        var all: [WorkProgress] { lock.withLock { reports } }
    }

    static func entry(_ n: Int) -> AuditEntry { AuditSamples.entry(n) }

    @Test("an entry's canonical bytes decode to the same entry; malformed bytes are refused")
    func canonicalEntry() throws {
        let entry = AuditTests.entry(4)
        #expect(try AuditEntry(canonicalBytes: entry.canonicalBytes) == entry)
        #expect(throws: AuditEntry.DecodingError.self) {
            try AuditEntry(canonicalBytes: Array(entry.canonicalBytes.dropLast()))
        }
        #expect(throws: AuditEntry.DecodingError.self) { try AuditEntry(canonicalBytes: entry.canonicalBytes + [0]) }
    }

    @Test("the store's proofs equal the in-memory tree's and verify against signed checkpoints")
    func proofs() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let log = store.auditLog
        let tree = MerkleTree(algorithm: .sha256, provider: fixture.crypto)
        let key = try fixture.crypto.generateSigningKey(.ed25519)
        var sizes: [Int] = []
        var checkpoints: [SignedCheckpoint] = []
        for batch in [1, 2, 5, 13, 1, 30] {
            try await log.append((0..<batch).map { AuditTests.entry((sizes.last ?? 0) + $0) })
            checkpoints.append(try await log.checkpoint(signingWith: key, keyName: "taizhou-audit"))
            sizes.append(try await log.size())
        }
        let size = try await log.size()
        #expect(size == 52)
        let leafHashes = try await (0..<size).asyncMap { try await log.leafHash(at: $0) }
        for (index, leaf) in leafHashes.enumerated() {
            #expect(try tree.leafHash(await log.entry(at: index).canonicalBytes) == leaf)
        }
        #expect(try await log.treeHead().rootHash == tree.rootHash(leafHashes: leafHashes))
        for index in [0, 1, 7, 31, 51] {
            let proof = try await log.inclusionProof(index: index, treeSize: size)
            #expect(proof == (try tree.inclusionProof(index: index, leafHashes: leafHashes)))
            #expect(
                try tree.verifyInclusion(
                    leafHash: leafHashes[index],
                    index: index,
                    treeSize: size,
                    proof: proof,
                    rootHash: checkpoints.last?.checkpoint.rootHash ?? []
                )
            )
        }
        for (old, new) in zip(checkpoints, checkpoints.dropFirst()) {
            let proof = try await log.consistencyProof(from: old.checkpoint.size, to: new.checkpoint.size)
            #expect(
                try tree.verifyConsistency(
                    oldSize: old.checkpoint.size,
                    newSize: new.checkpoint.size,
                    oldRoot: old.checkpoint.rootHash,
                    newRoot: new.checkpoint.rootHash,
                    proof: proof
                )
            )
        }
        // The note text round-trips and its signature verifies with the right key only.
        let last = try #require(checkpoints.last)
        #expect(last.text.hasPrefix("test.example/audit\n52\n"))
        let parsed = try SignedCheckpoint(text: last.text)
        #expect(parsed == last)
        #expect(parsed.isValid(for: key.publicKey, crypto: fixture.crypto))
        let other = try fixture.crypto.generateSigningKey(.ed25519)
        #expect(!parsed.isValid(for: other.publicKey, crypto: fixture.crypto))
        let verification = try await log.verify(checkpointKey: key.publicKey)
        #expect(verification.isValid)
        #expect(verification.size == 52)
        #expect(verification.checkpointsChecked == 12)
    }

    @Test("record changes are audited in the same transaction; a national-profile log uses SM3")
    func storeChangesAudited() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(profile: .national)
        let resident = try Synthetic.resident(9)
        try store.write(purpose: Purpose(constant: "registration")) { db in
            try db.put(resident)
            try db.delete(StoredResident.self, key: resident.recordKey)
        }
        let log = store.auditLog
        #expect(try await log.size() == 2)
        #expect(try await log.entry(at: 0).action == "put")
        #expect(try await log.entry(at: 1).action == "delete")
        let tree = MerkleTree(algorithm: .sm3, provider: fixture.crypto)
        let leaves = try await (0..<2).asyncMap { try tree.leafHash(await log.entry(at: $0).canonicalBytes) }
        #expect(try await log.treeHead().rootHash == tree.rootHash(leafHashes: leaves))
        // The subject is the keyed hash of the identity number, never the number.
        let subject = try AuditSubjectHasher(
            key: fixture.keys.currentKey(for: .auditSubject),
            digest: .sm3,
            crypto: fixture.crypto
        ).subject(kind: "resident", id: resident.id.unmasked)
        #expect(try await log.entry(at: 0).subject == subject)
        #expect(try await log.verify().isValid)
    }

    @Test("changing one byte of an audit entry in the file is reported at that entry")
    func tamperedEntry() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let log = store.auditLog
        for start in stride(from: 0, to: 40, by: 10) {
            try await log.append((start..<start + 10).map(AuditTests.entry))
        }
        #expect(try await log.verify().isValid)
        try sqliteShell(
            fixture.path(),
            """
            DROP TRIGGER ds_audit_entries_no_update;
            UPDATE ds_audit_entries SET entry = CAST(substr(entry, 1, 20)
                || CASE WHEN substr(entry, 21, 1) = X'41' THEN X'42' ELSE X'41' END || substr(entry, 22) AS BLOB)
                WHERE idx = 17;
            """
        )
        let result = try await log.verify()
        #expect(result.firstBrokenEntry == 17)
        #expect(result.problem?.contains("17") == true)
    }

    @Test("rewriting an entry together with its leaf hash is caught by the tree heads")
    func tamperedEntryAndLeaf() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let log = store.auditLog
        for start in stride(from: 0, to: 40, by: 10) {
            try await log.append((start..<start + 10).map(AuditTests.entry))
        }
        let forged = AuditTests.entry(99).canonicalBytes
        let leaf = try MerkleTree(algorithm: .sha256, provider: fixture.crypto).leafHash(forged)
        try sqliteShell(
            fixture.path(),
            """
            DROP TRIGGER ds_audit_entries_no_update;
            UPDATE ds_audit_entries SET entry = X'\(Hex.string(forged))', leaf = X'\(Hex.string(leaf))' WHERE idx = 25;
            """
        )
        let result = try await log.verify()
        #expect(result.firstBrokenEntry == 20)  // the first entry after the last matching head
        #expect(!result.isValid)
    }

    @Test("over many batches of the two-stage walk, the first problem in log order is the one reported")
    func problemsAcrossBatches() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let log = store.auditLog
        for start in stride(from: 0, to: 3_000, by: 1_000) {
            try await log.append((start..<start + 1_000).map(AuditTests.entry))
        }
        let valid = try await log.verify()
        #expect(valid.isValid && valid.size == 3_000 && valid.checkpointsChecked == 3)
        #expect(valid.rootHash == (try await log.treeHead().rootHash))
        // An entry rewritten with its leaf at 1,500 (found by the tree side, at the head of 2,000)
        // and an entry altered alone at 2,900, in the walk's second batch (found by the reading
        // side, which gets there first):
        // the walk names what one thread walking in order would, the entries after the head of 1,000.
        let forged = AuditTests.entry(99_999).canonicalBytes
        let leaf = try MerkleTree(algorithm: .sha256, provider: fixture.crypto).leafHash(forged)
        try sqliteShell(
            fixture.path(),
            """
            DROP TRIGGER ds_audit_entries_no_update;
            UPDATE ds_audit_entries SET entry = X'\(Hex.string(forged))', leaf = X'\(Hex.string(leaf))' WHERE idx = 1500;
            UPDATE ds_audit_entries SET entry = X'\(Hex.string(forged))' WHERE idx = 2900;
            """
        )
        let both = try await log.verify()
        #expect(both.firstBrokenEntry == 1_000)
        #expect(both.problem?.contains("size 2000") == true)
        #expect(both.size == 2_000)
        // With the head's forgery undone by hand, the altered entry is what remains.
        let original = AuditTests.entry(1_500).canonicalBytes
        let originalLeaf = try MerkleTree(algorithm: .sha256, provider: fixture.crypto).leafHash(original)
        try sqliteShell(
            fixture.path(),
            "UPDATE ds_audit_entries SET entry = X'\(Hex.string(original))', leaf = X'\(Hex.string(originalLeaf))' "
                + "WHERE idx = 1500;"
        )
        let one = try await log.verify()
        #expect(one.firstBrokenEntry == 2_900)
        #expect(one.problem?.contains("altered") == true)
        #expect(one.size == 2_900)
    }

    @Test("deleting the last entries is caught")
    func truncated() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let log = store.auditLog
        try await log.append((0..<10).map(AuditTests.entry))
        try sqliteShell(
            fixture.path(),
            "DROP TRIGGER ds_audit_entries_no_delete; DELETE FROM ds_audit_entries WHERE idx >= 8;"
        )
        let result = try await log.verify()
        #expect(result.firstBrokenEntry == 8)
    }

    @Test("the SQL triggers refuse updates and deletes of entries through the SDK's connections")
    func appendOnly() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        try await store.auditLog.append([AuditTests.entry(1)])
        #expect(throws: SQLiteError.self) { try store.write { db in try db.execute("DELETE FROM ds_audit_entries") } }
    }
}
