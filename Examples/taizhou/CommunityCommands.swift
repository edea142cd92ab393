import ArgumentParser
import Foundation
import SocietyCommunity
import SocietyCore
import SocietyDeployment
import SocietyDisability
import SocietyJSON
import SocietyOneCard
import SocietyServices

/// `taizhou community`: the community office's grids, special groups, bill payments and rural
/// monitoring on the state folder's `community` store.
struct CommunityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "community",
        abstract: "Community and rural services (社区 and 农村): grids, special groups, bills, rural monitoring.",
        discussion: """
            State lives in community.sqlite of the state folder; bills go through its onecard.sqlite. \
            A grid worker sees only their own grid, with a purpose, and every look is recorded. Special \
            groups are asked of the departments for each look: the disabled from the state folder's \
            disability register, dibao recipients and the unemployed given here as --dibao/--unemployed \
            (civil affairs and labour answer by envelope in a deployment; `taizhou demo` shows it). \
            The family archive needs the departments' parties and a consent desk: `taizhou demo` assembles one. \
            Identity numbers print masked.
            """,
        subcommands: [
            OpenGrid.self, Assign.self, Groups.self, Looks.self, Bill.self, Settle.self, Monitor.self,
            Monitoring.self, Point.self, Coverage.self,
        ]
    )

    struct Office: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> CommunityService {
            let (_, department) = try state.department("community", subsystem: "community", access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            return CommunityService(ports: department.ports, oneCard: oneCard)
        }
    }

    static func yuan(_ text: String, as name: String) throws -> Money {
        try validated(text, as: name) { text in try Money(yuanText: text) }
    }

    static func person(_ text: String, as name: String = "person") throws -> ResidentID {
        try validated(text, as: name) { try ResidentID($0) }
    }

    struct OpenGrid: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "grid", abstract: "Open a grid with its workers.")
        @OptionGroup var office: Office
        @Option(help: "The grid's id, e.g. 321202-001-03.") var id: String
        @Option(help: "Its name.") var name: String
        @Option(help: "The district (GB/T 2260).") var district: String
        @Option(help: "A grid worker's staff number (repeatable).") var worker: [String] = []

        mutating func run() async throws {
            let district = try validated(district, as: "district") { try DivisionCode($0) }
            let (id, name, workers) = (id, name, worker)
            let grid = try validated(id, as: "id") { id throws(CommunityError) in
                try Grid(id: id, name: name, district: district, workers: workers)
            }
            let service = try await office.open()
            try await reportingErrors { try await service.open(grid) }
            office.output.emit(
                "grid \(grid.id) (\(grid.name)) opened, workers: \(grid.workers.joined(separator: ", "))",
                json: ["grid": .string(grid.id), "workers": .array(grid.workers.map { .string($0) })]
            )
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a resident (with their household) on a grid, or a worker with --worker."
        )
        @OptionGroup var office: Office
        @Option(help: "The grid.") var grid: String
        @Option(help: "The resident's identity number.") var person: String?
        @Option(help: "The resident's household id.") var household: String?
        @Option(help: "A grid worker to assign instead.") var worker: String?

        mutating func run() async throws {
            let service = try await office.open(.existing)
            let grid = grid
            if let worker {
                let found = try await reportingErrors { try await service.assign(worker: worker, to: grid) }
                office.output.emit(
                    "grid \(grid): workers \(found.workers.joined(separator: ", "))",
                    json: ["workers": .array(found.workers.map { .string($0) })]
                )
                return
            }
            guard let person, let household else { throw ValidationError("give --person and --household, or --worker") }
            let resident = try CommunityCommand.person(person)
            try await reportingErrors { try await service.assign(resident, to: grid, household: household) }
            office.output.emit(
                "\(resident.masked) on grid \(grid), household \(household)",
                json: ["grid": .string(grid)]
            )
        }
    }

    struct Groups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A grid worker's view of their grid's special groups, for a purpose (recorded)."
        )
        @OptionGroup var office: Office
        @Option(help: "The grid.") var grid: String
        @Option(help: "The worker looking.") var worker: String
        @Option(help: "Why: \(GridPurpose.allCases.map(\.rawValue).joined(separator: ", ")).") var purpose: String
        @Option(help: "A dibao recipient, as civil affairs answers (repeatable).") var dibao: [String] = []
        @Option(help: "A registered unemployed person, as labour answers (repeatable).") var unemployed: [String] = []

        mutating func run() async throws {
            guard let purpose = GridPurpose(rawValue: purpose) else {
                throw ValidationError("--purpose \(purpose) is not a purpose")
            }
            let dibao = Set(try dibao.map { try CommunityCommand.person($0, as: "dibao") })
            let unemployed = Set(try unemployed.map { try CommunityCommand.person($0, as: "unemployed") })
            let service = try await office.open(.existing)
            var sources: [any SpecialGroupSource] = [
                ClosureGroupSource(.dibao) { residents, _ in dibao.intersection(residents) },
                ClosureGroupSource(.unemployed) { residents, _ in unemployed.intersection(residents) },
            ]
            let registerExists =
                (try? office.state.postgres()) != nil
                || FileManager.default.fileExists(atPath: office.state.storeDescription("disability"))
            if registerExists,
                let (_, federation) = try? office.state.department(
                    "disability",
                    subsystem: "disability",
                    access: .existing
                )
            {
                let oneCard = try OneCardService(ports: federation.ports)
                let register = DisabilityService(ports: federation.ports, oneCard: oneCard)
                sources.append(
                    ClosureGroupSource(.disabled) { residents, _ in
                        var found = Set<ResidentID>()
                        for resident in residents {
                            if let record = try? await register.registration(of: resident), record.state == .active {
                                found.insert(resident)
                            }
                        }
                        return found
                    }
                )
            } else {
                note("no disability register in the state folder: the disabled group is not asked")
            }
            let (grid, worker, chosen) = (grid, worker, sources)
            let roster = try await reportingErrors {
                try await service.specialGroups(in: grid, worker: worker, purpose: purpose, sources: chosen)
            }
            let counts = SpecialGroup.allCases.compactMap { group in
                roster.counts[group].map { "\(group.chineseName) \($0)" }
            }
            var lines = [
                "grid \(roster.grid.id) (\(roster.grid.name)): \(roster.residents) residents, \(roster.entries.count) in special groups"
                    + (counts.isEmpty ? "" : " — " + counts.joined(separator: ", "))
            ]
            lines += roster.entries.map {
                "  \($0.resident.masked) (\($0.household)): " + $0.groups.map(\.chineseName).joined(separator: "、")
            }
            lines += roster.unavailable.keys.sorted().map {
                "  \($0.chineseName) unavailable: \(roster.unavailable[$0] ?? "")"
            }
            lines.append("look recorded: \(worker), \(purpose.rawValue)")
            office.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "grid": .string(roster.grid.id), "residents": .number(Double(roster.residents)),
                    "entries": .array(
                        roster.entries.map {
                            [
                                "resident": .string($0.resident.masked), "household": .string($0.household),
                                "groups": .array($0.groups.map { .string($0.rawValue) }),
                            ]
                        }
                    ),
                ]
            )
        }
    }

    struct Looks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who looked at a grid's special groups, why and when."
        )
        @OptionGroup var office: Office
        @Option(help: "The grid.") var grid: String

        mutating func run() async throws {
            let service = try await office.open(.existing)
            let grid = grid
            let looks = try await reportingErrors { try await service.looks(at: grid) }
            office.output.emit(
                looks.map {
                    "\(ISO8601DateFormatter().string(from: $0.at)) \($0.worker) \($0.purpose.rawValue): \($0.outcome) (\($0.shown))"
                }
                .joined(separator: "\n"),
                json: [
                    "looks": .array(
                        looks.map {
                            [
                                "worker": .string($0.worker), "purpose": .string($0.purpose.rawValue),
                                "outcome": .string($0.outcome), "shown": .number(Double($0.shown)),
                            ]
                        }
                    )
                ]
            )
        }
    }

    struct Bill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request payment of a utility or property-fee bill through the payer's one-card (once per bill)."
        )
        @OptionGroup var office: Office
        @Option(help: "The payer's identity number.") var payer: String
        @Option(help: "The company's credit code.") var payee: String
        @Option(help: "The company's name.") var payeeName: String
        @Option(help: "\(UtilityKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
        @Option(help: "The bill number.") var number: String
        @Option(help: "The household's customer number.") var account: String
        @Option(help: "The month billed (YYYY-MM).") var period: String
        @Option(help: "The amount in yuan.") var amount: String
        @Option(help: "Due by (YYYY-MM-DD).") var due: String

        mutating func run() async throws {
            guard let kind = UtilityKind(rawValue: kind) else { throw ValidationError("--kind \(kind) is not a kind") }
            let payer = try CommunityCommand.person(payer, as: "payer")
            let payee = try validated(payee, as: "payee") { try CreditCode($0) }
            let period = try validated(period, as: "period", PayPeriod.init)
            let amount = try CommunityCommand.yuan(amount, as: "amount")
            let due = try validated(due, as: "due") { try CalendarDate(iso8601: $0) }
            let (number, payeeName, account) = (number, payeeName, account)
            let bill = try validated(number, as: "bill") { number throws(CommunityError) in
                try UtilityBill(
                    number: number,
                    payee: payee,
                    payeeName: payeeName,
                    kind: kind,
                    account: account,
                    payer: payer,
                    period: period,
                    amount: amount,
                    due: due
                )
            }
            let service = try await office.open()
            let payment = try await reportingErrors { try await service.requestPayment(bill) }
            office.output.emit(
                "\(payment.id): \(kind.chineseName) \(amount.yuanText) yuan for \(period) from \(payer.masked)'s one-card account \(payment.bankAccount.masked) — \(payment.state.rawValue)",
                json: ["id": .string(payment.id), "state": .string(payment.state.rawValue)]
            )
        }
    }

    struct Settle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the bank's answer to a payment request, or retry or cancel it."
        )
        @OptionGroup var office: Office
        @Option(help: "The payment request's id.") var id: String
        @Option(help: "Paid, with the bank's reference.") var paid: String?
        @Option(help: "Refused by the bank, with its reason.") var failed: String?
        @Flag(help: "Send again after a failure.") var retry = false
        @Flag(help: "Withdraw before payment.") var cancel = false

        mutating func run() async throws {
            let moves: [CommunityService.PaymentMove] =
                [
                    paid.map { .paid(reference: $0) }, failed.map { .failed($0) }, retry ? .retry : nil,
                    cancel ? .cancel : nil,
                ]
                .compactMap { $0 }
            guard moves.count == 1, let move = moves.first else {
                throw ValidationError("give exactly one of --paid, --failed, --retry, --cancel")
            }
            let service = try await office.open(.existing)
            let id = id
            let payment = try await reportingErrors { try await service.move(id, move) }
            office.output.emit(
                "\(payment.id): \(payment.state.rawValue) — \(payment.history.last?.what ?? "")",
                json: ["id": .string(payment.id), "state": .string(payment.state.rawValue)]
            )
        }
    }

    struct Monitor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Assess a rural household for low-income monitoring (防止返贫监测), explained; --eliminate takes it off the list."
        )
        @OptionGroup var office: Office
        @Option(help: "The household's id.") var household: String
        @Option(help: "Its village's 12-digit code.") var village: String
        @Option(help: "How many live in it.") var members: Int
        @Option(help: "Net income over the past 12 months, yuan.") var income: String
        @Option(help: "Net income over the 12 months before, yuan.") var previousIncome: String?
        @Option(help: "Out-of-pocket medical spending over 12 months, yuan.") var medical = "0"
        @Option(help: "Disaster or accident losses over 12 months, yuan.") var disaster = "0"
        @Flag(help: "Take the household off the list (risk eliminated), if the rules allow.") var eliminate = false

        mutating func run() async throws {
            let village = try validated(village, as: "village") { text throws(CommunityError) in try VillageCode(text) }
            let income = try CommunityCommand.yuan(income, as: "income")
            let previous = try previousIncome.map { try CommunityCommand.yuan($0, as: "previous-income") }
            let medical = try CommunityCommand.yuan(medical, as: "medical")
            let disaster = try CommunityCommand.yuan(disaster, as: "disaster")
            let (household, members) = (household, members)
            let facts = try validated(household, as: "household") { household throws(CommunityError) in
                try RuralHouseholdFacts(
                    household: household,
                    village: village,
                    members: members,
                    income: income,
                    previousIncome: previous,
                    medicalSpending: medical,
                    disasterLoss: disaster
                )
            }
            let service = try await office.open()
            if eliminate {
                let record = try await reportingErrors { try await service.eliminateRisk(facts) }
                office.output.emit(
                    "\(household): risk eliminated (monitored since \(record.since))",
                    json: ["state": .string(record.state.rawValue)]
                )
                return
            }
            let assessment = try await reportingErrors { try await service.monitor(facts) }
            office.output.emit(
                ([assessment.needsMonitoring ? "\(household): on the monitoring list" : "\(household): no signal"]
                    + assessment.decision.lines).joined(separator: "\n"),
                json: [
                    "monitor": .bool(assessment.needsMonitoring),
                    "signals": .array(assessment.signals.map { .string($0.rawValue) }),
                    "decision": assessment.decision.json,
                ]
            )
        }
    }

    struct Monitoring: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The households on the monitoring list, by village.")
        @OptionGroup var office: Office
        @Option(help: "Only this village.") var village: String?

        mutating func run() async throws {
            let village = try village.map { text in
                try validated(text, as: "village") { text throws(CommunityError) in try VillageCode(text) }
            }
            let service = try await office.open(.existing)
            let list = try await reportingErrors { try await service.monitoringList(village: village) }
            office.output.emit(
                (["\(list.count) household(s) monitored"]
                    + list.map {
                        "  \($0.village) \(Masking.keep($0.household, prefix: 2, suffix: 2)) since \($0.since): "
                            + $0.signals.map(\.rawValue).joined(separator: ", ")
                    }).joined(separator: "\n"),
                json: [
                    "households": .array(
                        list.map {
                            [
                                "village": .string($0.village.code), "since": .string($0.since.iso8601),
                                "signals": .array($0.signals.map { .string($0.rawValue) }),
                            ]
                        }
                    )
                ]
            )
        }
    }

    struct Point: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a service point in a village.")
        @OptionGroup var office: Office
        @Option(help: "Its id.") var id: String
        @Option(help: "The village's 12-digit code.") var village: String
        @Option(help: "\(VillageService.allCases.map(\.rawValue).joined(separator: ", ")).") var service: String
        @Option(help: "Its name.") var name: String
        @Flag(help: "Closed (not serving).") var closed = false

        mutating func run() async throws {
            guard let kind = VillageService(rawValue: service) else {
                throw ValidationError("--service \(service) is not a service")
            }
            let village = try validated(village, as: "village") { text throws(CommunityError) in try VillageCode(text) }
            let (name, closed) = (name, closed)
            let point = try validated(id, as: "id") { id throws(CommunityError) in
                try VillageServicePoint(id: id, village: village, service: kind, name: name, open: !closed)
            }
            let community = try await office.open()
            try await reportingErrors { try await community.register(point) }
            office.output.emit("\(point.id): \(kind.chineseName) in \(village)", json: ["id": .string(point.id)])
        }
    }

    struct Coverage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The indicator: which villages health, social-security and elderly-care services reach."
        )
        @OptionGroup var office: Office
        @Option(help: "A village's 12-digit code (repeatable).") var village: [String]

        mutating func run() async throws {
            let villages = try village.map { text in
                try validated(text, as: "village") { text throws(CommunityError) in try VillageCode(text) }
            }
            guard !villages.isEmpty else { throw ValidationError("give at least one --village") }
            let service = try await office.open(.existing)
            let coverage = try await reportingErrors { try await service.coverage(of: villages) }
            office.output.emit(
                ([coverage.description]
                    + coverage.rows.map { row in
                        "  \(row.village): "
                            + (row.missing.isEmpty
                                ? "all reached"
                                : "missing " + row.missing.map(\.chineseName).joined(separator: "、"))
                    }).joined(separator: "\n"),
                json: [
                    "covered": .number(Double(coverage.covered)), "villages": .number(Double(coverage.rows.count)),
                    "permille": .number(Double(coverage.permille)),
                ]
            )
        }
    }
}
