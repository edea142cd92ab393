import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietyTesting
import SocietyVeterans
import Testing

/// A store whose every transaction fails, as a closed database would.
struct ClosedStore: RecordStore {
    func read<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T {
        throw StoreError.invalidHandle("closed")
    }

    func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        throw StoreError.invalidHandle("closed")
    }
}

@Suite("The veterans' service follows the service recipe: purposes, typed errors, logging, progress")
struct VeteranRecipeTests {
    @Test("every declared purpose is a valid code, distinct, as the audit log records it")
    func purposes() throws {
        let declared = [
            VeteranService.Purposes.records, VeteranService.Purposes.commemoration,
            VeteranService.Purposes.baseDatabase, VeteranService.Purposes.payments,
        ]
        #expect(
            declared.map(\.code) == [
                "veterans.records", "veterans.commemoration", "veterans.base-database", "veterans.preferential-care",
            ]
        )
        #expect(Set(declared).count == declared.count)
        for purpose in declared { #expect(try Purpose(purpose.code) == purpose) }
    }

    @Test("port failures arrive wrapped in VeteranError; the one-card's end a payment run")
    func portFailures() async throws {
        let capture = LogCapture()
        let city = try VeteransFixture()
        _ = try await city.veteran(1, care: .disabledVeteran)
        let clock = try VeteransFixture<InMemoryStore>.clock("2026-11-29")
        let memory = try InMemoryStore(clock: clock)
        let closed = ServicePorts(
            store: ClosedStore(),
            crypto: memory.crypto,
            keys: memory.keys,
            clock: clock,
            logger: capture.logger()
        )
        // The bureau's own store is closed.
        let bureau = VeteranService(ports: closed, oneCard: city.oneCard)
        await #expect(throws: VeteranError.store(.invalidHandle("closed"))) {
            try await bureau.veteran(Identifier("vet-00"))
        }
        // The one-card's store is closed: the run stops rather than refusing everyone.
        var ports = closed
        ports.store = city.store
        let paying = VeteranService(ports: ports, oneCard: try OneCardService(ports: closed))
        await #expect(throws: VeteranError.oneCard(.store(.invalidHandle("closed")))) {
            try await paying.pay(PayPeriod("2026-11"))
        }
        let warnings = capture.lines.filter { $0.level == .warning }
        #expect(warnings.map { $0.metadata["operation"] } == ["veteran", "submit", "pay"])
        #expect(warnings.map { $0.metadata["error"] } == ["store", "store", "oneCard"])
    }

    @Test("the main flow logs each operation as component veterans, and never a personal value")
    func logging() async throws {
        let capture = LogCapture()
        let phone = "13912345678"
        var sources = VeteranDataSources()
        sources.fields["hrss.veteran-employment", default: []].insert("contactPhone")
        let city = try VeteransFixture(sources: sources, logger: capture.logger())
        let veteran = try await city.veteran(1, placement: .assignedWork, care: .disabledVeteran)
        let other = try await city.veteran(2, care: .warParticipant)
        await #expect(throws: VeteranError.alreadyRegistered) { try await city.veteran(1) }
        try await city.service.honour(
            veteran.id,
            try Honour(kind: .mostBeautifulVeteran, year: 2025, awardedBy: city.bureau)
        )
        try await city.service.support(
            veteran.id,
            SupportRecord(kind: .startUpLoan, date: city.date("2026-03-01"), provider: city.bureau, amount: nil)
        )
        try await city.service.place(veteran.id, .report(on: veteran.discharged.adding(days: 3)))
        try await city.service.place(veteran.id, .arrange(.employer(city.bureau)))
        try await city.service.place(veteran.id, .complete(on: veteran.discharged.adding(days: 60)))
        _ = try await city.service.veteran(of: try city.resident(2))

        let division = try DivisionCode("321202")
        let facility = MemorialFacility(
            id: try Identifier("mf-1"),
            name: "泰州烈士陵园",
            level: .provincial,
            division: division
        )
        try await city.service.register(facility)
        let martyr = try Martyr(
            id: Identifier("m-1"),
            name: PersonName("李英"),
            resident: city.resident(900),
            diedOn: city.date("1979-02-21"),
            approvedOn: city.date("1979-06-01"),
            facility: facility.id
        )
        try await city.service.register(martyr)
        _ = try await city.service.martyrs(at: facility.id)
        _ = try await city.service.commemoration(in: division)

        let notice = try await city.notice(
            from: "113212000142871106/employment",
            service: "hrss.veteran-employment",
            data: [
                "resident": .string(try city.resident(1).unmasked),
                "fields": ["employmentStatus": "employed", "contactPhone": .string(phone)],
            ]
        )
        try await city.service.ingest(notice)
        _ = try await city.service.baseRecord(of: try city.resident(1))

        try await city.card(1)  // veteran 2 has no card: refused in the run
        let run = try await city.service.pay(PayPeriod("2026-11"))
        #expect(run.posted.count == 1 && run.refused.count == 1)

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
        _ = try await city.service.issueCertificate(veteran.id, issuer: issuer, holderKey: holderKey)

        let lines = capture.lines.filter { $0.metadata["component"] == "veterans" }
        #expect(lines.count >= 15)
        #expect(lines.allSatisfy { $0.metadata["operation"] != nil })
        let operations = Set(lines.compactMap { $0.metadata["operation"].map { "\($0)" } })
        #expect(
            operations.isSuperset(of: [
                "register", "honour", "support", "place", "veteranOf", "registerFacility", "registerMartyr",
                "martyrs", "commemoration", "ingest", "baseRecord", "instructions", "pay", "issueCertificate",
            ])
        )
        #expect(lines.contains { $0.level == .warning && $0.metadata["error"] == "alreadyRegistered" })
        #expect(
            lines.contains {
                $0.metadata["operation"] == "pay" && $0.metadata["reason"] == "noCurrentCard"
                    && $0.metadata["instruction"] == "vpc-2026-11-\(other.id.rawValue)"
            }
        )
        // The one-card logs the payments it posted as its own component.
        #expect(capture.lines.contains { $0.metadata["component"] == "onecard" })

        var secrets = [phone, "李英", try city.resident(900).unmasked]
        for n in 1...2 {
            let resident = try city.resident(n)
            #expect(resident.unmasked.count == 18)
            secrets += [resident.unmasked, "张志\(["强", "刚", "军", "勇"][n % 4])"]
        }
        for line in capture.lines {
            for secret in secrets {
                #expect(!line.text.contains(secret), "\(line.message) logs \(secret.prefix(4))…")
            }
        }
    }

    @Test("paying 250 veterans reports increasing counts ending at the total")
    func progress() async throws {
        let city = try VeteransFixture()
        for n in 1...250 {
            _ = try await city.veteran(n, care: .disabledVeteran)
            try await city.card(n)
        }
        let capture = LogCapture()
        let run = try await city.service.pay(PayPeriod("2026-11"), progress: capture.progress)
        #expect(run.posted.count == 250)
        #expect(capture.reported.map(\.completed) == [100, 200, 250])
        #expect(capture.reported.allSatisfy { $0.task == "preferential-care payout" && $0.total == 250 })
    }
}
