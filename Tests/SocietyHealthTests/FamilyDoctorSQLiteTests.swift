import Foundation
import SocietyCore
import SocietyHealth
import SocietyJSON
import SocietyOpenSSL
import SocietySQLite
import Testing

extension HealthFixture where Store == SQLiteStore {
    /// A service on a new SQLite file in `directory`, with fields sealed by OpenSSL under random
    /// keys and every transaction audited.
    init(sqliteIn directory: URL, today: String = "2026-11-29") async throws {
        let crypto = OpenSSLCryptoProvider()
        let clock = try Self.clock(today)
        let keys = try StaticKeyProvider.random(using: crypto)
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("health.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: Self.actor, origin: "test", clock: clock)
            )
        )
        try await self.init(store: store, keys: keys, crypto: crypto, clock: clock)
    }
}

/// The integration suite: the family-doctor flow on a real SQLite file with OpenSSL, ending with
/// an audit log that verifies.
@Suite("Family-doctor service on SQLite")
struct FamilyDoctorSQLiteTests {
    /// A temporary directory, removed when `body` returns.
    func inTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    @Test("facts by envelope, signing, follow-ups, renewal, termination and export; the audit log verifies")
    func mainFlow() async throws {
        try await inTemporaryDirectory { directory in
            let city = try await HealthFixture(sqliteIn: directory, today: "2026-01-10")
            try await city.team(capacity: 5)
            let patient = try city.resident(51, born: "1950-01-01")
            let notice = try await city.notice(
                service: "ca.assistance-status",
                data: [
                    "resident": .string(patient.unmasked), "district": "321202",
                    "facts": [
                        ["kind": "assistance", "status": "minimumLiving", "from": "2025-01-01"],
                        ["kind": "diagnosis", "condition": "hypertension", "from": "2024-05-01"],
                    ],
                ]
            )
            try await city.service.record(notice)
            let groups = try await city.service.priorityGroups(of: patient)
            #expect(groups.map(\.group) == [.elderly, .hypertension, .minimumLiving])
            #expect(try await city.service.uncontractedLowIncome() == [try DivisionCode("321202"): [patient]])

            let contract = try await city.service.sign(patient, team: Identifier("team-1"), package: city.basic)
            #expect(contract.state == .active)
            #expect(try await city.service.uncontractedLowIncome().isEmpty)
            let plan = try await city.service.followUps(of: contract.id)
            #expect(
                plan.filter { $0.group == .hypertension }.map(\.due.iso8601) == [
                    "2026-04-10", "2026-07-10", "2026-10-10",
                ]
            )
            let visit = FollowUpVisit(date: try city.date("2026-04-12"), member: 1, mode: .home, note: "BP 138/86")
            try await city.service.recordVisit(visit, contract: contract.id, group: .hypertension)
            let overdue = try await city.service.overdueFollowUps(
                team: Identifier("team-1"),
                on: city.date("2026-08-01")
            )
            #expect(overdue.map(\.due.iso8601) == ["2026-07-10"])

            let successor = try await city.service.renew(contract.id)
            #expect(try await city.service.currentContract(of: patient)?.id == successor.id)
            let other = try await city.service.sign(
                try city.resident(52),
                team: Identifier("team-1"),
                package: city.basic
            )
            try await city.service.terminate(other.id, reason: .movedAway)
            #expect(try await city.service.load(of: Identifier("team-1")) == (current: 1, capacity: 5))

            let bundle = try await city.service.exportFHIR(
                team: Identifier("team-1"),
                options: .init(includeEnded: true)
            )
            try FHIRExportTests.checkR4(bundle)
            #expect(!(try bundle.canonicalString()).contains(patient.unmasked))

            // Every change and every sensitive read was audited, under this service's purposes,
            // and the log's hash tree verifies from its first entry.
            let log: any AuditLog = city.store.auditLog
            let verification = try await log.verify()
            #expect(verification.isValid, "\(verification.problem ?? "")")
            let size = try await log.size()
            #expect(size > 10)
            var purposes: Set<String> = []
            for index in 0..<size { purposes.insert(try await log.entry(at: index).purpose) }
            #expect(
                purposes.isSuperset(of: [
                    FamilyDoctorService.Purposes.contracts.code, FamilyDoctorService.Purposes.profiles.code,
                ])
            )
        }
    }

    @Test("concurrent signing on SQLite: exactly `capacity` succeed, nobody holds two contracts")
    func concurrentSigning() async throws {
        try await inTemporaryDirectory { directory in
            let city = try await HealthFixture(sqliteIn: directory)
            try await FamilyDoctorServiceTests.signConcurrently(city)
            let log: any AuditLog = city.store.auditLog
            #expect(try await log.verify().isValid)
        }
    }
}
