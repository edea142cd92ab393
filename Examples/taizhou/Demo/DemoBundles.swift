import Foundation
import SocietyCore
import SocietyDeployment
import SocietyServices

/// The assistance bundle (一件事) in the demo: each household's application goes in once, as one
/// bundle on the application desk, and each department moves its own part as the assistance flow
/// reaches it — the application decided by civil affairs, the economic verification done by
/// envelope, the payment made through the one-card, the family-doctor contract signed.
struct DemoBundles {
    let desk: ApplicationService
    static let bundle = "assistance-bundle"
    static let actor = "demo"

    init(department: OpenedDepartment) throws {
        desk = ApplicationService(
            ports: department.ports,
            catalogue: try ServiceCatalogue(json: Data(ReferenceCatalogue.json.utf8)),
            calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
        )
    }

    static func id(of application: String) -> String { "bundle-\(application)" }

    func part(_ id: String, _ service: String) -> String { ApplicationService.partID(id, service) }

    /// The household applies: one bundle, four parts.
    func submit(_ application: String, head: ResidentID, district: DivisionCode) async throws {
        _ = try await desk.submit(
            id: Self.id(of: application),
            bundle: Self.bundle,
            applicant: .household(head: head),
            district: district,
            by: "portal"
        )
    }

    /// Civil affairs has verified by envelope and decided; the payment and the contract go ahead only
    /// for a household paid an allowance, and are refused with the reason otherwise.
    func decided(_ application: String, eligible: Bool, paid: Bool) async throws {
        let id = Self.id(of: application)
        let (verification, decision) = (part(id, "assistance-verification"), part(id, "assistance-application"))
        try await desk.accept(verification, by: "civil-affairs")
        try await desk.complete(verification, result: "verified by envelope", by: "civil-affairs")
        try await desk.accept(decision, by: "civil-affairs")
        try await desk.review(decision, step: "eligibility decision", by: "civil-affairs")
        try await desk.complete(decision, result: eligible ? "approved" : "not eligible", by: "civil-affairs")
        for service in ["onecard-payment", "family-doctor-contract"] {
            if paid {
                try await desk.accept(part(id, service), by: service == "onecard-payment" ? "onecard" : "family-doctor")
            } else {
                let reason = eligible ? "no allowance due" : "household not eligible"
                try await desk.refuse(part(id, service), reasons: [reason], by: "civil-affairs")
            }
        }
    }

    /// The one-card paid the month's allowance.
    func paid(_ application: String) async throws {
        try await desk.complete(part(Self.id(of: application), "onecard-payment"), result: "paid", by: "onecard")
    }

    /// The family doctor signed the household's head.
    func contracted(_ application: String) async throws {
        try await desk.complete(
            part(Self.id(of: application), "family-doctor-contract"),
            result: "contract signed",
            by: "family-doctor"
        )
    }

    /// How the bundles stand: submitted, done, done with every part completed, and the parts
    /// completed on time.
    func summary(
        _ applications: [String]
    ) async throws -> (submitted: Int, done: Int, allCompleted: Int, onTime: Int, parts: Int) {
        var (done, allCompleted) = (0, 0)
        for application in applications {
            let status = try await desk.bundleStatus(Self.id(of: application), bundle: Self.bundle)
            if status.isDone { done += 1 }
            if status.results.count == status.parts.count { allCompleted += 1 }
        }
        let counts = try await desk.counts()
        return (
            applications.count, done, allCompleted, counts.reduce(0) { $0 + $1.completedOnTime },
            counts.reduce(0) { $0 + $1.received }
        )
    }
}
