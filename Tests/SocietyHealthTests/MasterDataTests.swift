import Foundation
import SocietyCore
import SocietyExchange
import SocietyHealth
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

@Suite("Health master data")
struct MasterDataTests {
    @Test("the four databases and the public-health notifications as catalogue services, levels as GB/T 43697 asks")
    func catalogue() throws {
        let provider = try Party("113212000142875918/health")
        let services = HealthMasterData.services(provider: provider, purposes: [Purpose(constant: "health.planning")])
        #expect(services.count == 7)
        let byID = Dictionary(uniqueKeysWithValues: services.map { ($0.id, $0) })
        // Person-level health data is important and sensitive; institutions are general and public.
        for id in [HealthMasterData.healthRecords, HealthMasterData.medicalRecords, HealthMasterData.vaccination] {
            let service = try #require(byID[id])
            #expect(service.fields.contains { $0.level == .important && $0.sensitivity == .sensitivePersonal })
            #expect(service.fields.allSatisfy { $0.level == .important }, "\(id)")
        }
        let resources = try #require(byID[HealthMasterData.resources])
        #expect(resources.fields.allSatisfy { $0.level == .general && $0.sensitivity == .public })
        // A trust list accepts them.
        var list = TrustList(version: 1, issuedAt: Date(), nextUpdate: Date().addingTimeInterval(86_400))
        list.services = services
        #expect(list.service(withID: HealthMasterData.population)?.provider == provider)
    }

    @Test("ICD-10 codes are checked; a medical record entry keeps nothing personal in clear on SQLite")
    func records() async throws {
        #expect(try DiagnosisCode("J06.9").value == "J06.9")
        #expect(try DiagnosisCode("E11").value == "E11")
        for bad in ["j06.9", "J6", "J06.", "J06.12345", "106.9", ""] {
            #expect(throws: HealthError.self, "\(bad)") { try DiagnosisCode(bad) }
        }
        #expect(throws: HealthError.self) {
            try HealthResource(
                institution: CreditCode("113212000142871106"),
                name: "",
                kind: .hospital,
                district: DivisionCode("321202"),
                beds: 1,
                doctors: 1,
                nurses: 1
            )
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-emr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("emr.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: try StaticKeyProvider.random(using: crypto))
            )
        )
        let patient = try ResidentID("321202199003150021")
        let entry = try MedicalRecordEntry(
            id: "emr-1",
            patient: patient,
            encounter: "apt-1",
            date: try CalendarDate(iso8601: "2026-12-01"),
            diagnoses: [try DiagnosisCode("J06.9")],
            prescriptions: ["阿莫西林 0.5g tid"]
        )
        let hospital = try HealthResource(
            institution: CreditCode("113212000142871106"),
            name: "泰州市人民医院",
            kind: .hospital,
            district: DivisionCode("321202"),
            beds: 2_000,
            doctors: 900,
            nurses: 1_400
        )
        let purpose = Purpose(constant: "health.emr")
        try await store.write(purpose: purpose) { db in
            try await db.put(entry)
            try await db.put(hospital)
        }
        let read = try await store.read(purpose: purpose) { db in
            try await db.fetch(RecordQuery<MedicalRecordEntry>.filter("patient", equals: .text(patient.unmasked)))
        }
        #expect(read == [entry])
        let bytes = StoreFiles.bytes(of: directory.appendingPathComponent("emr.sqlite").path)
        for secret in [patient.unmasked, "J06.9", "阿莫西林"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret)")
        }
        #expect(bytes.range(of: Data("泰州市人民医院".utf8)) != nil, "the resources are public")
    }
}
