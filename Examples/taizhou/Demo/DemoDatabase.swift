import Foundation
import SocietyPostgres
import SocietyPostgresDeployment
import SocietySynthetic

/// The demo's claim on a PostgreSQL database given with `--store`: the departments' schemas.
///
/// The demo creates its departments' schemas, and on a re-run drops and recreates only schemas it
/// made: the state folder records the database the demo wrote to (`demo-store`, no password), and a
/// schema is dropped only when the folder was the demo's before this run and names the same
/// database. Any other existing schema with a demo department's name is refused untouched.
struct DemoDatabase {
    /// The file in the state folder naming the database of the last run.
    static let recordName = "demo-store"

    /// The schemas of every store the demo opens.
    static let storeNames =
        DataSourceDepartment.allCases.map(\.rawValue) + [
            "civil-affairs", "onecard", "family-doctor", "veterans", "services", "employment",
            "real-estate", "housing-fund", "tax", "housing", "hospital", "vaccination", "childcare", "eldercare",
            "education", "culture-sport", "disability", "community", "market", "indicators",
            "population",
            "medical-insurance",
        ]

    let location: PostgresLocation
    let folder: URL

    /// Makes the schemas ready: none of them may exist unless this folder's earlier run made them.
    /// `folderWasDemo` says whether the folder carried the demo's marker before this run.
    func prepare(folderWasDemo: Bool) async throws {
        let record = folder.appendingPathComponent(Self.recordName)
        let recorded = (try? String(contentsOf: record, encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        let ours = folderWasDemo && recorded == location.description
        for name in Self.storeNames {
            let database = try PostgresDatabase(
                location: location,
                schema: PostgresStoreFactory.schema(of: name),
                maximumConnections: 1
            )
            let exists = try await database.schemaExists()
            if exists, ours { try await database.dropSchema() }
            await database.shutdown()
            if exists, !ours {
                throw failure(
                    "schema \(database.schema) already exists in \(location) and was not made by a demo run from "
                        + "\(folder.path); nothing was changed. Use another database, or the state folder of that run."
                )
            }
        }
        do {
            try Data("\(location.description)\n".utf8).write(to: record)
        } catch {
            throw failure(status: ExitStatus.io, "cannot write \(record.path): \(error.localizedDescription)")
        }
    }
}
