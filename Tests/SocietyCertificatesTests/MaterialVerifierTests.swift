import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyServices
import SocietyTesting
import Testing

/// The application desk checking a real presented e-certificate: issued by the federation, shown
/// from the holder's wallet bound to the application's id, verified offline.
@Suite("E-certificates as application materials")
struct MaterialVerifierTests {
    func desk(_ city: CertificateFixture, lists: [SignedStatusList]) throws -> ApplicationService {
        let store = try InMemoryStore(clock: city.clock, actor: "test/services")
        let catalogue = try ServiceCatalogue([
            try ServiceEntry(
                code: "care-subsidy",
                name: "care subsidy for severe disability",
                department: "test-dpf",
                legalBasis: ["test regulation"],
                applicant: .resident,
                materials: [.certificate(type: CertificateType.disability.code, replaces: "disability assessment")],
                channels: [.online],
                timeLimit: try TimeLimit(statutory: 20, promised: 10),
                outcome: .payment
            )
        ])
        return ApplicationService(
            ports: ServicePorts(store: store, crypto: store.crypto, keys: store.keys, clock: city.clock),
            catalogue: catalogue,
            calendar: try PublishedCalendar.official(),
            materialVerifier: CertificateMaterialVerifier(
                verifier: city.verifier(statusLists: lists),
                audience: city.counter
            )
        )
    }

    func submit(_ desk: ApplicationService, _ id: String, by holder: ResidentID, _ presentation: String) async throws {
        _ = try await desk.submit(
            id: id,
            service: "care-subsidy",
            applicant: .resident(holder),
            district: try DivisionCode("321202"),
            materials: [.certificate(type: CertificateType.disability.code, presentation: presentation)],
            by: "portal"
        )
    }

    @Test("the holder's presentation bound to the application is accepted and kept by number; anything else is refused")
    func presentations() async throws {
        let city = try CertificateFixture()
        let issued = try await city.issueDisability()
        let lists = try await city.issuer().publish()
        let desk = try desk(city, lists: lists)

        try await submit(desk, "a-1", by: city.resident, try city.present(issued, ["number", "holder"], nonce: "a-1"))
        let record = try await desk.application("a-1")
        #expect(
            record.materials == [.certificate(type: CertificateType.disability.code, number: issued.certificate.number)]
        )

        // Each refusal is typed, names the material, says why, and stores nothing.
        let refusals: [(String, ResidentID, String, String)] = [
            // Shown for another application: the nonce does not match.
            ("a-2", city.resident, try city.present(issued, ["number", "holder"], nonce: "a-1"), "nonce"),
            // Not disclosing the holder: the desk cannot tell whose it is.
            (
                "a-3", city.resident, try city.present(issued, ["number"], nonce: "a-3"),
                "disclose the certificate's holder"
            ),
            // Someone else's certificate.
            (
                "a-4", try ResidentID("321202196005010117"),
                try city.present(issued, ["number", "holder"], nonce: "a-4"), "not the applicant's"
            ),
            // Not a presentation at all.
            ("a-5", city.resident, "not-a-certificate", "malformed"),
        ]
        for (id, applicant, presentation, reason) in refusals {
            await #expect {
                try await submit(desk, id, by: applicant, presentation)
            } throws: { error in
                guard case .unverifiableMaterial(let material, let said) = error as? ServicesError else { return false }
                return material == "\(CertificateType.disability.code) e-certificate" && said.contains(reason)
            }
            await #expect(throws: ServicesError.unknownApplication(id)) { try await desk.application(id) }
        }

        // Revoked, it is refused too.
        let revoked = try self.desk(city, lists: try await city.issuer().revoke(index: issued.certificate.statusIndex))
        await #expect {
            try await submit(
                revoked,
                "a-6",
                by: city.resident,
                try city.present(issued, ["number", "holder"], nonce: "a-6")
            )
        } throws: { error in
            guard case .unverifiableMaterial(_, let said) = error as? ServicesError else { return false }
            return said.contains("revoked")
        }
    }
}
