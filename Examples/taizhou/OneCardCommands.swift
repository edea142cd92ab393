import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyOneCard
import Synchronization

/// `taizhou onecard`: the social security card flows on a deployment's store — apply, issue, activate,
/// report lost, replace, cancel, pay benefits exactly once, and scan for fraud.
struct OneCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onecard",
        abstract: "Social security \"one-card\": cards, payouts, fraud monitoring.",
        discussion: """
            State lives in the SQLite file given by --db, a department of the deployment whose state folder \
            is the file's folder; its key file is DB.key (created, mode 600).
            """,
        subcommands: [
            Apply.self, Issue.self, Activate.self, ReportLost.self, Restore.self, Replace.self, Cancel.self, Show.self,
            Pay.self, Totals.self, Monitor.self,
        ]
    )

    /// The database every subcommand works on: a department of the deployment in its folder.
    struct Database: ParsableArguments {
        @Option(help: "The SQLite file holding cards and the ledger (NAME.sqlite; its folder is the state folder).")
        var db = "onecard.sqlite"
        @OptionGroup var logging: LoggingOptions

        /// Opens the department (encrypted fields, audited) and the service on its ports.
        func open() throws -> (OpenedDepartment, OneCardService) {
            let (_, department) = try StateFile(db).open(as: try ToolParty.party("onecard"), logging: logging)
            do {
                return (department, try OneCardService(ports: department.ports))
            } catch {
                throw failure("cannot open \(db): \(error)")
            }
        }
    }

    struct CardOption: ParsableArguments {
        @Option(help: "The card id (as printed by apply).") var card: String

        var id: Identifier<SocialSecurityCard> {
            get throws { try validated(card, as: "card", Identifier<SocialSecurityCard>.init) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply for a card; prints the card id.")
        @OptionGroup var database: Database
        @Option(help: "The holder's citizen identity number.") var holder: String
        @Option(help: "The issuing bank's credit code.") var bank: String
        @Option(help: "The bank account payouts go to.") var account: String
        @Option(help: "2 or 3.") var generation = 3
        @Option(help: "Comma-separated uses (default: all the generation supports).") var uses: String?

        mutating func run() async throws {
            let holder = try validated(holder, as: "holder", { try ResidentID($0) })
            let bank = try validated(bank, as: "bank", CreditCode.init)
            let account = try validated(account, as: "account", BankAccount.init)
            guard let generation = CardGeneration(rawValue: generation) else {
                throw ValidationError("--generation must be 2 or 3")
            }
            let uses =
                try uses.map { list in
                    try Set(
                        list.split(separator: ",").map { name in
                            guard let use = CardUse(rawValue: String(name)) else {
                                throw ValidationError("unknown use \(name)")
                            }
                            return use
                        }
                    )
                } ?? generation.supportedUses
            let (_, service) = try database.open()
            let card = try await reporting {
                try await service.apply(
                    holder: holder,
                    generation: generation,
                    issuingBank: bank,
                    bankAccount: account,
                    uses: uses
                )
            }
            print("\(card.id) applied for \(holder.masked), account \(account.masked)")
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an applied card with its printed number.")
        @OptionGroup var database: Database
        @OptionGroup var card: CardOption
        @Option(help: "The printed card number (one letter, eight digits).") var number: String

        mutating func run() async throws {
            let number = try validated(number, as: "number", CardNumber.init)
            let (_, service) = try database.open()
            let id = try card.id
            let today = CalendarDate(Date())
            print(describe(try await reporting { try await service.apply(.issue(number, on: today), to: id) }))
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Activate an issued card.")
        @OptionGroup var database: Database
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.activate, database, card) }
    }

    struct ReportLost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report a card lost (temporarily blocked).")
        @OptionGroup var database: Database
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.reportLost, database, card) }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore a card reported lost or suspended.")
        @OptionGroup var database: Database
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.restore, database, card) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a card because the holder left the programme (deaths arrive by envelope)."
        )
        @OptionGroup var database: Database
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.cancel(.leftProgramme), database, card) }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a card: the old one stops working at once; prints the new card id."
        )
        @OptionGroup var database: Database
        @OptionGroup var card: CardOption
        @Option(help: "The new card's printed number.") var number: String

        mutating func run() async throws {
            let number = try validated(number, as: "number", CardNumber.init)
            let (_, service) = try database.open()
            let id = try card.id
            print(describe(try await reporting { try await service.replace(id, newNumber: number) }))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a card (masked), by card id or holder.")
        @OptionGroup var database: Database
        @Option(help: "The card id.") var card: String?
        @Option(help: "The holder's identity number.") var holder: String?

        mutating func run() async throws {
            let (_, service) = try database.open()
            if let card {
                let id = try validated(card, as: "card", Identifier<SocialSecurityCard>.init)
                print(describe(try await reporting { try await service.card(id) }))
            } else if let holder {
                let resident = try validated(holder, as: "holder", { try ResidentID($0) })
                guard let found = try await reporting({ try await service.currentCard(of: resident) }) else {
                    throw failure("\(resident.masked) has no current card")
                }
                print(describe(found))
            } else {
                throw ValidationError("give --card or --holder")
            }
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post payment instructions from a CSV file, exactly once each.",
            discussion: """
                Each line: ID,PROGRAMME,HOLDER,YYYY-MM,AMOUNT_YUAN[,REVERSES_ID]. Lines are posted in batches \
                of --batch, each one transaction; running the same file again (after a crash, say) posts \
                only what is missing.
                """
        )
        @OptionGroup var database: Database
        @Option(help: "Instructions per transaction.") var batch = 1000
        @Argument(help: "The instructions (standard input when omitted or \"-\").") var file: String?

        mutating func run() async throws {
            let text = String(decoding: try readInput(file), as: UTF8.self)
            let instructions = try text.split(whereSeparator: \.isNewline).enumerated().map { number, line in
                try Self.instruction(String(line), line: number + 1)
            }
            let (_, service) = try database.open()
            var posted = 0
            var already = 0
            var amount = Money.zero
            let bar = TerminalProgress()
            defer { bar.clear() }
            let total = instructions.count
            for start in stride(from: 0, to: instructions.count, by: max(1, batch)) {
                let slice = Array(instructions[start..<min(start + max(1, batch), instructions.count)])
                // Each batch reports its own count; the bar shows the whole run.
                let progress = bar.handler().map { draw -> ProgressHandler in
                    { draw(WorkProgress(task: "paying", completed: start + $0.completed, total: total)) }
                }
                for outcome in try await reporting({ try await service.submit(slice, progress: progress) }) {
                    switch outcome {
                    case .posted(let record):
                        posted += 1
                        amount = try amount.adding(record.holderAmount)
                    case .alreadyPosted: already += 1
                    }
                }
            }
            print("posted \(posted), already posted \(already), net amount posted now \(amount)")
        }

        static func instruction(_ line: String, line number: Int) throws -> PaymentInstruction {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == 5 || fields.count == 6, let programme = Programme(rawValue: fields[1]) else {
                throw failure("line \(number): expected ID,PROGRAMME,HOLDER,YYYY-MM,AMOUNT[,REVERSES]")
            }
            do {
                return try PaymentInstruction(
                    id: fields[0],
                    programme: programme,
                    holder: ResidentID(fields[2]),
                    period: PayPeriod(fields[3]),
                    amount: Money(yuanText: fields[4]),
                    kind: fields.count == 6 && !fields[5].isEmpty ? .reversal(of: fields[5]) : .payment
                )
            } catch {
                throw failure("line \(number): \(error)")
            }
        }
    }

    struct Totals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Net totals per programme and period; checks the ledger balances."
        )
        @OptionGroup var database: Database

        mutating func run() async throws {
            let (_, service) = try database.open()
            let bar = TerminalProgress()
            let totals = try await reporting { try await bar.showing { try await service.totals(progress: $0) } }
            for (programme, amount) in totals.byProgramme.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                print("programme \(programme.rawValue): \(amount)")
            }
            for (period, amount) in totals.byPeriod.sorted(by: { $0.key < $1.key }) {
                print("period \(period): \(amount)")
            }
            print("total \(totals.total) over \(totals.records) records")
            let check = try await reporting { try await bar.showing { try await service.verifyLedger(progress: $0) } }
            guard check.isBalanced else {
                throw failure("ledger does not balance: \(check.problems.joined(separator: "; "))")
            }
            print("ledger balanced: fund debits \(check.fundDebits) = holder credits \(check.holderCredits)")
        }
    }

    struct Monitor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan the ledger with the fraud rules; one line per alert, exit 3 when any fired."
        )
        @OptionGroup var database: Database

        mutating func run() async throws {
            let (department, _) = try database.open()
            // The scan reports on the store's own threads, so the count is kept under a lock.
            let count = Mutex(0)
            let bar = TerminalProgress()
            defer { bar.clear() }
            try await reporting {
                try await FraudMonitor(logger: department.ports.logger).scan(
                    department.ports.store,
                    progress: bar.handler()
                ) { alert in
                    bar.clear()
                    count.withLock { $0 += 1 }
                    print(
                        "\(alert.rule) v\(alert.ruleVersion): \(alert.maskedHolder): \(alert.finding) "
                            + "[instructions \(alert.instructions.joined(separator: " "))]"
                            + (alert.envelopes.isEmpty ? "" : " [envelopes \(alert.envelopes.joined(separator: " "))]")
                    )
                }
            }
            let alerts = count.withLock { $0 }
            print("\(alerts) alert(s)")
            if alerts > 0 { throw ExitCode(3) }
        }
    }
}

/// Runs a service call, turning its typed errors into one clear line.
private func reporting<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        throw failure("\(error)")
    }
}

private func event(
    _ event: CardEvent,
    _ database: OneCardCommand.Database,
    _ card: OneCardCommand.CardOption
) async throws {
    let (_, service) = try database.open()
    let id = try card.id
    print(describe(try await reporting { try await service.apply(event, to: id) }))
}

private func describe(_ card: SocialSecurityCard) -> String {
    "\(card.id): \(card.state.name), holder \(card.holder.masked), card \(card.cardNumber?.masked ?? "-"), "
        + "account \(card.bankAccount.masked), generation \(card.generation.rawValue), "
        + "uses \(card.enabledUses.map(\.rawValue).sorted().joined(separator: ","))"
}
