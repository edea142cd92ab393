import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyEmployment
import SocietyJSON
import SocietyOneCard
import SocietyServices

/// `taizhou employment`: the public employment service on a deployment's store — registration,
/// benefit claims and payouts through the one-card, the difficulty certification and subsidies,
/// job fairs, and the unemployment early warning.
struct EmploymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "employment",
        abstract: "Employment (就业): registration, benefit, subsidies, job fairs, the early warning.",
        discussion: """
            State lives in the department store employment.sqlite of the state folder (--state). Benefits and \
            subsidies are paid through the one-card ledger of the same folder (cards from `taizhou onecard`). \
            Every decision prints each rule it applied. Identity numbers print masked.
            """,
        subcommands: [
            Register.self, End.self, Contributions.self, Claim.self, Pay.self, Difficulty.self, SkillSubsidy.self,
            StartupSubsidy.self, Fair.self, Warning.self,
        ]
    )

    /// The department `employment` and its service, paying through the department `onecard`.
    struct Database: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> EmploymentService {
            let (_, department) = try state.department("employment", subsystem: "employment", access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            return EmploymentService(ports: department.ports, oneCard: oneCard)
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a person as unemployed (失业登记).")
        @OptionGroup var database: Database
        @Option(help: "The registration's id.") var id: String
        @Option(help: "The citizen identity number.") var resident: String
        @Option(help: "The district's division code.") var district: String
        @Option(help: "The day of registration, YYYY-MM-DD (default today).") var on: String?
        @Option(help: "The last day of the last job, YYYY-MM-DD (default the day before registration).")
        var lostJobOn: String?
        @Option(help: "\(JobLossReason.allCases.map(\.rawValue).joined(separator: ", ")).") var loss: String
        @Option(help: "The last job's industry, a GB/T 4754-2017 section letter (C manufacturing, …).")
        var industry: String
        @Flag(help: "Not looking for work (no benefit).") var notSeeking = false
        @Flag(help: "A member of a dibao household.") var dibao = false
        @Flag(help: "Holds a disability certificate.") var disabled = false

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let day = try on.map { try validated($0, as: "on", CalendarDate.init(iso8601:)) } ?? CalendarDate(Date())
            let lost = try lostJobOn.map { try validated($0, as: "lost-job-on", CalendarDate.init(iso8601:)) }
            guard let loss = JobLossReason(rawValue: loss) else { throw ValidationError("unknown --loss \(loss)") }
            let registration = try reportingErrorsSync {
                try UnemploymentRegistration(
                    id: id,
                    resident: resident,
                    district: district,
                    registeredOn: day,
                    lostJobOn: lost ?? day.adding(days: -1),
                    jobLoss: loss,
                    industry: industry,
                    seekingWork: !notSeeking,
                    dibao: dibao,
                    disabled: disabled
                )
            }
            let service = try await database.open()
            let kept = try await reportingErrors { try await service.register(registration) }
            database.output.emit(
                "registered \(kept.id): \(kept.resident.masked) in \(kept.district.code) from \(kept.registeredOn.iso8601)",
                json: [
                    "registration": .string(kept.id), "resident": .string(kept.resident.masked),
                    "district": .string(kept.district.code), "registeredOn": .string(kept.registeredOn.iso8601),
                ]
            )
        }
    }

    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a registration, with its reason.")
        @OptionGroup var database: Database
        @Option(help: "The registration's id.") var registration: String
        @Option(help: "\(RegistrationEnding.allCases.map(\.rawValue).joined(separator: ", ")).") var reason: String
        @Option(help: "The first day no longer unemployed, YYYY-MM-DD.") var on: String

        mutating func run() async throws {
            guard let reason = RegistrationEnding(rawValue: reason) else {
                throw ValidationError("unknown --reason \(reason)")
            }
            let day = try validated(on, as: "on", CalendarDate.init(iso8601:))
            let service = try await database.open(.existing)
            let (id, ended) = (registration, reason)
            let kept = try await reportingErrors { try await service.end(id, reason: ended, on: day) }
            database.output.emit(
                "ended \(kept.id) on \(day.iso8601): \(reason.rawValue)",
                json: [
                    "registration": .string(kept.id), "reason": .string(reason.rawValue), "on": .string(day.iso8601),
                ]
            )
        }
    }

    struct Contributions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a person's contribution history, as the social-insurance agency sends it."
        )
        @OptionGroup var database: Database
        @Option(help: "The citizen identity number.") var resident: String
        @Option(help: "Months of unemployment-insurance contributions since the last benefit.") var months: Int
        @Option(help: "The last month contributed, YYYY-MM.") var last: String
        @Option(help: "The employer's industry (GB/T 4754 section letter).") var industry: String
        @Option(help: "The employer's district.") var district: String

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let history = try reportingErrorsSync {
                try ContributionHistory(
                    resident: resident,
                    months: months,
                    lastMonth: last,
                    industry: industry,
                    district: district,
                    on: CalendarDate(Date())
                )
            }
            let service = try await database.open()
            _ = try await reportingErrors { try await service.record([history]) }
            database.output.emit(
                "contributions of \(resident.masked): \(months) months, last \(last)",
                json: ["resident": .string(resident.masked), "months": .number(Double(months)), "last": .string(last)]
            )
        }
    }

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim unemployment benefit: decided at once, every rule printed."
        )
        @OptionGroup var database: Database
        @Option(help: "The claim's id.") var id: String
        @Option(help: "The citizen identity number.") var resident: String

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let service = try await database.open()
            let id = id
            let claim = try await reportingErrors { try await service.claimBenefit(id: id, resident: resident) }
            let head =
                claim.isApproved
                ? "approved \(claim.id): \(claim.months) months of \(claim.monthlyAmount.yuanText) yuan for \(resident.masked)"
                : "rejected \(claim.id) for \(resident.masked)"
            database.output.emit(
                ([head] + claim.decision.lines).joined(separator: "\n"),
                json: [
                    "claim": .string(claim.id), "approved": .bool(claim.isApproved),
                    "months": .number(Double(claim.months)), "monthlyAmount": claim.monthlyAmount.jsonValue,
                    "checks": claim.decision.json,
                ]
            )
            if !claim.isApproved { throw ExitCode(ExitStatus.refused) }
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay one month of benefit to every approved claim due, through the one-card."
        )
        @OptionGroup var database: Database
        @Option(help: "The month, YYYY-MM.") var month: String

        mutating func run() async throws {
            let period = try validated(month, as: "month", { try PayPeriod($0) })
            let service = try await database.open(.existing)
            let run = try await reportingErrors { try await service.payBenefits(for: period) }
            var lines = [
                "benefit for \(period): \(run.posted.count) paid now, \(run.alreadyPosted.count) recorded from an earlier run, "
                    + "\(run.refused.count) refused"
            ]
            for refusal in run.refused { lines.append("  refused \(refusal.claim): \(refusal.reason)") }
            database.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "period": .string("\(period)"), "posted": .number(Double(run.posted.count)),
                    "alreadyPosted": .number(Double(run.alreadyPosted.count)),
                    "refused": .array(run.refused.map { .string($0.claim) }),
                ]
            )
            if !run.refused.isEmpty { throw ExitCode(ExitStatus.refused) }
        }
    }

    struct Difficulty: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Certify employment difficulty (就业困难人员认定) under every category the facts meet."
        )
        @OptionGroup var database: Database
        @Option(help: "The application's id.") var id: String
        @Option(help: "The citizen identity number.") var resident: String
        @Flag(help: "Civil affairs: a member of a dibao household.") var dibaoHousehold = false
        @Flag(help: "The federation: holds a disability certificate.") var disabled = false
        @Flag(help: "No one of working age at home is employed.") var zeroEmployment = false

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let facts = EmploymentService.DifficultyFacts(
                dibaoHousehold: dibaoHousehold,
                disabled: disabled,
                zeroEmploymentHousehold: zeroEmployment
            )
            let service = try await database.open()
            let id = id
            let application = try await reportingErrors {
                try await service.certifyDifficulty(id: id, resident: resident, facts: facts)
            }
            try EmploymentCommand.emit(application, database.output, service: nil)
        }
    }

    struct SkillSubsidy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "skill-subsidy",
            abstract: "Apply for the skill-upgrade subsidy; paid through the one-card when approved."
        )
        @OptionGroup var database: Database
        @Option(help: "The application's id.") var id: String
        @Option(help: "The citizen identity number.") var resident: String
        @Option(help: "junior, intermediate or senior.") var level: String
        @Option(help: "The skill certificate's number.") var certificate: String
        @Option(help: "The certificate's date, YYYY-MM-DD.") var certified: String

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            guard let level = SkillSubsidyPolicy.Level(rawValue: level) else {
                throw ValidationError("--level must be junior, intermediate or senior")
            }
            let day = try validated(certified, as: "certified", CalendarDate.init(iso8601:))
            let service = try await database.open()
            let (id, number) = (id, certificate)
            let application = try await reportingErrors {
                try await service.applySkillSubsidy(
                    id: id,
                    resident: resident,
                    level: level,
                    certificate: number,
                    certified: day
                )
            }
            try await EmploymentCommand.pay(application, database.output, service: service)
        }
    }

    struct StartupSubsidy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "startup-subsidy",
            abstract: "Apply for the one-time entrepreneurship subsidy; paid through the one-card when approved."
        )
        @OptionGroup var database: Database
        @Option(help: "The application's id.") var id: String
        @Option(help: "The citizen identity number.") var resident: String
        @Option(help: "The business's unified social credit code.") var business: String
        @Option(help: "The day it began operating, YYYY-MM-DD.") var since: String

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let business = try validated(business, as: "business", CreditCode.init)
            let day = try validated(since, as: "since", CalendarDate.init(iso8601:))
            let service = try await database.open()
            let id = id
            let application = try await reportingErrors {
                try await service.applyStartupSubsidy(
                    id: id,
                    resident: resident,
                    business: business,
                    operatingSince: day
                )
            }
            try await EmploymentCommand.pay(application, database.output, service: service)
        }
    }

    struct Fair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Job fairs: schedule one, book a place.",
            subcommands: [Schedule.self, Book.self]
        )

        struct Schedule: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Schedule a job fair with its places.")
            @OptionGroup var database: Database
            @Option(help: "The fair's id.") var id: String
            @Option(help: "Its name.") var name: String
            @Option(help: "The district's division code.") var district: String
            @Option(help: "The day, YYYY-MM-DD.") var date: String
            @Option(help: "Places for job seekers.") var capacity: Int

            mutating func run() async throws {
                let district = try validated(district, as: "district", { try DivisionCode($0) })
                let day = try validated(date, as: "date", CalendarDate.init(iso8601:))
                let fair = try reportingErrorsSync {
                    try JobFair(id: id, name: name, district: district, date: day, capacity: capacity)
                }
                let service = try await database.open()
                let kept = try await reportingErrors { try await service.schedule(fair) }
                database.output.emit(
                    "job fair \(kept.id) on \(kept.date.iso8601): \(kept.booked) of \(kept.capacity) places taken",
                    json: [
                        "fair": .string(kept.id), "capacity": .number(Double(kept.capacity)),
                        "booked": .number(Double(kept.booked)),
                    ]
                )
            }
        }

        struct Book: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Book a place; a full fair refuses.")
            @OptionGroup var database: Database
            @Option(help: "The fair's id.") var id: String
            @Option(help: "The citizen identity number.") var resident: String

            mutating func run() async throws {
                let resident = try validated(resident, as: "resident", { try ResidentID($0) })
                let service = try await database.open(.existing)
                let id = id
                let booking = try await reportingErrors { try await service.book(id, for: resident) }
                database.output.emit(
                    "booked place \(booking.place) at \(id) for \(resident.masked)",
                    json: ["fair": .string(id), "place": .number(Double(booking.place))]
                )
            }
        }
    }

    struct Warning: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The unemployment early warning (失业预警) of a month: the rate by district, industry and group."
        )
        @OptionGroup var database: Database
        @Option(help: "The month, YYYY-MM.") var month: String
        @Flag(help: "Every cell, not only the watched and alerted ones.") var all = false

        mutating func run() async throws {
            let service = try await database.open(.existing)
            let month = month
            let warning = try await reportingErrors { try await service.earlyWarning(month: month) }
            let shown = all ? warning.cells : (warning.city.map { [$0] } ?? []) + warning.flagged()
            var lines = ["unemployment early warning \(month) (\(warning.policyVersion)):"]
            for cell in shown {
                lines.append(
                    "  \(cell.level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(cell.dimension) \(cell.group): \(cell.explanation)"
                )
            }
            database.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "month": .string(month),
                    "cells": .array(
                        shown.map { cell in
                            [
                                "dimension": .string(cell.dimension), "group": .string(cell.group),
                                "level": .string(cell.level.rawValue), "unemployed": .number(Double(cell.unemployed)),
                                "employed": cell.employed.map { .number(Double($0)) } ?? .null,
                                "rate": cell.rate.map { .number($0) } ?? .null,
                                "explanation": .string(cell.explanation),
                            ]
                        }
                    ),
                ]
            )
        }
    }

    /// Prints an application and its rules; exit status 1 when it was not approved.
    static func emit(_ application: EmploymentApplication, _ output: OutputOptions, service: EmploymentService?) throws
    {
        let approved = application.decision.isEligible
        var head =
            "\(approved ? "approved" : "rejected") \(application.id) (\(application.kind.rawValue)) for \(application.resident.masked)"
        if !application.categories.isEmpty {
            head += ": " + application.categories.map(\.rawValue).joined(separator: ", ")
        }
        if application.amount.fen > 0 { head += ": \(application.amount.yuanText) yuan" }
        if let paid = application.paidBy { head += ", paid (\(paid))" }
        output.emit(
            ([head] + application.decision.lines).joined(separator: "\n"),
            json: [
                "application": .string(application.id), "kind": .string(application.kind.rawValue),
                "approved": .bool(approved), "amount": application.amount.jsonValue,
                "categories": .array(application.categories.map { .string($0.rawValue) }),
                "paidBy": application.paidBy.map(JSONValue.string) ?? .null, "checks": application.decision.json,
            ]
        )
        if !approved { throw ExitCode(ExitStatus.refused) }
    }

    /// Pays an approved subsidy, then prints it.
    static func pay(
        _ application: EmploymentApplication,
        _ output: OutputOptions,
        service: EmploymentService
    ) async throws {
        guard application.decision.isEligible else { return try emit(application, output, service: service) }
        let id = application.id
        let paid = try await reportingErrors { try await service.paySubsidy(id) }
        try emit(paid, output, service: service)
    }
}
