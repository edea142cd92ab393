import Foundation
import InteropSupport
import SocietyCore
import SocietyHealth
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Synchronization
import Testing

/// A clock the appointment tests move through the day.
final class AppointmentClock: WallClock {
    private let instant: Mutex<Date>
    init(_ instant: Date) { self.instant = Mutex(instant) }
    func now() -> Date { instant.withLock { $0 } }
    func set(_ day: String, _ hour: Double) throws {
        let next = try CalendarDate(iso8601: day).startInstant.addingTimeInterval(hour * 3600)
        instant.withLock { $0 = next }
    }
}

/// The appointment and one-card services on one store, at 07:00 on Tuesday 2026-12-01.
struct AppointmentWorld<Store: RecordStore> {
    let store: Store
    let clock: AppointmentClock
    let service: AppointmentService
    let oneCard: OneCardService
    let hospital: CreditCode
    let schedule: ClinicSchedule

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: AppointmentClock) throws {
        self.store = store
        self.clock = clock
        let ports = ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock)
        oneCard = try OneCardService(ports: ports)
        service = AppointmentService(ports: ports, oneCard: oneCard)
        hospital = try CreditCode("113212000142871106")
        schedule = try ClinicSchedule(
            hospital: hospital,
            department: "儿科",
            doctor: "D0042",
            weekdays: [1, 2, 3, 4, 5],
            times: ["08:00", "08:30", "09:00", "09:30"],
            onSite: 1,
            fee: Money(fen: 1_000)
        )
    }

    static func clock() throws -> AppointmentClock {
        AppointmentClock(try CalendarDate(iso8601: "2026-12-01").startInstant.addingTimeInterval(7 * 3600))
    }

    func patient(_ n: Int) throws -> ResidentID {
        try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(year: 2018, month: 1 + n % 12, day: 1 + n % 28),
            sequence: (n * 2 % 998) + 1
        )
    }

    func card(_ patient: ResidentID, _ n: Int) async throws {
        let body = "62220215" + DecimalText.padded(n, width: 10)
        let card = try await oneCard.apply(
            holder: patient,
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: BankAccount(body + String(BankAccount.checkDigit(for: body))),
            uses: CardGeneration.third.supportedUses
        )
        try await oneCard.apply(
            .issue(CardNumber("A" + DecimalText.padded(n, width: 8)), on: CalendarDate(iso8601: "2026-01-05")),
            to: card.id
        )
        try await oneCard.apply(.activate, to: card.id)
    }
}

extension AppointmentWorld where Store == InMemoryStore {
    init() throws {
        let clock = try Self.clock()
        let store = try InMemoryStore(clock: clock, actor: "113212000142871106/hospital")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}

@Suite("Hospital appointments")
struct AppointmentTests {
    @Test("slots are released for a week of clinic days, once; on-site slots are kept back")
    func release() async throws {
        let world = try AppointmentWorld()
        // Tuesday 1 to Tuesday 8 December: six clinic days, four slots each.
        #expect(try await world.service.release(world.schedule) == 24)
        #expect(try await world.service.release(world.schedule) == 0, "released once")
        let day = try CalendarDate(iso8601: "2026-12-01")
        let online = try await world.service.freeSlots(hospital: world.hospital, department: "儿科", on: day)
        #expect(online.map(\.time) == ["08:00", "08:30", "09:00"])
        #expect(
            try await world.service.freeSlots(hospital: world.hospital, department: "儿科", on: day, onSite: true).map(
                \.time
            ) == ["09:30"]
        )
        #expect(
            try await world.service.freeSlots(
                hospital: world.hospital,
                department: "儿科",
                on: try CalendarDate(iso8601: "2026-12-05")
            ).isEmpty,
            "Saturday"
        )
        #expect(throws: AppointmentError.self) {
            try ClinicSchedule(
                hospital: world.hospital,
                department: "儿科",
                doctor: "D1",
                weekdays: [8],
                times: ["8:00"],
                onSite: 0,
                fee: Money(fen: 1)
            )
        }
    }

    @Test("twenty patients race for one slot: exactly one gets it; one appointment a doctor a day")
    func race() async throws {
        let world = try AppointmentWorld()
        try await world.service.release(world.schedule)
        let slot = "D0042|2026-12-02|08:30"
        let service = world.service
        let patients = try (0..<20).map { try world.patient($0) }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for (index, patient) in patients.enumerated() {
                group.addTask { (try? await service.book(slot, for: patient, id: "apt-\(index)")) != nil }
            }
            var won = 0
            for await booked in group where booked { won += 1 }
            return won
        }
        #expect(outcomes == 1)
        let holder = try #require(
            try await patients.asyncFirst { try await service.appointments(of: $0).isEmpty == false }
        )
        await #expect(throws: AppointmentError.self) {
            try await service.book("D0042|2026-12-02|09:00", for: holder, id: "apt-again")
        }
        await #expect(throws: AppointmentError.invalid("slot D0042|2026-12-02|09:30 is kept for on-site registration"))
        {
            try await service.book("D0042|2026-12-02|09:30", for: try world.patient(50), id: "apt-50")
        }
    }

    @Test("cancel before the cut-off frees the slot; too late is refused; on-site registration takes a kept slot")
    func cancelAndOnSite() async throws {
        let world = try AppointmentWorld()
        try await world.service.release(world.schedule)
        let first = try world.patient(1)
        let booked = try await world.service.book("D0042|2026-12-01|08:00", for: first, id: "apt-1")
        await #expect(throws: AppointmentError.tooLateToCancel("apt-1")) { try await world.service.cancel("apt-1") }
        let later = try await world.service.book("D0042|2026-12-02|08:00", for: first, id: "apt-2")
        #expect(try await world.service.cancel(later.id).state == .cancelled)
        #expect(
            try await world.service.book("D0042|2026-12-02|08:00", for: try world.patient(2), id: "apt-3").slot
                == later.slot
        )
        let walkIn = try await world.service.registerOnSite(
            hospital: world.hospital,
            department: "儿科",
            patient: try world.patient(3),
            id: "apt-4"
        )
        #expect(walkIn.slot == "D0042|2026-12-01|09:30")
        #expect(try await world.service.checkIn(booked.id).state == .checkedIn)
        #expect(try await world.service.complete(booked.id).state == .completed)
        await #expect(throws: AppointmentError.illegal(move: "cancel", state: "completed")) {
            try await world.service.cancel(booked.id)
        }
    }

    @Test("three no-shows in 90 days close online booking for 90 days; on-site registration stays open")
    func noShows() async throws {
        let world = try AppointmentWorld()
        let patient = try world.patient(7)
        for (day, next) in [("2026-12-01", "2026-12-02"), ("2026-12-02", "2026-12-03"), ("2026-12-03", "2026-12-04")] {
            try world.clock.set(day, 7)
            try await world.service.release(world.schedule)
            try await world.service.book("D0042|\(day)|08:00", for: patient, id: "apt-\(day)")
            try world.clock.set(next, 7)
            #expect(try await world.service.closeDay(try CalendarDate(iso8601: day)) == 1)
        }
        try await world.service.release(world.schedule)
        await #expect(throws: AppointmentError.blocked(until: try CalendarDate(iso8601: "2027-03-03"), noShows: 3)) {
            try await world.service.book("D0042|2026-12-04|08:30", for: patient, id: "apt-blocked")
        }
        #expect(
            try await world.service.registerOnSite(
                hospital: world.hospital,
                department: "儿科",
                patient: patient,
                id: "apt-site"
            ).state == .booked
        )
    }

    @Test("the fee is settled through the one-card once; without a card the payment is refused")
    func payment() async throws {
        let world = try AppointmentWorld()
        try await world.service.release(world.schedule)
        let insured = try world.patient(8)
        try await world.card(insured, 8)
        try await world.service.book("D0042|2026-12-02|08:00", for: insured, id: "apt-8")
        let paid = try await world.service.pay("apt-8")
        #expect(paid.settlement == "apt-apt-8")
        #expect(try await world.service.pay("apt-8") == paid, "paid once")
        let uninsured = try world.patient(9)
        try await world.service.book("D0042|2026-12-02|08:30", for: uninsured, id: "apt-9")
        await #expect(throws: AppointmentError.payment(.noCurrentCard)) { try await world.service.pay("apt-9") }
    }

    @Test("the same flow on SQLite: the race, the payment, nothing personal in clear, the log verifies")
    func sqlite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-apt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let clock = try AppointmentWorld<SQLiteStore>.clock()
        let keys = try StaticKeyProvider.random(using: crypto)
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("hospital.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "113212000142871106/hospital", origin: "test", clock: clock)
            )
        )
        let world = try AppointmentWorld(store: store, keys: keys, crypto: crypto, clock: clock)
        try await world.service.release(world.schedule)
        let service = world.service
        let patients = try (0..<10).map { try world.patient($0) }
        let won = await withTaskGroup(of: Bool.self) { group in
            for (index, patient) in patients.enumerated() {
                group.addTask {
                    (try? await service.book("D0042|2026-12-03|08:00", for: patient, id: "apt-\(index)")) != nil
                }
            }
            var won = 0
            for await booked in group where booked { won += 1 }
            return won
        }
        #expect(won == 1)
        let winner = try #require(
            try await patients.asyncFirst { try await service.appointments(of: $0).isEmpty == false }
        )
        try await world.card(winner, 1)
        let appointment = try #require(try await service.appointments(of: winner).first)
        #expect(try await service.pay(appointment.id).settlement == "apt-\(appointment.id)")
        let bytes = StoreFiles.bytes(of: directory.appendingPathComponent("hospital.sqlite").path)
        for patient in patients { #expect(bytes.range(of: Data(patient.unmasked.utf8)) == nil) }
        #expect(try await store.auditLog.verify().isValid)
    }
}

extension Array {
    func asyncFirst(_ predicate: (Element) async throws -> Bool) async rethrows -> Element? {
        for element in self where try await predicate(element) { return element }
        return nil
    }
}

@Suite("Report query")
struct ReportTests {
    @Test(
        "the patient reads their reports; the family doctor only under a consent in force, never after it is withdrawn"
    )
    func reports() async throws {
        let world = try AppointmentWorld()
        try await world.service.release(world.schedule)
        let child = try world.patient(11)
        let visit = try await world.service.book("D0042|2026-12-01|08:30", for: child, id: "apt-11")
        await #expect(throws: AppointmentError.illegal(move: "have a report", state: "booked")) {
            try await world.service.fileReport(id: "rep-1", appointment: visit.id, title: "血常规", findings: "正常")
        }
        _ = try await world.service.checkIn(visit.id)
        _ = try await world.service.complete(visit.id)
        try await world.service.fileReport(id: "rep-1", appointment: visit.id, title: "血常规", findings: "白细胞 6.1×10^9/L")
        #expect(try await world.service.reports(of: child).map(\.title) == ["血常规"])
        #expect(try await world.service.reports(of: try world.patient(12)).isEmpty)

        await #expect(throws: AppointmentError.illegal(move: "be read by team team-7", state: "not consented")) {
            try await world.service.reports(of: child, forFamilyDoctorTeam: "team-7")
        }
        try await world.service.consentToReports(child, team: "team-7", until: try CalendarDate(iso8601: "2027-06-01"))
        #expect(try await world.service.reports(of: child, forFamilyDoctorTeam: "team-7").count == 1)
        await #expect(throws: AppointmentError.self) {
            try await world.service.reports(of: child, forFamilyDoctorTeam: "team-8")
        }
        try await world.service.withdrawReportConsent(child, team: "team-7")
        await #expect(throws: AppointmentError.self) {
            try await world.service.reports(of: child, forFamilyDoctorTeam: "team-7")
        }
    }
}

@Suite("FHIR R4 export of appointments")
struct AppointmentFHIRTests {
    /// Four appointments — fulfilled, arrived, cancelled, booked — exported.
    func export() async throws -> JSONValue {
        let world = try AppointmentWorld()
        try await world.service.release(world.schedule)
        let patients = try (20..<24).map { try world.patient($0) }
        let times = ["08:00", "08:30", "09:00"]
        for (index, patient) in patients.enumerated() {
            try await world.service.book(
                "D0042|2026-12-0\(2 + index / 3)|\(times[index % 3])",
                for: patient,
                id: "apt-\(index)"
            )
        }
        _ = try await world.service.checkIn("apt-0")
        _ = try await world.service.complete("apt-0")
        _ = try await world.service.checkIn("apt-1")
        _ = try await world.service.cancel("apt-2")
        var appointments: [Appointment] = []
        for patient in patients { appointments += try await world.service.appointments(of: patient) }
        let slots = try await world.store.read(purpose: AppointmentService.purpose) { db in
            try await db.fetch(RecordQuery<AppointmentSlot>.all)
        }
        var pseudonyms: [ResidentID: String] = [:]
        for patient in patients { pseudonyms[patient] = try world.oneCard.pseudonym(of: patient) }
        return try FHIRExporter().appointments(
            appointments,
            slots: Dictionary(uniqueKeysWithValues: slots.map { ($0.id, $0) }),
            pseudonyms: pseudonyms,
            generated: Date(timeIntervalSince1970: 1_796_000_000)
        )
    }

    @Test("Appointment and Encounter follow R4: statuses, references, no identity number")
    func r4() async throws {
        let bundle = try await export()
        try FHIRExportTests.checkR4(bundle)
        let resources = (bundle["entry"]?.arrayValue ?? []).compactMap { $0["resource"] }
        let appointments = resources.filter { $0["resourceType"]?.stringValue == "Appointment" }
        #expect(
            appointments.compactMap { $0["status"]?.stringValue }.sorted() == [
                "arrived", "booked", "cancelled", "fulfilled",
            ]
        )
        let encounters = resources.filter { $0["resourceType"]?.stringValue == "Encounter" }
        #expect(encounters.compactMap { $0["status"]?.stringValue }.sorted() == ["arrived", "finished"])
        #expect(appointments.first?["start"]?.stringValue?.hasSuffix("+08:00") == true)
        #expect(!(try bundle.canonicalString()).contains("321202"), "no identity number by default")
    }

    @Test("fhir.resources (R4B models) accepts the appointments bundle")
    func fhirResources() async throws {
        let (status, text) = try FHIRExportTests.validate(try await export())
        #expect(status == 0, "\(text)")
        // 4 patients, 1 practitioner, 4 appointments, 2 encounters.
        #expect(text.hasPrefix("valid 11 entries"), "\(text)")
    }
}
