import Foundation
import InteropSupport
import SocietyCore
import SocietyHealth
import SocietyJSON
import SocietyTesting
import Testing

/// The FHIR export checked against the R4 structure: resource types, required elements, code sets,
/// cardinalities, reference forms, references that resolve inside the bundle, and no element R4
/// does not define — then again with the fhir.resources models (pinned in `Tests/Interop/requirements.txt`).
@Suite("FHIR R4 export")
struct FHIRExportTests {
    /// The R4 elements each exported resource may carry (a subset of each resource's definition).
    static let elements: [String: Set<String>] = [
        "Bundle": ["resourceType", "id", "type", "timestamp", "entry"],
        "Organization": ["resourceType", "id", "identifier", "active", "name"],
        "Practitioner": ["resourceType", "id", "active", "name"],
        "CareTeam": [
            "resourceType", "id", "identifier", "status", "category", "name", "participant", "managingOrganization",
        ],
        "Patient": ["resourceType", "id", "identifier", "active", "gender", "birthDate"],
        "EpisodeOfCare": [
            "resourceType", "id", "identifier", "status", "type", "patient", "managingOrganization", "period", "team",
        ],
        "Contract": [
            "resourceType", "id", "identifier", "status", "issued", "applies", "subject", "authority",
            "topicCodeableConcept", "term", "expirationType",
        ],
        "Appointment": [
            "resourceType", "id", "status", "serviceType", "start", "end", "minutesDuration", "participant",
        ],
        "Encounter": ["resourceType", "id", "status", "class", "subject", "participant", "appointment", "period"],
        "Immunization": [
            "resourceType", "id", "status", "vaccineCode", "patient", "occurrenceDateTime", "primarySource",
            "lotNumber", "location", "protocolApplied", "isSubpotent", "subpotentReason",
        ],
    ]
    /// R4 required bindings.
    static let codes: [String: Set<String>] = [
        "CareTeam": ["proposed", "active", "suspended", "inactive", "entered-in-error"],
        "EpisodeOfCare": ["planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error"],
        "Contract": [
            "amended", "appended", "cancelled", "disputed", "entered-in-error", "executable", "executed", "negotiable",
            "offered", "policy", "rejected", "renewed", "revoked", "resolved", "terminated",
        ],
        "Appointment": [
            "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error",
            "checked-in", "waitlist",
        ],
        "Encounter": [
            "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error",
            "unknown",
        ],
        "Immunization": ["completed", "entered-in-error", "not-done"],
    ]

    /// A team with an active, a renewed (and its signed successor), and a terminated contract.
    func export(_ options: FHIRExportOptions) async throws -> (HealthFixture<InMemoryStore>, [ResidentID], JSONValue) {
        let city = try await HealthFixture()
        try await city.team(capacity: 10)
        let residents = try (1...3).map { try city.resident($0) }
        let first = try await city.service.sign(
            residents[0],
            team: Identifier("team-1"),
            package: Identifier("chronic")
        )
        _ = try await city.service.renew(first.id)
        _ = try await city.service.sign(residents[1], team: Identifier("team-1"), package: city.basic)
        let third = try await city.service.sign(residents[2], team: Identifier("team-1"), package: city.basic)
        try await city.service.terminate(third.id, reason: .movedAway)
        return (city, residents, try await city.service.exportFHIR(team: Identifier("team-1"), options: options))
    }

    @Test("the bundle has the R4 structure and every reference resolves inside it")
    func structure() async throws {
        let (_, _, bundle) = try await export(FHIRExportOptions(includeEnded: true))
        try Self.checkR4(bundle)
        let types = bundle["entry"]?.arrayValue?.compactMap { $0["resource"]?["resourceType"]?.stringValue } ?? []
        #expect(types.filter { $0 == "Contract" }.count == 4)
        #expect(types.filter { $0 == "EpisodeOfCare" }.count == 4)
        #expect(types.filter { $0 == "Patient" }.count == 3)
        #expect(types.filter { $0 == "Practitioner" }.count == 3)
        let statuses = Set(
            bundle["entry"]?.arrayValue?.compactMap { entry -> String? in
                guard entry["resource"]?["resourceType"]?.stringValue == "Contract" else { return nil }
                return entry["resource"]?["status"]?.stringValue
            } ?? []
        )
        #expect(statuses == ["executed", "renewed", "terminated"])
        let current = try await export(FHIRExportOptions()).2
        // Organization, three practitioners, the team; two current contracts with their patients.
        let count = current["entry"]?.arrayValue?.count ?? 0
        #expect(count == 11)
    }

    @Test("personal data is pseudonymous by default and revealed only on request")
    func masking() async throws {
        let (_, residents, bundle) = try await export(FHIRExportOptions(includeEnded: true))
        let text = try bundle.canonicalString()
        for resident in residents { #expect(!text.contains(resident.unmasked)) }
        #expect(!text.contains("王建国"))
        #expect(text.contains("王**"))
        #expect(text.contains(FHIRSystems.patientPseudonym))
        #expect(!text.contains(FHIRSystems.residentID))
        let (_, shown, revealed) = try await export(FHIRExportOptions(revealPersonalData: true))
        let full = try revealed.canonicalString()
        #expect(full.contains(shown[1].unmasked))
        #expect(full.contains("王建国"))
        try Self.checkR4(revealed)
    }

    @Test("the export is canonical JSON: the same data gives the same bytes")
    func canonical() async throws {
        let (city, _, bundle) = try await export(FHIRExportOptions())
        let again = try await city.service.exportFHIR(team: Identifier("team-1"))
        #expect(try bundle.canonicalString() == again.canonicalString())
    }

    @Test("fhir.resources (R4B models) accepts the bundle")
    func fhirResources() async throws {
        let (_, _, bundle) = try await export(FHIRExportOptions(includeEnded: true))
        let (status, text) = try Self.validate(bundle)
        #expect(status == 0, "\(text)")
        #expect(text.hasPrefix("valid 16 entries"), "\(text)")
    }

    /// Runs `Interop/fhir_validate.py` (the fhir.resources models) on `bundle`: its exit status and
    /// what it printed.
    static func validate(_ bundle: JSONValue) throws -> (Int32, String) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Interop/fhir_validate.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [try InteropPython.path(), script.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(try bundle.canonicalString().utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for pipe in [input, output] {
            try? pipe.fileHandleForReading.close()
            try? pipe.fileHandleForWriting.close()
        }
        return (process.terminationStatus, text)
    }

    /// Checks `bundle` against the R4 rules the export relies on; records an issue per violation.
    static func checkR4(_ bundle: JSONValue) throws {
        #expect(bundle["resourceType"]?.stringValue == "Bundle")
        #expect(bundle["type"]?.stringValue == "collection")
        let entries = try #require(bundle["entry"]?.arrayValue)
        var fullUrls = Set<String>()
        var references: [String] = []
        var bases = Set<String>()
        for entry in entries {
            let fullUrl = try #require(entry["fullUrl"]?.stringValue)
            #expect(fullUrls.insert(fullUrl).inserted, "duplicate fullUrl \(fullUrl)")
            let resource = try #require(entry["resource"]?.objectValue)
            let type = try #require(resource["resourceType"]?.stringValue)
            let id = try #require(resource["id"]?.stringValue)
            #expect(id.wholeMatch(of: /[A-Za-z0-9\-\.]{1,64}/) != nil, "bad id \(id)")
            #expect(fullUrl.hasSuffix("/\(type)/\(id)"))
            bases.insert(String(fullUrl.dropLast(type.count + id.count + 2)))
            let allowed = try #require(Self.elements[type], "unexpected resource \(type)")
            for key in resource.keys { #expect(allowed.contains(key), "\(type) has no element \(key) in R4") }
            if let codes = Self.codes[type] {
                let status = resource["status"]?.stringValue ?? ""
                #expect(codes.contains(status), "\(type).status \(status)")
            }
            switch type {
            case "CareTeam":
                for participant in resource["participant"]?.arrayValue ?? [] {
                    let member = participant["member"]?["reference"]?.stringValue ?? ""
                    #expect(member.hasPrefix("Practitioner/"), "CareTeam.participant.member \(member)")
                    #expect(participant["role"]?.arrayValue != nil, "CareTeam.participant.role is 0..*")
                }
                #expect(resource["managingOrganization"]?.arrayValue != nil, "managingOrganization is 0..*")
            case "EpisodeOfCare":
                let patient = resource["patient"]?["reference"]?.stringValue ?? ""
                #expect(patient.hasPrefix("Patient/"), "EpisodeOfCare.patient is 1..1")
                #expect(resource["team"]?.arrayValue != nil)
                #expect(resource["managingOrganization"]?.objectValue != nil, "managingOrganization is 0..1")
            case "Contract":
                let subjects = resource["subject"]?.arrayValue ?? []
                #expect(!subjects.isEmpty)
                for term in resource["term"]?.arrayValue ?? [] {
                    #expect(term["offer"]?.objectValue != nil, "Contract.term.offer is 1..1")
                }
            case "Patient":
                for identifier in resource["identifier"]?.arrayValue ?? [] {
                    #expect(identifier["system"]?.stringValue != nil && identifier["value"]?.stringValue != nil)
                }
                if let gender = resource["gender"]?.stringValue {
                    #expect(["male", "female", "other", "unknown"].contains(gender))
                }
            default: break
            }
            collect(.object(resource), into: &references)
        }
        #expect(bases.count == 1, "one base for every entry")
        let base = bases.first ?? ""
        for reference in references {
            #expect(reference.wholeMatch(of: /[A-Za-z]+\/[A-Za-z0-9\-\.]{1,64}/) != nil, "reference form \(reference)")
            #expect(fullUrls.contains("\(base)/\(reference)"), "unresolved reference \(reference)")
        }
    }

    static func collect(_ value: JSONValue, into references: inout [String]) {
        switch value {
        case .object(let object):
            for member in object {
                if member.key == "reference", let text = member.value.stringValue { references.append(text) }
                collect(member.value, into: &references)
            }
        case .array(let values): for item in values { collect(item, into: &references) }
        default: break
        }
    }
}
