import ArgumentParser
import Foundation
import SocietyCore
import SocietyJSON

/// `taizhou id check ID…`: validates citizen identity numbers (GB 11643).
struct IDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Citizen identity numbers (GB 11643).",
        subcommands: [Check.self, Make.self]
    )

    struct Make: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a valid synthetic identity number, for examples and tests.",
            discussion: """
                The number is printed whole: it names no one, and a number to use is what was asked for. \
                Give the birth day (--born) or an age in months today (--months-old), so that examples stay \
                right on any day they run.
                """
        )
        @Option(help: "The address code, a county-level division (6 digits).") var district: String
        @Option(help: "The birth day, YYYY-MM-DD.") var born: String?
        @Option(help: "Born this many whole months before today.") var monthsOld: Int?
        @Option(help: "The sequence number 1–999: odd for a man, even for a woman.") var sequence: Int

        func validate() throws {
            guard (born == nil) != (monthsOld == nil) else { throw ValidationError("give --born or --months-old") }
            if let monthsOld, !(0...1_500).contains(monthsOld) { throw ValidationError("--months-old is 0–1500") }
        }

        func run() throws {
            let birth =
                try born.map { try validated($0, as: "born", CalendarDate.init(iso8601:)) }
                ?? CalendarDate(Date()).adding(months: -(monthsOld ?? 0))
            let (district, sequence) = (district, sequence)
            let id = try validated(district, as: "district") { code in
                try ResidentID(addressCode: DivisionCode(code), birthDate: birth, sequence: sequence)
            }
            print(id.unmasked)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check identity numbers; exit status 0 only if every one is valid.",
            discussion: "Numbers are printed masked. 15-digit legacy numbers are upgraded to 18 digits."
        )

        @OptionGroup var options: OutputOptions

        @Option(help: "Check birth dates against this day (YYYY-MM-DD) instead of today.")
        var today: String?

        @Argument(help: "The identity numbers to check.")
        var numbers: [String]

        func validate() throws {
            if let today, (try? CalendarDate(iso8601: today)) == nil {
                throw ValidationError("--today must be a real date written YYYY-MM-DD")
            }
            if numbers.isEmpty { throw ValidationError("give at least one identity number") }
        }

        func run() throws {
            let day = try today.map { try CalendarDate(iso8601: $0) }
            var allValid = true
            for number in numbers {
                do {
                    let id = try ResidentID(number, today: day)
                    let place = id.addressDivision.map(DivisionLabel.text) ?? "address code \(id.addressCode)"
                    options.emit(
                        "\(id.masked): valid, born \(id.birthDate), \(id.sex.englishName), \(place)",
                        json: [
                            "input": .string(Masking.keep(number, prefix: 4, suffix: 4)), "valid": .bool(true),
                            "normalized": .string(id.masked), "birthDate": .string(id.birthDate.iso8601),
                            "sex": .string(id.sex.englishName), "addressCode": .string(id.addressCode),
                            "division": .string(id.addressDivision.map(DivisionLabel.text) ?? ""),
                        ]
                    )
                } catch {
                    allValid = false
                    let masked = Masking.keep(number, prefix: 4, suffix: 4)
                    options.emit(
                        "\(masked): invalid: \(error)",
                        json: ["input": .string(masked), "valid": .bool(false), "reason": .string("\(error)")]
                    )
                }
            }
            if !allValid { throw ExitCode(1) }
        }
    }
}

/// `taizhou org check CODE…`: validates unified social credit codes (GB 32100).
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Unified social credit codes (GB 32100).",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check credit codes; exit status 0 only if every one is valid."
        )

        @OptionGroup var options: OutputOptions

        @Argument(help: "The credit codes to check.")
        var codes: [String]

        func validate() throws {
            if codes.isEmpty { throw ValidationError("give at least one credit code") }
        }

        func run() throws {
            var allValid = true
            for text in codes {
                do {
                    let code = try CreditCode(text)
                    let place =
                        code.division.map(DivisionLabel.text) ?? "division digits \(code.value.dropFirst(2).prefix(6))"
                    options.emit(
                        "\(code): valid, authority \(code.registrationAuthority.name), "
                            + "type \(code.organizationType.name), \(place)",
                        json: [
                            "input": .string(text), "valid": .bool(true),
                            "authority": .string(code.registrationAuthority.name),
                            "type": .string(code.organizationType.name),
                            "division": .string(code.division.map(DivisionLabel.text) ?? ""),
                        ]
                    )
                } catch {
                    allValid = false
                    options.emit(
                        "\(text): invalid: \(error)",
                        json: ["input": .string(text), "valid": .bool(false), "reason": .string("\(error)")]
                    )
                }
            }
            if !allValid { throw ExitCode(1) }
        }
    }
}

/// `taizhou division show CODE`: a division's name, level and parent chain (GB/T 2260).
struct DivisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "division",
        abstract: "Administrative division codes (GB/T 2260).",
        subcommands: [Show.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a division's name, level and parent chain.")

        @Argument(help: "A six-digit division code, e.g. 321202.")
        var code: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            let division: DivisionCode
            do {
                division = try DivisionCode(code)
            } catch {
                throw failure("\(code): invalid: \(error)")
            }
            var lines = [
                "\(division.code) \(division.name ?? "(not in the bundled table)")",
                "level: \(division.level.rawValue)",
            ]
            if let year = division.retiredIn { lines.append("status: retired in \(year)") }
            lines.append("chain: " + division.chain.map(\.description).joined(separator: " → "))
            output.emit(
                lines.joined(separator: "\n"),
                json: [
                    "code": .string(division.code), "name": division.name.map { .string($0) } ?? .null,
                    "level": .string(division.level.rawValue),
                    "retiredIn": division.retiredIn.map { .number(Double($0)) } ?? .null,
                    "chain": .array(division.chain.map { .string($0.description) }),
                ]
            )
        }
    }
}

/// How a division is named in one line: `321202 海陵区, 泰州市, 江苏省`, or `110105 (in 北京市)` when
/// only a higher tier is in the bundled table.
enum DivisionLabel {
    static func text(_ division: DivisionCode) -> String {
        let names = division.chain.compactMap(\.name)
        if names.isEmpty { return division.code }
        if division.name == nil { return "\(division.code) (in \(names.joined(separator: ", ")))" }
        return "\(division.code) " + names.joined(separator: ", ")
    }
}
