import Foundation
import SocietyCore
import Testing

/// `--log-level`: the demo's whole log, at the most talkative level, names what happened and
/// never a person. Without the option nothing is logged at all.
@Suite("taizhou --log-level")
struct LoggingCLITests {
    func demo(_ extra: [String]) throws -> CLIRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try CLIRunner.run(["demo", "--residents", "1000", "--applications", "4"] + extra, in: directory)
    }

    @Test("the demo's trace log carries metadata from several components and no personal value")
    func traceHasNoPersonalValues() throws {
        let run = try demo(["--log-level", "trace"])
        #expect(run.status == 0, "\(run.standardError.suffix(2_000))")
        #expect(run.standardOutput.contains("every log verifies"))
        let log = run.standardError
        let lines = log.split(separator: "\n")
        #expect(lines.count > 20, "only \(lines.count) log lines")
        #expect(lines.contains { $0.contains(" trace ") }, "no trace line")
        let components = Set(
            lines.flatMap { line in
                line.split(separator: " ").filter { $0.hasPrefix("component=") }.map { String($0.dropFirst(10)) }
            }
        )
        #expect(components.isSuperset(of: ["assistance", "onecard", "deployment"]), "components: \(components)")
        #expect(components.count >= 5, "components: \(components)")

        let found = PersonalValues.scan(log)
        #expect(found.residentIDs == 0, "a full identity number is in the log")
        #expect(found.phoneNumbers.isEmpty, "phone numbers in the log: \(found.phoneNumbers.prefix(3))")
        #expect(found.bankAccounts.isEmpty, "bank accounts in the log: \(found.bankAccounts.prefix(3))")
    }

    @Test("without --log-level nothing is logged")
    func silentByDefault() throws {
        let run = try demo([])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.isEmpty, "\(run.standardError.prefix(1_000))")
    }

    @Test("an unknown level is refused with a clear message")
    func unknownLevel() throws {
        let run = try demo(["--log-level", "loud"])
        #expect(run.status != 0)
        #expect(run.standardError.contains("--log-level must be one of trace, debug, info"))
    }

    @Test("the scan finds what it looks for")
    func scannerFindsLeaks() throws {
        let found = PersonalValues.scan(
            "holder=11010519491231002X phone=13812345678 account=6222021500000000016 "
                + "org=91320214745555318W count=13812345678901 id=app-20261206-1"
        )
        #expect(found.residentIDs == 1)
        #expect(found.phoneNumbers == ["13812345678"])
        #expect(found.bankAccounts == ["6222021500000000016"])
    }
}

/// Finds values that identify a person in text: valid 18-character identity numbers, mobile phone
/// numbers, and bank account numbers (16–19 digits passing the Luhn check).
enum PersonalValues {
    struct Found {
        var residentIDs = 0
        var phoneNumbers: [String] = []
        var bankAccounts: [String] = []
    }

    static func scan(_ text: String) -> Found {
        var found = Found()
        let characters = Array(text.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
        }

        // Identity numbers anywhere, as DemoCLITests looks for them: 17 digits and a check character.
        if characters.count >= 18 {
            for start in 0...(characters.count - 18) where isDigit(characters[start]) {
                let window = characters[start..<start + 18]
                guard window.prefix(17).allSatisfy(isDigit) else { continue }
                let last = window[start + 17]
                guard isDigit(last) || last == UInt8(ascii: "X") || last == UInt8(ascii: "x") else { continue }
                if (try? ResidentID(String(decoding: window, as: UTF8.self))) != nil { found.residentIDs += 1 }
            }
        }

        // Phone numbers and accounts: maximal runs of digits, except inside an organization's
        // credit code (public, and 17 digits of it could pass a Luhn check by chance).
        var index = 0
        while index < characters.count {
            guard isAlphanumeric(characters[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < characters.count && isAlphanumeric(characters[end]) { end += 1 }
            let token = String(decoding: characters[index..<end], as: UTF8.self)
            if !(token.utf8.count == 18 && (try? CreditCode(token)) != nil) {
                for run in token.split(whereSeparator: { !$0.isASCII || !$0.isNumber }).map(String.init) {
                    if run.count == 11, run.hasPrefix("1"), let second = run.dropFirst().first,
                        ("3"..."9").contains(second)
                    {
                        found.phoneNumbers.append(run)
                    }
                    if (16...19).contains(run.count) && luhn(run) { found.bankAccounts.append(run) }
                }
            }
            index = end
        }
        return found
    }

    static func luhn(_ digits: String) -> Bool {
        var sum = 0
        for (position, character) in digits.reversed().enumerated() {
            guard var digit = character.wholeNumberValue else { return false }
            if position % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return sum % 10 == 0
    }
}
