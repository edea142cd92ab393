import Foundation
import SocietyCore
import SocietyExchange
import SocietyOpenSSL
import SocietySQLite
import Testing

/// Every envelope sealed or opened leaves an entry in the party's own audit log (the real SQLite
/// log here), and both sides record the same digest of what went over the wire.
@Suite("Exchange audit")
struct ExchangeAuditTests {
    /// Two parties' stores in a temporary folder, with their exchange audits.
    struct Logs {
        let directory: URL
        let civil: SQLiteStore
        let hrss: SQLiteStore
        let civilAudit: ExchangeAudit
        let hrssAudit: ExchangeAudit

        init(_ city: ExchangeFixture) throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-audit-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            let keys = try StaticKeyProvider.random(using: city.crypto)
            let subjects = AuditSubjectHasher(
                key: try keys.currentKey(for: .auditSubject),
                digest: .sha256,
                crypto: city.crypto
            )
            let configuration = SQLiteConfiguration(protection: RecordProtection(crypto: city.crypto, keys: keys))
            civil = try SQLiteStore(
                path: directory.appendingPathComponent("civil.sqlite").path,
                configuration: configuration
            )
            hrss = try SQLiteStore(
                path: directory.appendingPathComponent("hrss.sqlite").path,
                configuration: configuration
            )
            let clock = FixedWallClock(city.now)
            civilAudit = ExchangeAudit(log: civil.auditLog, subjects: subjects, crypto: city.crypto, clock: clock)
            hrssAudit = ExchangeAudit(log: hrss.auditLog, subjects: subjects, crypto: city.crypto, clock: clock)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static func sealer(_ city: ExchangeFixture, audit: ExchangeAudit) throws -> EnvelopeSealer {
        EnvelopeSealer(
            issuer: city.civil,
            key: try #require(city.keys[.ed25519]),
            kid: "civil-ed25519",
            crypto: city.crypto,
            clock: FixedWallClock(city.now),
            audit: audit
        )
    }

    static func opener(_ city: ExchangeFixture, audit: ExchangeAudit) -> EnvelopeOpener {
        EnvelopeOpener(
            me: city.hrss,
            trustList: city.list,
            crypto: city.crypto,
            clock: FixedWallClock(city.now),
            replayGuard: InMemoryReplayGuard(),
            decryptionKeys: Dictionary(
                uniqueKeysWithValues: city.providerDecryptionKeys.map { ("hrss-enc-\($0.key.rawValue)", $0.value) }
            ),
            audit: audit
        )
    }

    @Test("a sealed and opened envelope is one entry on each side, with the same digest and subject")
    func sealAndOpen() async throws {
        let city = try ExchangeFixture()
        let logs = try Logs(city)
        defer { logs.remove() }
        let text = try await Self.sealer(city, audit: logs.civilAudit).seal(city.request())
        let opened = try await Self.opener(city, audit: logs.hrssAudit).open(text)
        let sent = try await logs.civil.auditLog.entry(at: 0)
        let received = try await logs.hrss.auditLog.entry(at: 0)
        #expect(try await logs.civil.auditLog.size() == 1)
        #expect(try await logs.hrss.auditLog.size() == 1)
        #expect(sent.action == "exchange.seal" && sent.actor == city.civil.text && sent.outcome == .success)
        #expect(received.action == "exchange.open" && received.actor == city.hrss.text)
        #expect(sent.purpose == "assistance.verification" && received.purpose == "assistance.verification")
        #expect(sent.envelopeDigest == (try city.crypto.digest(.sha256, of: Array(text.utf8))))
        #expect(sent.envelopeDigest == received.envelopeDigest)
        #expect(sent.subject == received.subject)
        #expect(sent.subject.count == 32)
        // The entry holds no clear identifier: not the envelope id, not the data.
        let bytes = received.canonicalBytes
        #expect(bytes.firstRange(of: Array(opened.claims.id.utf8)) == nil)
        #expect(bytes.firstRange(of: Array("3212".utf8)) == nil)
        #expect(try await logs.hrss.auditLog.verify().isValid)
    }

    @Test("a replayed and a forged envelope are each recorded as refused, with the check that failed")
    func refusals() async throws {
        let city = try ExchangeFixture()
        let logs = try Logs(city)
        defer { logs.remove() }
        let opener = Self.opener(city, audit: logs.hrssAudit)
        let text = try await Self.sealer(city, audit: logs.civilAudit).seal(city.request())
        _ = try await opener.open(text)
        await #expect(throws: EnvelopeError.self) { try await opener.open(text) }
        var forged = Array(text.utf8)
        forged[forged.count - 5] = forged[forged.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        await #expect(throws: EnvelopeError.self) { try await opener.open(String(decoding: forged, as: UTF8.self)) }
        let log = logs.hrss.auditLog
        #expect(try await log.size() == 3)
        let replay = try await log.entry(at: 1)
        #expect(replay.action == "exchange.refused.replay" && replay.outcome == .denied && replay.purpose.isEmpty)
        let forgery = try await log.entry(at: 2)
        #expect(forgery.action == "exchange.refused.signature" && forgery.outcome == .denied)
        #expect(forgery.envelopeDigest == (try city.crypto.digest(.sha256, of: forged)))
    }

    @Test("a confidential envelope is recorded by the digest of the encrypted text both sides hold")
    func confidential() async throws {
        let city = try ExchangeFixture()
        let logs = try Logs(city)
        defer { logs.remove() }
        let draft = city.request(level: .important, service: ExchangeFixture.wageService)
        let text = try await Self.sealer(city, audit: logs.civilAudit).seal(
            draft,
            encryptingTo: city.recipient(.x25519)
        )
        _ = try await Self.opener(city, audit: logs.hrssAudit).open(text)
        let sent = try await logs.civil.auditLog.entry(at: 0)
        #expect(sent.envelopeDigest == (try city.crypto.digest(.sha256, of: Array(text.utf8))))
        #expect(sent.envelopeDigest == (try await logs.hrss.auditLog.entry(at: 0)).envelopeDigest)
    }

    @Test("a batch is one seal entry per envelope")
    func batch() async throws {
        let city = try ExchangeFixture()
        let logs = try Logs(city)
        defer { logs.remove() }
        let envelopes = try await Self.sealer(city, audit: logs.civilAudit).sealBatch(
            (0..<5).map { _ in city.request() }
        )
        #expect(try await logs.civil.auditLog.size() == 5)
        for (index, envelope) in envelopes.enumerated() {
            let entry = try await logs.civil.auditLog.entry(at: index)
            #expect(entry.envelopeDigest == (try city.crypto.digest(.sha256, of: Array(envelope.utf8))))
        }
    }

    /// A log that cannot be written, as when the disk is full.
    struct UnwritableLog: AuditLog {
        struct Unwritable: Error {}
        func append(_ entries: [AuditEntry]) throws -> Range<Int> { throw Unwritable() }
        func size() throws -> Int { 0 }
        func entry(at index: Int) throws -> AuditEntry { throw Unwritable() }
        func treeHead() throws -> AuditCheckpoint { throw Unwritable() }
        func checkpoint(signingWith key: some SigningKey, keyName: String) throws -> SignedCheckpoint {
            throw Unwritable()
        }
        func checkpoints() throws -> [SignedCheckpoint] { [] }
        func inclusionProof(index: Int, treeSize: Int) throws -> [[UInt8]] { throw Unwritable() }
        func consistencyProof(from oldSize: Int, to newSize: Int) throws -> [[UInt8]] { throw Unwritable() }
        func verify() throws -> AuditVerification { throw Unwritable() }
    }

    @Test("an envelope that cannot be audited is refused, and a seal that cannot be audited throws")
    func auditUnavailable() async throws {
        let city = try ExchangeFixture()
        let logs = try Logs(city)
        defer { logs.remove() }
        let unwritable = ExchangeAudit(
            log: UnwritableLog(),
            subjects: AuditSubjectHasher(
                key: SymmetricKey(id: "k", bytes: Array(repeating: 7, count: 32)),
                digest: .sha256,
                crypto: city.crypto
            ),
            crypto: city.crypto,
            clock: FixedWallClock(city.now)
        )
        let text = try await Self.sealer(city, audit: logs.civilAudit).seal(city.request())
        await #expect {
            try await Self.opener(city, audit: unwritable).open(text)
        } throws: { error in
            if case .auditUnavailable = error as? EnvelopeError { return true }
            return false
        }
        await #expect(throws: UnwritableLog.Unwritable.self) {
            try await Self.sealer(city, audit: unwritable).seal(city.request())
        }
    }
}
