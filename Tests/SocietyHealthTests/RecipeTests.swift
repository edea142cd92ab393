import Foundation
import Logging
import SocietyCore
import SocietyHealth
import SocietyJSON
import SocietyTesting
import Synchronization
import Testing

/// The service recipe: built from `ServicePorts`, declared purposes, one error type that wraps the
/// ports' failures, logs without personal data, progress for long scans.
@Suite("Family-doctor service: ports, errors, logging, progress")
struct FamilyDoctorRecipeTests {
    @Test("the declared purposes keep the codes the audit log has always shown")
    func purposes() {
        #expect(
            FamilyDoctorService.Purposes.all.map(\.code) == [
                "health.family-doctor.teams", "health.family-doctor.contracts", "health.family-doctor.follow-ups",
                "health.family-doctor.profiles", "health.family-doctor.reporting",
            ]
        )
    }

    @Test("built from ports over the in-memory store; the digest follows the ports' profile")
    func fromPorts() async throws {
        let store = try InMemoryStore(profile: .national)
        let ports = ServicePorts(
            store: store,
            crypto: store.crypto,
            keys: store.keys,
            clock: FixedWallClock(Date(timeIntervalSince1970: 1_790_000_000)),
            profile: .national,
            logger: .silent
        )
        let service = try FamilyDoctorService(ports: ports)
        #expect(service.digest == .sm3)
        try await service.register(try ServicePackage.basic)
        #expect(try await service.contracts(of: Identifier("team-1")).isEmpty)
    }

    @Test("an envelope's evidence is the one OpenedEnvelope.evidence computes, as before")
    func evidence() async throws {
        let city = try await HealthFixture()
        let resident = try city.resident(21, born: "1980-01-01")
        let notice = try await city.notice(
            service: "ca.assistance-status",
            data: [
                "resident": .string(resident.unmasked), "district": "321204",
                "facts": [["kind": "disability", "from": "2026-01-01"]],
            ]
        )
        let profile = try await city.service.record(notice)
        guard case .envelope(let digest, _, _) = profile.facts.first?.source else {
            Issue.record("no envelope provenance")
            return
        }
        // The text the module stored before the recipe: ALG:BASE64URL(digest(envelope text)).
        let before = "sha256:" + Base64URL.encode(try city.crypto.digest(.sha256, of: Array(notice.text.utf8)))
        #expect(digest == before)
        #expect(digest == (try notice.evidence(digest: .sha256, crypto: city.crypto)))
    }

    @Test("operations throw HealthError only, wrapping what the ports throw")
    func typedErrors() async throws {
        let clock = try HealthFixture<InMemoryStore>.clock("2026-11-29")
        let store = try InMemoryStore(clock: clock)
        // No searchable-hash key: refused when the service is built.
        #expect(throws: HealthError.keys(.noCurrentKey(.searchableHash))) {
            try FamilyDoctorService(
                ports: ServicePorts(
                    store: store,
                    crypto: store.crypto,
                    keys: StaticKeyProvider(keys: [:]),
                    clock: clock
                )
            )
        }
        // A store that refuses (a StoreError) and one that fails in its own way.
        let refusing = try FamilyDoctorService(
            ports: ServicePorts(
                store: FailingStore(error: StoreError.invalidHandle("closed")),
                crypto: store.crypto,
                keys: store.keys,
                clock: clock,
                logger: .silent
            )
        )
        await #expect(throws: HealthError.store(.invalidHandle("closed"))) {
            try await refusing.team(Identifier("team-1"))
        }
        let failing = try FamilyDoctorService(
            ports: ServicePorts(
                store: FailingStore(error: DiskFull()),
                crypto: store.crypto,
                keys: store.keys,
                clock: clock,
                logger: .silent
            )
        )
        await #expect(throws: HealthError.storage("disk full")) {
            try await failing.register(try ServicePackage.basic)
        }
        // The type is checked at compile time: `error` is a HealthError, with no cast.
        let city = try await HealthFixture()
        let unknown = try Identifier<FamilyDoctorContract>("fdc-none")
        do {
            _ = try await city.service.contract(unknown)
            Issue.record("an unknown contract was found")
        } catch {
            let typed: HealthError = error
            #expect(typed == .unknownContract("fdc-none"))
        }
    }

    @Test("the main flow logs at every level without a resident's number, name or phone")
    func logging() async throws {
        let logs = LogCapture()
        let city = try await HealthFixture(today: "2026-01-10", logger: logs.logger(level: .trace))
        try await city.team(capacity: 5)
        let patient = try city.resident(61, born: "1950-01-01")
        let phone = "13812345678"
        let notice = try await city.notice(
            service: "ca.assistance-status",
            data: [
                "resident": .string(patient.unmasked), "district": "321202", "phone": .string(phone),
                "facts": [
                    ["kind": "assistance", "status": "minimumLiving", "from": "2025-01-01"],
                    ["kind": "diagnosis", "condition": "hypertension", "from": "2024-05-01"],
                ],
            ]
        )
        try await city.service.record(notice)
        #expect(try await city.service.uncontractedLowIncome() == [try DivisionCode("321202"): [patient]])
        let contract = try await city.service.sign(patient, team: Identifier("team-1"), package: city.basic)
        await #expect(throws: HealthError.residentAlreadyContracted) {
            try await city.service.sign(patient, team: Identifier("team-1"), package: city.basic)
        }
        try await city.service.recordVisit(
            FollowUpVisit(date: city.date("2026-04-12"), member: 1, mode: .remote, note: "called \(phone), BP 138/86"),
            contract: contract.id,
            group: .hypertension
        )
        _ = try await city.service.overdueFollowUps(team: Identifier("team-1"), on: city.date("2026-08-01"))
        _ = try await city.service.exportFHIR(team: Identifier("team-1"), options: .init(revealPersonalData: true))
        _ = try await city.service.renew(contract.id)
        try await city.service.advance(to: city.date("2027-02-01"))

        let lines = logs.lines
        #expect(lines.count >= 10)
        #expect(lines.allSatisfy { $0.metadata["component"] == "health" })
        #expect(lines.contains { $0.message == "contract signed" && $0.metadata["contract"] == "\(contract.id)" })
        #expect(
            lines.contains { $0.message == "operation refused" && $0.metadata["error"] == "residentAlreadyContracted" }
        )
        for line in lines.map(\.description) {
            #expect(!line.contains(patient.unmasked), "a resident's number in: \(line)")
            #expect(!line.contains(phone), "a phone number in: \(line)")
            for name in ["王建国", "李敏", "陈静"] { #expect(!line.contains(name), "a member's name in: \(line)") }
        }
    }

    @Test("scans report their progress and end with a final count")
    func progress() async throws {
        let city = try await HealthFixture(today: "2026-01-10")
        try await city.team(capacity: 50)
        let source = FactSource.entered(by: "ca-sync")
        for n in 0..<12 {
            try await city.service.record(
                [HealthFact(.assistance(.minimumLiving), from: city.date("2025-01-01"), source: source)],
                for: try city.resident(100 + n),
                district: DivisionCode("321202")
            )
        }
        let reports = Mutex<[WorkProgress]>([])
        let found = try await city.service.uncontractedLowIncome { report in reports.withLock { $0.append(report) } }
        #expect(found.values.map(\.count).reduce(0, +) == 12)
        let low = reports.withLock { $0 }
        #expect(low.last == WorkProgress(task: "uncontracted low income", completed: 12, total: 12))

        reports.withLock { $0 = [] }
        for n in 0..<3 {
            _ = try await city.service.sign(try city.resident(100 + n), team: Identifier("team-1"), package: city.basic)
        }
        _ = try await city.service.exportFHIR(team: Identifier("team-1")) { report in
            reports.withLock { $0.append(report) }
        }
        #expect(reports.withLock { $0 }.last == WorkProgress(task: "fhir export", completed: 3, total: 3))
        // No handler, no counting: the scan's answer is the same.
        #expect(try await city.service.uncontractedLowIncome().values.map(\.count).reduce(0, +) == 9)
    }
}

/// A store whose every transaction fails with `error`.
struct FailingStore: RecordStore {
    let error: any Error & Sendable

    func read<T: Sendable>(purpose: Purpose?, _ body: @Sendable (any RecordReading) async throws -> T) async throws -> T
    {
        throw error
    }

    func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        throw error
    }
}

/// An adapter's own failure.
struct DiskFull: Error, CustomStringConvertible {
    var description: String { "disk full" }
}
