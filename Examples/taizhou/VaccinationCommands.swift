import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyHealth
import SocietyJSON

/// `taizhou vaccination`: the vaccination clinic's register on the state folder's `vaccination`
/// store — doses recorded, a child's status under the national schedule, the school-entry check,
/// the FHIR export.
struct VaccinationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vaccination",
        abstract: "Immunisation (预防接种): doses, what is due or overdue, the school-entry check.",
        discussion: """
            State lives in vaccination.sqlite of the state folder. The schedule is the national programme's \
            for children 0–6 (NIP-2021, and NIP-2025 from 2025-01-01); vaccines are named as in it: \
            \(NIPVaccine.allCases.map(\.rawValue).joined(separator: ", ")). Identity numbers print masked. \
            `status` and `entry-check` exit 3 when a dose is overdue or missing.
            """,
        subcommands: [Record.self, Synthesize.self, Status.self, EntryCheck.self, ExportFHIR.self]
    )

    struct Clinic: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) throws -> ImmunisationService {
            let (_, department) = try state.department("vaccination", subsystem: "immunisation", access: access)
            return ImmunisationService(ports: department.ports)
        }
    }

    struct ChildOption: ParsableArguments {
        @Option(help: "The child's identity number.") var child: String

        func parsed() throws -> ResidentID { try validated(child, as: "child", { try ResidentID($0) }) }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a dose given.")
        @OptionGroup var clinic: Clinic
        @OptionGroup var child: ChildOption
        @Option(help: "The record's id.") var id: String
        @Option(help: "The vaccine, e.g. DTaP.") var vaccine: String
        @Option(help: "The day it was given, YYYY-MM-DD.") var date: String
        @Option(help: "The vaccine lot (批号).") var lot: String
        @Option(help: "The vaccination clinic.") var at: String

        mutating func run() async throws {
            let child = try child.parsed()
            guard let vaccine = NIPVaccine(rawValue: vaccine) else {
                throw ValidationError("--vaccine \(vaccine) is not one of the programme's vaccines")
            }
            let day = try validated(date, as: "date", CalendarDate.init(iso8601:))
            let (id, lot, at) = (id, lot, at)
            let record = try validated(id, as: "record") { id in
                try ImmunisationRecord(id: id, child: child, vaccine: vaccine, date: day, lot: lot, clinic: at)
            }
            let service = try clinic.open()
            _ = try await reportingErrors { try await service.record(record) }
            clinic.output.emit(
                "\(record.id): \(vaccine) (\(vaccine.chineseName)) for \(child.masked) on \(day.iso8601)",
                json: [
                    "record": .string(record.id), "vaccine": .string(vaccine.rawValue), "date": .string(day.iso8601),
                ]
            )
        }
    }

    struct Synthesize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a synthetic child's history: every dose due by today, given on the day it fell due.",
            discussion: "For examples and the synthetic city: each dose at its age under the schedule then in force."
        )
        @OptionGroup var clinic: Clinic
        @OptionGroup var child: ChildOption
        @Option(help: "A dose left out, e.g. MMR-2 (repeat).") var skip: [String] = []

        mutating func run() async throws {
            let child = try child.parsed()
            let service = try clinic.open()
            let skipped = Set(skip)
            // Record ids are stored in clear: named by the child's pseudonym, not their number.
            let tag = try await reportingErrors { try service.pseudonym(of: child).prefix(12) }
            let doses = ImmunisationSchedule.dosesOnTime(bornOn: child.birthDate, through: CalendarDate(Date()))
                .filter { !skipped.contains($0.dose.id) }
            for given in doses {
                let record = try validated(given.dose.id, as: "dose") { id in
                    try ImmunisationRecord(
                        id: "syn-\(tag)-\(id)",
                        child: child,
                        vaccine: given.dose.vaccines[0],
                        date: given.date,
                        lot: "SYN\(given.date.year)",
                        clinic: "synthetic"
                    )
                }
                _ = try await reportingErrors { try await service.record(record) }
            }
            clinic.output.emit(
                "\(doses.count) dose(s) recorded for \(child.masked)",
                json: ["recorded": .number(Double(doses.count))]
            )
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What the child had, what is due, what is overdue.")
        @OptionGroup var clinic: Clinic
        @OptionGroup var child: ChildOption
        @Option(help: "The day, YYYY-MM-DD (today by default).") var on: String?

        mutating func run() async throws {
            let child = try child.parsed()
            let day = try on.map { try validated($0, as: "on", CalendarDate.init(iso8601:)) }
            let service = try clinic.open(.existing)
            let status = try await reportingErrors { try await service.status(of: child, on: day) }
            var lines = ["\(child.masked) on \(status.asOf.iso8601) under \(status.schedule):"]
            lines += status.doses.map { "  \($0)" }
            lines += status.uncounted.map { "  record \($0.record) does not count: \($0.reason)" }
            lines.append(
                status.isUpToDate
                    ? "up to date; \(status.due.count) dose(s) due"
                    : "\(status.overdue.count) dose(s) overdue: catch up"
            )
            clinic.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "schedule": .string(status.schedule), "asOf": .string(status.asOf.iso8601),
                    "doses": .array(
                        status.doses.map {
                            [
                                "dose": .string($0.dose.id), "state": .string($0.state.rawValue),
                                "dueFrom": .string($0.dueFrom.iso8601),
                                "record": $0.record.map(JSONValue.string) ?? .null,
                            ]
                        }
                    ),
                    "uncounted": .array(
                        status.uncounted.map { ["record": .string($0.record), "reason": .string($0.reason)] }
                    ),
                ]
            )
            if !status.isUpToDate { throw ExitCode(ExitStatus.alerts) }
        }
    }

    struct EntryCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "entry-check",
            abstract: "The check on entering a nursery, kindergarten or school (入托、入学查验)."
        )
        @OptionGroup var clinic: Clinic
        @OptionGroup var child: ChildOption
        @Option(help: "The day of entry, YYYY-MM-DD.") var on: String

        mutating func run() async throws {
            let child = try child.parsed()
            let day = try validated(on, as: "on", CalendarDate.init(iso8601:))
            let service = try clinic.open(.existing)
            let check = try await reportingErrors { try await service.schoolEntryCheck(of: child, on: day) }
            var lines = [
                "\(child.masked) entering on \(day.iso8601): "
                    + (check.isComplete
                        ? "certificate complete" : "catch up \(check.catchUp.map(\.id).joined(separator: ", "))")
            ]
            lines += check.decision.lines
            clinic.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "complete": .bool(check.isComplete), "catchUp": .array(check.catchUp.map { .string($0.id) }),
                    "decision": check.decision.json,
                ]
            )
            if !check.isComplete { throw ExitCode(ExitStatus.alerts) }
        }
    }

    struct ExportFHIR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-fhir",
            abstract: "The child's doses as an HL7 FHIR R4 Bundle of Immunizations (canonical JSON), pseudonymous."
        )
        @OptionGroup var clinic: Clinic
        @OptionGroup var child: ChildOption
        @Option(help: "The FHIR server base for fullUrl.") var base = FHIRExportOptions().baseURL
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Replace an existing --out file.") var force = false

        mutating func run() async throws {
            let child = try child.parsed()
            let service = try clinic.open(.existing)
            let options = FHIRExportOptions(baseURL: base)
            let text = try await reportingErrors {
                try await service.exportFHIR(child: child, options: options).canonicalString()
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
