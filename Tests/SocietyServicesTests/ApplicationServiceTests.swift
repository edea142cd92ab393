import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import SocietyServices
import SocietyTesting
import Testing

/// A clock the tests move from day to day (10:00 China Standard Time on each day).
final class SteppingClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var day: CalendarDate

    init(_ day: String) throws { self.day = try CalendarDate(iso8601: day) }

    func set(_ text: String) throws {
        let next = try CalendarDate(iso8601: text)
        lock.withLock { day = next }
    }

    func now() -> Date { lock.withLock { day.startInstant.addingTimeInterval(36_000) } }
}

/// The desk's flow on a store: the in-memory twin for the unit tests, SQLite with OpenSSL for the
/// integration test. Dates on the 2026 official calendar, counted by hand.
struct DeskFixture {
    let desk: ApplicationService
    let clock: SteppingClock
    let auditLog: any AuditLog

    static let district = "321202"
    /// The bank card the test subsidy asks for, handed in by digest.
    static let bankCard: [SuppliedMaterial] = [
        .document(name: "bank card", digest: "sha256:" + String(repeating: "ab", count: 32))
    ]

    static func catalogue() throws -> ServiceCatalogue {
        let limit = try TimeLimit(statutory: 20, promised: 5, materials: 5)
        return try ServiceCatalogue(
            [
                try ServiceEntry(
                    code: "test-subsidy",
                    name: "test subsidy",
                    department: "test-civil-affairs",
                    legalBasis: ["test regulation"],
                    applicant: .resident,
                    materials: [.document(name: "bank card")],
                    channels: [.online],
                    timeLimit: limit,
                    outcome: .payment
                ),
                try ServiceEntry(
                    code: "test-filing",
                    name: "test filing",
                    department: "test-health",
                    legalBasis: ["test regulation"],
                    applicant: .organisation,
                    materials: [],
                    channels: [.online, .counter],
                    timeLimit: limit,
                    outcome: .decision
                ),
                try ServiceEntry(
                    code: "test-doctor",
                    name: "test family-doctor contract",
                    department: "test-health",
                    legalBasis: ["test regulation"],
                    applicant: .resident,
                    materials: [],
                    channels: [.online],
                    timeLimit: try TimeLimit(statutory: 5, promised: 2),
                    outcome: .decision
                ),
            ],
            bundles: [
                try ServiceBundle(code: "test-bundle", name: "test life event", parts: ["test-subsidy", "test-doctor"])
            ]
        )
    }

    init(
        store: any RecordStore,
        crypto: any CryptoProvider,
        keys: any KeyProvider,
        clock: SteppingClock,
        auditLog: any AuditLog
    )
        throws
    {
        desk = ApplicationService(
            ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock),
            catalogue: try Self.catalogue(),
            calendar: try PublishedCalendar.official()
        )
        self.clock = clock
        self.auditLog = auditLog
    }

    static func inMemory(today: String) throws -> DeskFixture {
        let clock = try SteppingClock(today)
        let store = try InMemoryStore(clock: clock, actor: "test/services")
        return try DeskFixture(
            store: store,
            crypto: store.crypto,
            keys: store.keys,
            clock: clock,
            auditLog: store.auditLog
        )
    }

    func resident(_ n: Int) throws -> ResidentID {
        try ResidentID(
            addressCode: DivisionCode(Self.district),
            birthDate: CalendarDate(iso8601: "1960-05-01"),
            sequence: n
        )
    }

    /// The main flow; returns the applicant of the first application.
    func run() async throws -> ResidentID {
        let district = try DivisionCode(Self.district)
        let person = try resident(11)
        try clock.set("2026-03-02")
        let first = try await desk.submit(
            id: "a-1",
            service: "test-subsidy",
            applicant: .resident(person),
            district: district,
            materials: DeskFixture.bankCard,
            by: "portal"
        )
        #expect(first.state == .submitted)
        // A retried submission returns the application already received.
        #expect(
            try await desk.submit(
                id: "a-1",
                service: "test-subsidy",
                applicant: .resident(person),
                district: district,
                materials: DeskFixture.bankCard,
                by: "portal"
            )
                == first
        )
        try await desk.accept("a-1", by: "clerk")
        try clock.set("2026-03-03")
        try await desk.review("a-1", step: "income check", by: "reviewer")
        try clock.set("2026-03-04")
        try await desk.requestMaterials("a-1", missing: ["bank statement"], by: "reviewer")
        try clock.set("2026-03-09")
        let resumed = try await desk.supplyMaterials("a-1", by: "applicant")
        #expect(resumed.state == .underReview(step: "income check"))
        #expect(resumed.pausedWorkingDays == 3)

        // A second application stays open and runs late; a third is refused; a fourth completes.
        _ = try await desk.submit(
            id: "a-2",
            service: "test-subsidy",
            applicant: .resident(try resident(12)),
            district: district,
            materials: DeskFixture.bankCard,
            by: "portal"
        )
        try await desk.accept("a-2", by: "clerk")
        _ = try await desk.submit(
            id: "a-3",
            service: "test-subsidy",
            applicant: .resident(try resident(13)),
            district: district,
            materials: DeskFixture.bankCard,
            by: "portal"
        )
        try await desk.refuse("a-3", reasons: ["not resident in the district"], by: "clerk")
        let organisation = try CreditCode("91320214745555318W")
        _ = try await desk.submit(
            id: "b-1",
            service: "test-filing",
            applicant: .organisation(organisation),
            district: district,
            by: "portal"
        )
        try await desk.accept("b-1", by: "clerk")
        try clock.set("2026-03-10")
        try await desk.complete("b-1", result: "filed", by: "clerk")

        // On 10 March: a-1 is due on 12 March (2 working days: due soon); a-2, accepted on
        // 9 March, is due on 16 March (not yet).
        let soon = try await desk.warnings()
        #expect(soon.map(\.application) == ["a-1"])
        #expect(soon.map(\.department) == ["test-civil-affairs"])
        #expect(
            soon.map(\.status) == [
                .dueSoon(.promised, deadline: try CalendarDate(iso8601: "2026-03-12"), workingDaysLeft: 2)
            ]
        )
        // On 17 March both are overdue: a-1 by 13, 16, 17 March; a-2 by 17 March.
        try clock.set("2026-03-17")
        let overdue = try await desk.warnings()
        #expect(overdue.map(\.application) == ["a-1", "a-2"])
        #expect(
            overdue.map(\.status) == [
                .overdue(.promised, deadline: try CalendarDate(iso8601: "2026-03-12"), workingDays: 3),
                .overdue(.promised, deadline: try CalendarDate(iso8601: "2026-03-16"), workingDays: 1),
            ]
        )
        try await desk.complete("a-1", result: "paid", by: "reviewer")

        let counts = try await desk.counts()
        #expect(counts.count == 2)  // no bundle was submitted in this flow
        let subsidy = try #require(counts.first { $0.service == "test-subsidy" })
        #expect(subsidy.department == "test-civil-affairs")
        #expect(subsidy.district == Self.district)
        #expect(subsidy.received == 3)
        #expect(subsidy.completedLate == 1)
        #expect(subsidy.completedOnTime == 0)
        #expect(subsidy.closedWithoutResult == 1)
        #expect(subsidy.open == 1)
        #expect(subsidy.overdue == 1)
        let filing = try #require(counts.first { $0.service == "test-filing" })
        #expect(filing.received == 1)
        #expect(filing.completedOnTime == 1)

        let mine = try await desk.applications(of: .resident(person))
        #expect(mine.map(\.application.id) == ["a-1"])
        #expect(
            mine.first?.application.history.map(\.name) == [
                "submit", "accept", "review", "requestMaterials", "supplyMaterials", "complete",
            ]
        )
        return person
    }
}

@Suite("Application service")
struct ApplicationServiceTests {
    @Test("the desk's flow on the in-memory store: moves, pauses, warnings and counts")
    func flow() async throws {
        let fixture = try DeskFixture.inMemory(today: "2026-03-02")
        _ = try await fixture.run()
        #expect(try await fixture.auditLog.verify().isValid)
    }

    @Test("refusals are typed and change nothing")
    func refusals() async throws {
        let fixture = try DeskFixture.inMemory(today: "2026-03-02")
        let desk = fixture.desk
        let district = try DivisionCode(DeskFixture.district)
        let person = try fixture.resident(21)
        await #expect(throws: ServicesError.catalogue(.unknownService("dibao"))) {
            try await desk.submit(
                id: "x",
                service: "dibao",
                applicant: .resident(person),
                district: district,
                by: "portal"
            )
        }
        await #expect(
            throws: ServicesError.wrongApplicant(service: "test-filing", expected: .organisation, got: .resident)
        ) {
            try await desk.submit(
                id: "x",
                service: "test-filing",
                applicant: .resident(person),
                district: district,
                by: "portal"
            )
        }
        await #expect(throws: ServicesError.invalidID("")) {
            try await desk.submit(
                id: "",
                service: "test-subsidy",
                applicant: .resident(person),
                district: district,
                materials: DeskFixture.bankCard,
                by: "portal"
            )
        }
        await #expect(throws: ServicesError.unknownApplication("none")) { try await desk.accept("none", by: "clerk") }
        let submitted = try await desk.submit(
            id: "c-1",
            service: "test-subsidy",
            applicant: .resident(person),
            district: district,
            materials: DeskFixture.bankCard,
            by: "portal"
        )
        await #expect(throws: ServicesError.duplicateApplication("c-1")) {
            try await desk.submit(
                id: "c-1",
                service: "test-subsidy",
                applicant: .resident(try fixture.resident(22)),
                district: district,
                materials: DeskFixture.bankCard,
                by: "portal"
            )
        }
        await #expect(throws: ServicesError.move(.illegal(move: "complete", from: "submitted"))) {
            try await desk.complete("c-1", result: "paid", by: "clerk")
        }
        #expect(try await desk.application("c-1").application == submitted)
        // The description of an applicant is masked.
        #expect("\(Applicant.resident(person))" == "resident \(person.masked)")
        #expect(!"\(Applicant.household(head: person))".contains(person.unmasked))
    }

    @Test("the same flow on SQLite with OpenSSL: the applicant is sealed at rest, the audit log verifies")
    func sqlite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-services-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.random(using: crypto)
        let clock = try SteppingClock("2026-03-02")
        let path = directory.appendingPathComponent("services.sqlite").path
        let store = try SQLiteStore(
            path: path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "test/services", origin: "test", clock: clock)
            )
        )
        let fixture = try DeskFixture(store: store, crypto: crypto, keys: keys, clock: clock, auditLog: store.auditLog)
        let person = try await fixture.run()
        let verification = try await store.auditLog.verify()
        #expect(verification.isValid, "\(verification.problem ?? "")")
        var purposes: Set<String> = []
        for index in 0..<(try await store.auditLog.size()) {
            purposes.insert(try await store.auditLog.entry(at: index).purpose)
        }
        #expect(purposes.contains(ApplicationService.Purposes.applications.code))
        // The identity number appears nowhere in the file.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data(person.unmasked.utf8)) == nil)
    }

    @Test("a bundle: one submission, one application per department, done when every part is")
    func bundle() async throws {
        let fixture = try DeskFixture.inMemory(today: "2026-03-02")
        let desk = fixture.desk
        let district = try DivisionCode(DeskFixture.district)
        let head = try fixture.resident(31)
        let status = try await desk.submit(
            id: "life-1",
            bundle: "test-bundle",
            applicant: .household(head: head),
            district: district,
            materials: DeskFixture.bankCard,
            by: "portal"
        )
        #expect(status.parts.map(\.id) == ["life-1/test-subsidy", "life-1/test-doctor"])
        #expect(!status.isDone)
        // A retry returns the same parts.
        #expect(
            try await desk.submit(
                id: "life-1",
                bundle: "test-bundle",
                applicant: .household(head: head),
                district: district,
                materials: DeskFixture.bankCard,
                by: "portal"
            ) == status
        )
        // Each department moves its own part.
        try await desk.accept("life-1/test-doctor", by: "health-clerk")
        try await desk.complete("life-1/test-doctor", result: "contract signed", by: "health-clerk")
        let halfway = try await desk.bundleStatus("life-1", bundle: "test-bundle")
        #expect(!halfway.isDone)
        #expect(halfway.results == ["test-doctor": "contract signed"])
        try fixture.clock.set("2026-03-03")
        try await desk.accept("life-1/test-subsidy", by: "ca-clerk")
        try await desk.complete("life-1/test-subsidy", result: "paid", by: "ca-clerk")
        let done = try await desk.bundleStatus("life-1", bundle: "test-bundle")
        #expect(done.isDone)
        #expect(done.results == ["test-doctor": "contract signed", "test-subsidy": "paid"])
        // Counted per service, like any application.
        #expect(try await desk.counts().map(\.service) == ["test-doctor", "test-subsidy"])

        await #expect(throws: ServicesError.catalogue(.unknownService("no-bundle"))) {
            try await desk.submit(
                id: "x",
                bundle: "no-bundle",
                applicant: .household(head: head),
                district: district,
                materials: DeskFixture.bankCard,
                by: "portal"
            )
        }
        await #expect(throws: ServicesError.invalidID("a/b")) {
            try await desk.submit(
                id: "a/b",
                bundle: "test-bundle",
                applicant: .household(head: head),
                district: district,
                materials: DeskFixture.bankCard,
                by: "portal"
            )
        }
        await #expect(
            throws: ServicesError.wrongApplicant(service: "test-subsidy", expected: .resident, got: .organisation)
        ) {
            try await desk.submit(
                id: "org-1",
                bundle: "test-bundle",
                applicant: .organisation(try CreditCode("91320214745555318W")),
                district: district,
                materials: DeskFixture.bankCard,
                by: "portal"
            )
        }
        await #expect(throws: ServicesError.unknownApplication("none/test-subsidy")) {
            try await desk.bundleStatus("none", bundle: "test-bundle")
        }
    }
}
