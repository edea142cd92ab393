import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server tests and benchmarks use: `SOCIETY_POSTGRES_URL` when it is set, else a throwaway
/// cluster this process starts once — `initdb` into a temporary folder, `pg_ctl start` on a free
/// loopback port — and stops when the test process exits.
///
/// `initdb` refuses to run as root, so as root (CI) the cluster is made and run by the
/// unprivileged `postgres` user that Debian's postgresql package creates (through `runuser`).
/// When no server can be had, the error says exactly what is missing; the tests fail, they never
/// skip.
public enum PostgresTestCluster {
    /// Why no server could be had: what is missing, and how to provide it.
    public struct Missing: Error, CustomStringConvertible {
        /// The explanation.
        public var description: String
    }

    private static let started = Mutex<Result<String, Missing>?>(nil)
    nonisolated(unsafe) private static var cluster: (pgCtl: String, data: String, asUser: String?)?
    /// The primary's port and the folder the cluster lives in, for a replica made from it.
    nonisolated(unsafe) private static var primary: (bin: String, port: Int, folder: URL)?
    private static let replica = Mutex<Result<String, Missing>?>(nil)
    nonisolated(unsafe) private static var replicaData: String?
    /// The throwaway cluster's TLS certificate, or why there is none. Written once inside
    /// `started`'s lock, before ``url()`` returns, and only read after it.
    nonisolated(unsafe) private static var serverCertificate: Result<String, Missing>?

    /// The PEM file a client trusts to connect with `sslmode=verify-full`: the throwaway cluster's
    /// self-signed certificate (for `localhost` and `127.0.0.1`), or `SOCIETY_POSTGRES_ROOT_CERT`
    /// for a server named by `SOCIETY_POSTGRES_URL`.
    public static func rootCertificate() throws -> String {
        if let path = ProcessInfo.processInfo.environment["SOCIETY_POSTGRES_ROOT_CERT"], !path.isEmpty { return path }
        _ = try url()
        guard let serverCertificate else {
            throw Missing(
                description:
                    "SOCIETY_POSTGRES_URL names the server; set SOCIETY_POSTGRES_ROOT_CERT to its CA's PEM file"
            )
        }
        return try serverCertificate.get()
    }

    /// The server's URL (`postgresql://USER@HOST:PORT/DATABASE`), starting the cluster on first use.
    public static func url() throws -> String {
        try started.withLock { state in
            if state == nil { state = start() }
            return try state!.get()
        }
    }

    /// A second throwaway cluster of its own for tests that restart their server
    /// (``restart()``), so that the restart does not cut the connections of tests running at the
    /// same time on the shared one. With `SOCIETY_POSTGRES_URL` set there is none: such a test
    /// fails, saying why.
    public static func restartableURL() throws -> String {
        try restartableState.withLock { state in
            if state == nil {
                if let url = ProcessInfo.processInfo.environment["SOCIETY_POSTGRES_URL"], !url.isEmpty {
                    state = .failure(
                        Missing(description: "SOCIETY_POSTGRES_URL names the server: the tests cannot restart it")
                    )
                } else {
                    state = start(shared: false)
                }
            }
            return try state!.get()
        }
    }

    private static let restartableState = Mutex<Result<String, Missing>?>(nil)
    nonisolated(unsafe) private static var restartable: (pgCtl: String, data: String, asUser: String?)?

    private static func start(shared: Bool = true) -> Result<String, Missing> {
        if shared, let url = ProcessInfo.processInfo.environment["SOCIETY_POSTGRES_URL"], !url.isEmpty {
            return .success(url)
        }
        guard let bin = serverBinaries() else {
            return .failure(
                Missing(
                    description: """
                        PostgreSQL server programs (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin or \
                        on PATH: install them (Debian: apt-get install postgresql-15), or set SOCIETY_POSTGRES_URL \
                        to a server the tests may use
                        """
                )
            )
        }
        let asUser: String? = getuid() == 0 ? "postgres" : nil
        if let asUser, getpwnam(asUser) == nil {
            return .failure(
                Missing(
                    description: """
                        running as root, the throwaway cluster needs the unprivileged user "postgres" \
                        (created by Debian's postgresql package; or: useradd --system postgres)
                        """
                )
            )
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ds-pg-\(UUID().uuidString)")
        let data = folder.appendingPathComponent("data").path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            if let asUser {
                let result = run("/bin/chown", ["-R", asUser, folder.path], asUser: nil)
                guard result.status == 0 else { return .failure(Missing(description: "chown: \(result.output)")) }
            }
        } catch {
            return .failure(Missing(description: "cannot create \(folder.path): \(error)"))
        }
        let initdb = run(
            bin + "/initdb",
            ["-D", data, "-U", "society", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            asUser: asUser
        )
        guard initdb.status == 0 else { return .failure(Missing(description: "initdb failed: \(initdb.output)")) }
        // TLS, so the tests can connect with sslmode=verify-full: a self-signed P-256 certificate for
        // localhost and 127.0.0.1 made by the openssl tool (as the server's user: PostgreSQL wants
        // to own its key, mode 600). Without openssl the cluster runs in clear and says why.
        let certificate = folder.appendingPathComponent("server.crt").path
        let key = folder.appendingPathComponent("server.key").path
        let made = run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            asUser: asUser
        )
        var tlsOptions = ""
        if made.status == 0, run("/bin/chmod", ["600", key], asUser: asUser).status == 0 {
            tlsOptions = " -c ssl=on -c ssl_cert_file=\(certificate) -c ssl_key_file=\(key)"
            if shared { serverCertificate = .success(certificate) }
        } else if shared {
            serverCertificate = .failure(
                Missing(description: "no TLS certificate for the throwaway cluster (openssl: \(made.output))")
            )
        }
        for _ in 0..<5 {
            let port = freePort()
            let options =
                "-p \(port) -k \(folder.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
                + tlsOptions
            let start = run(
                bin + "/pg_ctl",
                [
                    "-D", data, "-o", options, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60",
                    "start",
                ],
                asUser: asUser
            )
            if start.status == 0 {
                if shared {
                    cluster = (bin + "/pg_ctl", data, asUser)
                    primary = (bin, port, folder)
                    atexit { PostgresTestCluster.stop() }
                } else {
                    restartable = (bin + "/pg_ctl", data, asUser)
                    atexit {
                        if let restartable = PostgresTestCluster.restartable {
                            PostgresTestCluster.run(
                                restartable.pgCtl,
                                ["-D", restartable.data, "-m", "immediate", "stop"],
                                asUser: restartable.asUser
                            )
                        }
                    }
                }
                return .success("postgresql://society@127.0.0.1:\(port)/postgres")
            }
        }
        let log = (try? String(contentsOfFile: folder.appendingPathComponent("server.log").path, encoding: .utf8)) ?? ""
        return .failure(Missing(description: "pg_ctl start failed: \(log.suffix(2_000))"))
    }

    /// A streaming replica of the test server (a hot standby, read-only), for tests of reads on
    /// replicas: `SOCIETY_POSTGRES_REPLICA_URL` with `SOCIETY_POSTGRES_URL`, else one made from the
    /// throwaway cluster with `pg_basebackup -R` and started on another free port. Its URL.
    public static func replicaURL() throws -> String {
        let primaryURL = try url()
        return try replica.withLock { state in
            if state == nil {
                if let given = ProcessInfo.processInfo.environment["SOCIETY_POSTGRES_REPLICA_URL"], !given.isEmpty {
                    state = .success(given)
                } else if let primary, let cluster {
                    state = startReplica(primary, asUser: cluster.asUser)
                } else {
                    state = .failure(
                        Missing(
                            description: """
                                SOCIETY_POSTGRES_URL names the server, so the tests cannot make a replica of it: \
                                set SOCIETY_POSTGRES_REPLICA_URL to a streaming replica of \(primaryURL)
                                """
                        )
                    )
                }
            }
            return try state!.get()
        }
    }

    private static func startReplica(
        _ primary: (bin: String, port: Int, folder: URL),
        asUser: String?
    ) -> Result<
        String, Missing
    > {
        let data = primary.folder.appendingPathComponent("replica").path
        let backup = run(
            primary.bin + "/pg_basebackup",
            [
                "-D", data, "-R", "-X", "stream", "-h", "127.0.0.1", "-p", "\(primary.port)", "-U", "society",
                "--no-sync",
            ],
            asUser: asUser
        )
        guard backup.status == 0 else {
            return .failure(Missing(description: "pg_basebackup failed: \(backup.output)"))
        }
        for _ in 0..<5 {
            let port = freePort()
            let options =
                "-p \(port) -k \(primary.folder.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
                + " -c hot_standby=on -c ssl=off"
            let start = run(
                primary.bin + "/pg_ctl",
                [
                    "-D", data, "-o", options, "-l", primary.folder.appendingPathComponent("replica.log").path, "-w",
                    "-t", "60", "start",
                ],
                asUser: asUser
            )
            if start.status == 0 {
                replicaData = data
                return .success("postgresql://society@127.0.0.1:\(port)/postgres")
            }
        }
        let log =
            (try? String(contentsOfFile: primary.folder.appendingPathComponent("replica.log").path, encoding: .utf8))
            ?? ""
        return .failure(Missing(description: "the replica did not start: \(log.suffix(2_000))"))
    }

    /// Stops the throwaway cluster (also done at process exit).
    public static func stop() {
        if let replicaData, let cluster {
            _ = run(cluster.pgCtl, ["-D", replicaData, "-m", "immediate", "stop"], asUser: cluster.asUser)
        }
        guard let cluster else { return }
        _ = run(cluster.pgCtl, ["-D", cluster.data, "-m", "immediate", "stop"], asUser: cluster.asUser)
    }

    /// Stops and starts the restartable cluster (``restartableURL()``), as a server restart would
    /// (for reconnection tests).
    public static func restart() throws {
        guard let cluster = restartable else {
            throw Missing(description: "the tests did not start a restartable server, so cannot restart it")
        }
        let result = run(cluster.pgCtl, ["-D", cluster.data, "-m", "fast", "-w", "restart"], asUser: cluster.asUser)
        guard result.status == 0 else { throw Missing(description: "pg_ctl restart failed: \(result.output)") }
    }

    private static func serverBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let initdb = "\(directory)/initdb"
            if FileManager.default.isExecutableFile(atPath: initdb),
                FileManager.default.isExecutableFile(atPath: "\(directory)/pg_ctl")
            {
                return String(directory)
            }
        }
        return nil
    }

    /// A loopback TCP port nobody listens on now.
    private static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { return Int.random(in: 20_000...60_000) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs `program` (as `asUser` through runuser when given), returning its status and output.
    ///
    /// `posix_spawn` and `waitpid`, not Foundation's `Process`: `pg_ctl start` leaves a daemon
    /// behind, and `Process.waitUntilExit` was seen waiting for ever on the already-exited child.
    /// The output goes to a temporary file, which no daemon can hold open past our read, and no
    /// other descriptor of this process is inherited.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], asUser: String?) -> (status: Int32, output: String) {
        let argv = asUser.map { ["/usr/sbin/runuser", "-u", $0, "--", program] + arguments } ?? [program] + arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("ds-pg-run-\(UUID().uuidString).log")
            .path
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The test process has many files open (other tests' stores); a server that inherits them
        // refuses to start ("insufficient file descriptors"). Only 0, 1 and 2 go to the child.
        // (glibc ignores a close action on a descriptor closed meanwhile, such as the one that
        // listed the folder.)
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap {
            Int32($0)
        }
        for descriptor in open where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { return (-1, "cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS by hand (the C macros are not imported).
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : -1, output)
    }
}
