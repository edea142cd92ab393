import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyHousing
import SocietyJSON
import SocietyServices

/// `taizhou housing`: the real-estate register, the provident fund and public rental housing on
/// the state folder's stores (`real-estate`, `housing-fund`, `housing`).
struct HousingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "housing",
        abstract: "Housing (住房): the real-estate register, the provident fund, public rental housing.",
        discussion: """
            The register lives in real-estate.sqlite of the state folder, the fund in housing-fund.sqlite, public \
            rental housing in housing.sqlite. A holder's identity prints masked; `search` prints only what the \
            public map shows; `show` and `holder` are an official's look-ups and need --purpose, under which the \
            read is audited.
            """,
        subcommands: [
            Register.self, Transfer.self, Mortgage.self, Discharge.self, Seize.self, Lift.self, Show.self, Holder.self,
            Search.self, DeedTaxCommand.self, Fund.self, Rental.self,
        ]
    )

    struct Registry: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) throws -> RealEstateRegistry {
            let (_, department) = try state.department("real-estate", subsystem: "real-estate", access: access)
            return RealEstateRegistry(ports: department.ports)
        }

        /// Registers and prints the page.
        func register(_ registration: Registration, on unit: String) async throws {
            let unit = try validated(unit, as: "unit", { try UnitNumber($0) })
            let registry = try open(registration.name == "first registration" ? .createIfMissing : .existing)
            let page = try await reportingErrors { try await registry.register(registration, on: unit) }
            HousingCommand.emit(page, output)
        }
    }

    static func holders(_ text: String) throws -> [SocietyHousing.Holder] {
        try text.split(separator: ",").map { part in
            let value = String(part)
            if value.count == 18, let resident = try? ResidentID(value) { return .resident(resident) }
            return .organisation(try validated(value, as: "holder", CreditCode.init))
        }
    }

    static func area(_ text: String) throws -> Int {
        let money = try validated(text, as: "area", Money.init(yuanText:))
        guard money.fen > 0, money.fen <= Int64(Int32.max) else { throw ValidationError("--area must be positive") }
        return Int(money.fen)
    }

    static func emit(_ page: RealEstateUnit, _ output: OutputOptions) {
        var lines = [
            "\(page.unit) — \(page.location), \(page.use), \(page.areaText) m², \(page.state)",
            "  holders: " + (page.holders.isEmpty ? "none" : page.holders.map(\.description).joined(separator: ", ")),
        ]
        if let certificate = page.certificate { lines.append("  certificate: \(certificate)") }
        for mortgage in page.mortgages {
            lines.append(
                "  mortgage \(mortgage.id): \(mortgage.amount.yuanText) to \(mortgage.mortgagee.value) (\(mortgage.certification))"
            )
        }
        for entry in page.history {
            lines.append(
                "  \(entry.on.iso8601) \(entry.number) \(entry.type) (\(entry.right.rawValue)): \(entry.summary)"
            )
        }
        output.emit(
            lines.joined(separator: "\n"),
            json: [
                "unit": .string(page.unit.value), "state": .string(page.state),
                "holders": .array(page.holders.map { .string($0.description) }),
                "certificate": page.certificate.map { .string($0.description) } ?? .null,
                "mortgages": .array(page.mortgages.map { .string($0.id) }),
                "registrations": .number(Double(page.history.count)),
            ]
        )
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "First registration (首次登记) of a unit.")
        @OptionGroup var registry: Registry
        @Option(help: "The 28-character unit number.") var unit: String
        @Option(help: "The address (坐落).") var location: String
        @Option(help: "The use (用途), e.g. 住宅.") var use: String
        @Option(help: "The floor area in m², e.g. 89.54.") var area: String
        @Option(help: "The holders: identity numbers or credit codes, comma-separated.") var holder: String

        mutating func run() async throws {
            let registration = Registration.first(
                location: location,
                use: use,
                area: try HousingCommand.area(area),
                holders: try HousingCommand.holders(holder)
            )
            try await registry.register(registration, on: unit)
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Transfer (转移登记) to new holders.")
        @OptionGroup var registry: Registry
        @Option(help: "The unit number.") var unit: String
        @Option(help: "The new holders, comma-separated.") var to: String
        @Option(help: "The price in yuan.") var price: String

        mutating func run() async throws {
            let price = try validated(price, as: "price", Money.init(yuanText:))
            try await registry.register(.transfer(to: try HousingCommand.holders(to), price: price), on: unit)
        }
    }

    struct Mortgage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a mortgage (right type 23).")
        @OptionGroup var registry: Registry
        @Option(help: "The unit number.") var unit: String
        @Option(help: "The lender's credit code.") var bank: String
        @Option(help: "The debt secured, in yuan.") var amount: String

        mutating func run() async throws {
            let bank = try validated(bank, as: "bank", CreditCode.init)
            let amount = try validated(amount, as: "amount", Money.init(yuanText:))
            try await registry.register(.mortgage(mortgagee: bank, amount: amount), on: unit)
        }
    }

    struct Discharge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a repaid mortgage (注销抵押).")
        @OptionGroup var registry: Registry
        @Option(help: "The unit number.") var unit: String
        @Option(help: "The mortgage's business number.") var mortgage: String

        mutating func run() async throws { try await registry.register(.dischargeMortgage(id: mortgage), on: unit) }
    }

    struct Seize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a court's seizure (查封).")
        @OptionGroup var registry: Registry
        @Option(help: "The unit number.") var unit: String
        @Option(help: "The court.") var court: String
        @Option(name: .customLong("case"), help: "The case number.") var caseNumber: String

        mutating func run() async throws {
            try await registry.register(.seizure(court: court, caseNumber: caseNumber), on: unit)
        }
    }

    struct Lift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a seizure (解封).")
        @OptionGroup var registry: Registry
        @Option(help: "The unit number.") var unit: String
        @Option(name: .customLong("case"), help: "The case number.") var caseNumber: String

        mutating func run() async throws { try await registry.register(.liftSeizure(caseNumber: caseNumber), on: unit) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An official's look-up of a unit's register page.")
        @OptionGroup var registry: Registry
        @Option(help: "The unit number.") var unit: String
        @Option(help: "Why (audited), e.g. court.enforcement-inquiry.") var purpose: String

        mutating func run() async throws {
            let unit = try validated(unit, as: "unit", { try UnitNumber($0) })
            let purpose = try validated(purpose, as: "purpose", Purpose.init)
            let page = try await reportingErrors { try await registry.open(.existing).unit(unit, purpose: purpose) }
            HousingCommand.emit(page, registry.output)
        }
    }

    struct Holder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An official's look-up of a holder's units.")
        @OptionGroup var registry: Registry
        @Option(help: "The holder: an identity number or a credit code.") var holder: String
        @Option(help: "Why (audited).") var purpose: String

        mutating func run() async throws {
            guard let holder = try HousingCommand.holders(holder).first else { throw ValidationError("give --holder") }
            let purpose = try validated(purpose, as: "purpose", Purpose.init)
            let pages = try await reportingErrors {
                try await registry.open(.existing).units(heldBy: holder, purpose: purpose)
            }
            registry.output.emit(
                "\(holder): \(pages.count) unit(s)\n"
                    + pages.map { "  \($0.unit) \($0.location) (\($0.state))" }.joined(separator: "\n"),
                json: ["holder": .string(holder.description), "units": .array(pages.map { .string($0.unit.value) })]
            )
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The public map search by parcel or unit: public fields only, no holder."
        )
        @OptionGroup var registry: Registry
        @Option(help: "A parcel (19 characters) or a unit number (28).") var parcel: String

        mutating func run() async throws {
            let parcel = parcel
            let found = try await reportingErrors { try await registry.open(.existing).publicSearch(parcel) }
            registry.output.emit(
                found.isEmpty
                    ? "no unit"
                    : found.map {
                        "\($0.unit) \($0.location), \($0.use), \($0.area) m², \($0.state), \($0.lastRegistration)"
                    }
                    .joined(separator: "\n"),
                json: .array(
                    found.map {
                        [
                            "unit": .string($0.unit), "location": .string($0.location), "use": .string($0.use),
                            "area": .string($0.area), "state": .string($0.state),
                        ]
                    }
                )
            )
        }
    }

    struct DeedTaxCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deed-tax",
            abstract: "The deed tax on a home by the 2024 rules (财政部 税务总局 住房城乡建设部公告2024年第16号)."
        )
        @Option(help: "The price in yuan.") var price: String
        @Option(help: "The floor area in m².") var area: String
        @Option(help: "Which home of the buyer's family it is: 1, 2, 3 …") var homes = 1
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            let price = try validated(price, as: "price", Money.init(yuanText:))
            guard homes >= 1 else { throw ValidationError("--homes is at least 1") }
            let (tax, statement) = DeedTax.rules2024.assess(
                price: price,
                area: try HousingCommand.area(area),
                homes: homes
            )
            output.emit(statement, json: ["tax": tax.jsonValue, "rule": .string(statement)])
        }
    }

    struct Fund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The housing provident fund: open an account, pay a month in, withdraw.",
            subcommands: [Open.self, Contribute.self, Withdraw.self]
        )

        struct Centre: ParsableArguments {
            @OptionGroup var state: StateOptions
            @OptionGroup var output: OutputOptions

            func open(_ access: StoreAccess = .createIfMissing) throws -> ProvidentFund {
                let (_, department) = try state.department("housing-fund", subsystem: "housing-fund", access: access)
                return ProvidentFund(ports: department.ports)
            }
        }

        struct Open: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Open an account.")
            @OptionGroup var centre: Centre
            @Option(help: "The account number.") var id: String
            @Option(help: "The holder's identity number.") var resident: String
            @Option(help: "The employer's credit code.") var employer: String
            @Option(help: "The monthly wage base in yuan.") var wage: String
            @Option(help: "The employee's rate, percent (5–12).") var employeeRate: Int
            @Option(help: "The employer's rate, percent (5–12).") var employerRate: Int

            mutating func run() async throws {
                let resident = try validated(resident, as: "resident", { try ResidentID($0) })
                let employer = try validated(employer, as: "employer", CreditCode.init)
                let wage = try validated(wage, as: "wage", Money.init(yuanText:))
                let fund = try centre.open()
                let (id, employee, employerShare) = (id, employeeRate, employerRate)
                let account = try await reportingErrors {
                    try await fund.open(
                        id: id,
                        resident: resident,
                        employer: employer,
                        wageBase: wage,
                        employeeRate: employee,
                        employerRate: employerShare
                    )
                }
                centre.output.emit(
                    "account \(account.id) for \(resident.masked): \(account.monthlyContribution.yuanText) a month",
                    json: ["account": .string(account.id), "monthly": account.monthlyContribution.jsonValue]
                )
            }
        }

        struct Contribute: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Pay a month into every open account, once.")
            @OptionGroup var centre: Centre
            @Option(help: "The month, YYYY-MM.") var month: String

            mutating func run() async throws {
                let fund = try centre.open(.existing)
                let month = month
                let paid = try await reportingErrors { try await fund.contribute(for: month) }
                centre.output.emit(
                    "\(month): \(paid) account(s) paid in",
                    json: ["month": .string(month), "paid": .number(Double(paid))]
                )
            }
        }

        struct Withdraw: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Withdraw on a ground (retirement, lostWorkingCapacity, emigration, loanRepayment, rent)."
            )
            @OptionGroup var centre: Centre
            @Option(help: "The account number.") var account: String
            @Option(help: "The ground.") var ground: String
            @Option(help: "The withdrawal's reference.") var reference: String
            @Option(help: "The amount in yuan (default: as much as allowed).") var amount: String?
            @Option(help: "The evidence file (only its SHA-256 digest is kept).") var evidence: String?

            mutating func run() async throws {
                guard let ground = WithdrawalGround(rawValue: ground) else {
                    throw ValidationError("unknown --ground \(ground)")
                }
                let amount = try amount.map { try validated($0, as: "amount", Money.init(yuanText:)) }
                let document = try evidence.map {
                    "sha256:" + Hex.encode(try KeyFiles.crypto.digest(.sha256, of: Array(try readInput($0))))
                }
                let fund = try centre.open(.existing)
                let (account, reference) = (account, reference)
                let entry = try await reportingErrors {
                    try await fund.withdraw(
                        account: account,
                        WithdrawalRequest(ground: ground, amount: amount, document: document),
                        reference: reference
                    )
                }
                let approved = entry.decision?.isEligible == true
                let lines =
                    [approved ? "withdrew \(entry.amount.yuanText) from \(account)" : "refused"]
                    + (entry.decision?.lines ?? [])
                centre.output.emit(
                    lines.joined(separator: "\n"),
                    json: ["approved": .bool(approved), "amount": entry.amount.jsonValue]
                )
                if !approved { throw ExitCode(ExitStatus.refused) }
            }
        }
    }

    struct Rental: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Public rental housing: apply on verified means, the waiting list, an allocation round.",
            subcommands: [Apply.self, List.self, Allocate.self]
        )

        struct Office: ParsableArguments {
            @OptionGroup var state: StateOptions
            @OptionGroup var output: OutputOptions

            func open(_ access: StoreAccess = .createIfMissing) throws -> PublicRental {
                let (_, department) = try state.department("housing", subsystem: "housing", access: access)
                return PublicRental(ports: department.ports)
            }
        }

        struct Apply: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Apply; decided at once on the means given.")
            @OptionGroup var office: Office
            @Option(help: "The application's id.") var id: String
            @Option(help: "The head of household's identity number.") var applicant: String
            @Option(help: "The district's division code.") var district: String
            @Option(help: "Members of the household.") var members: Int
            @Option(help: "Per-capita monthly income in yuan, as verified.") var income: String
            @Option(help: "Household assets in yuan, as verified.") var assets: String
            @Option(help: "Housing area per person in m², as verified.") var area: String
            @Option(help: "Priorities: assistance, disability, elderly, veteran (comma-separated).") var priority:
                String?
            @Option(help: "The verification's envelope digests, comma-separated.") var evidence: String

            mutating func run() async throws {
                let applicant = try validated(applicant, as: "applicant", { try ResidentID($0) })
                let district = try validated(district, as: "district", { try DivisionCode($0) })
                let priorities = try Set(
                    (priority ?? "").split(separator: ",").map { text in
                        guard let value = RentalPriority(rawValue: String(text)) else {
                            throw ValidationError("unknown priority \(text)")
                        }
                        return value
                    }
                )
                let means = HouseholdMeans(
                    members: members,
                    perCapitaIncome: try validated(income, as: "income", Money.init(yuanText:)),
                    assets: try validated(assets, as: "assets", Money.init(yuanText:)),
                    areaPerCapita: try HousingCommand.area(area),
                    priorities: priorities,
                    evidence: evidence.split(separator: ",").map(String.init)
                )
                let service = try office.open()
                let id = id
                let application = try await reportingErrors {
                    try await service.apply(id: id, applicant: applicant, district: district, means: means)
                }
                let lines =
                    ["\(application.id) for \(applicant.masked): \(application.standing.name)"]
                    + application.decision.lines
                office.output.emit(
                    lines.joined(separator: "\n"),
                    json: ["application": .string(application.id), "standing": .string(application.standing.name)]
                )
                if application.standing == .rejected { throw ExitCode(ExitStatus.refused) }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The district's waiting list, in order.")
            @OptionGroup var office: Office
            @Option(help: "The district's division code.") var district: String

            mutating func run() async throws {
                let district = try validated(district, as: "district", { try DivisionCode($0) })
                let list = try await reportingErrors { try await office.open(.existing).waitingList(district) }
                office.output.emit(
                    list.enumerated().map {
                        "\($0.offset + 1). \($0.element.id) (\($0.element.means.priority.rawValue))"
                    }
                    .joined(separator: "\n"),
                    json: .array(list.map { .string($0.id) })
                )
            }
        }

        struct Allocate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "An allocation round: units down the list.")
            @OptionGroup var office: Office
            @Option(help: "The round's id.") var round: String
            @Option(help: "The district's division code.") var district: String
            @Option(help: "The units to give, comma-separated.") var units: String

            mutating func run() async throws {
                let district = try validated(district, as: "district", { try DivisionCode($0) })
                let units = units.split(separator: ",").map(String.init)
                let round = round
                let result = try await reportingErrors {
                    try await office.open(.existing).allocate(round: round, district: district, units: units)
                }
                office.output.emit(
                    "round \(result.id): \(result.allocations.count) housed of \(result.list.count) waiting\n"
                        + result.allocations.map { "  \($0[0]) → \($0[1])" }.joined(separator: "\n"),
                    json: ["round": .string(result.id), "housed": .number(Double(result.allocations.count))]
                )
            }
        }
    }
}
