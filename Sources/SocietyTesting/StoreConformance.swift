import Foundation
public import SocietyCore
import SocietyOpenSSL

/// One store, its audit log and a replay guard, as a conformance check receives them.
public struct StoreUnderTest: Sendable {
    /// The store, opened empty, with protection and auditing.
    public var store: any RecordStore
    /// The audit log the store's transactions append to.
    public var auditLog: any AuditLog
    /// A replay guard of the same adapter, empty.
    public var replayGuard: any ReplayGuard
    /// The digest of the audit tree.
    public var digest: DigestAlgorithm

    /// A store under test.
    public init(store: any RecordStore, auditLog: any AuditLog, replayGuard: any ReplayGuard, digest: DigestAlgorithm) {
        self.store = store
        self.auditLog = auditLog
        self.replayGuard = replayGuard
        self.digest = digest
    }
}

/// A conformance check that did not hold: which check, and what it saw.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// The check's name and what went wrong.
    public var description: String
}

/// The store conformance suite: one set of checks every ``SocietyCore/RecordStore`` adapter
/// passes — the in-memory store, SQLite, and any store a district or provider writes.
///
/// Run each check against a fresh store, for example with Swift Testing:
///
/// ```swift
/// @Test(arguments: StoreConformance.checks)
/// func conformance(_ check: StoreConformance.Check) async throws {
///     try await check.run(on: try makeFreshStoreUnderTest())
/// }
/// ```
public enum StoreConformance {
    /// One named check.
    public struct Check: Sendable, CustomStringConvertible {
        /// What the check establishes.
        public let name: String
        let body: @Sendable (StoreUnderTest) async throws -> Void

        /// Runs the check; throws ``ConformanceFailure`` (or the store's own error) when it fails.
        public func run(on subject: StoreUnderTest) async throws { try await body(subject) }

        public var description: String { name }
    }

    /// Every check, in a stable order.
    public static let checks: [Check] = [
        Check(name: "put, get, replace and delete by key", body: putGetDelete),
        Check(name: "queries on indexes: equality, ranges, lists, counts", body: queries),
        Check(name: "ordering, ties in storage order, and limits", body: ordering),
        Check(name: "scans stream every record in order and stop early", body: streaming),
        Check(name: "a write whose closure throws leaves nothing behind", body: rollback),
        Check(name: "concurrent readers see whole transactions; writers serialise", body: concurrency),
        Check(name: "sensitive fields need a purpose; reads with one are audited", body: purposes),
        Check(name: "searchable sensitive indexes answer equality only", body: searchable),
        Check(name: "records stored under an older schema version are upgraded when read", body: upgrades),
        Check(name: "invalid names and unknown indexes are refused and change nothing", body: refusals),
        Check(name: "a handle used after its transaction ends throws", body: staleHandle),
        Check(name: "the replay guard refuses a seen id until it expires", body: replay),
        Check(name: "audit tree heads, inclusion and consistency proofs, checkpoints", body: auditProofs),
    ]

    static func fail(_ message: String) -> ConformanceFailure { ConformanceFailure(description: message) }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard condition else { throw fail(message()) }
    }

    /// Runs `body`, which must throw an error equal to `expected`.
    static func expect<E: Error & Equatable>(
        _ expected: E,
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let error as E {
            try expect(error == expected, "expected \(expected), got \(error)")
            return
        } catch {
            throw fail("expected \(expected), got \(error)")
        }
        throw fail("expected \(expected), nothing was thrown")
    }

    /// Runs `body`, which must throw an error of type `E` (any of its cases).
    static func expectThrows<E: Error>(_ type: E.Type, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch is E {
            return
        }
        throw fail("expected an error of type \(E.self), nothing was thrown")
    }

    static func notes(_ count: Int) -> [ConformanceNote] {
        (0..<count).map { ConformanceNote(id: "n\($0)", rank: Int64($0 % 7), tag: $0 % 3 == 0 ? nil : "t\($0 % 3)") }
    }

    // MARK: Checks

    static func putGetDelete(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let note = ConformanceNote(id: "a", rank: 1, tag: "x")
        try await store.write(purpose: nil) { db in try await db.put(note) }
        let read = try await store.read(purpose: nil) { db in
            try await db.get(ConformanceNote.self, key: RecordKey("a"))
        }
        try expect(read == note, "get returned \(String(describing: read)), expected \(note)")
        let changed = ConformanceNote(id: "a", rank: 2, tag: nil)
        try await store.write(purpose: nil) { db in try await db.put(changed) }
        let count = try await store.read(purpose: nil) { db in try await db.count(RecordQuery<ConformanceNote>.all) }
        try expect(count == 1, "a put with the same key must replace: count \(count)")
        let replaced = try await store.read(purpose: nil) { db in
            try await db.get(ConformanceNote.self, key: RecordKey("a"))
        }
        try expect(replaced == changed, "the replaced record reads back as \(String(describing: replaced))")
        let (first, second) = try await store.write(purpose: nil) { db in
            (
                try await db.delete(ConformanceNote.self, key: RecordKey("a")),
                try await db.delete(ConformanceNote.self, key: RecordKey("a"))
            )
        }
        try expect(first && !second, "delete returns whether there was a record: \(first), \(second)")
        let gone = try await store.read(purpose: nil) { db in
            try await db.get(ConformanceNote.self, key: RecordKey("a"))
        }
        try expect(gone == nil, "a deleted record is gone")
    }

    static func queries(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let all = notes(30)
        try await store.write(purpose: nil) { db in try await db.put(contentsOf: all) }
        func ids(_ query: RecordQuery<ConformanceNote>) async throws -> Set<String> {
            Set(try await store.read(purpose: nil) { db in try await db.fetch(query) }.map(\.id))
        }
        func expected(_ keep: (ConformanceNote) -> Bool) -> Set<String> { Set(all.filter(keep).map(\.id)) }
        let equal = try await ids(.filter("rank", equals: .integer(3)))
        try expect(equal == expected { $0.rank == 3 }, "rank = 3 gave \(equal.sorted())")
        let range = try await ids(.filter("rank", from: .integer(2), to: .integer(5)))
        try expect(range == expected { (2..<5).contains($0.rank) }, "2 ≤ rank < 5 gave \(range.sorted())")
        let inclusive = try await ids(.filter("rank", from: .integer(2), to: .integer(5), inclusive: true))
        try expect(inclusive == expected { (2...5).contains($0.rank) }, "2 ≤ rank ≤ 5 gave \(inclusive.sorted())")
        let open = try await ids(.filter("rank", from: nil, to: .integer(1)))
        try expect(open == expected { $0.rank < 1 }, "rank < 1 gave \(open.sorted())")
        let among = try await ids(.filter("tag", .among([.text("t1"), .text("zz")])))
        try expect(among == expected { $0.tag == "t1" }, "tag among [t1, zz] gave \(among.sorted())")
        let none = try await ids(.filter("tag", .among([])))
        try expect(none.isEmpty, "an empty list matches nothing")
        let tagged = try await ids(.filter("tag", from: nil, to: nil))
        try expect(tagged == expected { $0.tag != nil }, "an open range skips records without the value")
        let counted = try await store.read(purpose: nil) { db in
            try await db.count(RecordQuery<ConformanceNote>.filter("rank", equals: .integer(3)).limited(to: 1))
        }
        try expect(counted == equal.count, "count ignores the limit: \(counted) vs \(equal.count)")
    }

    static func ordering(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let all = notes(21)
        try await store.write(purpose: nil) { db in try await db.put(contentsOf: all) }
        let ascending = try await store.read(purpose: nil) { db in
            try await db.fetch(RecordQuery<ConformanceNote>.all.ordered(by: "rank"))
        }
        let expectedAscending = all.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map(\.element.id)
        try expect(ascending.map(\.id) == expectedAscending, "ascending by rank, ties in storage order")
        let descending = try await store.read(purpose: nil) { db in
            try await db.fetch(RecordQuery<ConformanceNote>.all.ordered(by: "rank", descending: true).limited(to: 5))
        }
        try expect(
            descending.map(\.id) == Array(expectedAscending.reversed().prefix(5)),
            "descending by rank with limit 5 gave \(descending.map(\.id))"
        )
        let storage = try await store.read(purpose: nil) { db in try await db.fetch(RecordQuery<ConformanceNote>.all) }
        try expect(storage.map(\.id) == all.map(\.id), "storage order is insertion order")
        let nothing = try await store.read(purpose: nil) { db in
            try await db.fetch(RecordQuery<ConformanceNote>.all.limited(to: 0))
        }
        try expect(nothing.isEmpty, "limit 0 returns nothing")
    }

    static func streaming(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let count = 3_000
        let all = notes(count)
        try await store.write(purpose: nil) { db in try await db.put(contentsOf: all) }
        let (visited, inOrder) = try await store.read(purpose: nil) { db in
            var visited = 0
            var inOrder = true
            try await db.forEach(RecordQuery<ConformanceNote>.all) { note in
                inOrder = inOrder && note.id == "n\(visited)"
                visited += 1
                return true
            }
            return (visited, inOrder)
        }
        try expect(visited == count && inOrder, "a full scan visited \(visited) of \(count), in order: \(inOrder)")
        let stopped = try await store.read(purpose: nil) { db in
            var seen = 0
            try await db.forEach(RecordQuery<ConformanceNote>.all) { _ in
                seen += 1
                return seen < 3
            }
            return seen
        }
        try expect(stopped == 3, "a scan whose body returns false stops: saw \(stopped)")
        let later = try await store.read(purpose: nil) { db in try await db.count(RecordQuery<ConformanceNote>.all) }
        try expect(later == count, "an early stop leaves the store readable: \(later)")
    }

    static func rollback(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.write(purpose: nil) { db in try await db.put(ConformanceNote(id: "kept", rank: 1, tag: nil)) }
        let before = try await subject.auditLog.size()
        try await expectThrows(ConformanceFailure.self) {
            try await store.write(purpose: Purpose(constant: "conformance.abandoned")) { db in
                try await db.put(ConformanceNote(id: "lost", rank: 2, tag: nil))
                try await db.delete(ConformanceNote.self, key: RecordKey("kept"))
                throw ConformanceFailure(description: "abandon")
            }
        }
        let ids = try await store.read(purpose: nil) { db in try await db.fetch(RecordQuery<ConformanceNote>.all) }
            .map(\.id)
        try expect(ids == ["kept"], "after a thrown write the store holds \(ids)")
        let after = try await subject.auditLog.size()
        try expect(after == before, "a rolled-back write leaves no audit entry (\(before) → \(after))")
    }

    static func concurrency(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.write(purpose: nil) { db in
            try await db.put(ConformanceNote(id: "left", rank: 0, tag: nil))
            try await db.put(ConformanceNote(id: "right", rank: 0, tag: nil))
        }
        let writers = 4
        let rounds = 15
        let torn = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    for _ in 0..<rounds {
                        try await store.write(purpose: nil) { db in
                            guard let left = try await db.get(ConformanceNote.self, key: RecordKey("left")) else {
                                throw fail("left vanished")
                            }
                            try await db.put(ConformanceNote(id: "left", rank: left.rank + 1, tag: nil))
                            try await db.put(ConformanceNote(id: "right", rank: left.rank + 1, tag: nil))
                        }
                    }
                    return 0
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    var torn = 0
                    for _ in 0..<rounds * 2 {
                        let (left, right) = try await store.read(purpose: nil) { db in
                            (
                                try await db.get(ConformanceNote.self, key: RecordKey("left"))?.rank,
                                try await db.get(ConformanceNote.self, key: RecordKey("right"))?.rank
                            )
                        }
                        if left != right { torn += 1 }
                    }
                    return torn
                }
            }
            return try await group.reduce(0, +)
        }
        try expect(torn == 0, "\(torn) reads saw half a transaction")
        let final = try await store.read(purpose: nil) { db in
            try await db.get(ConformanceNote.self, key: RecordKey("left"))?.rank
        }
        try expect(final == Int64(writers * rounds), "serialised writers counted to \(final ?? -1)")
    }

    static func purposes(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let person = ConformancePerson.sample(1)
        try await store.write(purpose: Purpose(constant: "conformance.registration")) { db in try await db.put(person) }
        try await expectThrows(StoreError.self) {
            _ = try await store.read(purpose: nil) { db in
                try await db.get(ConformancePerson.self, key: person.recordKey)
            }
        }
        try await expect(StoreError.purposeRequired(kind: ConformancePerson.recordKind, field: "id")) {
            _ = try await store.read(purpose: nil) { db in try await db.fetch(RecordQuery<ConformancePerson>.all) }
        }
        let counted = try await store.read(purpose: nil) { db in try await db.count(RecordQuery<ConformancePerson>.all)
        }
        try expect(counted == 1, "counting reads no field and needs no purpose")
        let before = try await subject.auditLog.size()
        let read = try await store.read(purpose: Purpose(constant: "conformance.eligibility")) { db in
            try await db.get(ConformancePerson.self, key: person.recordKey)
        }
        try expect(read == person, "a read with a purpose returns the record")
        let after = try await subject.auditLog.size()
        try expect(after == before + 1, "a sensitive read adds one audit entry (\(before) → \(after))")
        let entry = try await subject.auditLog.entry(at: before)
        try expect(entry.action == "read", "the read is audited as read, not \(entry.action)")
        try expect(entry.purpose == "conformance.eligibility", "the audit entry carries the purpose")
        let clear = Array(person.id.utf8)
        try expect(!entry.subject.isEmpty && entry.subject != clear, "the audit subject is a keyed hash, not the key")
        let written = try await subject.auditLog.entry(at: 0)
        try expect(
            written.action == "put" && written.purpose == "conformance.registration",
            "the put was audited with its purpose: \(written.action) \(written.purpose)"
        )
    }

    static func searchable(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let people = (0..<5).map(ConformancePerson.sample)
        try await store.write(purpose: Purpose(constant: "conformance.registration")) { db in
            try await db.put(contentsOf: people)
        }
        let found = try await store.read(purpose: Purpose(constant: "conformance.lookup")) { db in
            try await db.fetch(RecordQuery<ConformancePerson>.filter("phone", equals: .text(people[3].phone)))
        }
        try expect(found == [people[3]], "equality on a searchable index finds the record")
        try await expect(
            StoreError.unsupportedQuery(
                kind: ConformancePerson.recordKind,
                field: "phone",
                reason: "a searchable sensitive index supports equality only"
            )
        ) {
            _ = try await store.read(purpose: Purpose(constant: "conformance.lookup")) { db in
                try await db.fetch(RecordQuery<ConformancePerson>.filter("phone", from: .text("1"), to: .text("2")))
            }
        }
        try await expect(
            StoreError.unsupportedQuery(
                kind: ConformancePerson.recordKind,
                field: "phone",
                reason: "a searchable sensitive index cannot order results"
            )
        ) {
            _ = try await store.read(purpose: Purpose(constant: "conformance.lookup")) { db in
                try await db.fetch(RecordQuery<ConformancePerson>.all.ordered(by: "phone"))
            }
        }
    }

    static func upgrades(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.write(purpose: nil) { db in try await db.put(VersionedNoteV1(id: "v", title: "two words")) }
        let upgraded = try await store.read(purpose: nil) { db in
            try await db.get(VersionedNote.self, key: RecordKey("v"))
        }
        try expect(
            upgraded == VersionedNote(id: "v", title: "two words", words: 2),
            "a version-1 record reads as version 2 through its upgrade: \(String(describing: upgraded))"
        )
        try await expect(StoreError.noUpgrade(kind: VersionedNote.recordKind, fromVersion: 1, toVersion: 3)) {
            _ = try await store.read(purpose: nil) { db in try await db.get(VersionedNoteV3.self, key: RecordKey("v")) }
        }
    }

    static func refusals(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        try await store.write(purpose: nil) { db in try await db.put(ConformanceNote(id: "a", rank: 1, tag: nil)) }
        try await expect(StoreError.invalidName("Bad-Kind")) {
            try await store.write(purpose: nil) { db in
                try await db.put(ConformanceNote(id: "b", rank: 2, tag: nil))
                try await db.put(BadlyNamed(id: "x"))
            }
        }
        try await expect(StoreError.unknownIndex(kind: ConformanceNote.recordKind, field: "colour")) {
            _ = try await store.read(purpose: nil) { db in
                try await db.fetch(RecordQuery<ConformanceNote>.filter("colour", equals: .text("red")))
            }
        }
        let ids = try await store.read(purpose: nil) { db in try await db.fetch(RecordQuery<ConformanceNote>.all) }
            .map(\.id)
        try expect(ids == ["a"], "a refused write changes nothing: \(ids)")
    }

    static func staleHandle(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let handle = try await store.write(purpose: nil) { db in db }
        try await expectThrows(StoreError.self) {
            try await handle.put(ConformanceNote(id: "late", rank: 0, tag: nil))
        }
        let count = try await store.read(purpose: nil) { db in try await db.count(RecordQuery<ConformanceNote>.all) }
        try expect(count == 0, "a stale handle wrote nothing")
    }

    static func replay(_ subject: StoreUnderTest) async throws {
        let guardian = subject.replayGuard
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let expires = now.addingTimeInterval(300)
        let first = try await guardian.markSeen(issuer: "A/x", id: "1", expiresAt: expires, now: now)
        let again = try await guardian.markSeen(
            issuer: "A/x",
            id: "1",
            expiresAt: expires,
            now: now.addingTimeInterval(5)
        )
        let other = try await guardian.markSeen(issuer: "B/x", id: "1", expiresAt: expires, now: now)
        let expired = try await guardian.markSeen(
            issuer: "A/x",
            id: "1",
            expiresAt: expires.addingTimeInterval(600),
            now: expires.addingTimeInterval(1)
        )
        try expect(
            first && !again && other && expired,
            "new, seen, other issuer, after expiry: \(first) \(again) \(other) \(expired)"
        )
    }

    static func auditProofs(_ subject: StoreUnderTest) async throws {
        let store = subject.store
        let log = subject.auditLog
        let crypto = OpenSSLCryptoProvider()
        let tree = MerkleTree(algorithm: subject.digest, provider: crypto)
        let key = try crypto.generateSigningKey(.ed25519)
        var checkpoints: [SignedCheckpoint] = []
        for batch in [1, 3, 7, 2] {
            let start = try await log.size()
            try await store.write(purpose: Purpose(constant: "conformance.audit")) { db in
                for n in start..<start + batch { try await db.appendAudit(conformanceEntry(n)) }
            }
            checkpoints.append(try await log.checkpoint(signingWith: key, keyName: "conformance"))
        }
        let size = try await log.size()
        try expect(size == 13, "13 entries appended, the log has \(size)")
        let leaves = try await (0..<size).asyncMap { try tree.leafHash(try await log.entry(at: $0).canonicalBytes) }
        let head = try await log.treeHead()
        try expect(head.size == size && head.rootHash == (try tree.rootHash(leafHashes: leaves)), "the tree head")
        for index in [0, 5, 12] {
            let proof = try await log.inclusionProof(index: index, treeSize: size)
            try expect(
                try tree.verifyInclusion(
                    leafHash: leaves[index],
                    index: index,
                    treeSize: size,
                    proof: proof,
                    rootHash: head.rootHash
                ),
                "the inclusion proof of entry \(index) verifies"
            )
        }
        for (old, new) in zip(checkpoints, checkpoints.dropFirst()) {
            let proof = try await log.consistencyProof(from: old.checkpoint.size, to: new.checkpoint.size)
            try expect(
                try tree.verifyConsistency(
                    oldSize: old.checkpoint.size,
                    newSize: new.checkpoint.size,
                    oldRoot: old.checkpoint.rootHash,
                    newRoot: new.checkpoint.rootHash,
                    proof: proof
                ),
                "the consistency proof \(old.checkpoint.size) → \(new.checkpoint.size) verifies"
            )
        }
        let stored = try await log.checkpoints()
        try expect(stored == checkpoints, "the signed checkpoints are kept in order")
        try expect(stored.allSatisfy { $0.isValid(for: key.publicKey, crypto: crypto) }, "checkpoint signatures verify")
        let verification = try await log.verify()
        try expect(verification.isValid && verification.size == 13, "the log verifies: \(verification)")
        try await expect(AuditLogError.noSuchEntry(index: 13, size: 13)) { _ = try await log.entry(at: 13) }
    }

    static func conformanceEntry(_ n: Int) -> AuditEntry {
        AuditEntry(
            time: Date(timeIntervalSince1970: 1_780_000_000 + Double(n)),
            actor: "12321200MB0000000X/conformance",
            action: "exchange.open",
            subject: Array(repeating: UInt8(n % 256), count: 32),
            purpose: Purpose(constant: "conformance.audit"),
            outcome: .success,
            envelopeDigest: Array(repeating: 0xAB, count: 32)
        )
    }
}

extension Sequence where Element: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
