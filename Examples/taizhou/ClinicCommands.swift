import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyHealth
import SocietyJSON
import SocietyOneCard

/// `taizhou clinic`: a hospital's appointment book on the state folder's `hospital` store — slots
/// released on a schedule, booking, on-site registration, cancellation, check-in, no-shows, the fee
/// through the one-card, reports and their consented reading, the FHIR export.
struct ClinicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic",
        abstract: "Hospital appointments (预约挂号): slots, booking, cancellation, payment, reports.",
        discussion: """
            State lives in hospital.sqlite of the state folder; fees are settled through its onecard.sqlite \
            (cards from `taizhou onecard`). Slot ids are DOCTOR|YYYY-MM-DD|HH:MM (quote them in a shell). \
            Identity numbers print masked.
            """,
        subcommands: [
            Release.self, Slots.self, Book.self, OnSite.self, Cancel.self, CheckIn.self, Complete.self, CloseDay.self,
            Pay.self, Report.self, Consent.self, Reports.self,
        ]
    )

    struct Hospital: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> AppointmentService {
            let (_, department) = try state.department("hospital", subsystem: "hospital", access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            return AppointmentService(ports: department.ports, oneCard: oneCard)
        }

        func emit(_ appointment: Appointment) {
            output.emit(
                "\(appointment.id): \(appointment.patient.masked) with \(appointment.doctor) on \(appointment.date.iso8601), "
                    + appointment.state.rawValue + (appointment.settlement.map { ", paid (\($0))" } ?? ""),
                json: [
                    "appointment": .string(appointment.id), "slot": .string(appointment.slot),
                    "state": .string(appointment.state.rawValue),
                    "settlement": appointment.settlement.map(JSONValue.string) ?? .null,
                ]
            )
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a doctor's slots for the coming week.")
        @OptionGroup var hospital: Hospital
        @Option(help: "The hospital's credit code.") var code: String
        @Option(help: "The clinical department, e.g. 儿科.") var department: String
        @Option(help: "The doctor's staff id.") var doctor: String
        @Option(help: "Clinic weekdays, 1 Monday … 7 Sunday, comma-separated.") var weekdays = "1,2,3,4,5"
        @Option(help: "Slot times, HH:MM, comma-separated.") var times: String
        @Option(help: "How many of each day's last slots are kept for on-site registration.") var onSite = 0
        @Option(help: "The registration fee in yuan.") var fee: String

        mutating func run() async throws {
            let code = try validated(code, as: "code", CreditCode.init)
            let fee = try validated(fee, as: "fee", Money.init(yuanText:))
            let days = Set(weekdays.split(separator: ",").compactMap { Int($0) })
            let schedule = try reportingErrorsSync {
                try ClinicSchedule(
                    hospital: code,
                    department: department,
                    doctor: doctor,
                    weekdays: days,
                    times: times.split(separator: ",").map(String.init),
                    onSite: onSite,
                    fee: fee
                )
            }
            let service = try await hospital.open()
            let released = try await reportingErrors { try await service.release(schedule) }
            hospital.output.emit(
                "\(released) slot(s) released for \(doctor)",
                json: ["released": .number(Double(released))]
            )
        }
    }

    struct Slots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A department's free slots on a day.")
        @OptionGroup var hospital: Hospital
        @Option(help: "The hospital's credit code.") var code: String
        @Option(help: "The clinical department.") var department: String
        @Option(help: "The day, YYYY-MM-DD.") var day: String

        mutating func run() async throws {
            let code = try validated(code, as: "code", CreditCode.init)
            let day = try validated(day, as: "day", CalendarDate.init(iso8601:))
            let service = try await hospital.open(.existing)
            let department = department
            let free = try await reportingErrors {
                try await service.freeSlots(hospital: code, department: department, on: day)
            }
            hospital.output.emit(
                free.isEmpty ? "no free slot" : free.map { "\($0.id) \($0.fee.yuanText) yuan" }.joined(separator: "\n"),
                json: .array(free.map { .string($0.id) })
            )
        }
    }

    struct Book: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book a slot online.")
        @OptionGroup var hospital: Hospital
        @Option(help: "The slot, DOCTOR|YYYY-MM-DD|HH:MM.") var slot: String
        @Option(help: "The patient's identity number.") var patient: String
        @Option(help: "The appointment's id.") var id: String

        mutating func run() async throws {
            let patient = try validated(patient, as: "patient", { try ResidentID($0) })
            let service = try await hospital.open(.existing)
            let (slot, id) = (slot, id)
            hospital.emit(try await reportingErrors { try await service.book(slot, for: patient, id: id) })
        }
    }

    struct OnSite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "on-site",
            abstract: "Register at the hospital on the day (当日挂号)."
        )
        @OptionGroup var hospital: Hospital
        @Option(help: "The hospital's credit code.") var code: String
        @Option(help: "The clinical department.") var department: String
        @Option(help: "The patient's identity number.") var patient: String
        @Option(help: "The appointment's id.") var id: String

        mutating func run() async throws {
            let code = try validated(code, as: "code", CreditCode.init)
            let patient = try validated(patient, as: "patient", { try ResidentID($0) })
            let service = try await hospital.open(.existing)
            let (department, id) = (department, id)
            hospital.emit(
                try await reportingErrors {
                    try await service.registerOnSite(hospital: code, department: department, patient: patient, id: id)
                }
            )
        }
    }

    /// The moves on one appointment.
    struct AppointmentOption: ParsableArguments {
        @Option(help: "The appointment's id.") var id: String
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel before the cut-off.")
        @OptionGroup var hospital: Hospital
        @OptionGroup var appointment: AppointmentOption

        mutating func run() async throws {
            let (service, id) = (try await hospital.open(.existing), appointment.id)
            hospital.emit(try await reportingErrors { try await service.cancel(id) })
        }
    }

    struct CheckIn: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check-in", abstract: "The patient arrived.")
        @OptionGroup var hospital: Hospital
        @OptionGroup var appointment: AppointmentOption

        mutating func run() async throws {
            let (service, id) = (try await hospital.open(.existing), appointment.id)
            hospital.emit(try await reportingErrors { try await service.checkIn(id) })
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The doctor saw the patient.")
        @OptionGroup var hospital: Hospital
        @OptionGroup var appointment: AppointmentOption

        mutating func run() async throws {
            let (service, id) = (try await hospital.open(.existing), appointment.id)
            hospital.emit(try await reportingErrors { try await service.complete(id) })
        }
    }

    struct CloseDay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-day",
            abstract: "Mark a finished day's appointments still booked as no-shows."
        )
        @OptionGroup var hospital: Hospital
        @Option(help: "The day, YYYY-MM-DD (before today).") var day: String

        mutating func run() async throws {
            let day = try validated(day, as: "day", CalendarDate.init(iso8601:))
            let service = try await hospital.open(.existing)
            let missed = try await reportingErrors { try await service.closeDay(day) }
            hospital.output.emit("\(missed) no-show(s) on \(day.iso8601)", json: ["noShows": .number(Double(missed))])
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Settle the fee through the one-card, once.")
        @OptionGroup var hospital: Hospital
        @OptionGroup var appointment: AppointmentOption

        mutating func run() async throws {
            let (service, id) = (try await hospital.open(.existing), appointment.id)
            hospital.emit(try await reportingErrors { try await service.pay(id) })
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "File a report of a completed visit.")
        @OptionGroup var hospital: Hospital
        @OptionGroup var appointment: AppointmentOption
        @Option(help: "The report's id.") var report: String
        @Option(help: "What was examined.") var title: String
        @Option(help: "The findings (sealed at rest).") var findings: String

        mutating func run() async throws {
            let service = try await hospital.open(.existing)
            let (id, report, title, findings) = (appointment.id, report, title, findings)
            let filed = try await reportingErrors {
                try await service.fileReport(id: report, appointment: id, title: title, findings: findings)
            }
            hospital.output.emit("report \(filed.id): \(filed.title)", json: ["report": .string(filed.id)])
        }
    }

    struct Consent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The patient lets their family-doctor team read their reports (or withdraws)."
        )
        @OptionGroup var hospital: Hospital
        @Option(help: "The patient's identity number.") var patient: String
        @Option(help: "The family-doctor team.") var team: String
        @Option(help: "The last day it holds, YYYY-MM-DD.") var until: String?
        @Flag(help: "Withdraw the consent.") var withdraw = false

        mutating func run() async throws {
            let patient = try validated(patient, as: "patient", { try ResidentID($0) })
            let service = try await hospital.open(.existing)
            let team = team
            if withdraw {
                try await reportingErrors { try await service.withdrawReportConsent(patient, team: team) }
                hospital.output.emit(
                    "withdrawn: \(team) no longer reads \(patient.masked)'s reports",
                    json: ["withdrawn": true]
                )
                return
            }
            guard let until else { throw ValidationError("give --until, or --withdraw") }
            let day = try validated(until, as: "until", CalendarDate.init(iso8601:))
            _ = try await reportingErrors { try await service.consentToReports(patient, team: team, until: day) }
            hospital.output.emit(
                "\(team) may read \(patient.masked)'s reports until \(day.iso8601)",
                json: ["until": .string(day.iso8601)]
            )
        }
    }

    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report query: the patient's own, or as their family-doctor team under their consent."
        )
        @OptionGroup var hospital: Hospital
        @Option(help: "The patient's identity number.") var patient: String
        @Option(help: "Read as this family-doctor team (needs the patient's consent).") var team: String?

        mutating func run() async throws {
            let patient = try validated(patient, as: "patient", { try ResidentID($0) })
            let service = try await hospital.open(.existing)
            let team = team
            let reports = try await reportingErrors {
                if let team {
                    try await service.reports(of: patient, forFamilyDoctorTeam: team)
                } else {
                    try await service.reports(of: patient)
                }
            }
            hospital.output.emit(
                reports.isEmpty
                    ? "no report"
                    : reports.map { "\($0.id) \($0.issued.iso8601) \($0.title): \($0.findings)" }.joined(
                        separator: "\n"
                    ),
                json: .array(
                    reports.map {
                        ["report": .string($0.id), "title": .string($0.title), "findings": .string($0.findings)]
                    }
                )
            )
        }
    }
}
