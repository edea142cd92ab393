import ArgumentParser
import Foundation
import SocietyCore
import SocietyJSON
import SocietyServices

/// `taizhou calendar`: working days on the official calendar (the State Council's holiday schedules).
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Working days on the official calendar (holidays and make-up working days as published).",
        subcommands: [WorkingDays.self, Years.self]
    )

    /// `--calendar FILE`: a newer schedule than the one built in.
    struct CalendarOptions: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "A working-calendar schedule (JSON, format ds.working-calendar/1) to use instead of the built-in one.",
                valueName: "file"
            )
        )
        var calendar: String?

        func load() throws -> PublishedCalendar {
            do {
                guard let calendar else { return try PublishedCalendar.official() }
                return try PublishedCalendar(json: try readInput(calendar))
            } catch let error as CalendarError {
                throw failure(status: ExitStatus.badInput, "\(calendar ?? "the built-in calendar"): \(error)")
            }
        }
    }

    struct WorkingDays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "working-days",
            abstract: "Print the date N working days after a date (counting from the next day).",
            discussion: """
                A time limit of N working days for an application accepted on a date ends on the date printed.
                Dates outside the calendar's published years are refused (exit status 2), never guessed.
                """
        )

        @OptionGroup var output: OutputOptions
        @OptionGroup var source: CalendarOptions

        @Option(help: ArgumentHelp("The starting date.", valueName: "YYYY-MM-DD"))
        var from: String

        @Option(help: ArgumentHelp("How many working days to add (0 or more).", valueName: "N"))
        var add: Int

        func validate() throws {
            if (try? CalendarDate(iso8601: from)) == nil {
                throw ValidationError("--from must be a real date written YYYY-MM-DD")
            }
            if add < 0 { throw ValidationError("--add must not be negative") }
        }

        func run() throws {
            let calendar = try source.load()
            let start = try CalendarDate(iso8601: from)
            let end: CalendarDate
            do {
                end = try calendar.date(addingWorkingDays: add, to: start)
            } catch .outsidePublishedYears(let date, let known) {
                throw failure(
                    status: ExitStatus.badInput,
                    "\(CalendarError.outsidePublishedYears(date: date, known: known)); "
                        + "give a schedule that publishes \(date.year) with --calendar FILE"
                )
            } catch {
                throw failure(status: ExitStatus.badInput, "\(error)")
            }
            let holidaysPassed = Set(
                (0..<(end.daysSinceEpoch - start.daysSinceEpoch)).compactMap { offset in
                    try? calendar.holiday(on: start.adding(days: offset + 1))
                }
            ).sorted()
            let across = holidaysPassed.isEmpty ? "" : " (across \(holidaysPassed.joined(separator: ", ")))"
            output.emit(
                "\(end.iso8601): \(add) working days after \(start.iso8601)\(across)",
                json: [
                    "from": .string(start.iso8601), "workingDays": .number(Double(add)),
                    "date": .string(end.iso8601), "holidays": .array(holidaysPassed.map { .string($0) }),
                ]
            )
        }
    }

    struct Years: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the published years the calendar knows and the notice each comes from."
        )

        @OptionGroup var output: OutputOptions
        @OptionGroup var source: CalendarOptions

        func run() throws {
            let calendar = try source.load()
            for year in calendar.years {
                let reference = year.source.reference.map { " (\($0))" } ?? ""
                output.emit(
                    "\(year.year): \(year.source.title)\(reference), \(year.source.issuer), \(year.source.issued)",
                    json: [
                        "year": .number(Double(year.year)), "title": .string(year.source.title),
                        "reference": year.source.reference.map { .string($0) } ?? .null,
                        "issuer": .string(year.source.issuer), "issued": .string(year.source.issued),
                        "holidays": .number(Double(year.holidays.count)),
                        "workingWeekendDays": .number(Double(year.workingWeekendDays.count)),
                    ]
                )
            }
        }
    }
}
