import Foundation

/// The threads that run the SQLite store's work, so that no SQLite call occupies a thread of
/// Swift's cooperative pool.
///
/// An async transaction runs its closure with this executor as its task executor preference
/// (SE-0417): the closure and every nonisolated async call it makes — each `get`, `put` or scan
/// step, which call SQLite synchronously — run on these threads, with no hop per call. A closure
/// that awaits an actor hops there and back as usual; while it waits, the thread serves others.
///
/// The threads are few and shared by every store in the process: SQLite serialises writers per
/// file anyway, and readers beyond the core count only contend for the CPU.
final class SQLiteExecutor: TaskExecutor, @unchecked Sendable {
    /// The process's executor: one thread per core, at least two and at most eight.
    static let shared = SQLiteExecutor(threads: min(8, max(2, ProcessInfo.processInfo.activeProcessorCount)))

    /// The queue of jobs, guarded by `condition`'s lock.
    ///
    /// `@unchecked Sendable` on the executor holds because `jobs` is only touched with
    /// `condition` locked, and the threads never end (the shared executor lives as long as the
    /// process).
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    private init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in run() }
            thread.name = "DigitalSociety.SQLite.\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Whether the calling thread is one of this executor's (for tests and assertions).
    static var isCurrentThread: Bool { Thread.current.name?.hasPrefix("DigitalSociety.SQLite.") ?? false }

    /// Runs `work` on one of these threads and returns its result, without holding a
    /// cooperative thread while it runs.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withTaskExecutorPreference(self) {
            try work()
        }
    }
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
