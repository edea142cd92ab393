/// How far a long operation has got: a bulk load, a scan, a discovery run, an audit
/// verification, a payout run.
///
/// Long operations take an optional ``ProgressHandler`` and call it as they go, from whatever
/// thread does the work; a command-line tool turns the reports into a progress bar on a terminal,
/// a server into a metric or a log line. Reports are cheap to make and never carry personal data.
public struct WorkProgress: Hashable, Sendable, CustomStringConvertible {
    /// What is being done, in a few words (`"bulk load resident"`, `"audit verification"`).
    public var task: String
    /// How many units are done.
    public var completed: Int
    /// How many units there are, when known.
    public var total: Int?

    /// A report of `completed` units out of `total`.
    public init(task: String, completed: Int, total: Int?) {
        self.task = task
        self.completed = completed
        self.total = total
    }

    /// The share done, from 0 to 1, when the total is known.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, max(0, Double(completed) / Double(total)))
    }

    public var description: String {
        if let total { return "\(task): \(completed)/\(total)" }
        return "\(task): \(completed)"
    }
}

/// Receives progress reports; called often, so it must return quickly.
public typealias ProgressHandler = @Sendable (WorkProgress) -> Void

/// Reports progress every `step` units and once at the end, so that a loop over millions of
/// records calls its handler a few hundred times, not millions.
public struct ProgressMeter: Sendable {
    private let handler: ProgressHandler?
    private let task: String
    private let total: Int?
    private let step: Int
    /// The units done so far.
    public private(set) var completed = 0

    /// A meter for `task` reporting to `handler` (nothing when `nil`).
    public init(_ task: String, total: Int?, every step: Int = 1_000, handler: ProgressHandler?) {
        self.handler = handler
        self.task = task
        self.total = total
        self.step = max(1, step)
    }

    /// Counts `units` more; reports when a step boundary is crossed.
    public mutating func advance(by units: Int = 1) {
        let before = completed / step
        completed += units
        if let handler, completed / step != before {
            handler(WorkProgress(task: task, completed: completed, total: total))
        }
    }

    /// Reports the final count.
    public func finish() {
        handler?(WorkProgress(task: task, completed: completed, total: total ?? completed))
    }
}
