import Foundation
import SocietyCore
import SocietyServices
import SocietyTesting
import Testing

/// A verifier that accepts the presentation `good:<nonce>` and refuses anything else, standing in
/// for the offline certificate verifier (tested on real presentations in SocietyCertificatesTests).
struct StandInVerifier: MaterialVerifier {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "the issuer's signature does not verify" }
    }

    func verifyCertificate(
        _ presentation: String,
        type: String,
        holder: Applicant,
        nonce: String
    ) async throws -> String {
        guard presentation == "good:\(nonce)" else { throw Refused() }
        return "CERT-\(type)"
    }
}

@Suite("Materials at submission")
struct MaterialsTests {
    static let digest = "sha256:" + String(repeating: "0f", count: 32)

    /// A desk offering a care subsidy that asks for a bank card and accepts a disability
    /// e-certificate instead of the paper assessment, and a bundle of it with a filing that also
    /// asks for the bank card.
    func desk(verifier: (any MaterialVerifier)?) throws -> (ApplicationService, InMemoryStore) {
        let clock = FixedWallClock(try CalendarDate(iso8601: "2026-03-02").startInstant + 36_000)
        let store = try InMemoryStore(clock: clock, actor: "test/services")
        let limit = try TimeLimit(statutory: 20, promised: 10)
        let catalogue = try ServiceCatalogue(
            [
                try ServiceEntry(
                    code: "care-subsidy",
                    name: "care subsidy",
                    department: "test-dpf",
                    legalBasis: ["test regulation"],
                    applicant: .resident,
                    materials: [
                        .document(name: "bank card"),
                        .certificate(type: "disability", replaces: "disability assessment"),
                        .exchange(service: "ps.facts", replaces: "household register"),
                    ],
                    channels: [.online],
                    timeLimit: limit,
                    outcome: .payment
                ),
                try ServiceEntry(
                    code: "card-filing",
                    name: "card filing",
                    department: "test-onecard",
                    legalBasis: ["test regulation"],
                    applicant: .resident,
                    materials: [.document(name: "bank card")],
                    channels: [.online],
                    timeLimit: limit,
                    outcome: .decision
                ),
            ],
            bundles: [try ServiceBundle(code: "care-bundle", name: "care", parts: ["care-subsidy", "card-filing"])]
        )
        let desk = ApplicationService(
            ports: ServicePorts(store: store, crypto: store.crypto, keys: store.keys, clock: clock),
            catalogue: catalogue,
            calendar: try PublishedCalendar.official(),
            materialVerifier: verifier
        )
        return (desk, store)
    }

    func submit(
        _ desk: ApplicationService,
        _ id: String,
        _ materials: [SuppliedMaterial]
    ) async throws -> ApplicationRecord {
        let person = try ResidentID("321202196005010117")
        _ = try await desk.submit(
            id: id,
            service: "care-subsidy",
            applicant: .resident(person),
            district: try DivisionCode("321202"),
            materials: materials,
            by: "portal"
        )
        return try await desk.application(id)
    }

    @Test("a presented e-certificate replaces the paper document; the desk keeps its number, not the presentation")
    func certificateReplacesDocument() async throws {
        let (desk, _) = try desk(verifier: StandInVerifier())
        let record = try await submit(
            desk,
            "m-1",
            [
                .document(name: "bank card", digest: Self.digest),
                .certificate(type: "disability", presentation: "good:m-1"),
            ]
        )
        #expect(
            record.materials == [
                .document(name: "bank card", digest: Self.digest),
                .certificate(type: "disability", number: "CERT-disability"),
            ]
        )
        // The paper assessment is still accepted in its place.
        let paper = try await submit(
            desk,
            "m-2",
            [
                .document(name: "bank card", digest: Self.digest),
                .document(name: "disability assessment", digest: Self.digest),
            ]
        )
        #expect(paper.materials.last == .document(name: "disability assessment", digest: Self.digest))
    }

    @Test("a missing, unexpected, repeated or unverifiable material is a typed refusal and nothing is stored")
    func refusals() async throws {
        let (desk, _) = try desk(verifier: StandInVerifier())
        let card = SuppliedMaterial.document(name: "bank card", digest: Self.digest)
        let cases: [([SuppliedMaterial], ServicesError)] = [
            ([], .missingMaterial(service: "care-subsidy", material: "bank card")),
            (
                [card],
                .missingMaterial(
                    service: "care-subsidy",
                    material: "disability assessment (or a disability e-certificate)"
                )
            ),
            ([card, .document(name: "passport", digest: Self.digest)], .unexpectedMaterial("passport")),
            ([card, card], .unexpectedMaterial("bank card")),
            (
                [card, .document(name: "household register", digest: Self.digest)],
                .unexpectedMaterial("household register")  // fetched by envelope: nothing to hand in
            ),
            (
                [.document(name: "bank card", digest: "md5:abc")],
                .unverifiableMaterial(
                    material: "bank card",
                    reason: "the digest must be sha256: or sm3: followed by 64 lowercase hex digits"
                )
            ),
            (
                [card, .certificate(type: "disability", presentation: "good:another-application")],
                .unverifiableMaterial(
                    material: "disability e-certificate",
                    reason: "the issuer's signature does not verify"
                )
            ),
            (
                [card, .certificate(type: "veteran", presentation: "good:m-9")],
                .unexpectedMaterial("veteran e-certificate")
            ),
        ]
        for (materials, expected) in cases {
            await #expect(throws: expected) { try await submit(desk, "m-9", materials) }
        }
        await #expect(throws: ServicesError.unknownApplication("m-9")) { try await desk.application("m-9") }
        #expect(try await desk.counts().isEmpty)

        let (plain, _) = try self.desk(verifier: nil)
        await #expect(
            throws: ServicesError.unverifiableMaterial(
                material: "disability e-certificate",
                reason: "this desk has no e-certificate verifier"
            )
        ) {
            try await submit(plain, "m-9", [card, .certificate(type: "disability", presentation: "good:m-9")])
        }
    }

    @Test("a bundle takes one set of materials: a document two parts ask for is handed in once")
    func bundleMaterials() async throws {
        let (desk, _) = try desk(verifier: StandInVerifier())
        let head = try ResidentID("321202196005010117")
        _ = try await desk.submit(
            id: "life-1",
            bundle: "care-bundle",
            applicant: .household(head: head),
            district: try DivisionCode("321202"),
            materials: [
                .document(name: "bank card", digest: Self.digest),
                .certificate(type: "disability", presentation: "good:life-1"),
            ],
            by: "portal"
        )
        #expect(
            try await desk.application("life-1/card-filing").materials == [
                .document(name: "bank card", digest: Self.digest)
            ]
        )
        #expect(try await desk.application("life-1/care-subsidy").materials.count == 2)
    }

    /// A desk record as schema version 1 stored it, before materials were kept.
    struct StoredVersion1: StorableRecord, Hashable {
        static let recordKind = ApplicationRecord.recordKind
        static let sensitiveFields: Set<String> = ["applicant"]
        var recordKey: RecordKey { RecordKey(application.id) }
        let application: ServiceApplication
        let applicant: Applicant
        let department: String
        let district: DivisionCode
    }

    @Test("a desk record stored before materials were kept reads with none")
    func upgrade() async throws {
        let (desk, store) = try desk(verifier: nil)
        let old = StoredVersion1(
            application: ServiceApplication(
                id: "old-1",
                serviceCode: "card-filing",
                timeLimit: try TimeLimit(statutory: 20, promised: 10),
                submitted: try CalendarDate(iso8601: "2026-02-27"),
                by: "portal"
            ),
            applicant: .resident(try ResidentID("321202196005010117")),
            department: "test-onecard",
            district: try DivisionCode("321202")
        )
        try await store.write(purpose: nil) { db in try await db.put(old) }
        let record = try await desk.application("old-1")
        #expect(record.application == old.application)
        #expect(record.materials.isEmpty)
        #expect(try await desk.counts().map(\.received) == [1])
    }
}
