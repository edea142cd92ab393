import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietyPostgres
import SocietyTesting

// A process of its own for the PostgreSQL tests, so that they race real processes, not tasks.
//
// PostgresReplayChild URL SCHEMA COUNT [START_AT_UNIX_SECONDS]
//   marks envelope ids env-0 … env-(COUNT-1) seen in the schema's replay guard and prints each id
//   it was the first to see. Two started together race on every id.
// PostgresReplayChild URL SCHEMA COUNT START_AT_UNIX_SECONDS audit
//   appends COUNT batches of two sample audit entries to the schema's audit log and prints the
//   index of each batch's first entry.
let arguments = CommandLine.arguments
guard arguments.count >= 4, let count = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: PostgresReplayChild URL SCHEMA COUNT [START_AT [audit]]\n".utf8))
    exit(2)
}
do {
    let database = try PostgresDatabase(location: try PostgresLocation(url: arguments[1]), schema: arguments[2])
    let auditing = arguments.count >= 6 && arguments[5] == "audit"
    let guardian = auditing ? nil : try await PostgresReplayGuard(database: database)
    let log =
        auditing
        ? try await PostgresAuditLog(
            database: database,
            origin: "test",
            digest: .sha256,
            crypto: OpenSSLCryptoProvider()
        )
        : nil
    // Both processes wait for the same moment, so their calls overlap.
    if arguments.count >= 5, let start = Double(arguments[4]) {
        let wait = start - Date().timeIntervalSince1970
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
    }
    let now = Date()
    var lines: [String] = []
    for index in 0..<count {
        if let log {
            let range = try await log.append([AuditSamples.entry(2 * index), AuditSamples.entry(2 * index + 1)])
            lines.append(String(range.lowerBound))
        } else if let guardian {
            let id = "env-\(index)"
            if try await guardian.markSeen(
                issuer: "113212000142871106/assistance",
                id: id,
                expiresAt: now.addingTimeInterval(600),
                now: now
            ) {
                lines.append(id)
            }
        }
    }
    print(lines.joined(separator: "\n"))
    await database.shutdown()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
