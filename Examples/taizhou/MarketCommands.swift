import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyDraw
import SocietyJSON
import SocietyMarketSupervision
import SocietyServices

/// `taizhou market`: the market supervision department's register, random inspections, credit,
/// special equipment and product recalls on the state folder's `market` store.
struct MarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract:
            "Market supervision (市场监管): entities and licences, random inspections, credit, special equipment, recalls.",
        discussion: """
            State lives in market.sqlite of the state folder; the inspection draws are signed with the \
            department's key and re-run with `taizhou draw rerun`. Deadlines count working days on the \
            State Council's published schedules (provisionally past the last published year). Legal \
            representatives' names and identity numbers print masked.
            """,
        subcommands: [
            Entity.self, LicenceCommand.self, InspectorCommand.self, Plan.self, Draw.self, Result.self,
            Disclose.self, Credit.self, Repair.self, Equipment.self, Inspected.self, Warnings.self, Produce.self,
            Transfer.self, RecallCommand.self,
        ]
    )

    struct Bureau: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> MarketSupervisionService {
            let party = try ToolParty.party("market")
            let (deployment, department) = try state.department("market", party: party, access: access)
            let key = try reportingErrorsSync { try deployment.signingKey(of: party) }
            let calendar = try reportingErrorsSync {
                ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
            }
            return MarketSupervisionService(
                ports: department.ports,
                draws: DrawService(ports: department.ports, signer: key, kid: deployment.signingKid(of: party)),
                calendar: calendar
            )
        }
    }

    static func code(_ text: String, as name: String) throws -> CreditCode {
        try validated(text, as: name) { try CreditCode($0) }
    }

    static func date(_ text: String, as name: String) throws -> CalendarDate {
        try validated(text, as: name) { try CalendarDate(iso8601: $0) }
    }

    struct Entity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a market entity on the register.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The unified social credit code.") var code: String
        @Option(help: "The registered name.") var name: String
        @Option(help: "The legal representative's name.") var representative: String
        @Option(help: "The legal representative's identity number.") var representativeId: String
        @Option(help: "The district (GB/T 2260).") var district: String
        @Option(help: "The industry (a plan's selector), e.g. food-sales.") var industry: String
        @Option(help: "Registered on (YYYY-MM-DD).") var registered: String

        mutating func run() async throws {
            let code = try MarketCommand.code(code, as: "code")
            let representative = try validated(representative, as: "representative") { try PersonName($0) }
            let id = try validated(representativeId, as: "representative-id") { try ResidentID($0) }
            let district = try validated(district, as: "district") { try DivisionCode($0) }
            let registered = try MarketCommand.date(registered, as: "registered")
            let (name, industry) = (name, industry)
            let entity = try validated(name, as: "name") { name throws(MarketSupervisionError) in
                try MarketEntity(
                    code: code,
                    name: name,
                    representative: representative,
                    representativeID: id,
                    district: district,
                    industry: industry,
                    registered: registered
                )
            }
            let service = try await bureau.open()
            try await reportingErrors { try await service.register(entity) }
            bureau.output.emit(
                "\(code.value) \(entity.name) (\(industry)), 法定代表人 \(representative.masked)",
                json: ["code": .string(code.value), "industry": .string(industry)]
            )
        }
    }

    struct LicenceCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "licence",
            abstract: "Grant a licence (a food business licence number is JY + 14 digits, shape checked)."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "\(LicenceKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
        @Option(help: "The licence number.") var number: String
        @Option(help: "The holder's credit code.") var holder: String
        @Option(help: "The business scope.") var scope: String
        @Option(help: "Valid from (YYYY-MM-DD).") var from: String
        @Option(help: "Valid until (YYYY-MM-DD); none for long-term.") var until: String?

        mutating func run() async throws {
            guard let kind = LicenceKind(rawValue: kind) else { throw ValidationError("--kind \(kind) is not a kind") }
            let holder = try MarketCommand.code(holder, as: "holder")
            let from = try MarketCommand.date(from, as: "from")
            let until = try until.map { try MarketCommand.date($0, as: "until") }
            let validity = try validated(from.iso8601, as: "until") { _ in try ValidityPeriod(from: from, until: until)
            }
            let scope = scope
            let licence = try validated(number, as: "number") { number throws(MarketSupervisionError) in
                try Licence(number: number, kind: kind, holder: holder, scope: scope, validity: validity)
            }
            let service = try await bureau.open(.existing)
            try await reportingErrors { try await service.grant(licence) }
            bureau.output.emit(
                "\(kind.name) \(licence.number) granted to \(holder.value)",
                json: ["kind": .string(kind.rawValue), "number": .string(licence.number)]
            )
        }
    }

    struct InspectorCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspector",
            abstract: "Put an inspector on the list, with the entities they are linked to."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The enforcement certificate number.") var id: String
        @Option(help: "The name.") var name: String
        @Option(help: "A link, CODE:reason (repeatable): never paired with that entity.") var link: [String] = []

        mutating func run() async throws {
            let name = try validated(name, as: "name") { try PersonName($0) }
            let links = try link.map { text in
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("--link is CODE:reason") }
                return Inspector.Link(entity: try MarketCommand.code(parts[0], as: "link"), reason: parts[1])
            }
            let inspector = try validated(id, as: "id") { id throws(MarketSupervisionError) in
                try Inspector(id: id, name: name, links: links)
            }
            let service = try await bureau.open()
            try await reportingErrors { try await service.register(inspector: inspector) }
            bureau.output.emit(
                "inspector \(inspector.id) \(name.masked), \(links.count) link(s)",
                json: ["id": .string(inspector.id), "links": .number(Double(links.count))]
            )
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an inspection plan: both draws' seeds committed now, before the lists are known."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The plan's id.") var id: String
        @Option(help: "Its title.") var title: String
        @Option(help: "Only entities of this industry.") var industry: String?

        mutating func run() async throws {
            let service = try await bureau.open()
            let (id, title, industry) = (id, title, industry)
            let plan = try await reportingErrors {
                try await service.createPlan(id: id, title: title, industry: industry)
            }
            bureau.output.emit(
                "plan \(plan.id) committed\n  entities: commitment \(plan.entityCommitment)\n  inspectors: commitment \(plan.inspectorCommitment)",
                json: [
                    "plan": .string(plan.id), "entityCommitment": .string(plan.entityCommitment),
                    "inspectorCommitment": .string(plan.inspectorCommitment),
                ]
            )
        }
    }

    struct Draw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a plan: entities by credit-class quotas, inspectors without a conflict of interest."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The plan's id.") var id: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let id = id
            let plan = try await reportingErrors { try await service.drawPlan(id) }
            var lines = ["plan \(plan.id) drawn: \(plan.assignments.count) entities"]
            for assignment in plan.assignments {
                lines.append(
                    "  \(assignment.entity.value) (class \(assignment.creditClass.rawValue)) ← "
                        + assignment.inspectors.joined(separator: ", ")
                        + (assignment.exclusions.isEmpty
                            ? "" : "; left out: " + assignment.exclusions.joined(separator: "; "))
                )
            }
            bureau.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "plan": .string(plan.id),
                    "assignments": .array(
                        plan.assignments.map {
                            [
                                "entity": .string($0.entity.value), "class": .string($0.creditClass.rawValue),
                                "inspectors": .array($0.inspectors.map { .string($0) }),
                            ]
                        }
                    ),
                ]
            )
        }
    }

    struct Result: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the result of inspecting a drawn entity.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The plan.") var plan: String
        @Option(help: "The entity's credit code.") var entity: String
        @Option(help: "\(InspectionOutcome.allCases.map(\.rawValue).joined(separator: ", ")).") var outcome: String
        @Option(help: "The findings, in words.") var findings: String
        @Option(help: "The inspection day, if not today (YYYY-MM-DD).") var on: String?

        mutating func run() async throws {
            guard let outcome = InspectionOutcome(rawValue: outcome) else {
                throw ValidationError("--outcome \(outcome) is not an outcome")
            }
            let entity = try MarketCommand.code(entity, as: "entity")
            let day = try on.map { try MarketCommand.date($0, as: "on") }
            let service = try await bureau.open(.existing)
            let (plan, findings) = (plan, findings)
            let result = try await reportingErrors {
                try await service.recordResult(
                    plan: plan,
                    entity: entity,
                    outcome: outcome,
                    findings: findings,
                    on: day
                )
            }
            let mark = result.provisional ? " (provisional: past the published holiday schedules)" : ""
            bureau.output.emit(
                "\(entity.value): \(outcome.disclosed)"
                    + (result.rectifyBy.map { "; rectify by \($0)" } ?? "") + "; disclose by \(result.discloseBy)"
                    + mark,
                json: [
                    "outcome": .string(outcome.rawValue),
                    "rectifyBy": result.rectifyBy.map { .string($0.iso8601) } ?? .null,
                    "discloseBy": .string(result.discloseBy.iso8601), "provisional": .bool(result.provisional),
                ]
            )
        }
    }

    struct Disclose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The public disclosure (一公开): seeds, commitments, each entity's result, names masked."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The plan.") var plan: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let id = plan
            let disclosure = try await reportingErrors { try await service.disclosure(of: id) }
            let candidates = try await reportingErrors {
                try await service.draws.result(try await service.plan(id).entityDraw).candidates
            }
            bureau.output.emit(
                disclosure.text + "\nre-run the entity draw: taizhou draw rerun --seed \(disclosure.entitySeed) "
                    + "--commitment \(disclosure.entityCommitment) --candidates \(candidates.joined(separator: ","))",
                json: [
                    "plan": .string(disclosure.plan), "entitySeed": .string(disclosure.entitySeed),
                    "inspectorSeed": .string(disclosure.inspectorSeed),
                    "lines": .number(Double(disclosure.lines.count)),
                ]
            )
        }
    }

    struct Credit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An entity's credit class, explained; with --event, an event recorded first."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The entity's credit code.") var entity: String
        @Option(help: "Record an event with this id.") var event: String?
        @Option(help: "\(CreditEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String?
        @Option(help: "The event's day (YYYY-MM-DD).") var on: String?
        @Option(help: "What happened.") var detail: String?

        mutating func run() async throws {
            let entity = try MarketCommand.code(entity, as: "entity")
            let service = try await bureau.open(.existing)
            if let event {
                guard let kind = kind.flatMap(CreditEvent.Kind.init(rawValue:)), let on, let detail else {
                    throw ValidationError("an event needs --kind, --on and --detail")
                }
                let date = try MarketCommand.date(on, as: "on")
                let record = try validated(event, as: "event") { id throws(MarketSupervisionError) in
                    try CreditEvent(id: id, entity: entity, kind: kind, date: date, detail: detail)
                }
                try await reportingErrors { try await service.record(record) }
            }
            let classification = try await reportingErrors { try await service.classify(entity) }
            bureau.output.emit(
                ([
                    "\(entity.value): class \(classification.creditClass.rawValue), score \(classification.score); "
                        + "drawn at \(classification.effect.drawPercent) %, \(classification.effect.inspectionsPerYear) inspection(s) a year"
                ] + classification.decision.lines).joined(separator: "\n"),
                json: [
                    "class": .string(classification.creditClass.rawValue),
                    "score": .number(Double(classification.score)),
                    "decision": classification.decision.json,
                ]
            )
        }
    }

    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Credit repair (信用修复) of an event, with its proof.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The event's id.") var event: String
        @Option(help: "The rectification proof.") var proof: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let (event, proof) = (event, proof)
            let repaired = try await reportingErrors { try await service.repair(event: event, proof: proof) }
            bureau.output.emit(
                "\(repaired.id): repaired on \(repaired.repaired?.iso8601 ?? "")",
                json: ["event": .string(repaired.id)]
            )
        }
    }

    struct Equipment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register special equipment (late registration flagged) with its next inspection due."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The registration or device code.") var id: String
        @Option(
            help: "\(SpecialEquipmentCategory.allCases.map { "\($0.rawValue) \($0.name)" }.joined(separator: ", "))."
        )
        var category: String
        @Option(help: "The user's credit code.") var user: String
        @Option(help: "Where it is installed.") var location: String
        @Option(help: "Put into use on (YYYY-MM-DD).") var inUseSince: String
        @Option(help: "Last inspected on (YYYY-MM-DD).") var lastInspection: String

        mutating func run() async throws {
            guard let category = SpecialEquipmentCategory(rawValue: category) else {
                throw ValidationError("--category \(category) is not one of the eight categories")
            }
            let user = try MarketCommand.code(user, as: "user")
            let since = try MarketCommand.date(inUseSince, as: "in-use-since")
            let last = try MarketCommand.date(lastInspection, as: "last-inspection")
            let service = try await bureau.open(.existing)
            let (id, location) = (id, location)
            let record = try await reportingErrors {
                try await service.register(
                    equipment: id,
                    category: category,
                    user: user,
                    location: location,
                    inUseSince: since,
                    lastInspection: last
                )
            }
            bureau.output.emit(
                "\(record.id) (\(category.name)): next inspection by \(record.nextInspection), request by "
                    + "\(service.requestDue(for: record.nextInspection))"
                    + (record.registeredLate ? "; registered late (more than 30 days after use began)" : ""),
                json: [
                    "next": .string(record.nextInspection.iso8601), "registeredLate": .bool(record.registeredLate),
                ]
            )
        }
    }

    struct Inspected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a periodic inspection of special equipment.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The equipment.") var id: String
        @Option(help: "The day (YYYY-MM-DD).") var on: String
        @Flag(help: "It failed (it stays due and must not be used).") var failed = false

        mutating func run() async throws {
            let day = try MarketCommand.date(on, as: "on")
            let service = try await bureau.open(.existing)
            let (id, passed) = (id, !failed)
            let record = try await reportingErrors {
                try await service.recordEquipmentInspection(id, on: day, passed: passed)
            }
            bureau.output.emit(
                "\(record.id): \(passed ? "passed" : "failed"), next inspection by \(record.nextInspection)",
                json: ["next": .string(record.nextInspection.iso8601)]
            )
        }
    }

    struct Warnings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Special-equipment early warnings: inspections to request now, and overdue equipment."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The day (YYYY-MM-DD); today by default.") var on: String?
        @Flag(help: "Only overdue equipment.") var overdue = false

        mutating func run() async throws {
            let day = try on.map { try MarketCommand.date($0, as: "on") } ?? CalendarDate(Date())
            let service = try await bureau.open(.existing)
            let overdue = overdue
            let warnings = try await reportingErrors {
                try await service.equipmentWarnings(on: day, overdueOnly: overdue)
            }
            bureau.output.emit(
                (["\(warnings.count) warning(s) on \(day)"]
                    + warnings.map {
                        "  \($0.level.rawValue) \($0.equipment) (\($0.category.name), \($0.user.value)): due \($0.due)"
                    }).joined(separator: "\n"),
                json: [
                    "warnings": .array(
                        warnings.map {
                            [
                                "equipment": .string($0.equipment), "level": .string($0.level.rawValue),
                                "due": .string($0.due.iso8601),
                            ]
                        }
                    )
                ]
            )
        }
    }

    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a product batch at its producer.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The batch id.") var batch: String
        @Option(help: "The product.") var product: String
        @Option(help: "\(ProductKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
        @Option(help: "The producer's credit code.") var producer: String
        @Option(help: "Produced on (YYYY-MM-DD).") var produced: String
        @Option(help: "How many units.") var quantity: Int

        mutating func run() async throws {
            guard let kind = ProductKind(rawValue: kind) else { throw ValidationError("--kind \(kind) is not a kind") }
            let producer = try MarketCommand.code(producer, as: "producer")
            let produced = try MarketCommand.date(produced, as: "produced")
            let (product, quantity) = (product, quantity)
            let record = try validated(batch, as: "batch") { id throws(MarketSupervisionError) in
                try ProductBatch(
                    id: id,
                    product: product,
                    kind: kind,
                    producer: producer,
                    produced: produced,
                    quantity: quantity
                )
            }
            let service = try await bureau.open(.existing)
            try await reportingErrors { try await service.produce(record) }
            bureau.output.emit("batch \(record.id): \(quantity) × \(product)", json: ["batch": .string(record.id)])
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record units of a batch passed down the chain.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The batch.") var batch: String
        @Option(help: "From (credit code).") var from: String
        @Option(help: "To (credit code).") var to: String
        @Option(help: "How many units.") var quantity: Int

        mutating func run() async throws {
            let (source, target) = (try MarketCommand.code(from, as: "from"), try MarketCommand.code(to, as: "to"))
            let service = try await bureau.open(.existing)
            let (batch, quantity) = (batch, quantity)
            let transfer = try await reportingErrors {
                try await service.transfer(batch: batch, from: source, to: target, quantity: quantity)
            }
            bureau.output.emit(
                "batch \(batch): \(quantity) from \(source.value) to \(target.value)",
                json: ["transfer": .string(transfer.id)]
            )
        }
    }

    struct RecallCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recall",
            abstract: "Recall a batch: every downstream holder found, with what it still holds."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The batch.") var batch: String
        @Option(help: "Why.") var reason: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let (batch, reason) = (batch, reason)
            let recall = try await reportingErrors { try await service.recall(batch: batch, reason: reason) }
            bureau.output.emit(
                (["batch \(batch) recalled (\(reason)): \(recall.holders.count) holder(s)"]
                    + recall.holders.map {
                        "  \($0.entity.value) at depth \($0.depth) via \($0.via.value): received \($0.received), holds \($0.held)"
                    }).joined(separator: "\n"),
                json: [
                    "holders": .array(
                        recall.holders.map {
                            [
                                "entity": .string($0.entity.value), "depth": .number(Double($0.depth)),
                                "held": .number(Double($0.held)),
                            ]
                        }
                    )
                ]
            )
        }
    }
}
