public import Foundation
public import SocietyCore

/// Where an application is in unified intake (一门受理).
///
/// ```
/// submitted → accepted → underReview → approved → paying → reviewed (periodic, back to paying)
///                                    ↘ rejected
/// approved (no allowance) / rejected / paying / reviewed → completed
/// submitted / accepted / underReview → withdrawn
/// ```
///
/// The states follow the phases every domain's applications go through — intake, review,
/// decision, fulfilment, closure — which ``phase`` names, so that they can move onto a shared
/// application life cycle without changing what is stored.
public enum ApplicationState: String, Codable, Hashable, Sendable, CaseIterable {
    /// 申请: received.
    case submitted
    /// 受理: accepted as complete.
    case accepted
    /// 审核: the household's economic facts are verified and kept; the decision is next.
    case underReview
    /// Approved; payments about to start.
    case approved
    /// Refused, with the decision's explanation.
    case rejected
    /// Payments running.
    case paying
    /// Periodically reviewed (and confirmed).
    case reviewed
    /// 办结: the case is closed. An approved household stays enrolled and is paid monthly.
    case completed
    /// Withdrawn by the applicant.
    case withdrawn

    /// The generic phase of an application's life this state belongs to.
    public var phase: ApplicationPhase {
        switch self {
        case .submitted, .accepted: .intake
        case .underReview: .review
        case .approved, .rejected: .decided
        case .paying, .reviewed: .fulfilment
        case .completed, .withdrawn: .closed
        }
    }

    /// Whether nothing more happens to the application (``completed`` or ``withdrawn``).
    public var isFinal: Bool { phase == .closed }
}

/// The phases every domain's applications go through, whatever their own states: the shape a
/// shared application life cycle takes.
public enum ApplicationPhase: String, Codable, Hashable, Sendable, CaseIterable {
    /// Received and checked for completeness.
    case intake
    /// Facts gathered and checked.
    case review
    /// Approved or refused, with the decision's explanation.
    case decided
    /// The benefit is being delivered (payments).
    case fulfilment
    /// Closed: completed or withdrawn.
    case closed
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
    /// The case is closed (办结).
    case complete
    /// The applicant withdraws.
    case withdraw
}

/// The step of ``AssistanceService`` that carries an application on from its state.
public enum AssistanceStep: String, Codable, Hashable, Sendable, CaseIterable {
    /// Accept a submitted application (intake).
    case accept
    /// Verify the household's economic situation by envelopes.
    case verify
    /// Decide on the verified facts.
    case decide
    /// Pay the first month through the one-card.
    case pay
    /// Close the case.
    case complete
}

/// An assistance application and its history.
public struct AssistanceApplication: Hashable, Sendable, Codable {
    /// The application id.
    public let id: Identifier<AssistanceApplication>
    /// The household applying.
    public let household: Identifier<Household>
    /// The applicant (usually the head), who also authorises the verification.
    public let applicant: ResidentID
    /// The household's members as declared on the application (applicant first), whose facts the
    /// verification asks for.
    public let members: [ResidentID]
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

    /// A new application, submitted at `time`; `members` defaults to the applicant alone.
    public init(
        id: Identifier<AssistanceApplication>,
        household: Identifier<Household>,
        applicant: ResidentID,
        members: [ResidentID]? = nil,
        category: AssistanceCategory,
        time: Date
    ) {
        self.id = id
        self.household = household
        self.applicant = applicant
        var declared = [applicant]
        for member in members ?? [] where !declared.contains(member) { declared.append(member) }
        self.members = declared
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
        case (.approved, .complete):
            guard !(self.decision?.paysAllowance ?? false) else {
                throw .decisionMismatch("an application with a monthly allowance completes after its first payment")
            }
            next = .completed
        case (.rejected, .complete), (.paying, .complete), (.reviewed, .complete): next = .completed
        case (.submitted, .withdraw), (.accepted, .withdraw), (.underReview, .withdraw): next = .withdrawn
        default: throw .illegal(from: state, event: event)
        }
        state = next
        history.append(Move(event: event.rawValue, state: next, time: time))
    }

    /// The step that carries the application on, or `nil` once it is closed.
    public var nextStep: AssistanceStep? {
        switch state {
        case .submitted: .accept
        case .accepted: .verify
        case .underReview: .decide
        case .approved: decision?.paysAllowance == true ? .pay : .complete
        case .rejected, .paying, .reviewed: .complete
        case .completed, .withdrawn: nil
        }
    }
}

extension AssistanceApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "assistance_application"
    /// Version 2 added the declared ``members``.
    public static let schemaVersion = 2
    /// Version 1 had no members: the applicant stands alone.
    public static let upgrades: [RecordUpgrade<AssistanceApplication>] = [
        RecordUpgrade(from: 1, as: Version1.self) { old in
            AssistanceApplication(
                id: old.id,
                household: old.household,
                applicant: old.applicant,
                members: [old.applicant],
                category: old.category,
                state: old.state,
                history: old.history,
                decision: old.decision
            )
        }
    ]
    /// The applicant, the members and the decision (it lists facts) are personal data.
    public static let sensitiveFields: Set<String> = ["applicant", "members", "decision"]
    /// Applications by state.
    public static let indexes: [RecordIndex<AssistanceApplication>] = [
        RecordIndex("state") { .text($0.state.rawValue) },
        RecordIndex("household") { .text($0.household.rawValue) },
    ]
    /// The application id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}

extension AssistanceApplication {
    /// The stored shape of schema version 1, before members were declared.
    struct Version1: Decodable {
        let id: Identifier<AssistanceApplication>
        let household: Identifier<Household>
        let applicant: ResidentID
        let category: AssistanceCategory
        let state: ApplicationState
        let history: [Move]
        let decision: Decision?
    }

    private init(
        id: Identifier<AssistanceApplication>,
        household: Identifier<Household>,
        applicant: ResidentID,
        members: [ResidentID],
        category: AssistanceCategory,
        state: ApplicationState,
        history: [Move],
        decision: Decision?
    ) {
        self.id = id
        self.household = household
        self.applicant = applicant
        self.members = members
        self.category = category
        self.state = state
        self.history = history
        self.decision = decision
    }
}

extension Decision {
    /// Whether the decision grants a monthly allowance to pay (minimum living or extreme poverty);
    /// a near-minimum-living household is approved without one.
    public var paysAllowance: Bool { isEligible && monthlyAmount > .zero }
}
