import Dispatch
import Foundation

/// Work started on another thread whose result one thread waits for: the second stage of the
/// store's bulk put (encoding and sealing the next chunk while the writer inserts this one) and of
/// its scans (decoding and opening the next chunk while the caller consumes this one).
///
/// `@unchecked Sendable`: `result` is written once, by the worker, while `condition` is locked,
/// and read by the waiter only after it saw it set under the same lock, so every access is ordered
/// by the lock (an `NSCondition`, a pthread mutex and condition variable, which ThreadSanitizer
/// sees).
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Value, any Error>?

    /// Starts `work` on a global queue.
    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let outcome = Result { try work() }
            condition.lock()
            result = outcome
            condition.signal()
            condition.unlock()
        }
    }

    /// Blocks until the work finished; its value, or the error it threw.
    func wait() throws -> Value {
        condition.lock()
        while true {
            if let outcome = result {
                condition.unlock()
                return try outcome.get()
            }
            condition.wait()
        }
    }

    /// Blocks until the work finished, ignoring its outcome (on an early exit or an error, so
    /// that no work outlives the transaction that started it).
    func finish() { _ = try? wait() }
}
