import Foundation
import SocietyPostgres
import SocietyTesting

/// The tests' server: the testing kit's throwaway cluster (or `SOCIETY_POSTGRES_URL`).
enum TestServer {
    /// The server's location, starting the cluster on first use.
    static func location() throws -> PostgresLocation { try PostgresLocation(url: try PostgresTestCluster.url()) }

    /// A database on the server with a schema name of its own for one test.
    static func database(_ label: String) throws -> PostgresDatabase {
        let schema = "t_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        return try PostgresDatabase(location: try location(), schema: schema, timeout: .seconds(60))
    }

    /// A database on the restartable cluster (a server of its own, so that restarting it cuts no
    /// other test's connections), with a schema name of its own.
    static func restartableDatabase(_ label: String) throws -> PostgresDatabase {
        let schema = "t_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        let location = try PostgresLocation(url: try PostgresTestCluster.restartableURL())
        return try PostgresDatabase(location: location, schema: schema, timeout: .seconds(60))
    }

    /// Stops and starts the restartable cluster, as a server restart would.
    static func restart() throws { try PostgresTestCluster.restart() }
}
