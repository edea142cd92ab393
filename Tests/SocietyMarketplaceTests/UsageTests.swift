import Foundation
import SocietyCore
import SocietyExchange
import SocietyMarketplace
import SocietyTesting
import Testing

/// A resident's record in the federation's store, keyed by their identity number.
struct DisabilityRecord: StorableRecord, Hashable {
    static let recordKind = "dpf_person"
    static let sensitiveFields: Set<String> = ["resident"]
    let resident: ResidentID
    let category: String
    var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

@Suite("Usage statements and data-use reports")
struct UsageTests {
    /// A world whose consent allows ten fetches a day.
    func world() async throws -> (ConsentWorld, ConsentGrant) {
        let world = try await ConsentWorld().ready()
        var request = try world.request()
        request.frequency = try ConsentArtefact.Frequency(limit: 10, per: .day)
        let consent = try await world.manager.grant(request)
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        return (world, consent)
    }

    @Test("the monthly statement counts each call, and the provider's own envelope ids give the same line")
    func statement() async throws {
        let (world, consent) = try await world()
        var sent: [String] = []
        for _ in 0..<3 { sent.append(try await world.fetch(consent: consent.artefact.id).claims.id) }
        let signed = try await world.registry.statement(
            for: world.app,
            month: "2026-11",
            signer: world.federationSigner,
            auditLog: try world.federationAudit
        )
        try signed.verify(trustList: world.trustList, crypto: world.crypto)
        let read = try SignedUsageStatement(parsing: signed.compact)
        #expect(read.statement == signed.statement)
        #expect(read.statement.calls == 3)
        #expect(read.statement.auditSize == (try await world.federationAudit.size()))
        // The provider recomputes the line from the ids of the envelopes it sent.
        let mine = try UsageStatement.line(service: ConsentWorld.service, envelopes: sent, crypto: world.crypto)
        #expect(read.statement.lines == [mine])
        // One call fewer does not match: a disputed statement is visible call by call.
        let fewer = try UsageStatement.line(
            service: ConsentWorld.service,
            envelopes: Array(sent.dropLast()),
            crypto: world.crypto
        )
        #expect(read.statement.lines != [fewer])
        // Another month has nothing; a statement signed by someone else does not verify.
        let december = try await world.registry.statement(
            for: world.app,
            month: "2026-12",
            signer: world.federationSigner,
            auditLog: try world.federationAudit
        )
        #expect(december.statement.lines.isEmpty)
        let forged = try await world.registry.statement(
            for: world.app,
            month: "2026-11",
            signer: DocumentSigner(party: world.federation, key: world.appKey, kid: "app-1"),
            auditLog: try world.federationAudit
        )
        #expect(throws: ConsentError.self) { try forged.verify(trustList: world.trustList, crypto: world.crypto) }
    }

    @Test("who used my data: the department's own reads and writes of the resident's record and each provider call")
    func dataUses() async throws {
        let (world, consent) = try await world()
        let store = world.federationStore
        try await store.write(purpose: Purpose(constant: "dpf.registry")) { db in
            try await db.put(DisabilityRecord(resident: world.resident, category: "physical"))
            try await db.put(DisabilityRecord(resident: try ResidentID("11010519491231002X"), category: "visual"))
        }
        _ = try await store.read(purpose: Purpose(constant: "dpf.answer")) { db in
            try await db.get(DisabilityRecord.self, key: RecordKey(sensitive: world.resident.unmasked))
        }
        try await world.fetch(consent: consent.artefact.id)
        world.clock.advance(days: 1)
        try await world.fetch(consent: consent.artefact.id)

        let (report, signed) = try await world.registry.dataUses(
            of: world.resident,
            kinds: [DisabilityRecord.recordKind],
            auditLog: try world.federationAudit,
            signer: world.federationSigner
        )
        let calls = report.uses.filter { $0.action == "provider call" }
        #expect(calls.count == 2)
        #expect(calls.allSatisfy { $0.party == world.app.text && $0.consent == consent.artefact.id })
        #expect(calls.allSatisfy { $0.purpose == ConsentWorld.purpose.code && $0.service == ConsentWorld.service })
        let own = report.uses.filter { $0.action != "provider call" }
        #expect(own.map(\.purpose) == ["dpf.registry", "dpf.answer"])
        #expect(report.uses.map(\.at) == report.uses.map(\.at).sorted())
        // The other resident's record is not in the report; the signed report names nobody.
        #expect(own.count == 2)
        #expect(!signed.contains(world.resident.unmasked))
    }
}
