import ArgumentParser
import Foundation
import SocietyCertificates
import SocietyCore
import SocietyDeployment
import SocietyDisability
import SocietyJSON
import SocietyOneCard
import SocietyServices

/// `taizhou disability`: the disabled persons' federation's register on the state folder's
/// `disability` store — registration, re-assessment, the two subsidies through the one-card,
/// children's rehabilitation, home renovation.
struct DisabilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disability",
        abstract: "Disability services (残疾人): the register, the two subsidies, rehabilitation, renovation.",
        discussion: """
            State lives in disability.sqlite of the state folder; subsidies are paid through its onecard.sqlite. \
            Household facts are given as flags here (civil affairs answers them by envelope in a deployment). \
            Every decision prints each rule. Identity numbers print masked.
            """,
        subcommands: [
            Register.self, Reassess.self, Cancel.self, Subsidies.self, Designate.self, Supervise.self,
            Rehabilitation.self, Renovation.self,
        ]
    )

    struct Federation: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> DisabilityService {
            let (_, department) = try state.department("disability", subsystem: "disability", access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            return DisabilityService(ports: department.ports, oneCard: oneCard)
        }

        func emit(_ decision: ExplainedDecision, headline: String, json: JSONObject) {
            var object = json
            object["decision"] = decision.json
            output.emit(([headline] + decision.lines).joined(separator: "\n"), json: .object(object))
        }
    }

    struct PersonOption: ParsableArguments {
        @Option(help: "The person's identity number.") var person: String
        func parsed() throws -> ResidentID { try validated(person, as: "person", { try ResidentID($0) }) }
    }

    static func level(_ text: String) throws -> DisabilityLevel {
        guard let level = DisabilityLevel(code: text) else { throw ValidationError("--level is 1–4") }
        return level
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a person on the register with their certificate."
        )
        @OptionGroup var federation: Federation
        @OptionGroup var person: PersonOption
        @Option(help: "\(DisabilityCategory.allCases.map(\.code).joined(separator: ", ")).") var category: String
        @Option(help: "1 (most severe) … 4.") var level: String

        mutating func run() async throws {
            let person = try person.parsed()
            guard let category = DisabilityCategory(code: category) else {
                throw ValidationError("--category \(category) is not a category")
            }
            let level = try DisabilityCommand.level(level)
            let service = try await federation.open()
            let record = try await reportingErrors {
                try await service.register(person, category: category, level: level)
            }
            federation.output.emit(
                "\(person.masked): \(category.code) level \(level.code), certificate \(record.certificate.prefix(4))…\(record.certificate.suffix(2)), re-assess by \(record.reassessBy)",
                json: ["level": .string(level.code), "reassessBy": .string(record.reassessBy.iso8601)]
            )
        }
    }

    struct Reassess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a re-assessment: the level confirmed or changed."
        )
        @OptionGroup var federation: Federation
        @OptionGroup var person: PersonOption
        @Option(help: "1 … 4.") var level: String

        mutating func run() async throws {
            let person = try person.parsed()
            let level = try DisabilityCommand.level(level)
            let service = try await federation.open(.existing)
            let record = try await reportingErrors { try await service.reassess(person, level: level) }
            federation.output.emit(
                "\(person.masked): \(record.history.last?.what ?? "")",
                json: ["level": .string(level.code)]
            )
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a registration, with the reason.")
        @OptionGroup var federation: Federation
        @OptionGroup var person: PersonOption
        @Option(help: "Why (death, recovery, moved away).") var reason: String

        mutating func run() async throws {
            let person = try person.parsed()
            let service = try await federation.open(.existing)
            let reason = reason
            try await reportingErrors { try await service.cancel(person, reason: reason) }
            federation.output.emit("\(person.masked): cancelled (\(reason))", json: ["cancelled": true])
        }
    }

    struct Subsidies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The two subsidies for a person, explained; with --pay, paid for the month, once."
        )
        @OptionGroup var federation: Federation
        @OptionGroup var person: PersonOption
        @Flag(help: "A dibao family.") var dibao = false
        @Flag(help: "An extreme-poverty recipient.") var extremePoverty = false
        @Flag(help: "No fixed income.") var noFixedIncome = false
        @Option(help: "Disabled people in the household.") var disabledMembers = 1
        @Flag(help: "A rural household.") var rural = false
        @Flag(help: "Receives a work-injury care allowance.") var workInjuryCare = false
        @Option(help: "Pay this month (YYYY-MM).") var pay: String?

        mutating func run() async throws {
            let person = try person.parsed()
            let facts = HouseholdFacts(
                dibao: dibao,
                extremePoverty: extremePoverty,
                fixedIncome: !noFixedIncome,
                disabledMembers: disabledMembers,
                rural: rural,
                workInjuryCare: workInjuryCare
            )
            let service = try await federation.open(.existing)
            let subsidies = try await reportingErrors { try await service.subsidies(of: person, facts: facts) }
            var lines = ["care subsidy \(subsidies.care.yuanText) yuan a month"] + subsidies.careDecision.lines
            lines += ["living subsidy \(subsidies.living.yuanText) yuan a month"] + subsidies.livingDecision.lines
            var paidJSON: [JSONValue] = []
            if let pay {
                let month = try validated(pay, as: "pay", PayPeriod.init)
                let payments = try await reportingErrors {
                    try await service.paySubsidies(to: person, month: month, facts: facts)
                }
                lines += payments.map {
                    "paid \($0.kind) \($0.amount.yuanText) yuan for \($0.month) (\($0.instruction.prefix(20))…)"
                }
                paidJSON = payments.map { ["kind": .string($0.kind), "amount": .string($0.amount.yuanText)] }
            }
            federation.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "care": .string(subsidies.care.yuanText), "living": .string(subsidies.living.yuanText),
                    "careDecision": subsidies.careDecision.json, "livingDecision": subsidies.livingDecision.json,
                    "paid": .array(paidJSON),
                ]
            )
        }
    }

    struct Designate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Designate a rehabilitation institution.")
        @OptionGroup var federation: Federation
        @Option(help: "Its credit code.") var id: String
        @Option(help: "Its name.") var name: String
        @Option(
            help:
                "Categories, comma-separated: \(RehabilitationCategory.allCases.map(\.rawValue).joined(separator: ", "))."
        )
        var categories: String

        mutating func run() async throws {
            var set = Set<RehabilitationCategory>()
            for text in categories.split(separator: ",") {
                guard let category = RehabilitationCategory(rawValue: String(text)) else {
                    throw ValidationError("--categories: \(text)")
                }
                set.insert(category)
            }
            let (name, categories) = (name, set)
            let institution = try validated(id, as: "institution") { id in
                try RehabilitationInstitution(id: id, name: name, categories: categories)
            }
            let service = try await federation.open()
            try await reportingErrors { try await service.designate(institution) }
            federation.output.emit(
                "\(institution.id): \(institution.name) designated",
                json: ["institution": .string(institution.id)]
            )
        }
    }

    struct Supervise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a supervision visit of an institution.")
        @OptionGroup var federation: Federation
        @Option(help: "The record's id.") var id: String
        @Option(help: "The institution.") var institution: String
        @Option(help: "The day, YYYY-MM-DD.") var on: String
        @Flag(help: "The institution failed.") var failed = false
        @Option(help: "What was found.") var findings: String

        mutating func run() async throws {
            let day = try validated(on, as: "on", CalendarDate.init(iso8601:))
            let record = SupervisionRecord(
                id: id,
                institution: institution,
                date: day,
                passed: !failed,
                findings: findings
            )
            let service = try await federation.open(.existing)
            try await reportingErrors { try await service.supervise(record) }
            federation.output.emit(
                "\(id): \(institution) \(failed ? "failed" : "passed") on \(day)",
                json: ["passed": .bool(!failed)]
            )
        }
    }

    struct Rehabilitation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply for children's rehabilitation assistance (one-stop, decided at once, explained)."
        )
        @OptionGroup var federation: Federation
        @Option(help: "The application's id.") var id: String
        @Option(help: "The child's identity number.") var child: String
        @Option(help: "The category.") var category: String
        @Option(help: "The designated institution.") var institution: String

        mutating func run() async throws {
            let child = try validated(child, as: "child", { try ResidentID($0) })
            guard let category = RehabilitationCategory(rawValue: category) else {
                throw ValidationError("--category \(category)")
            }
            let service = try await federation.open(.existing)
            let (id, institution) = (id, institution)
            let application = try await reportingErrors {
                try await service.applyForRehabilitation(
                    id: id,
                    child: child,
                    category: category,
                    institution: institution
                )
            }
            guard let decision = application.decision else { return }
            federation.emit(
                decision,
                headline:
                    "\(id): \(child.masked) \(application.lifecycle.state.name) (\(decision.isEligible ? "approved" : "rejected"))",
                json: ["approved": .bool(decision.isEligible)]
            )
            if !decision.isEligible { throw ExitCode(ExitStatus.refused) }
        }
    }

    struct Renovation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request a home accessibility renovation, or move one (--accept, --survey, --complete)."
        )
        @OptionGroup var federation: Federation
        @Option(help: "The request's id.") var id: String
        @Option(help: "The person's identity number (a new request).") var person: String?
        @Option(help: "What the home needs (a new request).") var needs: String?
        @Flag(help: "Accept the request.") var accept = false
        @Flag(help: "The home was surveyed.") var survey = false
        @Option(help: "Done, with what was done.") var complete: String?

        mutating func run() async throws {
            let service = try await federation.open()
            let id = id
            if let person, let needs {
                let person = try validated(person, as: "person", { try ResidentID($0) })
                _ = try await reportingErrors { try await service.requestRenovation(id: id, for: person, needs: needs) }
                federation.output.emit("\(id): requested for \(person.masked)", json: ["state": "submitted"])
                return
            }
            let moves: [DisabilityService.RenovationMove] = [
                accept ? .accept : nil, survey ? .survey : nil, complete.map { .complete($0) },
            ]
            .compactMap { $0 }
            guard moves.count == 1, let move = moves.first else {
                throw ValidationError("give --person and --needs, or exactly one of --accept, --survey, --complete")
            }
            let application = try await reportingErrors { try await service.move(id, move) }
            federation.output.emit(
                "\(id): \(application.lifecycle.state.name)",
                json: ["state": .string(application.lifecycle.state.name)]
            )
        }
    }
}
