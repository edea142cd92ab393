import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads that run the SQLite store's async work, so that no SQLite call occupies a thread of
/// Swift's cooperative pool.
///
/// An async transaction leases its connection without holding any thread, then sends each unit of
/// SQLite work here and suspends until it is done: `BEGIN`, each `get`/`put`, a batch of scan steps,
/// `COMMIT`. A scan hands records to its caller in batches, so a city-scale scan costs one hop per
/// batch, not per record.
///
/// The threads are few and shared by every store in the process: SQLite serialises writers per
/// file anyway, and readers beyond the core count only contend for the CPU. No job waits for
/// another job here (connections are leased before work is sent), so a small pool cannot deadlock.
///
/// `@unchecked Sendable` because `jobs` and `head` are only touched with `condition` locked, and
/// the threads never end (the shared executor lives as long as the process).
final class SQLiteExecutor: TaskExecutor, @unchecked Sendable {
    /// The process's executor: one thread per core, at least two and at most eight.
    static let shared = SQLiteExecutor(threads: min(8, max(2, ProcessInfo.processInfo.activeProcessorCount)))

    /// The prefix of the threads' names.
    static let threadName = "DS.SQLite"

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0

    private init(threads: Int) {
        for index in 0..<threads {
            let name = "\(SQLiteExecutor.threadName).\(index)"
            let thread = Thread { [self] in
                // Named through pthreads from inside the thread, so that the system (`top -H`,
                // debuggers, /proc) sees the name too: Foundation on Linux passes a name on only
                // when the thread object already knows its pthread, which races with the thread's
                // start, and a new thread otherwise keeps its creator's name (often a
                // cooperative-pool thread's). Linux keeps 15 bytes.
                SQLiteExecutor.nameCurrentThread(name)
                Thread.current.threadDictionary[SQLiteExecutor.marker] = true
                run()
            }
            thread.name = name
            thread.start()
        }
    }

    private static func nameCurrentThread(_ name: String) {
        #if canImport(Glibc)
        // Glibc's `pthread_setname_np` is not visible to Swift; the kernel's own file does the same.
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        #elseif canImport(Darwin)
        _ = pthread_setname_np(name)
        #endif
    }

    /// How many times an idle thread looks for work before it sleeps.
    static let spins = 200

    /// The key of the flag each of these threads carries.
    private static let marker = "DigitalSociety.SQLiteExecutor"

    /// Whether the calling thread is one of these.
    static var isCurrent: Bool { Thread.current.threadDictionary[marker] != nil }

    /// Runs a task's job here: a transaction sets this executor as its task executor
    /// preference, so its closure and handle operations run on these threads with no hop.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        submit { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            if head == jobs.count {
                // A transaction sends its next job a few microseconds after the last one ends:
                // look again briefly before sleeping, since a wake-up costs tens of microseconds.
                condition.unlock()
                var spins = 0
                while spins < SQLiteExecutor.spins, condition.withLock({ head == jobs.count }) {
                    spins += 1
                    sched_yield()
                }
                condition.lock()
            }
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }

    /// Runs `work` on one of these threads and returns its result; the calling task suspends
    /// meanwhile, holding no thread.
    func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        // Already here (the usual case inside a transaction, whose task prefers this executor).
        if SQLiteExecutor.isCurrent { return try work() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A connection handed to the executor's threads for one leased unit of work.
///
/// `@unchecked Sendable` because the connection is leased (``ConnectionSlot/lease(_:)``) for as
/// long as the work runs: no other thread or task can reach it meanwhile.
struct LeasedConnection: @unchecked Sendable {
    let connection: Connection
}

/// A counting gate that both threads and tasks can wait at: threads block, tasks suspend. It
/// hands each freed place to the longest waiter, so neither kind starves the other.
///
/// `@unchecked Sendable` because `available` and `waiters` are only touched with `lock` held.
final class ConnectionGate: @unchecked Sendable {
    private enum Waiter {
        case thread(DispatchSemaphore)
        case task(CheckedContinuation<Void, Never>)
    }

    private let lock = NSLock()
    private var available: Int
    private var waiters: [Waiter] = []

    init(_ places: Int) { available = places }

    /// Takes a place, blocking the calling thread until one is free.
    func acquireBlocking() {
        let semaphore = DispatchSemaphore(value: 0)
        let granted = lock.withLock {
            if takeIfFree() { return true }
            waiters.append(.thread(semaphore))
            return false
        }
        if !granted { semaphore.wait() }
    }

    /// Takes a place, suspending the calling task (not its thread) until one is free.
    func acquire() async {
        if lock.withLock({ takeIfFree() }) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = lock.withLock {
                if takeIfFree() { return true }
                waiters.append(.task(continuation))
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Takes a place if one is free and nobody waits for it; called with `lock` held.
    private func takeIfFree() -> Bool {
        guard available > 0, waiters.isEmpty else { return false }
        available -= 1
        return true
    }

    /// Frees a place: the longest waiter gets it, else it becomes available.
    func release() {
        let next: Waiter? = lock.withLock {
            guard !waiters.isEmpty else {
                available += 1
                return nil
            }
            return waiters.removeFirst()
        }
        switch next {
        case .thread(let semaphore): semaphore.signal()
        case .task(let continuation): continuation.resume()
        case nil: break
        }
    }
}
