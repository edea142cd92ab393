import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyHousing
import SocietyJSON
import SocietyOpenSSL
import SocietyTesting
import Testing

@Suite("Real-estate registration")
struct RegistrationTests {
    let purpose = Purpose(constant: "housing.inquiry")

    @Test("first registration and transfer issue certificates, move the holdings, and the public view names no one")
    func firstAndTransfer() async throws {
        let city = try HousingFixture()
        let seller = try city.resident(1)
        let buyer = try city.resident(2, female: true)
        let unit = try city.unit(1)
        let page = try await city.registry.register(
            .first(location: "泰州市海陵区凤凰路1号1幢101室", use: "住宅", area: 8_954, holders: [.resident(seller)]),
            on: unit
        )
        #expect(page.certificate?.description == "苏(2026)泰州市不动产权第0000001号")
        #expect(page.areaText == "89.54")
        #expect(page.history.map(\.type) == [.first])
        await #expect(throws: HousingError.exists("unit \(unit)")) {
            try await city.registry.register(
                .first(location: "x", use: "住宅", area: 1, holders: [.resident(buyer)]),
                on: unit
            )
        }

        let sold = try await city.registry.register(
            .transfer(to: [.resident(buyer)], price: Money(fen: 150_000_000)),
            on: unit
        )
        #expect(sold.holders == [.resident(buyer)])
        #expect(sold.certificate?.sequence == 2)
        #expect(sold.history.map(\.type) == [.first, .transfer])
        #expect(try await city.registry.units(heldBy: .resident(seller), purpose: purpose).isEmpty)
        #expect(try await city.registry.units(heldBy: .resident(buyer), purpose: purpose).map(\.unit) == [unit])

        let found = try await city.registry.publicSearch(unit.parcel)
        #expect(found.map(\.unit) == [unit.value])
        #expect(found.first?.state == "registered")
        #expect(found.first?.lastRegistration == "transfer 2026-12-01")
        let json = String(describing: found)
        #expect(!json.contains(buyer.unmasked) && !json.contains(buyer.masked), "no holder on the map")
        await #expect(throws: HousingError.self) { try await city.registry.publicSearch("3212") }
    }

    @Test("a seizure blocks transfer, mortgage and cancellation until lifted; the refused page is unchanged")
    func seizure() async throws {
        let city = try HousingFixture()
        let owner = try city.resident(3)
        let unit = try city.unit(2)
        try await city.registry.register(
            .first(location: "凤凰路2号", use: "住宅", area: 10_000, holders: [.resident(owner)]),
            on: unit
        )
        let seized = try await city.registry.register(
            .seizure(court: "泰州市海陵区人民法院", caseNumber: "(2026)苏1202执100号"),
            on: unit
        )
        #expect(seized.state == "seized")
        await #expect(
            throws: HousingError.refused(
                "transfer",
                state: "seized",
                reason: "a seized unit cannot be transferred until the seizure is lifted"
            )
        ) {
            try await city.registry.register(.transfer(to: [.resident(try city.resident(4))], price: .zero), on: unit)
        }
        await #expect(throws: HousingError.self) {
            try await city.registry.register(
                .mortgage(mortgagee: try CreditCode("91320214745555318W"), amount: Money(fen: 100)),
                on: unit
            )
        }
        await #expect(throws: HousingError.self) { try await city.registry.register(.cancellation, on: unit) }
        #expect(try await city.registry.unit(unit, purpose: purpose) == seized)
        let lifted = try await city.registry.register(.liftSeizure(caseNumber: "(2026)苏1202执100号"), on: unit)
        #expect(lifted.state == "registered")
        try await city.registry.register(.transfer(to: [.resident(try city.resident(4))], price: .zero), on: unit)
    }

    @Test(
        "an advance notice reserves the unit for its beneficiary; a mortgage follows the unit; cancellation waits for the discharge"
    )
    func noticeAndMortgage() async throws {
        let city = try HousingFixture()
        let developer = Holder.organisation(try CreditCode("91320214745555318W"))
        let buyer = Holder.resident(try city.resident(5))
        let other = Holder.resident(try city.resident(6))
        let unit = try city.unit(3)
        try await city.registry.register(
            .first(location: "凤凰路3号", use: "住宅", area: 12_000, holders: [developer]),
            on: unit
        )
        try await city.registry.register(.advanceNotice(beneficiary: buyer), on: unit)
        await #expect(throws: HousingError.self) {
            try await city.registry.register(.transfer(to: [other], price: Money(fen: 1)), on: unit)
        }
        let bank = try CreditCode("113212000142871106")
        let mortgaged = try await city.registry.register(
            .mortgage(mortgagee: bank, amount: Money(fen: 80_000_000)),
            on: unit
        )
        #expect(mortgaged.mortgages.first?.certification.description == "苏(2026)泰州市不动产证明第0000001号")
        #expect(mortgaged.history.last?.right == .mortgage)
        let sold = try await city.registry.register(.transfer(to: [buyer], price: Money(fen: 200_000_000)), on: unit)
        #expect(sold.restrictions.isEmpty, "the notice is fulfilled")
        #expect(sold.mortgages.count == 1, "the mortgage follows the unit")
        await #expect(throws: HousingError.self) { try await city.registry.register(.cancellation, on: unit) }
        let id = try #require(sold.mortgages.first?.id)
        try await city.registry.register(.dischargeMortgage(id: id), on: unit)
        let gone = try await city.registry.register(.cancellation, on: unit)
        #expect(gone.state == "cancelled")
        #expect(gone.holders.isEmpty)
        await #expect(throws: HousingError.refused("change", state: "cancelled", reason: "the unit was cancelled")) {
            try await city.registry.register(.change(location: "凤凰路3号之一", use: nil), on: unit)
        }
        #expect(try await city.registry.units(heldBy: buyer, purpose: purpose).isEmpty)
    }

    @Test("registrations on an unregistered unit, and malformed ones, are refused")
    func refusals() async throws {
        let city = try HousingFixture()
        let unit = try city.unit(4)
        await #expect(
            throws: HousingError.refused("transfer", state: "registered", reason: "the unit has no first registration")
        ) {
            try await city.registry.register(.transfer(to: [.resident(try city.resident(7))], price: .zero), on: unit)
        }
        await #expect(throws: HousingError.self) {
            try await city.registry.register(
                .first(location: "x", use: "住宅", area: 0, holders: [.resident(try city.resident(7))]),
                on: unit
            )
        }
        await #expect(throws: HousingError.notFound("unit \(unit)")) {
            try await city.registry.unit(unit, purpose: purpose)
        }
    }
}

@Suite("The registration e-certificate")
struct RegistrationCertificateTests {
    @Test("issued to a holder with the certificate number in force; refused to anyone else and after cancellation")
    func certificate() async throws {
        let city = try HousingFixture()
        let crypto = OpenSSLCryptoProvider()
        let issuer = CertificateIssuer(
            party: try Party("11321200014287102B/real-estate"),
            key: try crypto.generateSigningKey(.ed25519),
            kid: "re-1",
            crypto: crypto,
            random: OpenSSLRandomSource(),
            clock: try HousingFixture<InMemoryStore>.clock("2026-12-01"),
            store: InMemoryStatusStateStore()
        )
        let wallet = try crypto.generateSigningKey(.ed25519)
        let holderKey = try JSONWebKey(algorithm: .ed25519, publicKey: wallet.publicKey.rawRepresentation)
        let owner = try city.resident(20)
        let unit = try city.unit(20)
        try await city.registry.register(
            .first(location: "凤凰路20号", use: "住宅", area: 8_954, holders: [.resident(owner)]),
            on: unit
        )
        let issued = try await city.registry.issueCertificate(
            unit,
            to: owner,
            name: try PersonName("王小明"),
            issuer: issuer,
            holderKey: holderKey
        )
        #expect(issued.certificate.type.code == "real-estate-registration")
        #expect(issued.certificate.claims["certificate_number"]?.stringValue == "苏(2026)泰州市不动产权第0000001号")
        #expect(issued.certificate.claims["unit_number"]?.stringValue == unit.value)
        #expect(issued.certificate.claims["area"]?.doubleValue == 89.54)
        await #expect(throws: HousingError.self) {
            try await city.registry.issueCertificate(
                unit,
                to: try city.resident(21),
                name: try PersonName("李四"),
                issuer: issuer,
                holderKey: holderKey
            )
        }
        try await city.registry.register(.cancellation, on: unit)
        await #expect(
            throws: HousingError.refused("certificate", state: "cancelled", reason: "no certificate is in force")
        ) {
            try await city.registry.issueCertificate(
                unit,
                to: owner,
                name: try PersonName("王小明"),
                issuer: issuer,
                holderKey: holderKey
            )
        }
    }
}
