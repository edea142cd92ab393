import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyJSON
import SocietyOneCard
import SocietyVeterans

/// `taizhou veteran`: veteran records on a deployment's store — registration, placement, honours,
/// preferential-care payments through the one-card ledger in the same file, and a masked view.
struct VeteranCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veteran",
        abstract: "Veterans (退役军人): records, placement, honours, preferential-care payments.",
        discussion: """
            State lives in the department store veterans.sqlite of the state folder (--state). Payments go \
            through the one-card ledger of the same state folder: apply for and activate cards with \
            `taizhou onecard`. show only reads. pay reports each refused payment and then exits with status 1.
            """,
        subcommands: [Register.self, Place.self, Honour.self, Pay.self, Show.self]
    )

    /// The database every subcommand works on: a department of the deployment in its folder,
    /// holding the veterans' records and the one-card ledger they are paid through.
    struct Database: ParsableArguments {
        @OptionGroup var state: StateOptions

        /// Opens the department `veterans` and the veterans' service on its ports, paying through
        /// the one-card service of the department `onecard` in the same state folder — where
        /// `taizhou onecard` keeps the cards. With `.existing`, only stores that are there.
        func open(_ access: StoreAccess = .createIfMissing) async throws -> VeteranService {
            let (_, department) = try state.department("veterans", subsystem: "veterans", access: access)
            let (_, cards) = try state.department("onecard", subsystem: "onecard", access: access)
            let oneCard = try await reportingErrors { try OneCardService(ports: cards.ports) }
            return VeteranService(ports: department.ports, oneCard: oneCard)
        }
    }

    struct VeteranOption: ParsableArguments {
        @Option(help: "The veteran record id (as printed by register).") var veteran: String

        var id: Identifier<Veteran> {
            get throws { try validated(veteran, as: "veteran", Identifier<Veteran>.init) }
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a veteran; prints the record id.")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The citizen identity number.") var resident: String
        @Option(help: "The registered name.") var name: String
        @Option(help: "army, navy, airForce, rocketForce, supportForces or armedPolice.") var branch: String
        @Option(help: "Enlistment day, YYYY-MM-DD.") var enlisted: String
        @Option(help: "Discharge day, YYYY-MM-DD.") var discharged: String
        @Option(help: "Rank at discharge (private … fieldOfficer).") var rank: String
        @Option(help: "assignedWork, selfEmployment, retirement or stateSupport.") var placement: String
        @Option(help: "Preferential-care category (disabledVeteran, demobilisedVeteran, …).") var care: String?
        @Option(help: "Since when the care category holds (default: discharge day).") var careSince: String?

        mutating func run() async throws {
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let name = try validated(name, as: "name", PersonName.init)
            guard let branch = ServiceBranch(rawValue: branch) else { throw ValidationError("unknown --branch") }
            guard let rank = DischargeRank(rawValue: rank) else { throw ValidationError("unknown --rank") }
            guard let placement = PlacementType(rawValue: placement) else {
                throw ValidationError("unknown --placement")
            }
            let enlisted = try validated(enlisted, as: "enlisted", CalendarDate.init(iso8601:))
            let discharged = try validated(discharged, as: "discharged", CalendarDate.init(iso8601:))
            let entitlement = try care.map { text in
                guard let category = PreferentialCareCategory(rawValue: text) else {
                    throw ValidationError("unknown --care")
                }
                let since = try careSince.map { try validated($0, as: "care-since", CalendarDate.init(iso8601:)) }
                return PreferentialCare(category: category, since: since ?? discharged)
            }
            let service = try await database.open()
            let veteran = try await reportingErrors {
                try await service.register(
                    resident,
                    name: name,
                    branch: branch,
                    enlisted: enlisted,
                    discharged: discharged,
                    rank: rank,
                    placementType: placement,
                    care: entitlement
                )
            }
            output.emit("\(veteran)", json: .object(veteranJSON(veteran)))
        }
    }

    struct Place: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the placement along: report, arrange (with its outcome) or complete."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var veteran: VeteranOption
        @Option(help: "report, arrange or complete.") var step: String
        @Option(help: "The day (report, complete; default today).") var date: String?
        @Option(help: "arrange: the employer's credit code (assigned work).") var employer: String?
        @Option(help: "arrange: the one-off subsidy in yuan (self-employment).") var subsidy: String?
        @Option(help: "arrange: the institution's credit code (retirement, state support).") var institution: String?

        mutating func run() async throws {
            let day =
                try date.map { try validated($0, as: "date", CalendarDate.init(iso8601:)) } ?? CalendarDate(Date())
            let id = try veteran.id
            let service = try await database.open()
            let event: PlacementEvent
            switch step {
            case "report": event = .report(on: day)
            case "complete": event = .complete(on: day)
            case "arrange":
                if let employer {
                    event = .arrange(.employer(try validated(employer, as: "employer", CreditCode.init)))
                } else if let subsidy {
                    event = .arrange(.oneOffSubsidy(try validated(subsidy, as: "subsidy", Money.init(yuanText:))))
                } else if let institution {
                    let code = try validated(institution, as: "institution", CreditCode.init)
                    let current = try await reportingErrors { try await service.veteran(id) }
                    event = .arrange(
                        current.placementType == .retirement ? .retirementInstitution(code) : .supportInstitution(code)
                    )
                } else {
                    throw ValidationError("arrange needs --employer, --subsidy or --institution")
                }
            default: throw ValidationError("--step must be report, arrange or complete")
            }
            let placed = try await reportingErrors { try await service.place(id, event) }
            output.emit("\(placed)", json: .object(veteranJSON(placed)))
        }
    }

    struct Honour: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an honour.")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var veteran: VeteranOption
        @Option(help: "mostBeautifulVeteran, provincialModelVeteran or meritCitation.") var kind: String
        @Option(help: "The year awarded.") var year: Int
        @Option(help: "The awarding department's credit code.") var by: String

        mutating func run() async throws {
            guard let kind = SocietyVeterans.Honour.Kind(rawValue: kind) else {
                throw ValidationError("unknown --kind")
            }
            let awardedBy = try validated(by, as: "by", CreditCode.init)
            let id = try veteran.id
            let service = try await database.open()
            let updated = try await reportingErrors {
                try await service.honour(id, try SocietyVeterans.Honour(kind: kind, year: year, awardedBy: awardedBy))
            }
            output.emit(
                "\(updated.id): \(updated.honours.map { "\($0.kind.rawValue) \($0.year)" }.joined(separator: ", "))",
                json: .object(veteranJSON(updated))
            )
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay a month's preferential care through the one-card ledger, exactly once per veteran."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The month, YYYY-MM.") var period: String

        mutating func run() async throws {
            let period = try validated(period, as: "period", PayPeriod.init)
            let service = try await database.open()
            let bar = TerminalProgress()
            let run = try await reportingErrors {
                try await bar.showing { try await service.pay(period, progress: $0) }
            }
            for refusal in run.refused {
                FileHandle.standardError.write(
                    Data(
                        "refused: instruction \(refusal.instruction): holder \(refusal.holder.masked): \(refusal.reason)\n"
                            .utf8
                    )
                )
            }
            let refusals: [JSONValue] = run.refused.map {
                [
                    "instruction": .string($0.instruction), "holder": .string($0.holder.masked),
                    "reason": .string("\($0.reason)"),
                ]
            }
            output.emit(
                "posted \(run.posted.count), already posted \(run.alreadyPosted.count), refused \(run.refused.count), "
                    + "net amount posted now \(run.amountPosted)",
                json: [
                    "posted": .number(Double(run.posted.count)),
                    "alreadyPosted": .number(Double(run.alreadyPosted.count)),
                    "refused": .array(refusals), "amount": run.amountPosted.jsonValue,
                ]
            )
            if !run.refused.isEmpty { throw ExitCode(ExitStatus.refused) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a veteran (masked), with honours, support and base-database provenance."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The record id.") var veteran: String?
        @Option(help: "The citizen identity number.") var resident: String?

        mutating func run() async throws {
            let service = try await database.open(.existing)
            let found: Veteran
            if let veteran {
                let id = try validated(veteran, as: "veteran", Identifier<Veteran>.init)
                found = try await reportingErrors { try await service.veteran(id) }
            } else if let resident {
                let id = try validated(resident, as: "resident", { try ResidentID($0) })
                guard let record = try await reportingErrors({ try await service.veteran(of: id) }) else {
                    throw failure("\(id.masked) is not registered as a veteran")
                }
                found = record
            } else {
                throw ValidationError("give --veteran or --resident")
            }
            var lines = ["\(found)"]
            if case .completed(let outcome, let day) = found.placement {
                lines.append("placement: \(outcome.summary) on \(day)")
            }
            for honour in found.honours {
                lines.append("honour: \(honour.kind.rawValue) \(honour.year) by \(honour.awardedBy)")
            }
            for record in found.support {
                lines.append(
                    "support: \(record.kind.rawValue) \(record.date) by \(record.provider)\(record.amount.map { " \($0)" } ?? "")"
                )
            }
            let base = try await reportingErrors { try await service.baseRecord(of: found.resident) }
            let provenance = (base?.fields ?? [:]).sorted(by: { $0.key < $1.key })
            for (name, field) in provenance {
                lines.append("base \(name): from \(field.issuer) (\(field.service)), envelope \(field.envelopeDigest)")
            }
            let sources = JSONObject(
                Dictionary(
                    uniqueKeysWithValues: provenance.map { name, field in
                        (
                            name,
                            [
                                "issuer": .string("\(field.issuer)"), "service": .string(field.service),
                                "envelope": .string(field.envelopeDigest),
                            ] as JSONValue
                        )
                    }
                )
            )
            var json = veteranJSON(found)
            json["base"] = .object(sources)
            output.emit(lines.joined(separator: "\n"), json: .object(json))
        }
    }
}

/// A veteran's record as JSON, masked as its description is.
private func veteranJSON(_ veteran: Veteran) -> JSONObject {
    let honours: [JSONValue] = veteran.honours.map {
        ["kind": .string($0.kind.rawValue), "year": .number(Double($0.year)), "awardedBy": .string("\($0.awardedBy)")]
    }
    let support: [JSONValue] = veteran.support.map {
        [
            "kind": .string($0.kind.rawValue), "date": .string("\($0.date)"), "provider": .string("\($0.provider)"),
            "amount": $0.amount.map(\.jsonValue) ?? .null,
        ]
    }
    return [
        "veteran": .string(veteran.id.rawValue), "resident": .string(veteran.resident.masked),
        "name": .string(veteran.name.masked), "branch": .string(veteran.branch.rawValue),
        "rank": .string(veteran.rank.rawValue), "placementType": .string(veteran.placementType.rawValue),
        "placement": .string("\(veteran.placement)"),
        "care": veteran.care.map { .string($0.category.rawValue) } ?? .null,
        "honours": .array(honours), "support": .array(support),
    ]
}
