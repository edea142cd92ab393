import Foundation
import SocietyCore
import SocietyExchange
import SocietyHealth
import SocietyJSON
import SocietyOneCard
import SocietyServices
import SocietyTesting
import Testing

@Suite("The newborn bundle (出生一件事)")
struct NewbornBundleTests {
    @Test("one application, four departments: certificate → registration → insurance → card, by envelope")
    func bundle() async throws {
        let clock = FixedWallClock(try CalendarDate(iso8601: "2026-12-01").startInstant.addingTimeInterval(36_000))
        func store(_ actor: String) throws -> (InMemoryStore, ServicePorts) {
            let store = try InMemoryStore(clock: clock, actor: actor)
            return (store, ServicePorts(store: store, crypto: store.crypto, keys: store.keys, clock: clock))
        }
        let (_, hospitalPorts) = try store("12321200466000000X/hospital")
        let (_, policePorts) = try store("11321200014287452H/ps")
        let (insuranceStore, insurancePorts) = try store("11321200014287102B/medical-insurance")
        let (_, cardPorts) = try store("1132120001428717X6/onecard")
        let (_, deskPorts) = try store("11321200014287102B/services")
        let exchange = ExchangeFixture(clock: clock)
        let (entries, bundle) = try NewbornBundle.catalogue(timeLimit: TimeLimit(statutory: 5, promised: 1))
        let desk = ApplicationService(
            ports: deskPorts,
            catalogue: try ServiceCatalogue(entries, bundles: [bundle]),
            calendar: try PublishedCalendar.official()
        )
        let mother = try ResidentID("321202199003150021")
        _ = try await desk.submit(
            id: "born-1",
            bundle: NewbornBundle.bundle,
            applicant: .resident(mother),
            district: DivisionCode("321202"),
            by: "portal"
        )
        let part = { (service: String) in ApplicationService.partID("born-1", service) }

        // The hospital issues the certificate and sends it to public security.
        try await desk.accept(part(NewbornBundle.birthCertificate), by: "hospital")
        let certificate = try BirthCertificate(
            number: "Q320012345",
            name: PersonName("王小宝"),
            sex: .female,
            born: CalendarDate(iso8601: "2026-11-28"),
            hospital: CreditCode("113212000142871106"),
            mother: mother,
            district: DivisionCode("321202")
        )
        try await BirthCertificates(ports: hospitalPorts).issue(certificate)
        await #expect(throws: HealthError.duplicate("birth certificate Q320012345")) {
            try await BirthCertificates(ports: hospitalPorts).issue(certificate)
        }
        #expect(throws: HealthError.self) {
            try BirthCertificate(
                number: "320012345",
                name: PersonName("王小宝"),
                sex: .female,
                born: CalendarDate(iso8601: "2026-11-28"),
                hospital: CreditCode("113212000142871106"),
                mother: mother,
                district: DivisionCode("321202")
            )
        }
        try await desk.complete(part(NewbornBundle.birthCertificate), result: certificate.number, by: "hospital")
        let toPolice = try await exchange.delivered(
            from: "113212000142871106/hospital",
            to: "11321200014287452H/ps",
            service: NewbornBundle.birthService,
            purpose: "ps.household-registration",
            data: certificate.envelopeData
        )

        // Public security registers the child and tells the medical-insurance bureau.
        try await desk.accept(part(NewbornBundle.householdRegistration), by: "public-security")
        let office = NewbornRegistrationOffice(ports: policePorts)
        let registration = try await office.register(toPolice)
        #expect(registration.child.birthDate == certificate.born)
        #expect(registration.child.sex == .female)
        #expect(registration.child.unmasked.hasPrefix("321202"))
        #expect(try await office.register(toPolice) == registration, "the same certificate registers once")
        try await desk.complete(part(NewbornBundle.householdRegistration), result: "registered", by: "public-security")
        let toInsurance = try await exchange.delivered(
            from: "11321200014287452H/ps",
            to: "11321200014287102B/medical-insurance",
            service: NewbornBundle.registrationService,
            purpose: "mi.enrolment",
            data: registration.envelopeData
        )

        // The bureau enrols the child; the one-card office applies for the card.
        try await desk.accept(part(NewbornBundle.medicalInsurance), by: "medical-insurance")
        let enrolment = try await NewbornEnrolment.enrol(toInsurance, in: insurancePorts)
        #expect(enrolment.firstYearFree)
        #expect(try await NewbornEnrolment.enrol(toInsurance, in: insurancePorts) == enrolment)
        try await desk.complete(part(NewbornBundle.medicalInsurance), result: "enrolled", by: "medical-insurance")
        try await desk.accept(part(NewbornBundle.socialSecurityCard), by: "onecard")
        let card = try await OneCardService(ports: cardPorts).apply(
            holder: registration.child,
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: BankAccount("6222021500000000016"),
            uses: [.medicalInsuranceSettlement]
        )
        try await desk.complete(part(NewbornBundle.socialSecurityCard), result: card.id.rawValue, by: "onecard")

        let status = try await desk.bundleStatus("born-1", bundle: NewbornBundle.bundle)
        #expect(status.isDone)
        #expect(status.parts.allSatisfy { $0.state.name == "completed" })
        let bytes = String(
            describing: try await insuranceStore.read(purpose: Purpose(constant: "test.read")) { db in
                try await db.fetch(RecordQuery<NewbornEnrolment>.all)
            }
        )
        #expect(bytes.contains(registration.child.masked))
    }
}
