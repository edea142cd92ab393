import Foundation
import SocietyCore
import SocietyHealth
import SocietyJSON
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

/// A clinic's register on a store at 10:00 on `today`, and children to vaccinate.
struct ImmunisationWorld<Store: RecordStore> {
    let store: Store
    let service: ImmunisationService
    let keys: any KeyProvider
    let crypto: any CryptoProvider

    static func clock(_ today: String) throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: today).startInstant.addingTimeInterval(36_000))
    }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: FixedWallClock) {
        self.store = store
        self.keys = keys
        self.crypto = crypto
        service = ImmunisationService(ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock))
    }

    /// A child born on `birth`, number `n`.
    func child(_ n: Int, born birth: String) throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: birth), sequence: n)
    }

    /// A record of `vaccine` given to `child` on `date`.
    static func dose(
        _ id: String,
        _ child: ResidentID,
        _ vaccine: NIPVaccine,
        _ date: String
    ) throws
        -> ImmunisationRecord
    {
        try ImmunisationRecord(
            id: id,
            child: child,
            vaccine: vaccine,
            date: CalendarDate(iso8601: date),
            lot: "L\(id)",
            clinic: "海陵区城东社区卫生服务中心预防接种门诊"
        )
    }
}

extension ImmunisationWorld where Store == InMemoryStore {
    init(today: String = "2026-03-01") throws {
        let clock = try Self.clock(today)
        let store = try InMemoryStore(clock: clock, actor: "12321200466000000X/immunisation")
        self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}

@Suite("The national immunisation schedule")
struct ImmunisationScheduleTests {
    /// Each default-course dose as `vaccine@age`, in schedule order.
    static func table(_ schedule: ImmunisationSchedule) -> [String] {
        schedule.doses.map { "\($0.vaccines[0])@\($0.age)" }
    }

    @Test("the 2025 schedule is DOMAINS.md's table: DTaP at 2, 4, 6, 18 months and 6 years")
    func schedule2025() {
        #expect(
            Self.table(.national2025) == [
                "HepB@birth", "HepB@1 month", "HepB@6 months", "BCG@birth", "IPV@2 months", "IPV@3 months",
                "bOPV@4 months", "bOPV@4 years", "DTaP@2 months", "DTaP@4 months", "DTaP@6 months",
                "DTaP@18 months", "DTaP@6 years", "MMR@8 months", "MMR@18 months", "JE-L@8 months", "JE-L@2 years",
                "MPSV-A@6 months", "MPSV-A@9 months", "MPSV-AC@3 years", "MPSV-AC@6 years", "HepA-L@18 months",
            ]
        )
        #expect(ImmunisationSchedule.national2025.doses.count == 22)
    }

    @Test("the 2021 schedule: DTaP at 3, 4, 5, 18 months and DT at 6 years; the rest the same")
    func schedule2021() {
        let old = Self.table(.national2021)
        #expect(
            old.filter { $0.hasPrefix("DT") } == [
                "DTaP@3 months", "DTaP@4 months", "DTaP@5 months", "DTaP@18 months", "DT@6 years",
            ]
        )
        #expect(old.filter { !$0.hasPrefix("DT") } == Self.table(.national2025).filter { !$0.hasPrefix("DT") })
    }

    @Test("the schedule in force: 2021 until 2024-12-31, 2025 from 2025-01-01")
    func inForce() throws {
        #expect(ImmunisationSchedule.inForce(on: try CalendarDate(iso8601: "2024-12-31")).name == "NIP-2021")
        #expect(ImmunisationSchedule.inForce(on: try CalendarDate(iso8601: "2025-01-01")).name == "NIP-2025")
        #expect(ImmunisationSchedule.inForce(on: try CalendarDate(iso8601: "2019-06-01")).name == "NIP-2021")
    }

    @Test("timely ages follow the 2021 instructions")
    func timely() {
        let byID = Dictionary(uniqueKeysWithValues: ImmunisationSchedule.national2025.doses.map { ($0.id, $0) })
        #expect(byID["HepB-1"]?.timelyBefore == .days(1))
        #expect(byID["BCG-1"]?.timelyBefore == .months(3))
        for id in ["HepB-3", "polio-3", "DTaP-3", "MMR-1", "JE-1"] { #expect(byID[id]?.timelyBefore == .months(12)) }
        #expect(byID["MPSV-A-2"]?.timelyBefore == .months(18))
        for id in ["MMR-2", "HepA-1", "DTaP-4"] { #expect(byID[id]?.timelyBefore == .months(24)) }
        #expect(byID["JE-2"]?.timelyBefore == .years(3))
        #expect(byID["MPSV-AC-1"]?.timelyBefore == .years(4))
        #expect(byID["polio-4"]?.timelyBefore == .years(5))
        for id in ["DTaP-5", "MPSV-AC-2"] { #expect(byID[id]?.timelyBefore == .years(7)) }
    }
}

@Suite("A child's immunisation status")
struct ImmunisationStatusTests {
    typealias World = ImmunisationWorld<InMemoryStore>

    @Test("an infant of 8 months: given, due, upcoming; nothing overdue")
    func infant() throws {
        let world = try World()
        let child = try world.child(1, born: "2025-06-10")
        let records = try [
            World.dose("1", child, .hepB, "2025-06-10"), World.dose("2", child, .bcg, "2025-06-11"),
            World.dose("3", child, .hepB, "2025-07-10"), World.dose("4", child, .ipv, "2025-08-10"),
            World.dose("5", child, .dtap, "2025-08-12"), World.dose("6", child, .ipv, "2025-09-15"),
            World.dose("7", child, .dtap, "2025-10-10"), World.dose("8", child, .bOPV, "2025-10-10"),
        ]
        let status = ImmunisationStatus(
            child: child,
            records: records,
            on: try CalendarDate(iso8601: "2026-03-01"),
            schedule: .national2025
        )
        let state = Dictionary(uniqueKeysWithValues: status.doses.map { ($0.dose.id, $0.state) })
        #expect(state["HepB-1"] == .given)
        #expect(state["BCG-1"] == .given)
        #expect(state["DTaP-2"] == .given)
        #expect(state["polio-3"] == .given)
        #expect(status.due.map(\.dose.id) == ["HepB-3", "DTaP-3", "MMR-1", "JE-1", "MPSV-A-1"])
        #expect(state["MPSV-A-2"] == .upcoming)
        #expect(status.isUpToDate)
        #expect(state["DTaP-4"] == .upcoming)
        #expect(status.uncounted.isEmpty)
        let due = try #require(status.due.first)
        #expect(due.dueFrom == (try CalendarDate(iso8601: "2025-12-10")))
        #expect(due.description == "HepB-3: due since 2025-12-10, in time until 2026-06-09")

        // Past the first birthday the missing doses are overdue, to catch up.
        let later = ImmunisationStatus(
            child: child,
            records: records,
            on: try CalendarDate(iso8601: "2026-06-10"),
            schedule: .national2025
        )
        #expect(later.overdue.map(\.dose.id) == ["HepB-3", "DTaP-3", "MMR-1", "JE-1"])
        #expect(!later.isUpToDate)
        #expect(later.due.map(\.dose.id) == ["MPSV-A-1", "MPSV-A-2"])
    }

    @Test("a dose before its minimum age counts for nothing; late doses count, as late")
    func earlyAndLate() throws {
        let world = try World()
        let child = try world.child(2, born: "2025-06-10")
        let status = ImmunisationStatus(
            child: child,
            records: [
                try World.dose("a", child, .dtap, "2025-07-20"),  // 1 month 10 days: before 2 months
                try World.dose("b", child, .hepB, "2025-06-12"),  // two days after birth: late
                try World.dose("c", child, .bOPV, "2025-08-10"),  // polio-1 is IPV
            ],
            on: try CalendarDate(iso8601: "2025-09-01"),
            schedule: .national2025
        )
        #expect(status.uncounted.map(\.record) == ["c", "a"])
        let reasons = Dictionary(uniqueKeysWithValues: status.uncounted.map { ($0.record, $0.reason) })
        #expect(reasons["a"] == "given on 2025-07-20, before DTaP-1's minimum age (2 months, 2025-08-10)")
        #expect(reasons["c"] == "polio-1 is not given with bOPV")
        let state = Dictionary(uniqueKeysWithValues: status.doses.map { ($0.dose.id, $0.state) })
        #expect(state["HepB-1"] == .givenLate)
        #expect(state["DTaP-1"] == .due)
        #expect(state["polio-1"] == .due)
    }

    @Test("a series follows the course its first dose began: inactivated JE has four doses")
    func courses() throws {
        let world = try World()
        let child = try world.child(3, born: "2022-01-05")
        let status = ImmunisationStatus(
            child: child,
            records: [
                try World.dose("j1", child, .jeInactivated, "2022-09-05"),
                try World.dose("j2", child, .jeInactivated, "2022-09-13"),
                try World.dose("j3", child, .jeInactivated, "2024-01-10"),
                try World.dose("h1", child, .hepAInactivated, "2023-07-05"),
            ],
            on: try CalendarDate(iso8601: "2026-03-01"),
            schedule: .national2025
        )
        let je = status.doses.filter { $0.dose.series == "JE" }
        #expect(je.map(\.dose.id) == ["JE-1", "JE-2", "JE-3", "JE-4"])
        #expect(je.map(\.state) == [.given, .given, .given, .upcoming])
        let hepA = status.doses.filter { $0.dose.series == "HepA" }
        #expect(hepA.map(\.state) == [.given, .overdue])
        #expect(hepA.last?.timelyBefore == (try CalendarDate(iso8601: "2025-01-05")))
    }

    @Test(
        "doses are judged by the schedule in force when given: 2018's 5-month DTaP and 2024's DT count, DT in 2025 not"
    )
    func legacyDT() throws {
        let world = try World()
        let before = try world.child(4, born: "2018-03-01")
        let after = try world.child(5, born: "2019-01-10")
        let records = try [
            World.dose("b1", before, .dtap, "2018-06-01"), World.dose("b2", before, .dtap, "2018-07-01"),
            World.dose("b3", before, .dtap, "2018-08-01"), World.dose("b4", before, .dtap, "2019-09-01"),
            World.dose("b5", before, .dt, "2024-04-01"),
            World.dose("a1", after, .dtap, "2019-04-10"), World.dose("a2", after, .dtap, "2019-05-10"),
            World.dose("a3", after, .dtap, "2019-06-10"), World.dose("a4", after, .dtap, "2020-07-10"),
            World.dose("a5", after, .dt, "2025-02-01"),
        ]
        let day = try CalendarDate(iso8601: "2025-06-01")
        let first = ImmunisationStatus(child: before, records: records, on: day)
        let second = ImmunisationStatus(child: after, records: records, on: day)
        let dtap = { (status: ImmunisationStatus) in status.doses.filter { $0.dose.series == "DTaP" } }
        // Only the child's own records count.
        #expect(dtap(first).compactMap(\.record) == ["b1", "b2", "b3", "b4", "b5"])
        #expect(dtap(first).last?.state == .given)
        #expect(first.uncounted.isEmpty)
        #expect(
            second.uncounted == [UncountedDose(record: "a5", reason: "DT on 2025-02-01 is in no series of NIP-2025")]
        )
        // Judged by the 2025 schedule alone, the 5-month dose of 2018 would be too early for DTaP-3.
        let strict = ImmunisationStatus(child: before, records: records, on: day, schedule: .national2025)
        #expect(
            strict.uncounted.first?.reason == "given on 2018-08-01, before DTaP-3's minimum age (6 months, 2018-09-01)"
        )
        #expect(dtap(second).last?.state == .due)
    }
}

@Suite("The school-entry check (入托、入学查验)")
struct SchoolEntryTests {
    typealias World = ImmunisationWorld<InMemoryStore>

    /// Every default-course dose up to `months` months of age, given at its age under the schedule
    /// in force then (2021 before 2025).
    static func complete(_ child: ResidentID, upTo months: Int) throws -> [ImmunisationRecord] {
        try ImmunisationSchedule.dosesOnTime(bornOn: child.birthDate, through: child.birthDate.adding(months: months))
            .enumerated().map { index, given in
                try World.dose("r\(index)", child, given.dose.vaccines[0], given.date.iso8601)
            }
    }

    @Test("entering primary school at 6: the 6-year doses not yet given are to catch up, named")
    func school() async throws {
        let world = try World(today: "2026-09-01")
        let child = try world.child(6, born: "2020-08-20")
        for record in try Self.complete(child, upTo: 48) { try await world.service.record(record) }
        let check = try await world.service.schoolEntryCheck(of: child, on: try CalendarDate(iso8601: "2026-09-01"))
        #expect(!check.isComplete)
        #expect(check.catchUp.map(\.id) == ["DTaP-5", "MPSV-AC-2"])
        #expect(check.decision.policyVersion == "NIP-2025")
        #expect(
            check.decision.explanation
                == "not eligible: DTaP: 4 of 5 doses due by 2026-09-01 given — catch up DTaP-5; MPSV-AC: 1 of 2 doses due by 2026-09-01 given — catch up MPSV-AC-2"
        )
        try await world.service.record(try World.dose("x1", child, .dtap, "2026-09-01"))
        try await world.service.record(try World.dose("x2", child, .mpsvAC, "2026-09-01"))
        let again = try await world.service.schoolEntryCheck(of: child, on: try CalendarDate(iso8601: "2026-09-01"))
        #expect(again.isComplete)
        #expect(again.catchUp.isEmpty)
        #expect(again.decision.checks.count == 9)
    }

    @Test("entering a nursery at 2: only the doses due by 2 are checked")
    func nursery() async throws {
        let world = try World(today: "2026-09-01")
        let child = try world.child(7, born: "2024-08-01")
        for record in try Self.complete(child, upTo: 18) where record.vaccine != .mmr {
            try await world.service.record(record)
        }
        let check = try await world.service.schoolEntryCheck(of: child, on: try CalendarDate(iso8601: "2026-09-01"))
        #expect(check.catchUp.map(\.id) == ["MMR-1", "MMR-2", "JE-2"])
        #expect(check.decision.checks.first { !$0.passed }?.rule == "entry-MMR")
        #expect(!check.decision.checks.contains { $0.rule == "entry-MPSV-AC" })
    }
}

@Suite("The immunisation register")
struct ImmunisationServiceTests {
    typealias World = ImmunisationWorld<InMemoryStore>

    @Test("bad records are refused and change nothing")
    func refusals() async throws {
        let world = try World()
        let child = try world.child(8, born: "2025-06-10")
        #expect(throws: HealthError.invalidImmunisation("HepB on 2025-06-09 is before the child was born")) {
            try World.dose("early", child, .hepB, "2025-06-09")
        }
        #expect(throws: HealthError.invalidImmunisation("a record has an id, a vaccine lot and a clinic")) {
            try ImmunisationRecord(
                id: "x",
                child: child,
                vaccine: .bcg,
                date: CalendarDate(iso8601: "2025-06-10"),
                lot: "",
                clinic: "c"
            )
        }
        await #expect(throws: HealthError.invalidImmunisation("BCG dated 2026-03-02, after today")) {
            try await world.service.record(try World.dose("later", child, .bcg, "2026-03-02"))
        }
        try await world.service.record(try World.dose("1", child, .hepB, "2025-06-10"))
        await #expect(throws: HealthError.duplicate("immunisation record 1")) {
            try await world.service.record(try World.dose("1", child, .bcg, "2025-06-10"))
        }
        #expect(try await world.service.records(of: child).map(\.vaccine) == [.hepB])
        #expect(try await world.service.records(of: try world.child(9, born: "2025-06-10")).isEmpty)
        let status = try await world.service.status(of: child)
        #expect(status.asOf == (try CalendarDate(iso8601: "2026-03-01")))
        #expect(status.doses.first?.state == .given)
    }

    @Test("on SQLite: records encrypted at rest, found by child, the status the same, the log verifies")
    func sqlite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-imm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let clock = try ImmunisationWorld<SQLiteStore>.clock("2026-09-01")
        let keys = try StaticKeyProvider.random(using: crypto)
        let path = directory.appendingPathComponent("clinic.sqlite").path
        let store = try SQLiteStore(
            path: path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "12321200466000000X/immunisation", origin: "test", clock: clock)
            )
        )
        let world = ImmunisationWorld(store: store, keys: keys, crypto: crypto, clock: clock)
        let child = try world.child(10, born: "2020-08-20")
        let records = try SchoolEntryTests.complete(child, upTo: 48)
        for record in records { try await world.service.record(record) }
        let stored = try await world.service.records(of: child)
        #expect(stored.count == records.count)
        let day = try CalendarDate(iso8601: "2026-09-01")
        let check = try await world.service.schoolEntryCheck(of: child, on: day)
        #expect(check.catchUp.map(\.id) == ["DTaP-5", "MPSV-AC-2"])
        #expect(check.status == ImmunisationStatus(child: child, records: records, on: day))
        #expect(check.status.uncounted.isEmpty)
        let bytes = StoreFiles.bytes(of: path)
        #expect(bytes.range(of: Data(child.unmasked.utf8)) == nil)
        #expect(bytes.range(of: Data("MPSV-AC".utf8)) == nil)
        #expect(try await store.auditLog.verify().isValid)
    }
}

@Suite("FHIR Immunization export")
struct ImmunizationFHIRTests {
    typealias World = ImmunisationWorld<InMemoryStore>

    func export() throws -> JSONValue {
        let world = try World()
        let child = try world.child(11, born: "2025-06-10")
        let records = try [
            World.dose("1", child, .hepB, "2025-06-10"),
            World.dose("2", child, .dtap, "2025-07-20"),
            World.dose("3", child, .dtap, "2025-08-12"),
        ]
        let status = ImmunisationStatus(
            child: child,
            records: records,
            on: try CalendarDate(iso8601: "2026-03-01"),
            schedule: .national2025
        )
        return try FHIRExporter().immunizations(
            records,
            statuses: [status],
            pseudonyms: [child: String(repeating: "ab", count: 32)],
            generated: Date(timeIntervalSince1970: 1_772_000_000)
        )
    }

    @Test("an Immunization per record: dose numbers from the status, the early dose subpotent, no identity")
    func structure() throws {
        let bundle = try export()
        let entries = try #require(bundle["entry"]?.arrayValue)
        let resources = entries.compactMap { $0["resource"] }
        #expect(
            resources.map { $0["resourceType"]?.stringValue ?? "" } == [
                "Patient", "Immunization", "Immunization", "Immunization",
            ]
        )
        let immunizations = resources.filter { $0["resourceType"]?.stringValue == "Immunization" }
        #expect(immunizations[0]["protocolApplied"]?[0]?["doseNumberPositiveInt"]?.doubleValue == 1)
        #expect(immunizations[1]["isSubpotent"]?.boolValue == true)
        #expect(immunizations[2]["protocolApplied"]?[0]?["series"]?.stringValue == "DTaP")
        #expect(immunizations[2]["protocolApplied"]?[0]?["doseNumberPositiveInt"]?.doubleValue == 1)
        #expect(immunizations[2]["vaccineCode"]?["coding"]?[0]?["code"]?.stringValue == "DTaP")
        #expect(!(try bundle.canonicalString()).contains("321202"))
        try FHIRExportTests.checkR4(bundle)
    }

    @Test("fhir.resources (R4B models) accepts the bundle")
    func fhirResources() throws {
        let (status, text) = try FHIRExportTests.validate(try export())
        #expect(status == 0, "\(text)")
        #expect(text.hasPrefix("valid 4 entries"), "\(text)")
    }
}
