import ArgumentParser
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyJSON
import SocietyOneCard
import Synchronization

/// `taizhou onecard`: the social security card flows on a deployment's store — apply, issue, activate,
/// report lost, replace, cancel, pay benefits exactly once, and scan for fraud.
struct OneCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onecard",
        abstract: "Social security \"one-card\": cards, payouts, fraud monitoring.",
        discussion: """
            State lives in the department store onecard.sqlite of the state folder (--state), with its key \
            file onecard.sqlite.key (created on first write, mode 600). show, totals and monitor only read: \
            they create nothing and fail when the store is missing.
            """,
        subcommands: [
            Apply.self, Issue.self, Activate.self, ReportLost.self, Restore.self, Replace.self, Cancel.self, Show.self,
            Pay.self, Totals.self, Monitor.self,
        ]
    )

    /// The store every subcommand works on: the department `onecard` of the state folder.
    struct Database: ParsableArguments {
        @OptionGroup var state: StateOptions

        /// Opens the department (encrypted fields, audited) and the service on its ports; with
        /// `.existing`, only a store that is there.
        func open(_ access: StoreAccess = .createIfMissing) throws -> (OpenedDepartment, OneCardService) {
            let (_, department) = try state.department("onecard", subsystem: "onecard", access: access)
            do {
                return (department, try OneCardService(ports: department.ports))
            } catch {
                throw failure(status: ExitStatus.io, "cannot open the one-card store: \(error)")
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
        @OptionGroup var output: OutputOptions
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
            output.emit(
                "\(card.id) applied for \(holder.masked), account \(account.masked)",
                json: cardJSON(card)
            )
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an applied card with its printed number.")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var card: CardOption
        @Option(help: "The printed card number (one letter, eight digits).") var number: String

        mutating func run() async throws {
            let number = try validated(number, as: "number", CardNumber.init)
            let (_, service) = try database.open()
            let id = try card.id
            let today = CalendarDate(Date())
            output.show(try await reporting { try await service.apply(.issue(number, on: today), to: id) })
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Activate an issued card.")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.activate, database, card, output) }
    }

    struct ReportLost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report a card lost (temporarily blocked).")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.reportLost, database, card, output) }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore a card reported lost or suspended.")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.restore, database, card, output) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a card because the holder left the programme (deaths arrive by envelope)."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var card: CardOption
        mutating func run() async throws { try await event(.cancel(.leftProgramme), database, card, output) }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a card: the old one stops working at once; prints the new card id."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @OptionGroup var card: CardOption
        @Option(help: "The new card's printed number.") var number: String

        mutating func run() async throws {
            let number = try validated(number, as: "number", CardNumber.init)
            let (_, service) = try database.open()
            let id = try card.id
            output.show(try await reporting { try await service.replace(id, newNumber: number) })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a card (masked), by card id or holder.")
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "The card id.") var card: String?
        @Option(help: "The holder's identity number.") var holder: String?

        mutating func run() async throws {
            let (_, service) = try database.open(.existing)
            if let card {
                let id = try validated(card, as: "card", Identifier<SocialSecurityCard>.init)
                output.show(try await reporting { try await service.card(id) })
            } else if let holder {
                let resident = try validated(holder, as: "holder", { try ResidentID($0) })
                guard let found = try await reporting({ try await service.currentCard(of: resident) }) else {
                    throw failure("\(resident.masked) has no current card")
                }
                output.show(found)
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
                only what is missing. A line the rules refuse (no current card, a conflicting instruction) \
                is reported with its number, masked holder and reason, and the others are posted; the exit \
                status is then 1. A malformed line stops the run before anything is posted (status 2).
                """
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions
        @Option(help: "Instructions per transaction.") var batch = 1000
        @Argument(help: "The instructions (standard input when omitted or \"-\").") var file: String?

        mutating func run() async throws {
            let text = String(decoding: try readInput(file), as: UTF8.self)
            let instructions = try text.split(whereSeparator: \.isNewline).enumerated().map { number, line in
                (line: number + 1, instruction: try Self.instruction(String(line), line: number + 1))
            }
            let (_, service) = try database.open()
            var tally = PayoutTally()
            let bar = TerminalProgress()
            defer { bar.clear() }
            let total = instructions.count
            let size = max(1, batch)
            for start in stride(from: 0, to: instructions.count, by: size) {
                let slice = Array(instructions[start..<min(start + size, instructions.count)])
                // Each batch reports its own count; the bar shows the whole run.
                let progress = bar.handler().map { draw -> ProgressHandler in
                    { draw(WorkProgress(task: "paying", completed: start + $0.completed, total: total)) }
                }
                let outcomes: [OneCardService.PaymentOutcome]
                do throws(OneCardError) {
                    outcomes = try await service.submit(slice.map(\.instruction), progress: progress)
                } catch  where !error.isPortFailure {
                    // The batch was refused as a whole and nothing of it was posted: post its lines one
                    // by one, so that one refused line does not hold back the others.
                    try await postOneByOne(slice, service, &tally, bar)
                    continue
                } catch {
                    throw failure(status: ExitStatus.io, "\(error)")
                }
                try tally.add(outcomes)
            }
            output.emit(
                "posted \(tally.posted), already posted \(tally.already), refused \(tally.refused), "
                    + "net amount posted now \(tally.amount)",
                json: [
                    "posted": .number(Double(tally.posted)), "alreadyPosted": .number(Double(tally.already)),
                    "refused": .array(tally.refusals), "amount": tally.amount.jsonValue,
                ]
            )
            if tally.refused > 0 { throw ExitCode(ExitStatus.refused) }
        }

        /// Posts each line alone, reporting those the rules refuse on standard error.
        func postOneByOne(
            _ lines: [(line: Int, instruction: PaymentInstruction)],
            _ service: OneCardService,
            _ tally: inout PayoutTally,
            _ bar: TerminalProgress
        ) async throws {
            for (line, instruction) in lines {
                do throws(OneCardError) {
                    try tally.add([try await service.submit(instruction)])
                } catch  where !error.isPortFailure {
                    bar.clear()
                    tally.refused += 1
                    tally.refusals.append([
                        "line": .number(Double(line)), "holder": .string(instruction.holder.masked),
                        "reason": .string("\(error)"),
                    ])
                    FileHandle.standardError.write(
                        Data("refused: line \(line): holder \(instruction.holder.masked): \(error)\n".utf8)
                    )
                } catch {
                    throw failure(status: ExitStatus.io, "\(error)")
                }
            }
        }

        /// What a payout run did.
        struct PayoutTally {
            var posted = 0
            var already = 0
            var refused = 0
            var refusals: [JSONValue] = []
            var amount = Money.zero

            mutating func add(_ outcomes: [OneCardService.PaymentOutcome]) throws(OneCardError) {
                for outcome in outcomes {
                    switch outcome {
                    case .posted(let record):
                        posted += 1
                        do {
                            amount = try amount.adding(record.holderAmount)
                        } catch {
                            throw .arithmetic(error)
                        }
                    case .alreadyPosted: already += 1
                    }
                }
            }
        }

        static func instruction(_ line: String, line number: Int) throws -> PaymentInstruction {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == 5 || fields.count == 6, let programme = Programme(rawValue: fields[1]) else {
                throw failure(
                    status: ExitStatus.badInput,
                    "line \(number): expected ID,PROGRAMME,HOLDER,YYYY-MM,AMOUNT[,REVERSES]"
                )
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
                throw failure(status: ExitStatus.badInput, "line \(number): \(error)")
            }
        }
    }

    struct Totals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Net totals per programme and period; checks the ledger balances."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            let (_, service) = try database.open(.existing)
            let bar = TerminalProgress()
            let totals = try await reporting { try await bar.showing { try await service.totals(progress: $0) } }
            let check = try await reporting { try await bar.showing { try await service.verifyLedger(progress: $0) } }
            let programmes = totals.byProgramme.sorted(by: { $0.key.rawValue < $1.key.rawValue })
            let periods = totals.byPeriod.sorted(by: { $0.key < $1.key })
            var lines = programmes.map { "programme \($0.key.rawValue): \($0.value)" }
            lines += periods.map { "period \($0.key): \($0.value)" }
            lines.append("total \(totals.total) over \(totals.records) records")
            if check.isBalanced {
                lines.append("ledger balanced: fund debits \(check.fundDebits) = holder credits \(check.holderCredits)")
            }
            output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "byProgramme": .object(
                        JSONObject(
                            Dictionary(uniqueKeysWithValues: programmes.map { ($0.key.rawValue, $0.value.jsonValue) })
                        )
                    ),
                    "byPeriod": .object(
                        JSONObject(Dictionary(uniqueKeysWithValues: periods.map { ("\($0.key)", $0.value.jsonValue) }))
                    ),
                    "total": totals.total.jsonValue, "records": .number(Double(totals.records)),
                    "balanced": .bool(check.isBalanced), "fundDebits": check.fundDebits.jsonValue,
                    "holderCredits": check.holderCredits.jsonValue,
                ]
            )
            guard check.isBalanced else {
                throw failure("ledger does not balance: \(check.problems.joined(separator: "; "))")
            }
        }
    }

    struct Monitor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan the ledger with the fraud rules; one line per alert, exit 3 when any fired."
        )
        @OptionGroup var database: Database
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            let (department, _) = try database.open(.existing)
            // The scan reports on the store's own threads, so the count is kept under a lock.
            let count = Mutex(0)
            let found = Mutex([JSONValue]())
            let json = output.json
            let bar = TerminalProgress()
            defer { bar.clear() }
            try await reporting {
                try await FraudMonitor(logger: department.ports.logger).scan(
                    department.ports.store,
                    progress: bar.handler()
                ) { alert in
                    bar.clear()
                    count.withLock { $0 += 1 }
                    guard !json else {
                        found.withLock {
                            $0.append([
                                "rule": .string(alert.rule), "ruleVersion": .number(Double(alert.ruleVersion)),
                                "holder": .string(alert.maskedHolder), "finding": .string(alert.finding),
                                "instructions": .array(alert.instructions.map { .string($0) }),
                                "envelopes": .array(alert.envelopes.map { .string($0) }),
                            ])
                        }
                        return
                    }
                    print(
                        "\(alert.rule) v\(alert.ruleVersion): \(alert.maskedHolder): \(alert.finding) "
                            + "[instructions \(alert.instructions.joined(separator: " "))]"
                            + (alert.envelopes.isEmpty ? "" : " [envelopes \(alert.envelopes.joined(separator: " "))]")
                    )
                }
            }
            let alerts = count.withLock { $0 }
            output.emit("\(alerts) alert(s)", json: ["alerts": .array(found.withLock { $0 })])
            if alerts > 0 { throw ExitCode(ExitStatus.alerts) }
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
    _ card: OneCardCommand.CardOption,
    _ output: OutputOptions
) async throws {
    let (_, service) = try database.open()
    let id = try card.id
    output.show(try await reporting { try await service.apply(event, to: id) })
}

extension OutputOptions {
    /// Prints a card, masked, as text or JSON.
    func show(_ card: SocialSecurityCard) { emit(describe(card), json: cardJSON(card)) }
}

private func cardJSON(_ card: SocialSecurityCard) -> JSONValue {
    [
        "card": .string("\(card.id)"), "state": .string(card.state.name), "holder": .string(card.holder.masked),
        "cardNumber": card.cardNumber.map { .string($0.masked) } ?? .null, "account": .string(card.bankAccount.masked),
        "generation": .number(Double(card.generation.rawValue)),
        "uses": .array(card.enabledUses.map(\.rawValue).sorted().map { .string($0) }),
    ]
}

private func describe(_ card: SocialSecurityCard) -> String {
    "\(card.id): \(card.state.name), holder \(card.holder.masked), card \(card.cardNumber?.masked ?? "-"), "
        + "account \(card.bankAccount.masked), generation \(card.generation.rawValue), "
        + "uses \(card.enabledUses.map(\.rawValue).sorted().joined(separator: ","))"
}
