import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyElderlyCare
import SocietyJSON
import SocietyOneCard
import SocietyServices

/// `taizhou eldercare`: the civil-affairs elderly-care register on the state folder's `eldercare`
/// store — capability assessments, care plans, home-care providers, workers and orders, quality,
/// institution grading, and the care subsidy through the one-card.
struct ElderlyCareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eldercare",
        abstract: "Elderly care (养老): capability assessment, care plans, home-care orders, the subsidy.",
        discussion: """
            State lives in eldercare.sqlite of the state folder; the subsidy is paid through its onecard.sqlite. \
            Scores follow GB/T 42195-2022's 26 items in order (B.1.1 … B.4.5), comma-separated, the four \
            dimensions optionally separated by '/'. Every decision prints each rule. Identity numbers print masked.
            """,
        subcommands: [
            Assess.self, Plan.self, Provider.self, Worker.self, Order.self, Move.self, Quality.self, Subsidy.self,
            GradeInstitution.self,
        ]
    )

    struct Register: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> ElderlyCareService {
            let (_, department) = try state.department("eldercare", subsystem: "elderly-care", access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            return ElderlyCareService(ports: department.ports, oneCard: oneCard)
        }

        func emit(_ decision: ExplainedDecision, headline: String, json: JSONObject) {
            var object = json
            object["decision"] = decision.json
            output.emit(([headline] + decision.lines).joined(separator: "\n"), json: .object(object))
        }
    }

    /// The 26 scores, in the standard's order.
    static func items(_ text: String) throws -> [CapabilityItem: Int] {
        let groups = text.split(separator: "/", omittingEmptySubsequences: false)
        if groups.count > 1 {
            let sizes = CapabilityDimension.allCases.map { dimension in
                CapabilityItem.allCases.filter { $0.dimension == dimension }.count
            }
            let given = groups.map { $0.split(separator: ",").count }
            guard given == sizes else {
                throw ValidationError("--scores: the dimensions have \(sizes) items; given \(given)")
            }
        }
        let values = text.split(whereSeparator: { $0 == "," || $0 == "/" }).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard values.count == CapabilityItem.allCases.count else {
            throw ValidationError("--scores: 26 scores are needed, \(values.count) given")
        }
        var items: [CapabilityItem: Int] = [:]
        for (item, value) in zip(CapabilityItem.allCases, values) {
            guard let points = Int(value) else {
                throw ValidationError("--scores: \(item.code) \"\(value)\" is not a number")
            }
            items[item] = points
        }
        return items
    }

    struct Assess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a capability assessment (老年人能力评估) and print the level, explained."
        )
        @OptionGroup var register: Register
        @Option(help: "The assessment's id.") var id: String
        @Option(help: "The older person's identity number.") var elder: String
        @Option(help: "The assessor's staff id.") var assessor: String
        @Option(help: "The 26 item scores, e.g. 4,4,3,4,4,4,4,4/4,4,4,3/4,4,4,4,4,4,1,1,2/2,2,4,3,4.") var scores:
            String
        @Flag(help: "In a coma.") var coma = false
        @Flag(help: "A dementia diagnosis.") var dementia = false
        @Flag(help: "Another psychiatric or behavioural diagnosis.") var psychiatric = false
        @Option(help: "Care-risk events (falls, wandering, choking, self-harm) in the last 30 days.") var riskEvents = 0

        mutating func run() async throws {
            let elder = try validated(elder, as: "elder", { try ResidentID($0) })
            let items = try ElderlyCareCommand.items(scores)
            let facts = AssessmentFacts(
                coma: coma,
                dementia: dementia,
                psychiatric: psychiatric,
                riskEvents30Days: riskEvents
            )
            _ = try validated(scores, as: "scores") { _ in try CapabilityScore(items: items, facts: facts) }
            let service = try await register.open()
            let (id, assessor) = (id, assessor)
            let assessment = try await reportingErrors {
                try await service.assess(id: id, elder: elder, assessor: assessor, items: items, facts: facts)
            }
            register.emit(
                assessment.score.decision,
                headline:
                    "\(assessment.id): \(elder.masked) \(assessment.score.total)/90, \(assessment.level.chineseName)",
                json: [
                    "assessment": .string(assessment.id), "total": .number(Double(assessment.score.total)),
                    "level": .string(assessment.level.description),
                ]
            )
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a care plan from an assessment's level.")
        @OptionGroup var register: Register
        @Option(help: "The plan's id.") var id: String
        @Option(help: "The assessment.") var assessment: String

        mutating func run() async throws {
            let service = try await register.open(.existing)
            let (id, assessment) = (id, assessment)
            let plan = try await reportingErrors { try await service.makePlan(id: id, from: assessment) }
            register.output.emit(
                (["\(plan.id) for \(plan.elder.masked), \(plan.level.chineseName):"]
                    + plan.services.map { "  \($0.kind.rawValue): \($0.visitsPerWeek) a week, \($0.minutes) minutes" })
                    .joined(separator: "\n"),
                json: [
                    "plan": .string(plan.id),
                    "services": .array(
                        plan.services.map {
                            ["kind": .string($0.kind.rawValue), "visitsPerWeek": .number(Double($0.visitsPerWeek))]
                        }
                    ),
                ]
            )
        }
    }

    struct Provider: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a home-care provider.")
        @OptionGroup var register: Register
        @Option(help: "Its unified social credit code.") var id: String
        @Option(help: "Its name.") var name: String
        @Option(help: "The county it serves.") var district: String
        @Option(help: "Services, comma-separated: \(HomeCareKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kinds: String

        mutating func run() async throws {
            let code = try validated(id, as: "id", { try CreditCode($0) })
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            var set = Set<HomeCareKind>()
            for text in kinds.split(separator: ",") {
                guard let kind = HomeCareKind(rawValue: String(text)) else {
                    throw ValidationError("--kinds: \(text) is not a service")
                }
                set.insert(kind)
            }
            let (name, kinds) = (name, set)
            let provider = try validated(name, as: "provider") { name in
                try HomeCareProvider(id: code.value, name: name, district: district, kinds: kinds)
            }
            let service = try await register.open()
            try await reportingErrors { try await service.register(provider) }
            register.output.emit("\(provider.id): \(provider.name)", json: ["provider": .string(provider.id)])
        }
    }

    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a care worker of a provider.")
        @OptionGroup var register: Register
        @Option(help: "The worker's staff id.") var id: String
        @Option(help: "The provider.") var provider: String
        @Option(help: "The worker's identity number.") var person: String

        mutating func run() async throws {
            let person = try validated(person, as: "person", { try ResidentID($0) })
            let (id, provider) = (id, provider)
            let worker = try validated(id, as: "worker") { id in
                try CareWorker(id: id, provider: provider, person: person)
            }
            let service = try await register.open(.existing)
            try await reportingErrors { try await service.register(worker) }
            register.output.emit("\(id): \(person.masked) works for \(provider)", json: ["worker": .string(id)])
        }
    }

    struct Order: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Place a home-care order with a provider.")
        @OptionGroup var register: Register
        @Option(help: "The order's id.") var id: String
        @Option(help: "The older person's identity number.") var elder: String
        @Option(help: "The provider.") var provider: String
        @Option(help: "The service.") var kind: String
        @Option(help: "The day of the visit, YYYY-MM-DD.") var date: String
        @Option(help: "The care plan it carries out.") var plan: String?

        mutating func run() async throws {
            let elder = try validated(elder, as: "elder", { try ResidentID($0) })
            guard let kind = HomeCareKind(rawValue: kind) else {
                throw ValidationError("--kind \(kind) is not a service")
            }
            let day = try validated(date, as: "date", CalendarDate.init(iso8601:))
            let (id, provider, plan) = (id, provider, plan)
            let order = try validated(id, as: "order") { id in
                try HomeCareOrder(id: id, elder: elder, provider: provider, kind: kind, date: day, plan: plan)
            }
            let service = try await register.open(.existing)
            _ = try await reportingErrors { try await service.place(order) }
            register.output.emit(
                "\(id): \(kind.rawValue) for \(elder.masked) on \(day) by \(provider): placed",
                json: ["order": .string(id), "state": "placed"]
            )
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an order: assign a worker, check in, check out, rate, or cancel."
        )
        @OptionGroup var register: Register
        @Option(help: "The order.") var id: String
        @Option(help: "Assign this worker.") var assign: String?
        @Flag(help: "The worker checks in now.") var checkIn = false
        @Option(help: "The worker checks out now, saying what was done.") var checkOut: String?
        @Option(help: "The person's rating, 1–5 stars.") var rate: Int?
        @Option(help: "A comment with the rating.") var comment = ""
        @Option(help: "Cancel, with the reason.") var cancel: String?

        mutating func run() async throws {
            let now = Date()
            let events: [HomeCareOrder.Event] = [
                assign.map { .assign(worker: $0) }, checkIn ? .checkIn(at: now) : nil,
                checkOut.map { .checkOut(at: now, note: $0) }, rate.map { .rate(stars: $0, comment: comment) },
                cancel.map { .cancel(reason: $0) },
            ].compactMap { $0 }
            guard events.count == 1, let event = events.first else {
                throw ValidationError("give exactly one of --assign, --check-in, --check-out, --rate, --cancel")
            }
            let service = try await register.open(.existing)
            let id = id
            let order = try await reportingErrors { try await service.apply(event, to: id) }
            register.output.emit(
                "\(order.id): \(order.state.rawValue)" + (order.minutes.map { ", \($0) minutes" } ?? ""),
                json: ["order": .string(order.id), "state": .string(order.state.rawValue)]
            )
        }
    }

    struct Quality: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A provider's service quality from its orders.")
        @OptionGroup var register: Register
        @Option(help: "The provider.") var provider: String

        mutating func run() async throws {
            let service = try await register.open(.existing)
            let provider = provider
            let quality = try await reportingErrors { try await service.quality(of: provider) }
            register.output.emit(
                "\(provider): \(quality.completed) completed, \(quality.rated) rated, mean "
                    + DecimalText.fixed(quality.meanStars, decimals: 1) + " stars, \(quality.cancelled) cancelled",
                json: [
                    "completed": .number(Double(quality.completed)), "rated": .number(Double(quality.rated)),
                    "meanStars": .number(quality.meanStars), "cancelled": .number(Double(quality.cancelled)),
                ]
            )
        }
    }

    struct Subsidy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay a month's care subsidy for an older person in economic difficulty, once, explained."
        )
        @OptionGroup var register: Register
        @Option(help: "The older person's identity number.") var elder: String
        @Option(help: "The month, YYYY-MM.") var month: String
        @Flag(help: "The person is in a dibao or extreme-poverty household.") var difficulty = false

        mutating func run() async throws {
            let elder = try validated(elder, as: "elder", { try ResidentID($0) })
            let period = try validated(month, as: "month", PayPeriod.init)
            let service = try await register.open(.existing)
            let difficulty = difficulty
            let (decision, _) = try await reportingErrors {
                try await service.subsidyDecision(for: elder, month: period, economicDifficulty: difficulty)
            }
            guard decision.isEligible else {
                register.emit(decision, headline: "\(elder.masked) \(period): refused", json: ["paid": false])
                throw ExitCode(ExitStatus.refused)
            }
            let payment = try await reportingErrors {
                try await service.paySubsidy(to: elder, month: period, economicDifficulty: difficulty)
            }
            register.emit(
                payment.decision,
                headline: "\(elder.masked) \(period): \(payment.amount.yuanText) yuan paid (\(payment.instruction))",
                json: ["paid": true, "amount": .string(payment.amount.yuanText)]
            )
        }
    }

    struct GradeInstitution: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grade-institution",
            abstract: "Grade a care institution by GB/T 37276-2018 (assumed tables; see the documentation)."
        )
        @OptionGroup var output: OutputOptions
        @Option(help: "PART=POINTS for 环境, 设施设备, 运营管理, 服务.") var score: [String] = []
        @Flag(help: "A serious safety incident in the past year.") var seriousIncident = false

        mutating func run() throws {
            var scores: [String: Int] = [:]
            for item in score {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let points = Int(parts[1]) else {
                    throw ValidationError("--score \(item): write PART=POINTS")
                }
                scores[parts[0]] = points
            }
            let (given, incident) = (scores, seriousIncident)
            let (level, decision) = try validated("grade", as: "score") { _ in
                try InstitutionGrading().grade(scores: given, seriousIncident: incident)
            }
            output.emit(
                ([level == 0 ? "no level" : "level \(level)"] + decision.lines).joined(separator: "\n"),
                json: ["level": .number(Double(level)), "decision": decision.json]
            )
        }
    }
}
