import Foundation
public import Logging
import PostgresNIO
import Synchronization

/// One department's schema in a PostgreSQL database, reached through a pool of connections.
///
/// Each department keeps its tables in a schema of its own in the one database, so that grants,
/// backups and moves can follow departments. The pool is PostgresNIO's `PostgresClient`, run by a
/// task this object owns from ``init(location:schema:maximumConnections:timeout:logger:)`` until
/// ``shutdown()``. Every operation has a time limit: a server that is down or unreachable is a
/// ``PostgresStoreError/Kind/connection`` error after ``timeout``, not a wait for ever.
public final class PostgresDatabase: Sendable {
    /// The server and database.
    public let location: PostgresLocation
    /// The schema this object's tables live in.
    public let schema: String
    /// How long an operation (a lease and its statements) may take.
    public let timeout: Duration

    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects lazily to `location`, keeping tables in `schema` (a lower-case SQL identifier:
    /// letters, digits and `_`, at most 63 characters, not starting with a digit).
    public init(
        location: PostgresLocation,
        schema: String,
        maximumConnections: Int = 8,
        timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "digitalsociety.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(PostgresStoreError) {
        guard PostgresDatabase.isIdentifier(schema) else {
            throw PostgresStoreError(
                .invalidName,
                "schema name \"\(schema)\" is not a lower-case identifier (a–z, 0–9, _; at most 63)"
            )
        }
        self.location = location
        self.schema = schema
        self.timeout = timeout
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: location.host,
            port: location.port,
            username: location.user,
            password: location.password,
            database: location.database,
            tls: PostgresDatabase.tls(location.tls)
        )
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = min(timeout, .seconds(10))
        // The server ends any one statement that outlives the time limit, so a transaction whose
        // closure runs in the caller's task (see `lease`) is bounded statement by statement.
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [("statement_timeout", "\(max(1, milliseconds))")]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // PostgresNIO's pool only hands out connections while `run()` runs.
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// PostgresNIO's TLS setting for `mode`.
    private static func tls(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable:
            return .disable
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return .require(configuration)
        case .verifyFull(let root):
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            if let root { configuration.trustRoots = .file(root) }
            return .require(configuration)
        }
    }

    /// Closes the pool's connections.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }

    /// Whether the schema exists on the server.
    public func schemaExists() async throws(PostgresStoreError) -> Bool {
        let schema = self.schema
        return try await session { session in
            !(try await session.rows(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = $1",
                [.text(schema)]
            )
            .isEmpty)
        }
    }

    /// Drops the schema and everything in it (`DROP SCHEMA … CASCADE`): for tools that own it,
    /// such as the demo re-running on schemas it made. Nothing asks for this implicitly.
    public func dropSchema() async throws(PostgresStoreError) {
        let schema = self.schema
        try await session { session in _ = try await session.rows("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE") }
    }

    /// Whether `name` is a plain lower-case SQL identifier, safe to put in a statement quoted.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, (1...63).contains(name.utf8.count), !(0x30...0x39).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// `"schema".name`, for a table of this schema.
    func table(_ name: String) -> String { "\"\(schema)\".\(name)" }

    /// A 64-bit key for PostgreSQL's advisory locks, the same in every process for `name` in
    /// this schema (FNV-1a; PostgreSQL's own `hashtext` is not guaranteed stable across versions).
    func lockKey(_ name: String) -> Int64 { Self.lockKey(name, schema: schema) }

    /// ``lockKey(_:)`` for `schema`, for code that holds a session of the schema but not its database.
    static func lockKey(_ name: String, schema: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(schema).\(name)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }

    /// Runs `body` in one transaction on a pooled connection, committed when it returns and rolled
    /// back when it throws.
    func transaction<T: Sendable>(
        _ body: @escaping @Sendable (Session) async throws -> T
    ) async throws(PostgresStoreError)
        -> T
    {
        try await limited {
            try await self.client.withTransaction(logger: self.logger) { connection in
                try await body(Session(connection: connection, logger: self.logger))
            }
        }
    }

    /// Runs `body` on a pooled connection outside a transaction (each statement commits alone),
    /// within `timeout` (``timeout`` when `nil`).
    func session<T: Sendable>(
        timeout: Duration? = nil,
        _ body: @escaping @Sendable (Session) async throws -> T
    ) async throws(PostgresStoreError)
        -> T
    {
        try await limited(timeout: timeout) {
            try await self.client.withConnection { connection in
                try await body(Session(connection: connection, logger: self.logger))
            }
        }
    }

    /// A pooled connection lent to the caller until ``Lease/release()`` (or until the lease is
    /// dropped), obtained within ``timeout``: for work that runs in the caller's own task, such as
    /// a record store's transaction whose closure may not escape.
    func lease() async throws(PostgresStoreError) -> Lease {
        let client = self.client
        let logger = self.logger
        return try await limited {
            try await withCheckedThrowingContinuation { (leased: CheckedContinuation<Lease, any Error>) in
                let gate = LeaseGate()
                Task {
                    do {
                        try await client.withConnection { connection in
                            leased.resume(returning: Lease(Session(connection: connection, logger: logger), gate: gate))
                            await gate.wait()
                        }
                    } catch {
                        // Only reached when no connection was lent: the continuation is unused.
                        leased.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// A connection lent by ``lease()``; it goes back to the pool when released or dropped.
    final class Lease: Sendable {
        let session: Session
        private let gate: LeaseGate

        init(_ session: Session, gate: LeaseGate) {
            self.session = session
            self.gate = gate
        }

        func release() { gate.open() }
        deinit { gate.open() }
    }

    /// What the task holding a lent connection waits on.
    final class LeaseGate: Sendable {
        private let state = Mutex<(open: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.open { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        func open() {
            let waiter = state.withLock { state in
                defer {
                    state.open = true
                    state.waiter = nil
                }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// `body`, failing with a connection error when it outlives ``timeout``.
    ///
    /// The caller is answered at the deadline even if the work does not stop at once (a lease
    /// waiting on a pool that keeps retrying an unreachable server may take a while to notice its
    /// cancellation), so the work runs in a task of its own and is cancelled, not awaited.
    private func limited<T: Sendable>(
        timeout: Duration? = nil,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws(PostgresStoreError) -> T {
        let timeout = timeout ?? self.timeout
        let location = self.location
        let race = Race()
        let result: Result<T, PostgresStoreError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, PostgresStoreError>, Never>) in
                let timer = Task {
                    // Cancelled when the work answered first: then there is nothing to do.
                    do { try await Task.sleep(for: timeout) } catch { return }
                    guard race.claim() else { return }
                    race.cancelWork()
                    continuation.resume(
                        returning: .failure(
                            PostgresStoreError(.connection, "no answer from \(location) within \(timeout)")
                        )
                    )
                }
                let task = Task {
                    let outcome: Result<T, PostgresStoreError>
                    do {
                        outcome = .success(try await body())
                    } catch {
                        outcome = .failure(PostgresStoreError.wrapping(error))
                    }
                    if race.claim() {
                        timer.cancel()
                        continuation.resume(returning: outcome)
                    }
                }
                race.setWork(task)
            }
        } onCancel: {
            race.cancelWork()
        }
        return try result.get()
    }

    /// Who answers first, the work or the deadline; and the work, to cancel.
    private final class Race: Sendable {
        private let answered = Mutex(false)
        private let work = Mutex<Task<Void, Never>?>(nil)

        /// `true` for the first caller only.
        func claim() -> Bool {
            answered.withLock { done in
                defer { done = true }
                return !done
            }
        }

        func setWork(_ task: Task<Void, Never>) { work.withLock { $0 = task } }
        func cancelWork() { work.withLock { $0?.cancel() } }
    }

    /// One connection lent to an operation: statements with their arguments bound, never
    /// interpolated, and errors that name the statement.
    struct Session: Sendable {
        let connection: PostgresConnection
        let logger: Logger

        /// Runs `sql` with `arguments` and returns every row.
        @discardableResult
        func rows(_ sql: String, _ arguments: [Argument] = []) async throws(PostgresStoreError) -> [PostgresRow] {
            do {
                var collected: [PostgresRow] = []
                for try await row in try await connection.query(try query(sql, arguments), logger: logger) {
                    collected.append(row)
                }
                return collected
            } catch {
                throw PostgresStoreError.wrapping(error, statement: sql)
            }
        }

        /// Runs `sql` and hands each row to `body` as it arrives (the server's rows are pulled with
        /// back-pressure, so memory stays flat however many there are).
        func forEach(
            _ sql: String,
            _ arguments: [Argument] = [],
            _ body: (PostgresRow) throws -> Void
        ) async throws(PostgresStoreError) {
            do {
                for try await row in try await connection.query(try query(sql, arguments), logger: logger) {
                    try body(row)
                }
            } catch {
                throw PostgresStoreError.wrapping(error, statement: sql)
            }
        }

        private func query(_ sql: String, _ arguments: [Argument]) throws -> PostgresQuery {
            var binds = PostgresBindings(capacity: arguments.count)
            for argument in arguments {
                switch argument {
                case .integer(let value): binds.append(value)
                case .text(let value): binds.append(value)
                case .bytes(let value): binds.append(ByteBuffer(bytes: value))
                case .null: binds.appendNull()
                case .integers(let values): binds.append(values)
                case .byteArrays(let values): binds.append(values.map { ByteBuffer(bytes: $0) })
                case .texts(let values): binds.append(values)
                }
            }
            return PostgresQuery(unsafeSQL: sql, binds: binds)
        }
    }

    /// A statement argument.
    enum Argument: Sendable {
        case integer(Int64)
        case text(String)
        case bytes([UInt8])
        case null
        /// A `bigint[]`, for many rows in one statement (`unnest`).
        case integers([Int64])
        /// A `bytea[]`, for many rows in one statement (`unnest`).
        case byteArrays([[UInt8]])
        /// A `text[]`.
        case texts([String])
    }
}

extension PostgresRow {
    /// Column `index` decoded as `T`, or a corrupt-data error naming the column.
    func value<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws(PostgresStoreError) -> T {
        let cells = Array(self)
        guard cells.indices.contains(index) else {
            throw PostgresStoreError(.corrupt, "row has no column \(index)")
        }
        do {
            return try cells[index].decode(T.self)
        } catch {
            throw PostgresStoreError(.corrupt, "column \(cells[index].columnName) is not a \(T.self)")
        }
    }

    /// Column `index` as bytes (a `bytea`).
    func bytes(_ index: Int) throws(PostgresStoreError) -> [UInt8] { Array(try value(index, as: Data.self)) }
}
