import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyDraw
import SocietyEducation
import SocietyJSON
import SocietyOneCard

/// `taizhou draw rerun`: anyone re-runs a public draw from its revealed seed and the published
/// candidates, and checks the seed against the commitment published before the draw.
struct DrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draw",
        abstract: "Public draws (公开摇号): re-run one from its revealed seed.",
        subcommands: [Rerun.self]
    )

    struct Rerun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-run a draw: the order and the winners, from the seed and the candidates.",
            discussion: "The function is documented in Documentation/Education.md; it needs nothing but SHA-256."
        )
        @OptionGroup var output: OutputOptions
        @Option(help: "The revealed seed, hex.") var seed: String
        @Option(help: "The candidates, comma-separated (their order does not matter).") var candidates: String
        @Option(help: "How many places.") var places = 0
        @Option(help: "The commitment published before the draw (SHA-256 of the seed, hex): checked.") var commitment:
            String?

        mutating func run() throws {
            guard let bytes = Hex.decode(seed.lowercased()) else { throw ValidationError("--seed is hex") }
            let list = candidates.split(separator: ",").map(String.init)
            let crypto = KeyFiles.crypto
            if let commitment {
                let digest = try validated(seed, as: "seed") { _ in try PublicDraw.commitment(of: bytes, crypto: crypto)
                }
                guard digest == commitment.lowercased() else {
                    throw failure(
                        status: ExitStatus.refused,
                        "the seed's SHA-256 is \(digest), not the commitment \(commitment)"
                    )
                }
            }
            let order = try validated(seed, as: "draw") { _ in
                try PublicDraw.order(seed: bytes, candidates: list, crypto: crypto)
            }
            let winners = Array(order.prefix(places))
            output.emit(
                "order: \(order.joined(separator: ", "))"
                    + (places > 0 ? "\nwinners: \(winners.joined(separator: ", "))" : "")
                    + (commitment == nil ? "" : "\nthe seed matches the commitment"),
                json: ["order": .array(order.map(JSONValue.string)), "winners": .array(winners.map(JSONValue.string))]
            )
        }
    }
}

/// `taizhou education`: the education bureau's enrolment on the state folder's `education` store —
/// schools, the lottery's commitment, applications, the allocation with the public lottery — and
/// canteen meal traceability.
struct EducationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "education",
        abstract: "Education (教育): sunshine enrolment with a public lottery, canteen traceability.",
        discussion: """
            State lives in education.sqlite of the state folder; lottery results are signed with the bureau's key \
            there. Application numbers are public (the lottery draws them); children's identity numbers print masked.
            """,
        subcommands: [
            SchoolCommand.self, Commit.self, Apply.self, Allocate.self, Show.self, Lottery.self, Meal.self, Trace.self,
            Recall.self,
        ]
    )

    struct Bureau: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> EducationService {
            let party = try ToolParty.party("education")
            let (deployment, department) = try state.department("education", party: party, access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            let key = try reportingErrorsSync { try deployment.signingKey(of: party) }
            let draws = DrawService(ports: department.ports, signer: key, kid: deployment.signingKid(of: party))
            return EducationService(ports: department.ports, draws: draws, oneCard: oneCard)
        }
    }

    struct SchoolCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "school", abstract: "Register a school.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The school's code.") var id: String
        @Option(help: "Its name.") var name: String
        @Option(help: "The county.") var district: String
        @Option(help: "The school district (学区) it serves.") var schoolDistrict: String
        @Option(help: "First-year places.") var places: Int
        @Flag(help: "A private school (公民同招).") var isPrivate = false

        mutating func run() async throws {
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let (name, schoolDistrict, places, isPublic) = (name, schoolDistrict, places, !isPrivate)
            let school = try validated(id, as: "school") { id in
                try School(
                    id: id,
                    name: name,
                    district: district,
                    schoolDistrict: schoolDistrict,
                    places: places,
                    isPublic: isPublic
                )
            }
            let service = try await bureau.open()
            try await reportingErrors { try await service.register(school) }
            bureau.output.emit(
                "\(school.id): \(school.name), \(school.places) places",
                json: ["school": .string(school.id)]
            )
        }
    }

    struct Commit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Commit the school's lottery seed before applications close; publish the commitment."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The school.") var school: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let school = school
            let committed = try await reportingErrors { try await service.commitLottery(school: school) }
            bureau.output.emit(
                "\(committed.id): commitment \(committed.commitment) (SHA-256 of the seed, revealed after the draw)",
                json: ["draw": .string(committed.id), "commitment": .string(committed.commitment)]
            )
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "File an enrolment application.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The application number (public).") var id: String
        @Option(help: "The child's identity number.") var child: String
        @Option(help: "The school.") var school: String
        @Option(help: "Verified facts, comma-separated: household, property, residencePermit.") var facts = ""

        mutating func run() async throws {
            let child = try validated(child, as: "child", { try ResidentID($0) })
            var set = Set<EnrolmentFact>()
            for text in facts.split(separator: ",") {
                guard let fact = EnrolmentFact(rawValue: String(text)) else {
                    throw ValidationError("--facts: \(text) is not a fact")
                }
                set.insert(fact)
            }
            let (school, facts) = (school, set)
            let application = try validated(id, as: "id") { id in
                try EnrolmentApplication(id: id, child: child, school: school, facts: facts)
            }
            let service = try await bureau.open(.existing)
            _ = try await reportingErrors { try await service.apply(application) }
            bureau.output.emit(
                "\(application.id): \(child.masked) applied to \(school)",
                json: ["application": .string(application.id)]
            )
        }
    }

    struct Allocate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allocate a school's places: classes in order, the public lottery where oversubscribed."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The school.") var school: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let school = school
            let allocation = try await reportingErrors { try await service.allocate(school: school) }
            var lines = [
                "\(school): \(allocation.admitted.count) admitted of \(allocation.places) places, \(allocation.referred.count) referred"
            ]
            lines += allocation.decision.lines
            if let lottery = allocation.lottery, let seed = lottery.seed {
                lines.append("lottery \(lottery.id): seed \(seed) (commitment \(lottery.commitment))")
                lines.append(
                    "re-run: taizhou draw rerun --seed \(seed) --commitment \(lottery.commitment) --places \(lottery.places) "
                        + "--candidates \(lottery.candidates.joined(separator: ","))"
                )
            }
            bureau.output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "admitted": .array(allocation.admitted.map(JSONValue.string)),
                    "referred": .array(allocation.referred.map(JSONValue.string)),
                    "lottery": allocation.lottery?.json ?? .null, "decision": allocation.decision.json,
                ]
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An application's outcome, with the reason.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The application number.") var id: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let id = id
            let application = try await reportingErrors { try await service.application(id) }
            bureau.output.emit(
                "\(application.id): \(application.outcome.rawValue)" + (application.reason.map { " — \($0)" } ?? ""),
                json: [
                    "outcome": .string(application.outcome.rawValue),
                    "reason": application.reason.map(JSONValue.string) ?? .null,
                ]
            )
        }
    }

    struct Lottery: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A school's lottery as published: signed JSON.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The school.") var school: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let id = EducationService.lotteryID(school: school)
            let result = try await reportingErrors { try await service.draws.result(id) }
            print(try result.json.canonicalString())
        }
    }

    struct Meal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a step of a meal batch (一码清).")
        @OptionGroup var bureau: Bureau
        @Option(help: "The batch code.") var batch: String
        @Option(help: "supplied, cooked, delivered, received or served.") var step: String
        @Option(help: "Who: a supplier's credit code, a kitchen's or a school's id.") var actor: String
        @Option(help: "What: ingredients and certificate, dish, seal and temperature, portions.") var detail: String

        mutating func run() async throws {
            guard let step = MealStep(rawValue: step) else { throw ValidationError("--step \(step) is not a step") }
            let service = try await bureau.open()
            let (batch, actor, detail) = (batch, actor, detail)
            let event = try await reportingErrors {
                try await service.record(step, batch: batch, actor: actor, at: Date(), detail: detail)
            }
            bureau.output.emit(
                "\(batch) #\(event.sequence) \(step.rawValue) by \(actor): \(event.digest.prefix(16))…",
                json: ["sequence": .number(Double(event.sequence)), "digest": .string(event.digest)]
            )
        }
    }

    struct Trace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A batch's way to the plate, its chain verified.")
        @OptionGroup var bureau: Bureau
        @Option(help: "The batch code.") var batch: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let batch = batch
            let chain = try await reportingErrors { try await service.trace(batch: batch) }
            bureau.output.emit(
                (chain.map { "#\($0.sequence) \($0.step.rawValue) \($0.actor): \($0.detail)" } + ["chain verified"])
                    .joined(separator: "\n"),
                json: .array(
                    chain.map {
                        ["step": .string($0.step.rawValue), "actor": .string($0.actor), "digest": .string($0.digest)]
                    }
                )
            )
        }
    }

    struct Recall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The batches a supplier or kitchen took part in, and the schools."
        )
        @OptionGroup var bureau: Bureau
        @Option(help: "The supplier or kitchen.") var actor: String

        mutating func run() async throws {
            let service = try await bureau.open(.existing)
            let actor = actor
            let batches = try await reportingErrors { try await service.recall(actor: actor) }
            bureau.output.emit(
                batches.isEmpty
                    ? "no batch"
                    : batches.sorted { $0.key < $1.key }.map {
                        "\($0.key): \($0.value.isEmpty ? "not yet at a school" : $0.value.joined(separator: ", "))"
                    }
                    .joined(separator: "\n"),
                json: .object(JSONObject(batches.mapValues { .array($0.map(JSONValue.string)) }))
            )
        }
    }
}
