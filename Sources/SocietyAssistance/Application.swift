public import Foundation
public import SocietyCore

/// Where an application is in unified intake (一门受理).
///
/// ```
/// submitted → accepted → underReview → approved → paying → reviewed (periodic, back to paying)
///                                    ↘ rejected
/// submitted / accepted / underReview → withdrawn
/// ```
public enum ApplicationState: String, Codable, Hashable, Sendable, CaseIterable {
    /// 申请: received.
    case submitted
    /// 受理: accepted as complete.
    case accepted
    /// 审核: economic verification and decision under way.
    case underReview
    /// Approved; payments about to start.
    case approved
    /// Refused, with the decision's explanation.
    case rejected
    /// Payments running.
    case paying
    /// Periodically reviewed (and confirmed).
    case reviewed
    /// Withdrawn by the applicant.
    case withdrawn
}

/// A move in an application's life.
public enum ApplicationEvent: String, Codable, Hashable, Sendable {
    /// Intake accepts the application.
    case accept
    /// Verification starts.
    case startReview
    /// The decision is positive.
    case approve
    /// The decision is negative.
    case reject
    /// The first payment is made.
    case startPaying
    /// A periodic review confirms eligibility.
    case review
    /// The applicant withdraws.
    case withdraw
}

/// An assistance application and its history.
public struct AssistanceApplication: Hashable, Sendable, Codable {
    /// The application id.
    public let id: Identifier<AssistanceApplication>
    /// The household applying.
    public let household: Identifier<Household>
    /// The applicant (usually the head), who also authorises the verification.
    public let applicant: ResidentID
    /// The category applied for.
    public let category: AssistanceCategory
    /// Where it is now.
    public private(set) var state: ApplicationState
    /// Every move with its time.
    public private(set) var history: [Move]
    /// The decision, once made.
    public private(set) var decision: Decision?

    /// One recorded move.
    public struct Move: Hashable, Sendable, Codable {
        /// The event.
        public let event: String
        /// The state reached.
        public let state: ApplicationState
        /// When.
        public let time: Date
    }

    /// Why a move is not allowed.
    public enum TransitionError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The event is illegal in the current state.
        case illegal(from: ApplicationState, event: ApplicationEvent)
        /// Approving or rejecting needs a decision that says so.
        case decisionMismatch(String)

        public var description: String {
            switch self {
            case .illegal(let from, let event): "an application that is \(from.rawValue) cannot \(event.rawValue)"
            case .decisionMismatch(let reason): reason
            }
        }
    }

    /// A new application, submitted at `time`.
    public init(
        id: Identifier<AssistanceApplication>,
        household: Identifier<Household>,
        applicant: ResidentID,
        category: AssistanceCategory,
        time: Date
    ) {
        self.id = id
        self.household = household
        self.applicant = applicant
        self.category = category
        self.state = .submitted
        self.history = [Move(event: "submit", state: .submitted, time: time)]
    }

    /// Applies an event, or throws and changes nothing.
    public mutating func apply(
        _ event: ApplicationEvent,
        at time: Date,
        decision: Decision? = nil
    ) throws(TransitionError) {
        let next: ApplicationState
        switch (state, event) {
        case (.submitted, .accept): next = .accepted
        case (.accepted, .startReview): next = .underReview
        case (.underReview, .approve):
            guard let decision, decision.isEligible else {
                throw .decisionMismatch("approval needs an eligible decision")
            }
            self.decision = decision
            next = .approved
        case (.underReview, .reject):
            guard let decision, !decision.isEligible else {
                throw .decisionMismatch("rejection needs an ineligible decision")
            }
            self.decision = decision
            next = .rejected
        case (.approved, .startPaying): next = .paying
        case (.paying, .review), (.reviewed, .review): next = .reviewed
        case (.submitted, .withdraw), (.accepted, .withdraw), (.underReview, .withdraw): next = .withdrawn
        default: throw .illegal(from: state, event: event)
        }
        state = next
        history.append(Move(event: event.rawValue, state: next, time: time))
    }
}

extension AssistanceApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "assistance_application"
    /// The applicant and the decision (it lists facts) are personal data.
    public static let sensitiveFields: Set<String> = ["applicant", "decision"]
    /// Applications by state.
    public static let indexes: [RecordIndex<AssistanceApplication>] = [
        RecordIndex("state") { .text($0.state.rawValue) },
        RecordIndex("household") { .text($0.household.rawValue) },
    ]
    /// The application id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}
