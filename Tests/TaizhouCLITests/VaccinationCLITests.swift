import Foundation
import Testing

/// `taizhou vaccination` on a fresh state folder.
@Suite("taizhou vaccination")
struct VaccinationCLITests {
    /// Born 2025-06-10.
    static let infant = "321202202506100039"

    @Test("record doses; status: due, then overdue (exit 3); the entry check names the catch-up; FHIR; bad input")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-vacc", secrets: [Self.infant])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        func dose(_ id: String, _ vaccine: String, _ date: String) throws -> String {
            try succeed([
                "vaccination", "record", "--child", Self.infant, "--id", id, "--vaccine", vaccine, "--date", date,
                "--lot", "L-\(id)", "--at", "城东社区卫生服务中心",
            ])
        }
        #expect(try dose("v1", "HepB", "2025-06-10").contains("v1: HepB (乙肝疫苗) for 3212"))
        _ = try dose("v2", "BCG", "2025-06-11")
        _ = try dose("v3", "HepB", "2025-07-10")
        _ = try dose("v4", "DTaP", "2025-07-20")  // before 2 months: does not count

        let status = try succeed(["vaccination", "status", "--child", Self.infant, "--on", "2025-12-01"])
        #expect(status.contains("under NIP-2025"))
        #expect(status.contains("HepB-3: due since 2025-12-10") == false)
        #expect(status.contains("polio-1: due since 2025-08-10, in time until 2026-06-09"))
        #expect(status.contains("record v4 does not count: given on 2025-07-20, before DTaP-1's minimum age"))
        #expect(status.contains("up to date;"))

        let later = try run(["vaccination", "status", "--child", Self.infant, "--on", "2026-07-01"])
        #expect(later.status == 3)
        #expect(later.standardOutput.contains("HepB-3: overdue since 2026-06-10 — catch up"))

        let entry = try run(["vaccination", "entry-check", "--child", Self.infant, "--on", "2026-09-01"])
        #expect(entry.status == 3)
        #expect(entry.standardOutput.contains("entering on 2026-09-01: catch up HepB-3, polio-1"))
        #expect(
            entry.standardOutput.contains("✗ entry-HepB: HepB: 2 of 3 doses due by 2026-09-01 given — catch up HepB-3")
        )
        #expect(entry.standardOutput.contains("✓ entry-BCG"))
        #expect(!entry.standardOutput.contains(Self.infant))

        let fhir = try succeed(["vaccination", "export-fhir", "--child", Self.infant])
        #expect(fhir.contains(#""resourceType":"Immunization""#))
        #expect(fhir.contains(#""isSubpotent":true"#))
        #expect(!fhir.contains("3212022025"))

        let unknown = try run([
            "vaccination", "record", "--child", Self.infant, "--id", "v9", "--vaccine", "HPV", "--date", "2025-08-01",
            "--lot", "L", "--at", "c",
        ])
        #expect(unknown.status == 2 && unknown.standardError.contains("HPV is not one of the programme's vaccines"))
        let again = try run([
            "vaccination", "record", "--child", Self.infant, "--id", "v1", "--vaccine", "BCG", "--date", "2025-08-01",
            "--lot", "L", "--at", "c",
        ])
        #expect(again.status == 1 && again.standardError.contains("immunisation record v1 already exists"))
        let unborn = try run([
            "vaccination", "record", "--child", Self.infant, "--id", "v8", "--vaccine", "BCG", "--date", "2025-06-01",
            "--lot", "L", "--at", "c",
        ])
        #expect(unborn.status == 2 && unborn.standardError.contains("before the child was born"))
        #expect(!unborn.standardError.contains(Self.infant))
    }
}
