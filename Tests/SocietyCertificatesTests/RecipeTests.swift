import Foundation
import Logging
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyTesting
import Testing

/// The service recipe for the certificate office: an issuer built from `ServicePorts` keeps its
/// status state in the record store, throws `CertificateError` only and logs without personal data.
@Suite("Certificates: ports, record-store status state, errors, logging")
struct CertificateRecipeTests {
    @Test("the declared purposes")
    func purposes() {
        #expect(CertificateIssuer.Purposes.all.map(\.code) == ["certificates.status-lists"])
        #expect(
            RecordStoreStatusState(store: FailingStore(error: DiskFull())).purpose.code == "certificates.status-lists"
        )
    }

    @Test("the record-store status state on the in-memory store, audited under its purpose")
    func recordStoreStateInMemory() async throws {
        let store = try InMemoryStore()
        try await Self.exerciseStatusState(on: store)
        let purposes = Set(store.auditLog.entries().map(\.purpose))
        #expect(purposes == ["certificates.status-lists"])
    }

    /// What every store must do for `RecordStoreStatusState`: one record per issuer, read-modify-write
    /// in one transaction, nothing kept from a change that throws, distinct indexes under
    /// concurrency. Runs on any `RecordStore` (the SQLite suite calls it too).
    static func exerciseStatusState(on store: any RecordStore) async throws {
        let party = try Party("91320214745555318W/ecert")
        let other = try Party("113212000142871106/ecert")
        let state = RecordStoreStatusState(store: store)
        #expect(try await state.state(of: party) == nil)

        let first = try await state.update(issuer: party, initial: { fresh(party) }, { try $0.allocate() })
        // Another value over the same store sees the record: the state lives in the store.
        let reopened = RecordStoreStatusState(store: store)
        let second = try await reopened.update(
            issuer: party,
            initial: {
                Issue.record("the stored state was not found")
                return fresh(party)
            },
            { try $0.allocate() }
        )
        #expect(first != second)
        var saved = try #require(try await reopened.state(of: party))
        #expect(saved.allocated == 2)
        #expect(saved.isAllocated(first) && saved.isAllocated(second))

        // A change that throws leaves the record as it was.
        await #expect(throws: CertificateError.revocationIsFinal) {
            try await state.update(
                issuer: party,
                initial: { fresh(party) },
                { state in
                    state.allocated += 5
                    throw CertificateError.revocationIsFinal
                }
            )
        }
        #expect(try await state.state(of: party) == saved)

        // Bits round-trip through the record (the lists are kept as their encodedList text).
        try await state.update(
            issuer: party,
            initial: { fresh(party) },
            { state in
                try state.revocation.set(first, to: true)
                state.version += 1
            }
        )
        saved = try #require(try await state.state(of: party))
        #expect(try saved.status(of: first) == .revoked)
        #expect(try saved.status(of: second) == .active)
        #expect(saved.version == 1)

        // Each issuer has its own record.
        _ = try await state.update(issuer: other, initial: { fresh(other) }, { try $0.allocate() })
        #expect(try await state.state(of: other)?.allocated == 1)
        #expect(try await state.state(of: party)?.allocated == 2)

        // Concurrent allocations never hand out an index twice.
        let indexes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await state.update(issuer: party, initial: { fresh(party) }, { try $0.allocate() })
                }
            }
            var all: [Int] = []
            for try await index in group { all.append(index) }
            return all
        }
        #expect(Set(indexes + [first, second]).count == 42)
        #expect(try await state.state(of: party)?.allocated == 42)
    }

    static func fresh(_ party: Party) -> IssuerStatusState {
        IssuerStatusState(issuer: party, randomBytes: [3, 1, 4, 1, 5, 9, 2, 6])
    }

    @Test("an issuer built from ports issues, revokes and publishes with its state in the store")
    func issuerFromPorts() async throws {
        let city = try CertificateFixture()
        let store = try InMemoryStore(clock: city.clock)
        let ports = ServicePorts(
            store: store,
            crypto: store.crypto,
            keys: store.keys,
            clock: city.clock,
            logger: .silent
        )
        let issuer = try city.issuer(ports: ports)
        let issued = try await issuer.issue(
            .disability,
            to: .resident(city.resident),
            holderKey: city.holderJWK,
            claims: CertificateFixture.disabilityClaims
        )
        let index = issued.certificate.statusIndex
        let presentation = try city.present(issued, ["name", "level"])
        let verified = try city.verifier(statusLists: try await issuer.publish()).verifyPresentation(
            presentation,
            audience: city.counter.text,
            nonce: "n-0001"
        )
        #expect(verified.claims["level"] == "2")

        let revoked = try await issuer.revoke(index: index)
        #expect(throws: CertificateError.revoked) {
            try city.verifier(statusLists: revoked).verifyPresentation(
                presentation,
                audience: city.counter.text,
                nonce: "n-0001"
            )
        }
        // A second issuer on the same ports reads the same state.
        #expect(try await city.issuer(ports: ports).status(of: index) == .revoked)
        let state = try #require(try await RecordStoreStatusState(store: store).state(of: city.issuerParty))
        #expect(state.allocated == 1)
        #expect(state.version == 2)
        #expect(revoked.map(\.version) == [2, 2])
    }

    @Test("operations throw CertificateError only, wrapping what the ports throw")
    func typedErrors() async throws {
        let city = try CertificateFixture()
        func issuer(on store: any RecordStore) throws -> CertificateIssuer {
            try city.issuer(
                ports: ServicePorts(
                    store: store,
                    crypto: city.crypto,
                    keys: city.keys,
                    clock: city.clock,
                    logger: .silent
                )
            )
        }
        let refusing = try issuer(on: FailingStore(error: StoreError.invalidHandle("closed")))
        await #expect(throws: CertificateError.store(.invalidHandle("closed"))) {
            try await refusing.publish()
        }
        let failing = try issuer(on: FailingStore(error: DiskFull()))
        await #expect(throws: CertificateError.storage("disk full")) {
            try await failing.status(of: 7)
        }

        let store = try InMemoryStore(clock: city.clock)
        let working = try issuer(on: store)
        // A holder key that is not a key: refused before an index is allocated.
        let broken = JSONWebKey(kty: "OKP", crv: "Ed25519", x: "AAAA")
        await #expect(throws: CertificateError.crypto(CryptoError(.invalidKey))) {
            try await working.issue(
                .disability,
                to: .resident(city.resident),
                holderKey: broken,
                claims: CertificateFixture.disabilityClaims
            )
        }
        #expect(try await RecordStoreStatusState(store: store).state(of: city.issuerParty) == nil)
        // The type is checked at compile time: `error` is a CertificateError, with no cast.
        do {
            _ = try await working.revoke(index: 12)
            Issue.record("an index never issued was revoked")
        } catch {
            let typed: CertificateError = error
            #expect(typed == .unknownStatusIndex(12))
        }
    }

    @Test("issuing and changing status log at every level without the holder, number or claims")
    func logging() async throws {
        let city = try CertificateFixture()
        let logs = LogCapture()
        let store = try InMemoryStore(clock: city.clock)
        let ports = ServicePorts(
            store: store,
            crypto: store.crypto,
            keys: store.keys,
            clock: city.clock,
            logger: logs.logger(level: .trace)
        )
        let issuer = try city.issuer(ports: ports)
        let phone = "13812345678"
        await #expect(throws: CertificateError.self) {
            try await issuer.issue(
                .disability,
                to: .resident(city.resident),
                holderKey: city.holderJWK,
                claims: ["name": "张三", "category": "physical", "level": "2", "phone": .string(phone)]
            )
        }
        let issued = try await issuer.issue(
            .disability,
            to: .resident(city.resident),
            holderKey: city.holderJWK,
            claims: CertificateFixture.disabilityClaims
        )
        let index = issued.certificate.statusIndex
        _ = try await issuer.suspend(index: index)
        _ = try await issuer.reinstate(index: index)
        _ = try await issuer.status(of: index)
        _ = try await issuer.revoke(index: index)
        await #expect(throws: CertificateError.revocationIsFinal) { try await issuer.suspend(index: index) }
        _ = try await issuer.publish()

        let lines = logs.lines
        #expect(lines.count >= 7)
        #expect(lines.allSatisfy { $0.metadata["component"] == "certificates" })
        #expect(lines.contains { $0.message == "certificate issued" && $0.metadata["type"] == "disability" })
        #expect(lines.contains { $0.message == "operation refused" && $0.metadata["error"] == "invalidClaims" })
        for line in lines.map(\.description) {
            #expect(!line.contains(city.resident.unmasked), "a resident's number in: \(line)")
            #expect(!line.contains(issued.certificate.number), "a certificate number in: \(line)")
            #expect(!line.contains(phone), "a phone number in: \(line)")
            #expect(!line.contains("张三"), "a holder's name in: \(line)")
        }
    }
}

extension CertificateFixture {
    /// The issuer of the service recipe, on `ports`, with the Ed25519 key on the trust list.
    func issuer(ports: ServicePorts) throws -> CertificateIssuer {
        guard let key = issuerKeys[.ed25519] else { throw MissingKey() }
        return CertificateIssuer(ports: ports, party: issuerParty, key: key, kid: "ecert-ed25519")
    }

    /// Keys for ports whose store does not need them.
    var keys: any KeyProvider { StaticKeyProvider(keys: [:]) }
}

/// A store whose every transaction fails with `error`.
struct FailingStore: RecordStore {
    let error: any Error & Sendable

    func read<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T {
        throw error
    }

    func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        throw error
    }
}

/// An adapter's own failure.
struct DiskFull: Error, CustomStringConvertible {
    var description: String { "disk full" }
}
