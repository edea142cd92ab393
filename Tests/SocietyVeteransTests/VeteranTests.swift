import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietyVeterans
import Testing

/// The placement workflow on its own, legal and illegal moves.
@Suite("Veteran placement workflow")
struct PlacementTests {
    static let bureau = (try? CreditCode("91320214745555318W"))

    func veteran(_ type: PlacementType) throws -> Veteran {
        try Veteran(
            id: Identifier("vet-1"),
            resident: ResidentID("11010519491231002X"),
            name: PersonName("张志强"),
            branch: .navy,
            enlisted: CalendarDate(iso8601: "1968-03-01"),
            discharged: CalendarDate(iso8601: "1973-03-01"),
            rank: .staffSergeant,
            placementType: type
        )
    }

    static func outcome(for type: PlacementType) throws -> PlacementOutcome {
        let code = try #require(bureau)
        return switch type {
        case .assignedWork: .employer(code)
        case .selfEmployment: .oneOffSubsidy(Money(fen: 5_000_000))
        case .retirement: .retirementInstitution(code)
        case .stateSupport: .supportInstitution(code)
        }
    }

    @Test("transferred → reported → arranged → completed, for every placement type", arguments: PlacementType.allCases)
    func legal(type: PlacementType) throws {
        var veteran = try veteran(type)
        #expect(veteran.placement == .transferred)
        try veteran.apply(.report(on: CalendarDate(iso8601: "1973-03-10")))
        let outcome = try Self.outcome(for: type)
        try veteran.apply(.arrange(outcome))
        try veteran.apply(.complete(on: CalendarDate(iso8601: "1973-05-01")))
        #expect(veteran.placement == .completed(outcome, on: try CalendarDate(iso8601: "1973-05-01")))
        #expect(veteran.yearsOfService == 5)
    }

    @Test("an outcome that does not fit the placement type is refused", arguments: PlacementType.allCases)
    func mismatch(type: PlacementType) throws {
        var veteran = try veteran(type)
        try veteran.apply(.report(on: CalendarDate(iso8601: "1973-03-10")))
        for other in PlacementType.allCases where other != type {
            #expect(throws: VeteranError.self) { try veteran.apply(.arrange(try Self.outcome(for: other))) }
        }
        #expect(veteran.placement.name == "reported")
    }

    @Test("illegal moves throw and change nothing")
    func illegal() throws {
        let day = try CalendarDate(iso8601: "1973-04-01")
        let outcome = try Self.outcome(for: .selfEmployment)
        let cases: [([PlacementEvent], PlacementEvent, String)] = [
            ([], .arrange(outcome), "transferred"),
            ([], .complete(on: day), "transferred"),
            ([.report(on: day)], .report(on: day), "reported"),
            ([.report(on: day)], .complete(on: day), "reported"),
            ([.report(on: day), .arrange(outcome)], .report(on: day), "arranged"),
            ([.report(on: day), .arrange(outcome)], .arrange(outcome), "arranged"),
            ([.report(on: day), .arrange(outcome), .complete(on: day)], .complete(on: day), "completed"),
            ([.report(on: day), .arrange(outcome), .complete(on: day)], .report(on: day), "completed"),
        ]
        for (setup, event, from) in cases {
            var veteran = try veteran(.selfEmployment)
            for step in setup { try veteran.apply(step) }
            let before = veteran
            #expect(throws: VeteranError.illegalTransition(from: from, event: event.name)) { try veteran.apply(event) }
            #expect(veteran == before)
        }
        var early = try veteran(.selfEmployment)
        #expect(throws: VeteranError.self) { try early.apply(.report(on: CalendarDate(iso8601: "1972-01-01"))) }
    }

    @Test("service dates are checked; output is masked")
    func record() throws {
        #expect(throws: VeteranError.self) {
            try Veteran(
                id: Identifier("vet-2"),
                resident: ResidentID("11010519491231002X"),
                name: PersonName("张志强"),
                branch: .army,
                enlisted: CalendarDate(iso8601: "1973-03-01"),
                discharged: CalendarDate(iso8601: "1970-03-01"),
                rank: .private,
                placementType: .selfEmployment
            )
        }
        #expect(throws: VeteranError.self) {
            try Veteran(
                id: Identifier("vet-2"),
                resident: ResidentID("11010519491231002X"),
                name: PersonName("张志强"),
                branch: .army,
                enlisted: CalendarDate(iso8601: "1960-03-01"),
                discharged: CalendarDate(iso8601: "1970-03-01"),
                rank: .private,
                placementType: .selfEmployment
            )
        }
        let text = try veteran(.retirement).description
        #expect(text.contains("张**") && text.contains("1101**********002X"))
        #expect(!text.contains("张志强") && !text.contains("11010519491231002X"))
    }
}

@Suite("Veterans' service, in memory")
struct VeteranServiceTests {
    @Test("one record per resident; honours and support are kept")
    func records() async throws {
        let city = try VeteransFixture()
        let veteran = try await city.veteran(1)
        await #expect(throws: VeteranError.alreadyRegistered) { try await city.veteran(1) }
        let honour = try Honour(kind: .mostBeautifulVeteran, year: 2025, awardedBy: city.bureau)
        try await city.service.honour(veteran.id, honour)
        await #expect(throws: VeteranError.invalidRecord("honour already recorded")) {
            try await city.service.honour(veteran.id, honour)
        }
        try await city.service.support(
            veteran.id,
            SupportRecord(
                kind: .startUpLoan,
                date: city.date("2026-03-01"),
                provider: city.bureau,
                amount: Money(fen: 20_000_000)
            )
        )
        let stored = try await city.service.veteran(of: try city.resident(1))
        #expect(stored?.honours == [honour])
        #expect(stored?.support.first?.kind == .startUpLoan)
        await #expect(throws: VeteranError.unknownVeteran("vet-none")) {
            try await city.service.veteran(Identifier("vet-none"))
        }
    }

    @Test("preferential care is paid through the one-card ledger, once per month, card or no card")
    func payments() async throws {
        let city = try VeteransFixture()
        let disabled = try await city.veteran(2, care: .disabledVeteran)
        let rural = try await city.veteran(3, care: .elderlyRuralVeteran, years: 2)
        let noCard = try await city.veteran(4, care: .warParticipant)
        _ = try await city.veteran(5)
        let suspended = try await city.veteran(6, care: .demobilisedVeteran)
        try await city.service.setCare(
            suspended.id,
            PreferentialCare(
                category: .demobilisedVeteran,
                since: city.date("2020-01-01"),
                status: .suspended(reason: "review")
            )
        )
        for n in [2, 3, 5, 6] { try await city.card(n) }
        let november = try PayPeriod("2026-11")
        let run = try await city.service.pay(november)
        #expect(run.posted.count == 2)
        #expect(run.amountPosted == Money(fen: 250_000 + 60_000))
        #expect(run.refused.map(\.instruction) == ["vpc-2026-11-\(noCard.id.rawValue)"])
        #expect(run.refused.first?.reason == .noCurrentCard)
        #expect(Set(run.posted.map(\.instruction.id)) == ["vpc-2026-11-\(disabled.id)", "vpc-2026-11-\(rural.id)"])
        #expect(run.posted.allSatisfy { $0.instruction.programme == .veteransPreferentialCare })
        // A re-run pays nobody twice; the card that arrived meanwhile is paid now.
        try await city.card(4)
        let again = try await city.service.pay(november)
        #expect(again.alreadyPosted.count == 2)
        #expect(again.posted.map(\.instruction.id) == ["vpc-2026-11-\(noCard.id)"])
        let totals = try await city.oneCard.totals(programme: .veteransPreferentialCare)
        #expect(totals.total == Money(fen: 250_000 + 60_000 + 90_000))
        #expect(try await city.oneCard.verifyLedger().isBalanced)
    }

    @Test("the base database keeps each field's envelope, issuer and time; sources write only their fields")
    func baseDatabase() async throws {
        let city = try VeteransFixture()
        let resident = try city.resident(7)
        let hr = "113212000142871106/employment"
        let civil = "113212000142871106/assistance"
        let employment = try await city.notice(
            from: hr,
            service: "hrss.veteran-employment",
            data: [
                "resident": .string(resident.unmasked),
                "fields": ["employmentStatus": "employed", "employer": "91320214745555318W"],
            ],
            age: 60
        )
        try await city.service.ingest(employment)
        let assistance = try await city.notice(
            from: civil,
            service: "ca.veteran-assistance",
            data: ["resident": .string(resident.unmasked), "fields": ["assistanceCategory": "minimumLiving"]]
        )
        let record = try await city.service.ingest(assistance)
        #expect(record.fields["employer"]?.issuer.text == hr)
        #expect(record.fields["assistanceCategory"]?.issuer.text == civil)
        #expect(record.fields["employer"]?.envelopeDigest.hasPrefix("sha256:") == true)
        #expect(record.fields["employer"]?.envelopeDigest != record.fields["assistanceCategory"]?.envelopeDigest)
        #expect(record.fields["employer"]?.receivedAt == city.clock.now())
        // An older envelope arriving late does not overwrite a newer value.
        let stale = try await city.notice(
            from: hr,
            service: "hrss.veteran-employment",
            data: ["resident": .string(resident.unmasked), "fields": ["employmentStatus": "unemployed"]],
            age: 120
        )
        try await city.service.ingest(stale)
        #expect(try await city.service.baseRecord(of: resident)?.fields["employmentStatus"]?.value == "employed")
        let forged = try await city.notice(
            from: hr,
            service: "hrss.veteran-employment",
            data: ["resident": .string(resident.unmasked), "fields": ["assistanceCategory": "none"]]
        )
        await #expect(
            throws: VeteranError.fieldNotAllowed(service: "hrss.veteran-employment", field: "assistanceCategory")
        ) {
            try await city.service.ingest(forged)
        }
        #expect(try await city.service.baseRecord(of: resident)?.fields["assistanceCategory"]?.value == "minimumLiving")
    }

    @Test("the preferential-treatment certificate is issued once placement is complete")
    func certificate() async throws {
        let city = try VeteransFixture()
        let veteran = try await city.veteran(8, placement: .assignedWork)
        let key = try city.crypto.generateSigningKey(.ed25519)
        let issuer = CertificateIssuer(
            party: try Party("113212000142871106/veterans"),
            key: key,
            kid: "vet-1",
            crypto: city.crypto,
            random: OpenSSLRandomSource(),
            clock: city.clock,
            store: InMemoryStatusStateStore()
        )
        let wallet = try city.crypto.generateSigningKey(.ed25519)
        let holderKey = try JSONWebKey(algorithm: .ed25519, publicKey: wallet.publicKey.rawRepresentation)
        await #expect(throws: VeteranError.illegalTransition(from: "transferred", event: "certify")) {
            try await city.service.issueCertificate(veteran.id, issuer: issuer, holderKey: holderKey)
        }
        try await city.service.place(veteran.id, .report(on: veteran.discharged.adding(days: 3)))
        try await city.service.place(veteran.id, .arrange(.employer(city.bureau)))
        try await city.service.place(veteran.id, .complete(on: veteran.discharged.adding(days: 60)))
        let issued = try await city.service.issueCertificate(veteran.id, issuer: issuer, holderKey: holderKey)
        #expect(issued.certificate.type.code == "veteran-preferential-treatment")
        #expect(issued.certificate.holder == .resident(veteran.resident))
        #expect(issued.certificate.claims["category"] == "veteran")
        #expect(issued.certificate.claims["discharge_date"]?.stringValue == veteran.discharged.iso8601)
        await #expect(throws: VeteranError.self) {
            try await city.service.issueCertificate(
                veteran.id,
                issuer: issuer,
                holderKey: holderKey,
                registry: CertificateTypeRegistry([])
            )
        }
    }

    @Test("martyrs, memorial facilities and Rongyao homes")
    func commemoration() async throws {
        let city = try VeteransFixture()
        let division = try DivisionCode("321202")
        let facility = MemorialFacility(
            id: try Identifier("mf-1"),
            name: "泰州烈士陵园",
            level: .provincial,
            division: division
        )
        let martyr = try Martyr(
            id: Identifier("m-1"),
            name: PersonName("李英"),
            diedOn: city.date("1949-04-21"),
            approvedOn: city.date("1950-01-01"),
            facility: facility.id
        )
        await #expect(throws: VeteranError.invalidRecord("unknown memorial facility mf-1")) {
            try await city.service.register(martyr)
        }
        try await city.service.register(facility)
        try await city.service.register(martyr)
        try await city.service.register(
            RongyaoHome(
                organization: city.bureau,
                name: "海陵区退役军人服务站",
                kind: .serviceStation,
                division: division,
                recognisedIn: 2025
            )
        )
        #expect(try await city.service.martyrs(at: facility.id).map(\.id) == [martyr.id])
        let found = try await city.service.commemoration(in: division)
        #expect(found.facilities == [facility])
        #expect(found.homes.count == 1)
        #expect(throws: VeteranError.self) {
            try Martyr(
                id: Identifier("m-2"),
                name: PersonName("王"),
                diedOn: city.date("1950-01-01"),
                approvedOn: city.date("1949-01-01")
            )
        }
    }
}
