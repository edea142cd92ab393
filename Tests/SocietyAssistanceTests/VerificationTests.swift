import Foundation
import SocietyAssistance
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import SocietyTesting
import Testing

/// The household economic verification by envelope, with each department on an in-memory store.
@Suite("Household economic verification on the in-memory store")
struct VerificationTests {
    /// A city whose members' stores are in memory, audited under their own party.
    func city(_ profile: VerificationProfile = .standard) throws -> VerificationCity<InMemoryStore> {
        try VerificationCity(crypto: OpenSSLCryptoProvider(), profile: profile) { _, actor, clock in
            let store = try InMemoryStore(clock: clock, actor: actor.text, origin: "test", profile: profile.storage)
            return (store, store.auditLog)
        }
    }

    /// The family's facts in the two departments: one wage of ¥1,800, one dwelling.
    func holdFamily(_ city: VerificationCity<InMemoryStore>) async throws -> [ResidentID] {
        let family = try VerificationCity<InMemoryStore>.family()
        try await city.hold(
            [
                family[0]: ["monthlyWage": 180_000, "monthlyPension": 0],
                family[1]: ["monthlyWage": 0, "monthlyPension": 0],
            ],
            for: VerificationService.labour
        )
        try await city.hold([family[0]: ["dwellings": 1]], for: VerificationService.property)
        return family
    }

    @Test(
        "facts come by envelope, important ones encrypted both ways, each with its envelope's digest; the decision follows",
        arguments: [VerificationProfile.standard, .national]
    )
    func verifiesByEnvelope(profile: VerificationProfile) async throws {
        let city = try city(profile)
        let family = try await holdFamily(city)
        let (facts, exchanges) = try await city.verify(family)

        #expect(exchanges.map(\.service) == VerificationCity<InMemoryStore>.services)
        for exchange in exchanges {
            // A compact JWE has five parts, a compact JWS three.
            let parts = exchange.service == VerificationService.labour ? 5 : 3
            #expect(exchange.request.split(separator: ".").count == parts, "\(exchange.service) request")
            #expect(exchange.answer.split(separator: ".").count == parts, "\(exchange.service) answer")
        }
        let (wage, source) = try #require(facts.members[0].number(VerificationService.labour, "monthlyWage"))
        #expect(wage == 180_000)
        #expect(source.service == VerificationService.labour)
        #expect(source.envelopeDigest.hasPrefix("\(profile.signature == .sm2 ? "sm3" : "sha256"):"))
        #expect(facts.members[0].number(VerificationService.property, "dwellings")?.0 == 1)
        #expect(facts.members[2].number(VerificationService.labour, "monthlyWage") == nil)

        let decision = try EligibilityEvaluator(today: VerificationCity<InMemoryStore>.today).decide(facts)
        #expect(decision.category == .minimumLiving)
        #expect(decision.monthlyAmount == Money(fen: 108_000))
        #expect(decision.results[0].facts.first?.source == source)
    }

    @Test("both sides audit every envelope, the department audits its read, and every log verifies")
    func audited() async throws {
        let city = try city()
        let family = try await holdFamily(city)
        _ = try await city.verify(family)

        let civil = try await city.auditEntries(of: city.civilAffairs).map(\.action)
        #expect(civil.filter { $0 == "exchange.seal" }.count == 2)
        #expect(civil.filter { $0 == "exchange.open" }.count == 2)
        #expect(try await city.civilAffairs.log.verify().isValid)
        for (service, department) in city.departments {
            let entries = try await city.auditEntries(of: department)
            #expect(entries.map(\.action).contains("exchange.open"), "\(service)")
            #expect(entries.map(\.action).contains("exchange.seal"), "\(service)")
            #expect(
                entries.contains { $0.action.hasPrefix("read") && $0.purpose == VerificationService.purpose.code },
                "\(service)"
            )
            #expect(try await department.log.verify().isValid, "\(service)")
        }
    }

    @Test("a replayed request is refused, and the refusal is audited")
    func replay() async throws {
        let city = try city()
        let family = try await holdFamily(city)
        let request = try await city.verification.request(
            VerificationService.property,
            residents: family,
            application: Identifier("app-1")
        )
        let responder = try #require(city.responders[VerificationService.property])
        _ = try await responder.answer(request)
        await #expect(throws: EnvelopeError.self) { try await responder.answer(request) }
        let department = try #require(city.departments[VerificationService.property])
        let actions = try await city.auditEntries(of: department).map(\.action)
        #expect(actions.contains { $0.hasPrefix("exchange.refused.") })
    }

    @Test("an answer to another request is refused")
    func answerToAnotherRequest() async throws {
        let city = try city()
        let family = try await holdFamily(city)
        let responder = try #require(city.responders[VerificationService.property])
        // The department answers an earlier request instead of the one it was sent.
        let earlier = try await city.verification.request(
            VerificationService.property,
            residents: family,
            application: Identifier("app-0")
        )
        let stale = try await responder.answer(earlier)
        await #expect(throws: EnvelopeError.self) {
            try await city.verification.verify(
                household: Identifier("hh-1"),
                members: family,
                application: Identifier("app-1"),
                services: [VerificationService.property]
            ) { _, _ in stale }
        }
    }

    @Test("a service nobody provides is refused before anything is sealed")
    func noResponder() async throws {
        let city = try city()
        let family = try VerificationCity<InMemoryStore>.family()
        await #expect(throws: VerificationError.noResponder("nobody.facts")) {
            try await city.verify(family, services: ["nobody.facts"])
        }
        #expect(try await city.civilAffairs.log.size() == 0)
    }
}
