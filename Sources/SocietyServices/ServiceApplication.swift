public import SocietyCore

/// Time limits of a resident service, in working days on the official calendar.
///
/// The statutory limit (法定时限) is what the law allows; the promised limit (承诺时限) is what the
/// department commits to, never longer. Both run from acceptance (受理). The materials limit is
/// how long an applicant has to complete missing materials (补正) before the application lapses.
public struct TimeLimit: Hashable, Sendable, Codable {
    /// The statutory limit, in working days.
    public let statutory: Int
    /// The promised limit, in working days (at most ``statutory``).
    public let promised: Int
    /// Working days the applicant has to complete missing materials.
    public let materials: Int

    /// Why a time limit is not one.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A limit below one working day.
        case notPositive(String, Int)
        /// A promise longer than the law allows.
        case promiseBeyondStatute(promised: Int, statutory: Int)

        public var description: String {
            switch self {
            case .notPositive(let name, let value): "the \(name) limit must be at least 1 working day, not \(value)"
            case .promiseBeyondStatute(let promised, let statutory):
                "the promised limit (\(promised) working days) exceeds the statutory one (\(statutory))"
            }
        }
    }

    private enum CodingKeys: String, CodingKey { case statutory, promised, materials }

    /// Decodes a time limit through the same checks as ``init(statutory:promised:materials:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            statutory: try container.decode(Int.self, forKey: .statutory),
            promised: try container.decode(Int.self, forKey: .promised),
            materials: try container.decode(Int.self, forKey: .materials)
        )
    }

    /// A checked time limit.
    public init(statutory: Int, promised: Int, materials: Int = 5) throws(ValidationError) {
        guard statutory >= 1 else { throw .notPositive("statutory", statutory) }
        guard promised >= 1 else { throw .notPositive("promised", promised) }
        guard materials >= 1 else { throw .notPositive("materials", materials) }
        guard promised <= statutory else { throw .promiseBeyondStatute(promised: promised, statutory: statutory) }
        self.statutory = statutory
        self.promised = promised
        self.materials = materials
    }
}

/// Where an application is on the shared life cycle (申请, 受理, 不予受理, 补正, 审核, 办结, 撤回).
public enum ApplicationState: Hashable, Sendable, Codable {
    /// 申请: received, not yet checked.
    case submitted
    /// 受理: accepted as complete; the time limits run.
    case accepted
    /// 不予受理: not accepted, with the reasons given to the applicant. Final.
    case notAccepted(reasons: [String])
    /// 补正: the applicant must complete `missing` by `deadline`; the time limits pause.
    case awaitingMaterials(missing: [String], deadline: CalendarDate)
    /// 审核: a department step is under way.
    case underReview(step: String)
    /// 办结: done, with its result (an e-certificate type, a payment, a decision). Final.
    case completed(result: String)
    /// 撤回: withdrawn by the applicant. Final.
    case withdrawn(reason: String)

    /// The state's name as stored and printed.
    public var name: String {
        switch self {
        case .submitted: "submitted"
        case .accepted: "accepted"
        case .notAccepted: "notAccepted"
        case .awaitingMaterials: "awaitingMaterials"
        case .underReview: "underReview"
        case .completed: "completed"
        case .withdrawn: "withdrawn"
        }
    }

    /// Whether nothing more happens.
    public var isFinal: Bool {
        switch self {
        case .notAccepted, .completed, .withdrawn: true
        default: false
        }
    }
}

/// An application on the shared life cycle every domain's resident services run on.
///
/// ```
/// submitted → accepted (受理) → underReview (审核, one department step after another) → completed (办结)
///           ↘ notAccepted (不予受理, with reasons)
/// submitted / accepted / underReview → awaitingMaterials (补正: the clock pauses) → back where it was
/// any state not final → withdrawn
/// ```
///
/// Each move is a method that throws ``ServiceApplication/MoveError`` when it is not allowed from
/// the current state and changes nothing then; each allowed move appends a ``Move`` to ``history``.
/// The state carries its deadline: the promised and statutory dates once accepted, moved on by
/// the working days spent waiting for materials, and the materials' own deadline while waiting.
public struct ServiceApplication: Hashable, Sendable, Codable {
    /// One recorded move: what, by whom, on which day, and the state reached.
    public struct Move: Hashable, Sendable, Codable {
        /// The move's name (`accept`, `requestMaterials`, …).
        public let name: String
        /// Who made it (an official's or the applicant's reference, never a personal value).
        public let actor: String
        /// The working day it was made on.
        public let date: CalendarDate
        /// The state reached.
        public let state: ApplicationState
    }

    /// Why a move was refused; the application is unchanged.
    public enum MoveError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The move is not allowed from the current state.
        case illegal(move: String, from: String)
        /// A move dated before the application's last move.
        case backdated(move: String, date: CalendarDate, last: CalendarDate)
        /// A refusal, a request for materials or a withdrawal without its reasons.
        case missingReasons(move: String)
        /// A review step without its name, or a completion without its result.
        case missingDetail(move: String, detail: String)
        /// The calendar cannot count the deadline.
        case calendar(CalendarError)

        public var description: String {
            switch self {
            case .illegal(let move, let from): "an application that is \(from) cannot \(move)"
            case .backdated(let move, let date, let last): "\(move) on \(date) is before the last move (\(last))"
            case .missingReasons(let move): "\(move) needs its reasons"
            case .missingDetail(let move, let detail): "\(move) needs \(detail)"
            case .calendar(let error): "\(error)"
            }
        }
    }

    /// The application's id.
    public let id: String
    /// The catalogue code of the service applied for.
    public let serviceCode: String
    /// The service's time limits, fixed when the application is made.
    public let timeLimit: TimeLimit
    /// The day it was submitted.
    public let submitted: CalendarDate
    /// Where it is now.
    public private(set) var state: ApplicationState
    /// Every move, in order.
    public private(set) var history: [Move]
    /// The day it was accepted, once it was.
    public private(set) var acceptedOn: CalendarDate?
    /// Working days the time limits stood still while the applicant completed materials after
    /// acceptance.
    public private(set) var pausedWorkingDays: Int

    /// A new application, submitted on `date`.
    public init(id: String, serviceCode: String, timeLimit: TimeLimit, submitted date: CalendarDate, by actor: String) {
        self.id = id
        self.serviceCode = serviceCode
        self.timeLimit = timeLimit
        self.submitted = date
        state = .submitted
        history = [Move(name: "submit", actor: actor, date: date, state: .submitted)]
        pausedWorkingDays = 0
    }

    /// The promised deadline (承诺时限), once accepted: the promised working days after acceptance,
    /// plus the working days spent waiting for materials since.
    public func promisedDeadline(on calendar: some WorkingCalendar) throws(CalendarError) -> CalendarDate? {
        guard let acceptedOn else { return nil }
        return try calendar.date(addingWorkingDays: timeLimit.promised + pausedWorkingDays, to: acceptedOn)
    }

    /// The statutory deadline (法定时限), counted as ``promisedDeadline(on:)`` is.
    public func statutoryDeadline(on calendar: some WorkingCalendar) throws(CalendarError) -> CalendarDate? {
        guard let acceptedOn else { return nil }
        return try calendar.date(addingWorkingDays: timeLimit.statutory + pausedWorkingDays, to: acceptedOn)
    }

    /// Accepted and not yet completed: where review steps, completion and (besides intake)
    /// requests for materials may happen.
    private var isInProgress: Bool {
        switch state {
        case .accepted, .underReview: true
        default: false
        }
    }

    private var lastDate: CalendarDate { history.last?.date ?? submitted }

    private mutating func record(_ name: String, _ actor: String, _ date: CalendarDate, _ state: ApplicationState) {
        self.state = state
        history.append(Move(name: name, actor: actor, date: date, state: state))
    }

    private func check(_ move: String, on date: CalendarDate, allowed: Bool) throws(MoveError) {
        guard allowed else { throw .illegal(move: move, from: state.name) }
        guard date >= lastDate else { throw .backdated(move: move, date: date, last: lastDate) }
    }

    /// 受理: accepts a submitted application; the time limits start.
    public mutating func accept(on date: CalendarDate, by actor: String) throws(MoveError) {
        try check("accept", on: date, allowed: state == .submitted)
        acceptedOn = date
        record("accept", actor, date, .accepted)
    }

    /// 不予受理: refuses a submitted application, with the reasons the applicant is told.
    public mutating func refuse(reasons: [String], on date: CalendarDate, by actor: String) throws(MoveError) {
        try check("refuse", on: date, allowed: state == .submitted)
        guard !reasons.isEmpty, reasons.allSatisfy({ !$0.isEmpty }) else { throw .missingReasons(move: "refuse") }
        record("refuse", actor, date, .notAccepted(reasons: reasons))
    }

    /// 补正: asks for `missing` materials, due ``TimeLimit/materials`` working days after `date`.
    /// After acceptance the time limits pause until the materials arrive.
    public mutating func requestMaterials(
        _ missing: [String],
        on date: CalendarDate,
        by actor: String,
        calendar: some WorkingCalendar
    ) throws(MoveError) {
        try check("requestMaterials", on: date, allowed: state == .submitted || isInProgress)
        guard !missing.isEmpty, missing.allSatisfy({ !$0.isEmpty }) else {
            throw .missingReasons(move: "requestMaterials")
        }
        let deadline: CalendarDate
        do {
            deadline = try calendar.date(addingWorkingDays: timeLimit.materials, to: date)
        } catch {
            throw .calendar(error)
        }
        record("requestMaterials", actor, date, .awaitingMaterials(missing: missing, deadline: deadline))
    }

    /// The materials arrived: back to where the application was, the time limits moved on by the
    /// working days spent waiting (after acceptance only; before it no limit was running).
    public mutating func supplyMaterials(
        on date: CalendarDate,
        by actor: String,
        calendar: some WorkingCalendar
    )
        throws(MoveError)
    {
        // The request for materials is the last move; the one before it holds the state to return to.
        guard case .awaitingMaterials = state, history.count >= 2, let since = history.last?.date else {
            throw .illegal(move: "supplyMaterials", from: state.name)
        }
        try check("supplyMaterials", on: date, allowed: true)
        if acceptedOn != nil {
            do {
                pausedWorkingDays += try calendar.workingDays(after: since, through: date)
            } catch {
                throw .calendar(error)
            }
        }
        record("supplyMaterials", actor, date, history[history.count - 2].state)
    }

    /// 审核: a department step starts (after acceptance, or after the previous step).
    public mutating func review(step: String, on date: CalendarDate, by actor: String) throws(MoveError) {
        try check("review", on: date, allowed: isInProgress)
        guard !step.isEmpty else { throw .missingDetail(move: "review", detail: "the step's name") }
        record("review", actor, date, .underReview(step: step))
    }

    /// 办结: completes an accepted application with its result.
    public mutating func complete(result: String, on date: CalendarDate, by actor: String) throws(MoveError) {
        try check("complete", on: date, allowed: isInProgress)
        guard !result.isEmpty else { throw .missingDetail(move: "complete", detail: "its result") }
        record("complete", actor, date, .completed(result: result))
    }

    /// 撤回: the applicant withdraws an application that is not final.
    public mutating func withdraw(reason: String, on date: CalendarDate, by actor: String) throws(MoveError) {
        try check("withdraw", on: date, allowed: !state.isFinal)
        guard !reason.isEmpty else { throw .missingReasons(move: "withdraw") }
        record("withdraw", actor, date, .withdrawn(reason: reason))
    }

    /// How an open application stands against its deadline on `date`: nothing to say, due soon
    /// (within `warningDays` working days), or overdue — the early warning. While waiting for
    /// materials the materials' deadline is the one watched.
    ///
    /// Counted as working days run out since acceptance rather than from the deadline's date, so
    /// that only days up to `date` need a published calendar: in late December an application whose
    /// deadline lies in a year not yet published is still judged (a due-soon warning then carries
    /// no date).
    public func deadlineStatus(
        on date: CalendarDate,
        calendar: some WorkingCalendar,
        warningDays: Int = 2
    ) throws(CalendarError) -> DeadlineStatus {
        switch state {
        case .awaitingMaterials(_, let due):
            if date > due {
                return .overdue(
                    .materials,
                    deadline: due,
                    workingDays: try calendar.workingDays(after: due, through: date)
                )
            }
            let left = try calendar.workingDays(after: date, through: due)
            return left <= warningDays ? .dueSoon(.materials, deadline: due, workingDaysLeft: left) : .onTrack
        case .accepted, .underReview:
            guard let acceptedOn else { return .onTrack }
            let allowed = timeLimit.promised + pausedWorkingDays
            let left = allowed - (try calendar.workingDays(after: acceptedOn, through: date))
            if left < 0 {
                // The deadline has passed, so it lies in a year the calendar knows.
                let deadline = try calendar.date(addingWorkingDays: allowed, to: acceptedOn)
                return .overdue(.promised, deadline: deadline, workingDays: -left)
            }
            guard left <= warningDays else { return .onTrack }
            let deadline: CalendarDate?
            do {
                deadline = try calendar.date(addingWorkingDays: allowed, to: acceptedOn)
            } catch {
                deadline = nil
            }
            return .dueSoon(.promised, deadline: deadline, workingDaysLeft: left)
        default:
            return .onTrack
        }
    }

    /// Whether a completed application was completed within its promised limit (`nil` while it is
    /// not completed). Only days up to the completion need a published calendar.
    public func completedOnTime(calendar: some WorkingCalendar) throws(CalendarError) -> Bool? {
        guard case .completed = state, let acceptedOn, let completed = history.last?.date else { return nil }
        return try calendar.workingDays(after: acceptedOn, through: completed) <= timeLimit.promised + pausedWorkingDays
    }
}

/// An open application against its deadline.
public enum DeadlineStatus: Hashable, Sendable {
    /// Which deadline is watched.
    public enum Kind: String, Hashable, Sendable {
        /// The promised time limit (承诺时限) of an accepted application.
        case promised
        /// The applicant's deadline for completing materials (补正).
        case materials
    }

    /// No deadline near, or none running.
    case onTrack
    /// The deadline is within the warning window; its date is `nil` when it lies in a year the
    /// calendar has not published yet.
    case dueSoon(Kind, deadline: CalendarDate?, workingDaysLeft: Int)
    /// The deadline has passed by `workingDays` working days.
    case overdue(Kind, deadline: CalendarDate, workingDays: Int)
}
