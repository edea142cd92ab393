import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyHealth
import SocietyJSON

/// `taizhou doctor`: family-doctor contracts on a deployment's store — teams, signing, renewal and
/// termination, facts and priority groups, overdue follow-ups, the low-income residents still
/// without a doctor, and the FHIR R4 export.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Family-doctor contracts (家庭医生签约): teams, contracts, follow-ups, FHIR export.",
        discussion: """
            State lives in the department store family-doctor.sqlite of the state folder (--state), with its \
            key file (created on first write, mode 600). groups, followups, uncontracted and export-fhir only \
            read: they create nothing and fail when the store is missing.
            """,
        subcommands: [
            Team.self, Sign.self, Renew.self, Terminate.self, Fact.self, Groups.self, FollowUps.self, Visit.self,
            Uncontracted.self, ExportFHIR.self,
        ]
    )

    /// The database every subcommand works on: a department of the deployment in its folder.
    struct Database: ParsableArguments {
        @OptionGroup var state: StateOptions

        /// Opens the department `family-doctor` (encrypted fields, audited) and the service on its
        /// ports; with `.existing`, only a store that is there.
        func open(_ access: StoreAccess = .createIfMissing) async throws -> FamilyDoctorService {
            let (_, department) = try state.department("family-doctor", subsystem: "family-doctor", access: access)
            return try await reportingErrors { try FamilyDoctorService(ports: department.ports) }
        }
    }

    struct Team: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register or update a team (and the default basic and chronic-disease packages)."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The team id (A–Z a–z 0–9 - .).") var id: String
        @Option(help: "The team's name.") var name: String
        @Option(help: "The primary-care institution's credit code.") var institution: String
        @Option(help: "The institution's name.") var institutionName: String
        @Option(help: "The institution's division code.") var division: String
        @Option(help: "Residents the team may serve at once.") var capacity: Int
        @Option(
            help: "A member, NUMBER:NAME:ROLE (generalPractitioner, nurse, publicHealthDoctor); repeat for each."
        )
        var member: [String] = []

        mutating func run() async throws {
            let organization = Organization(
                creditCode: try validated(institution, as: "institution", CreditCode.init),
                name: institutionName,
                kind: .hospital,
                division: try validated(division, as: "division", DivisionCode.init)
            )
            let members = try member.map { text in
                let parts = text.split(separator: ":", maxSplits: 2).map(String.init)
                guard parts.count == 3, let number = Int(parts[0]), let role = TeamRole(rawValue: parts[2]) else {
                    throw ValidationError("--member must be NUMBER:NAME:ROLE")
                }
                return TeamMember(
                    number: number,
                    name: try validated(parts[1], as: "member name", PersonName.init),
                    role: role
                )
            }
            let teamID = try validated(id, as: "id", Identifier<DoctorTeam>.init)
            let service = try await database.open()
            let team = try await reportingErrors {
                let team = try DoctorTeam(
                    id: teamID,
                    name: name,
                    institution: organization,
                    members: members,
                    capacity: capacity
                )
                try await service.register(team)
                try await service.register(try ServicePackage.basic)
                try await service.register(try ServicePackage.chronicDisease)
                return team
            }
            let roster: [JSONValue] = team.members.map {
                [
                    "number": .number(Double($0.number)), "name": .string($0.name.masked),
                    "role": .string($0.role.rawValue),
                ]
            }
            output.emit(
                "\(team.id) registered: capacity \(team.capacity), members "
                    + team.members.map { "\($0.number) \($0.name.masked) \($0.role.rawValue)" }.joined(separator: ", "),
                json: [
                    "team": .string("\(team.id)"), "capacity": .number(Double(team.capacity)),
                    "members": .array(roster),
                ]
            )
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a contract; prints the contract (masked), its priority groups and planned follow-ups."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The resident's citizen identity number.") var resident: String
        @Option(help: "The team id.") var team: String
        @Option(help: "The service package id (basic, chronic, …).") var package = "basic"
        @Option(help: "Term in whole years (at least 1).") var years = 1
        @Option(help: "First day, YYYY-MM-DD (default: today).") var start: String?

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let team = try validated(team, as: "team", Identifier<DoctorTeam>.init)
            let package = try validated(package, as: "package", Identifier<ServicePackage>.init)
            let start = try start.map { try validated($0, as: "start", CalendarDate.init(iso8601:)) }
            let service = try await database.open()
            let contract = try await reportingErrors {
                try await service.sign(resident, team: team, package: package, start: start, years: years)
            }
            try await printPlan(contract, service, output)
        }
    }

    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Renew an active contract; prints the successor, which starts after the old term."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The contract id.") var contract: String
        @Option(help: "Term of the renewal in whole years.") var years = 1

        mutating func run() async throws {
            let id = try validated(contract, as: "contract", Identifier<FamilyDoctorContract>.init)
            let service = try await database.open()
            let successor = try await reportingErrors { try await service.renew(id, years: years) }
            try await printPlan(successor, service, output)
        }
    }

    struct Terminate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a contract early.")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The contract id.") var contract: String
        @Option(help: "residentWithdrew, movedAway, deceased or teamDissolved.") var reason = "residentWithdrew"

        mutating func run() async throws {
            let id = try validated(contract, as: "contract", Identifier<FamilyDoctorContract>.init)
            guard let reason = TerminationReason(rawValue: reason) else { throw ValidationError("unknown --reason") }
            let service = try await database.open()
            let ended = try await reportingErrors { try await service.terminate(id, reason: reason) }
            output.emit("\(ended)", json: .object(contractJSON(ended)))
        }
    }

    struct Fact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record facts about a resident (staff entry; other departments send envelopes)."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The resident's citizen identity number.") var resident: String
        @Option(help: "The county-level division where the resident lives.") var district: String
        @Option(
            help: """
                A fact: diagnosis:hypertension|diabetes|severeMentalIllness, \
                assistance:minimumLiving|nearMinimumLiving|extremePoverty, pregnancy:DUE-DATE, disability, livingAlone.
                """
        )
        var fact: [String] = []
        @Option(help: "The day the facts hold from (default: today).") var from: String?
        @Option(help: "Who enters them (a system account).") var by = "taizhou-cli"

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let district = try validated(district, as: "district", DivisionCode.init)
            let from =
                try from.map { try validated($0, as: "from", CalendarDate.init(iso8601:)) } ?? CalendarDate(Date())
            let facts = try fact.map { text -> HealthFact in
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                let kind: HealthFact.Kind? =
                    switch parts.first {
                    case "diagnosis":
                        parts.count == 2 ? ChronicCondition(rawValue: parts[1]).map { .diagnosis($0) } : nil
                    case "assistance":
                        parts.count == 2 ? AssistanceStatus(rawValue: parts[1]).map { .assistance($0) } : nil
                    case "pregnancy":
                        parts.count == 2
                            ? (try? CalendarDate(iso8601: parts[1])).map { .pregnancy(expectedDelivery: $0) } : nil
                    case "disability": .disability
                    case "livingAlone": .livingAlone
                    default: nil
                    }
                guard let kind else { throw ValidationError("unknown --fact \(text)") }
                return HealthFact(kind, from: from, source: .entered(by: by))
            }
            let service = try await database.open()
            let profile = try await reportingErrors {
                try await service.record(facts, for: resident, district: district)
            }
            output.emit(
                "\(resident.masked): \(profile.facts.count) fact(s) on record in \(district.code)",
                json: [
                    "resident": .string(resident.masked), "facts": .number(Double(profile.facts.count)),
                    "district": .string(district.code),
                ]
            )
        }
    }

    struct Groups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A resident's priority groups, each with its rule and the facts it used."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The resident's citizen identity number.") var resident: String

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let service = try await database.open(.existing)
            let groups = try await reportingErrors { try await service.priorityGroups(of: resident) }
            let lines =
                groups.map { "\($0.group.rawValue) [\($0.rule)]: \($0.facts.joined(separator: "; "))" }
                + ["\(resident.masked): \(groups.count) priority group(s)"]
            let json: [JSONValue] = groups.map {
                [
                    "group": .string($0.group.rawValue), "rule": .string("\($0.rule)"),
                    "facts": .array($0.facts.map { .string($0) }),
                ]
            }
            output.emit(
                lines.joined(separator: "\n"),
                json: ["resident": .string(resident.masked), "groups": .array(json)]
            )
        }
    }

    struct FollowUps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "followups",
            abstract: "A team's overdue follow-ups (or one contract's plan with --contract), masked."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The team id.") var team: String?
        @Option(help: "A contract id: list its whole plan instead.") var contract: String?
        @Option(help: "The day to judge overdue on (default: today).") var on: String?

        mutating func run() async throws {
            let service = try await database.open(.existing)
            let followUps: [FollowUp]
            if let contract {
                let id = try validated(contract, as: "contract", Identifier<FamilyDoctorContract>.init)
                followUps = try await reportingErrors { try await service.followUps(of: id) }
            } else if let team {
                let id = try validated(team, as: "team", Identifier<DoctorTeam>.init)
                let day = try on.map { try validated($0, as: "on", CalendarDate.init(iso8601:)) }
                followUps = try await reportingErrors { try await service.overdueFollowUps(team: id, on: day) }
            } else {
                throw ValidationError("give --team or --contract")
            }
            let lines =
                followUps.map { followUp in
                    "\(followUp.due) \(followUp.group.rawValue) \(followUp.resident.masked) contract \(followUp.contract)"
                        + (followUp.visit.map { " visited \($0.date) by member \($0.member)" } ?? " open")
                } + ["\(followUps.count) follow-up(s)"]
            let json: [JSONValue] = followUps.map { followUp in
                [
                    "due": .string("\(followUp.due)"), "group": .string(followUp.group.rawValue),
                    "resident": .string(followUp.resident.masked), "contract": .string("\(followUp.contract)"),
                    "visited": followUp.visit.map { .string("\($0.date)") } ?? .null,
                ]
            }
            output.emit(lines.joined(separator: "\n"), json: ["followUps": .array(json)])
        }
    }

    struct Visit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a visit: closes the contract's earliest open follow-up of the group."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The contract id.") var contract: String
        @Option(help: "The priority group followed up (hypertension, diabetes, …).") var group: String
        @Option(help: "The team member's number.") var member: Int
        @Option(help: "clinic, home or remote.") var mode = "clinic"
        @Option(help: "The day of the visit (default: today).") var date: String?

        mutating func run() async throws {
            let id = try validated(contract, as: "contract", Identifier<FamilyDoctorContract>.init)
            guard let group = PriorityGroup(rawValue: group) else { throw ValidationError("unknown --group") }
            guard let mode = FollowUpVisit.Mode(rawValue: mode) else { throw ValidationError("unknown --mode") }
            let day =
                try date.map { try validated($0, as: "date", CalendarDate.init(iso8601:)) } ?? CalendarDate(Date())
            let service = try await database.open()
            let closed = try await reportingErrors {
                try await service.recordVisit(
                    FollowUpVisit(date: day, member: member, mode: mode),
                    contract: id,
                    group: group
                )
            }
            output.emit(
                "closed \(closed.group.rawValue) follow-up due \(closed.due)",
                json: ["closed": .string(closed.group.rawValue), "due": .string("\(closed.due)")]
            )
        }
    }

    struct Uncontracted: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Low-income residents without a current contract, per district (masked)."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this district.") var district: String?

        mutating func run() async throws {
            let district = try district.map { try validated($0, as: "district", DivisionCode.init) }
            let service = try await database.open(.existing)
            let found = try await reportingErrors { try await service.uncontractedLowIncome(in: district) }
            let sorted = found.sorted(by: { $0.key < $1.key })
            let lines =
                sorted.map { "\($0.key): \($0.value.count) — \($0.value.map(\.masked).joined(separator: " "))" }
                + ["\(found.values.reduce(0) { $0 + $1.count }) low-income resident(s) without a contract"]
            let json = JSONObject(
                Dictionary(
                    uniqueKeysWithValues: sorted.map {
                        ("\($0.key)", JSONValue.array($0.value.map { .string($0.masked) }))
                    }
                )
            )
            output.emit(lines.joined(separator: "\n"), json: ["byDistrict": .object(json)])
        }
    }

    struct ExportFHIR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-fhir",
            abstract: "A team's contracts as an HL7 FHIR R4 Bundle (canonical JSON), pseudonymous by default."
        )
        @OptionGroup var database: Database
        @Option(help: "The team id.") var team: String
        @Option(help: "The FHIR server base for fullUrl.") var base = FHIRExportOptions().baseURL
        @Flag(help: "Include renewed, terminated and expired contracts.") var includeEnded = false
        @Flag(help: "Write full identity numbers, genders, birth dates and names (off: pseudonyms, masked names).")
        var revealPersonalData = false
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Replace an existing --out file.") var force = false

        mutating func run() async throws {
            let id = try validated(team, as: "team", Identifier<DoctorTeam>.init)
            let service = try await database.open(.existing)
            let options = FHIRExportOptions(
                baseURL: base,
                revealPersonalData: revealPersonalData,
                includeEnded: includeEnded
            )
            let text = try await reportingErrors {
                try await service.exportFHIR(team: id, options: options).canonicalString()
            }
            if let out {
                try writeFile(Data(text.utf8), to: out, replacing: force)
                note("wrote \(out)")
            } else {
                print(text)
            }
        }
    }
}

/// Prints a signed or renewed contract (masked) with its priority groups and planned follow-ups.
private func printPlan(
    _ contract: FamilyDoctorContract,
    _ service: FamilyDoctorService,
    _ output: OutputOptions
) async throws {
    let groups = try await reportingErrors {
        try await service.priorityGroups(of: contract.resident, on: contract.term.from)
    }
    let plan = try await reportingErrors { try await service.followUps(of: contract.id) }
    var json = contractJSON(contract)
    json["priorityGroups"] = .array(groups.map { .string($0.group.rawValue) })
    json["followUpsPlanned"] = .number(Double(plan.count))
    output.emit(
        "\(contract)\npriority groups: \(groups.isEmpty ? "none" : groups.map(\.group.rawValue).joined(separator: ", ")); "
            + "\(plan.count) follow-up(s) planned",
        json: .object(json)
    )
}

/// A contract as JSON, masked as its description is.
private func contractJSON(_ contract: FamilyDoctorContract) -> JSONObject {
    [
        "contract": .string("\(contract.id)"), "resident": .string(contract.resident.masked),
        "team": .string("\(contract.team)"), "package": .string("\(contract.package)"),
        "state": .string(contract.state.name), "from": .string("\(contract.term.from)"),
        "lastDay": .string("\(contract.lastDay)"),
    ]
}
