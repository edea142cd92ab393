import ArgumentParser
import Foundation
import SocietyChildcare
import SocietyCore
import SocietyDeployment
import SocietyHealth
import SocietyJSON
import SocietyOneCard
import SocietyServices

/// `taizhou childcare`: the health commission's childcare register on the state folder's
/// `childcare` store — filing, classes, the parents' search, applications and enrolment under the
/// class rules (with the child's vaccination status from `taizhou vaccination`), attendance,
/// practitioners' credit, quality grading, and the subsidy through the one-card.
struct ChildcareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "childcare",
        abstract: "Childcare (托育): filing, classes and ratios, enrolment, credit, grading, the subsidy.",
        discussion: """
            State lives in childcare.sqlite of the state folder; enrolment reads the child's record in its \
            vaccination.sqlite (`taizhou vaccination`), and the subsidy is paid through its onecard.sqlite. Every \
            decision prints each rule it applied; a refusal exits 1. Identity numbers print masked.
            """,
        subcommands: [
            File.self, Review.self, OpenClass.self, Search.self, Apply.self, Enrol.self, Attend.self,
            Practitioner.self, CreditEvent.self, Credit.self, Grade.self, Subsidy.self,
        ]
    )

    struct Register: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) async throws -> ChildcareService {
            let (_, department) = try state.department("childcare", subsystem: "childcare", access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            let calendar = try await reportingErrors {
                ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
            }
            return ChildcareService(ports: department.ports, oneCard: oneCard, calendar: calendar)
        }

        /// The child's immunisation status today from the folder's vaccination register, or nil
        /// when it holds no record of the child.
        func vaccination(of child: ResidentID) async throws -> ImmunisationStatus? {
            let (_, clinic) = try state.department("vaccination", subsystem: "immunisation", access: .createIfMissing)
            let register = ImmunisationService(ports: clinic.ports)
            let records = try await reportingErrors { try await register.records(of: child) }
            return records.isEmpty ? nil : try await reportingErrors { try await register.status(of: child) }
        }

        func emit(_ decision: ExplainedDecision, headline: String, json: JSONObject) {
            var object = json
            object["decision"] = decision.json
            output.emit(([headline] + decision.lines).joined(separator: "\n"), json: .object(object))
        }
    }

    struct File: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit a provider for filing (备案).")
        @OptionGroup var register: Register
        @Option(help: "The credit code of an institution, or a family point's registration id.") var id: String
        @Option(help: "The name.") var name: String
        @Flag(help: "A family childcare point (家庭托育点), not an institution.") var familyPoint = false
        @Option(help: "The county's division code.") var district: String
        @Option(help: "The last day of the lease, YYYY-MM-DD (omit: owned).") var leasedUntil: String?
        @Option(help: "Places (托位数).") var places: Int
        @Option(help: "Full-time health workers.") var healthWorkers = 0
        @Option(help: "Days CCTV recordings are kept.") var cctvDays: Int

        mutating func run() async throws {
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let lease = try leasedUntil.map { try validated($0, as: "leased-until", CalendarDate.init(iso8601:)) }
            let (id, name, places, workers, cctv, kind) = (
                id, name, places, healthWorkers, cctvDays,
                familyPoint ? ChildcareProvider.Kind.familyPoint : .institution
            )
            let provider = try validated(id, as: "provider") { id in
                try ChildcareProvider(
                    id: id,
                    name: name,
                    kind: kind,
                    district: district,
                    premises: lease.map { .leased(until: $0) } ?? .owned,
                    places: places,
                    healthWorkers: workers,
                    cctvDays: cctv
                )
            }
            let service = try await register.open()
            let submitted = try await reportingErrors { try await service.submitFiling(provider) }
            guard case .submitted(let on, let due) = submitted.filing else { return }
            register.output.emit(
                "\(provider.id): filing submitted on \(on), receipt due by \(due) (\(service.rules.receiptWorkingDays) working days)",
                json: ["provider": .string(provider.id), "receiptDue": .string(due.iso8601)]
            )
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Review a filing: filed, or returned with the reasons."
        )
        @OptionGroup var register: Register
        @Option(help: "The provider.") var id: String

        mutating func run() async throws {
            let service = try await register.open(.existing)
            let id = id
            let (provider, decision) = try await reportingErrors { try await service.reviewFiling(id) }
            register.emit(
                decision,
                headline: "\(provider.id): \(provider.filingState)",
                json: ["provider": .string(provider.id), "filing": .string(provider.filingState)]
            )
            if !decision.isEligible { throw ExitCode(ExitStatus.refused) }
        }
    }

    struct OpenClass: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "open-class",
            abstract: "Open a class at a filed provider."
        )
        @OptionGroup var register: Register
        @Option(help: "The provider.") var provider: String
        @Option(help: "The class id.") var id: String
        @Option(help: "\(CareClassKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
        @Option(help: "Carers assigned.") var carers: Int

        mutating func run() async throws {
            guard let kind = CareClassKind(rawValue: kind) else {
                throw ValidationError("--kind \(kind) is not a class kind")
            }
            let (id, provider, carers) = (id, provider, carers)
            let careClass = try validated(id, as: "class") { id in
                try CareClass(id: id, provider: provider, kind: kind, carers: carers)
            }
            let service = try await register.open(.existing)
            try await reportingErrors { try await service.open(careClass) }
            let rule = service.rules.classes[kind]
            register.output.emit(
                "class \(id) (\(kind.chineseName)) at \(provider): \(carers) carer(s)"
                    + (rule.map { ", at most \($0.maximumSize) children" } ?? ""),
                json: ["class": .string(id), "kind": .string(kind.rawValue)]
            )
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Free places in a district (parents' search).")
        @OptionGroup var register: Register
        @Option(help: "The county's division code.") var district: String
        @Option(help: "Only this class kind.") var kind: String?

        mutating func run() async throws {
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let kind = try kind.map { text in
                guard let kind = CareClassKind(rawValue: text) else {
                    throw ValidationError("--kind \(text) is not a class kind")
                }
                return kind
            }
            let service = try await register.open(.existing)
            let offers = try await reportingErrors { try await service.search(district: district, kind: kind) }
            register.output.emit(
                offers.isEmpty
                    ? "no free place"
                    : offers.map { "\($0.careClass) (\($0.kind.chineseName)) at \($0.providerName): \($0.free) free" }
                        .joined(separator: "\n"),
                json: .array(
                    offers.map {
                        [
                            "provider": .string($0.provider), "class": .string($0.careClass),
                            "kind": .string($0.kind.rawValue), "free": .number(Double($0.free)),
                        ]
                    }
                )
            )
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A parent applies for a place in a class.")
        @OptionGroup var register: Register
        @Option(help: "The application's id.") var id: String
        @Option(help: "The child's identity number.") var child: String
        @Option(help: "The parent's identity number.") var parent: String
        @Option(name: .customLong("class"), help: "The class.") var careClass: String

        mutating func run() async throws {
            let child = try validated(child, as: "child", { try ResidentID($0) })
            let parent = try validated(parent, as: "parent", { try ResidentID($0) })
            let service = try await register.open(.existing)
            let (id, careClass) = (id, careClass)
            let application = try await reportingErrors {
                try await service.apply(id: id, child: child, parent: parent, careClass: careClass)
            }
            register.output.emit(
                "\(application.id): \(child.masked) applied for \(careClass)",
                json: ["application": .string(application.id), "state": .string(application.state.rawValue)]
            )
        }
    }

    struct Enrol: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol an applied child: every class rule, the health check, the vaccination record."
        )
        @OptionGroup var register: Register
        @Option(help: "The application.") var id: String
        @Option(help: "The day of the admission health check, YYYY-MM-DD.") var checked: String?
        @Option(help: "Where it was done.") var checkedAt = "妇幼保健院"
        @Flag(help: "The check found the child not fit.") var notFit = false

        mutating func run() async throws {
            let check = try checked.map {
                AdmissionHealthCheck(
                    date: try validated($0, as: "checked", CalendarDate.init(iso8601:)),
                    fit: !notFit,
                    institution: checkedAt
                )
            }
            let service = try await register.open(.existing)
            let id = id
            let application = try await reportingErrors { try await service.enrolment(id) }
            let vaccination = try await register.vaccination(of: application.child)
            let enrolment = try await reportingErrors {
                try await service.enrol(id, healthCheck: check, vaccination: vaccination)
            }
            guard let decision = enrolment.decision else { return }
            register.emit(
                decision,
                headline:
                    "\(enrolment.id): \(enrolment.child.masked) \(enrolment.state.rawValue) in \(enrolment.careClass)",
                json: ["application": .string(enrolment.id), "state": .string(enrolment.state.rawValue)]
            )
            if enrolment.state != .enrolled { throw ExitCode(ExitStatus.refused) }
        }
    }

    struct Attend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a day's attendance (or absence), or a health note."
        )
        @OptionGroup var register: Register
        @Option(help: "The enrolment.") var id: String
        @Option(help: "The day, YYYY-MM-DD (default today).") var on: String?
        @Flag(help: "Absent that day.") var absent = false
        @Option(help: "A new health check's day, for a return after more than 3 months away.") var checked: String?
        @Option(help: "A health note instead (晨检, illness); sealed at rest.") var note: String?

        mutating func run() async throws {
            let day = try on.map { try validated($0, as: "on", CalendarDate.init(iso8601:)) } ?? CalendarDate(Date())
            let check = try checked.map {
                AdmissionHealthCheck(
                    date: try validated($0, as: "checked", CalendarDate.init(iso8601:)),
                    fit: true,
                    institution: ""
                )
            }
            let service = try await register.open(.existing)
            let (id, absent, note) = (id, absent, note)
            if let note {
                try await reportingErrors { try await service.recordHealth(id, on: day, note: note) }
                register.output.emit("\(id) \(day): health note recorded", json: ["recorded": true])
                return
            }
            try await reportingErrors { try await service.attend(id, on: day, present: !absent, healthCheck: check) }
            register.output.emit("\(id) \(day): \(absent ? "absent" : "present")", json: ["present": .bool(!absent)])
        }
    }

    struct Practitioner: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a practitioner of a provider.")
        @OptionGroup var register: Register
        @Option(help: "The practitioner's id.") var id: String
        @Option(help: "Their identity number.") var person: String
        @Option(help: "The provider.") var provider: String
        @Option(help: "carer, teacher, healthWorker or head.") var role = "carer"

        mutating func run() async throws {
            let person = try validated(person, as: "person", { try ResidentID($0) })
            guard let role = SocietyChildcare.Practitioner.Role(rawValue: role) else {
                throw ValidationError("--role \(role) is not a role")
            }
            let (id, provider) = (id, provider)
            let practitioner = try validated(id, as: "practitioner") { id in
                try SocietyChildcare.Practitioner(id: id, person: person, provider: provider, role: role)
            }
            let service = try await register.open(.existing)
            try await reportingErrors { try await service.register(practitioner) }
            register.output.emit(
                "\(id): \(person.masked), \(role.rawValue) at \(provider)",
                json: ["practitioner": .string(id)]
            )
        }
    }

    struct CreditEvent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "credit-event",
            abstract: "Record an event that moves a practitioner's credit score."
        )
        @OptionGroup var register: Register
        @Option(help: "The event's id.") var id: String
        @Option(help: "The practitioner.") var practitioner: String
        @Option(help: "\(CreditEventKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String
        @Option(help: "The day, YYYY-MM-DD.") var on: String
        @Option(help: "What happened.") var note: String

        mutating func run() async throws {
            guard let kind = CreditEventKind(rawValue: kind) else {
                throw ValidationError("--kind \(kind) is not an event kind")
            }
            let day = try validated(on, as: "on", CalendarDate.init(iso8601:))
            let event = SocietyChildcare.CreditEvent(
                id: id,
                practitioner: practitioner,
                kind: kind,
                date: day,
                note: note
            )
            let service = try await register.open(.existing)
            try await reportingErrors { try await service.record(event) }
            let points = service.creditPolicy.points[kind] ?? 0
            register.output.emit(
                "\(id): \(practitioner) \(kind.rawValue) \(points >= 0 ? "+" : "")\(points)",
                json: ["event": .string(id), "points": .number(Double(points))]
            )
        }
    }

    struct Credit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A practitioner's credit score, explained.")
        @OptionGroup var register: Register
        @Option(help: "The practitioner.") var practitioner: String

        mutating func run() async throws {
            let service = try await register.open(.existing)
            let practitioner = practitioner
            let credit = try await reportingErrors { try await service.credit(of: practitioner) }
            register.output.emit(
                credit.explanation.joined(separator: "\n"),
                json: [
                    "score": .number(Double(credit.score)), "level": .string(credit.level),
                    "barred": .bool(credit.barred),
                ]
            )
        }
    }

    struct Grade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grade a provider by WS/T 821-2023: points per dimension, veto items found."
        )
        @OptionGroup var output: OutputOptions
        @Option(
            help:
                "DIMENSION=POINTS, one per dimension (\(QualityGrading.standardDimensions.map(\.name).joined(separator: ", ")))."
        )
        var score: [String] = []
        @Option(help: "A veto item found (repeat).") var veto: [String] = []

        mutating func run() throws {
            var scores: [String: Int] = [:]
            for item in score {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let points = Int(parts[1]) else {
                    throw ValidationError("--score \(item): write DIMENSION=POINTS")
                }
                scores[parts[0]] = points
            }
            let (given, vetoes) = (scores, Set(veto))
            let decision = try validated("grade", as: "score") { _ in
                try QualityGrading().grade(scores: given, vetoes: vetoes)
            }
            output.emit(
                (["grade \(QualityGrading.letter(of: decision))"] + decision.lines).joined(separator: "\n"),
                json: ["grade": .string(QualityGrading.letter(of: decision)), "decision": decision.json]
            )
        }
    }

    struct Subsidy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim the childcare subsidy (育儿补贴) of a child for a year, paid once to the parent's card."
        )
        @OptionGroup var register: Register
        @Option(help: "The claim's id.") var id: String
        @Option(help: "The child's identity number.") var child: String
        @Option(help: "The parent's identity number (their one-card is paid).") var parent: String
        @Option(help: "The year.") var year: Int

        mutating func run() async throws {
            let child = try validated(child, as: "child", { try ResidentID($0) })
            let parent = try validated(parent, as: "parent", { try ResidentID($0) })
            let service = try await register.open(.existing)
            let (id, year) = (id, year)
            let claim = try await reportingErrors {
                try await service.claimSubsidy(id: id, child: child, parent: parent, year: year)
            }
            register.output.emit(
                "\(claim.id): \(claim.amount.yuanText) yuan for \(child.masked), \(claim.months) month(s) of \(year), "
                    + "paid to \(parent.masked)'s card (\(claim.paidBy ?? "not paid"))",
                json: [
                    "claim": .string(claim.id), "amount": .string(claim.amount.yuanText),
                    "months": .number(Double(claim.months)), "paidBy": claim.paidBy.map(JSONValue.string) ?? .null,
                ]
            )
        }
    }
}
