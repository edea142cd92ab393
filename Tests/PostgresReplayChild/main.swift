import Foundation
import SocietyCore
import SocietyPostgres

// Marks envelope ids env-0 … env-(COUNT-1) seen in a PostgreSQL replay guard, from a process of
// its own, and prints each id it was the first to see. Two of these started together race on
// every id; between them, each id must be accepted exactly once.
//
// Usage: PostgresReplayChild URL SCHEMA COUNT [START_AT_UNIX_SECONDS]
let arguments = CommandLine.arguments
guard arguments.count >= 4, let count = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: PostgresReplayChild URL SCHEMA COUNT [START_AT]\n".utf8))
    exit(2)
}
do {
    let database = try PostgresDatabase(location: try PostgresLocation(url: arguments[1]), schema: arguments[2])
    let guardian = try await PostgresReplayGuard(database: database)
    // Both processes wait for the same moment, so their calls overlap.
    if arguments.count >= 5, let start = Double(arguments[4]) {
        let wait = start - Date().timeIntervalSince1970
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
    }
    let now = Date()
    var accepted: [String] = []
    for index in 0..<count {
        let id = "env-\(index)"
        if try await guardian.markSeen(
            issuer: "113212000142871106/assistance",
            id: id,
            expiresAt: now.addingTimeInterval(600),
            now: now
        ) {
            accepted.append(id)
        }
    }
    print(accepted.joined(separator: "\n"))
    await database.shutdown()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
