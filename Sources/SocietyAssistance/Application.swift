import Foundation
public import SocietyCore
public import SocietyOneCard
public import SocietyServices

/// Where an assistance application is: its state on the shared life cycle of resident services
/// (``SocietyServices/ServiceApplication``), read together with the decision and the payments,
/// which are assistance's own.
///
/// ```
/// submitted → accepted (受理) → underReview (审核: the household economic verification)
///           → approved or rejected (办结, the decision being the result)
/// approved with a monthly allowance → paying (from the first payment on; paid monthly after)
/// not decided yet → withdrawn (撤回)
/// ```
///
/// `notAccepted` (不予受理) and `awaitingMaterials` (补正) are the shared life cycle's; the
/// service's own steps do not make those moves (it accepts at intake and fetches every fact by
/// envelope), but an application moved there by the desk reads as such.
public enum AssistanceState: String, Codable, Hashable, Sendable, CaseIterable {
    /// 申请: received.
    case submitted
    /// 受理: accepted as complete; the time limits run.
    case accepted
    /// 不予受理: not accepted, with reasons.
    case notAccepted
    /// 补正: waiting for the applicant's materials; the time limits pause.
    case awaitingMaterials
    /// 审核: the household's economic facts are being verified; the decision is next.
    case underReview
    /// 办结, approved: with a monthly allowance, the first payment is next.
    case approved
    /// 办结, refused with the decision's explanation.
    case rejected
    /// Approved and paid at least once: the household is enrolled and paid monthly.
    case paying
    /// 撤回: withdrawn by the applicant.
    case withdrawn
}

/// The step of ``AssistanceService`` that carries an application on from its state.
public enum AssistanceStep: String, Codable, Hashable, Sendable, CaseIterable {
    /// Accept a submitted application (intake).
    case accept
    /// Verify the household's economic situation by envelopes.
    case verify
    /// Decide on the verified facts: completes (办结) the application.
    case decide
    /// Pay the first month through the one-card.
    case pay
}

/// An assistance application: the household, the category applied for, the application on the
/// shared life cycle (``lifecycle``, with its history, deadlines and 办结), and what assistance
/// adds to it — the explained decision and the month payments started.
///
/// Every move goes through the shared life cycle, so an assistance application has the same
/// states, deadlines in working days and early warnings as every other resident service, and
/// ``AssistanceService`` keeps the application desk's record of it (`ApplicationRecord`) beside
/// it, so that the desk's counts include it.
public struct AssistanceApplication: Hashable, Sendable, Codable {
    /// The application id (also the id on the shared life cycle and the desk).
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
    /// The district (county-level division) the application belongs to, as the desk counts it.
    public let district: DivisionCode
    /// The application on the shared life cycle: its state, every move with who made it and when,
    /// and its time limits.
    public private(set) var lifecycle: ServiceApplication
    /// The decision, once made.
    public private(set) var decision: Decision?
    /// The month of the first payment, once paid.
    public private(set) var payingSince: PayPeriod?

    /// The review step the household economic verification is, as the life cycle records it.
    public static let verificationStep = "household economic verification"
    /// The result an approval completes the application with.
    public static let approvedResult = "approved"
    /// The result a refusal completes the application with.
    public static let rejectedResult = "rejected"

    /// Why a move is not allowed.
    public enum TransitionError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The shared life cycle refused the move.
        case move(ServiceApplication.MoveError)
        /// The move is not one the application's state allows (paying before approval).
        case illegal(from: AssistanceState, move: String)
        /// Deciding needs a decision; paying needs an approval with a monthly allowance.
        case decisionMismatch(String)

        public var description: String {
            switch self {
            case .move(let error): "\(error)"
            case .illegal(let from, let move): "an application that is \(from.rawValue) cannot \(move)"
            case .decisionMismatch(let reason): reason
            }
        }
    }

    /// A new application, submitted on `day` by `actor` for the service `serviceCode` with its
    /// time limits; `members` defaults to the applicant alone.
    public init(
        id: Identifier<AssistanceApplication>,
        household: Identifier<Household>,
        applicant: ResidentID,
        members: [ResidentID]? = nil,
        category: AssistanceCategory,
        district: DivisionCode,
        serviceCode: String,
        timeLimit: TimeLimit,
        submitted day: CalendarDate,
        by actor: String
    ) {
        self.id = id
        self.household = household
        self.applicant = applicant
        var declared = [applicant]
        for member in members ?? [] where !declared.contains(member) { declared.append(member) }
        self.members = declared
        self.category = category
        self.district = district
        self.lifecycle = ServiceApplication(
            id: id.rawValue,
            serviceCode: serviceCode,
            timeLimit: timeLimit,
            submitted: day,
            by: actor
        )
    }

    /// Where the application is.
    public var state: AssistanceState {
        switch lifecycle.state {
        case .submitted: .submitted
        case .accepted: .accepted
        case .notAccepted: .notAccepted
        case .awaitingMaterials: .awaitingMaterials
        case .underReview: .underReview
        case .withdrawn: .withdrawn
        case .completed: decision?.isEligible == true ? (payingSince == nil ? .approved : .paying) : .rejected
        }
    }

    /// 受理: intake accepts the application; its time limits start.
    public mutating func accept(on day: CalendarDate, by actor: String) throws(TransitionError) {
        try moving { app throws(ServiceApplication.MoveError) in try app.accept(on: day, by: actor) }
    }

    /// 审核: the household economic verification starts.
    public mutating func startReview(on day: CalendarDate, by actor: String) throws(TransitionError) {
        try moving { app throws(ServiceApplication.MoveError) in
            try app.review(step: Self.verificationStep, on: day, by: actor)
        }
    }

    /// 办结: the decision completes the application, approved or rejected as it says.
    public mutating func decide(_ decision: Decision, on day: CalendarDate, by actor: String) throws(TransitionError) {
        guard case .underReview = lifecycle.state else { throw .illegal(from: state, move: "decide") }
        let result = decision.isEligible ? Self.approvedResult : Self.rejectedResult
        try moving { app throws(ServiceApplication.MoveError) in try app.complete(result: result, on: day, by: actor) }
        self.decision = decision
    }

    /// The first payment was made for `period`: the household is enrolled.
    public mutating func startPaying(_ period: PayPeriod) throws(TransitionError) {
        guard state == .approved else { throw .illegal(from: state, move: "startPaying") }
        guard decision?.paysAllowance == true else {
            throw .decisionMismatch("an approval without a monthly allowance has nothing to pay")
        }
        payingSince = period
    }

    /// 撤回: the applicant withdraws an application not decided yet.
    public mutating func withdraw(reason: String, on day: CalendarDate, by actor: String) throws(TransitionError) {
        try moving { app throws(ServiceApplication.MoveError) in try app.withdraw(reason: reason, on: day, by: actor) }
    }

    private mutating func moving(
        _ move: (inout ServiceApplication) throws(ServiceApplication.MoveError) -> Void
    ) throws(TransitionError) {
        do throws(ServiceApplication.MoveError) {
            try move(&lifecycle)
        } catch {
            throw .move(error)
        }
    }

    /// The step that carries the application on, or `nil` when nothing more is for the service to
    /// do (decided and, with an allowance, paid; refused; withdrawn; or waiting for the applicant).
    public var nextStep: AssistanceStep? {
        switch state {
        case .submitted: .accept
        case .accepted: .verify
        case .underReview: .decide
        case .approved: decision?.paysAllowance == true ? .pay : nil
        case .notAccepted, .awaitingMaterials, .rejected, .paying, .withdrawn: nil
        }
    }
}

extension AssistanceApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "assistance_application"
    /// Version 2 added the declared ``members``; version 3 moved the application onto the shared
    /// life cycle (``lifecycle``) and added the ``district``.
    public static let schemaVersion = 3
    /// Earlier versions replayed onto the shared life cycle (see ``Legacy``).
    public static let upgrades: [RecordUpgrade<AssistanceApplication>] = [
        RecordUpgrade(from: 1, as: Legacy.Version1.self) { old in
            try Legacy.upgrade(
                id: old.id,
                household: old.household,
                applicant: old.applicant,
                members: [old.applicant],
                category: old.category,
                history: old.history,
                decision: old.decision
            )
        },
        RecordUpgrade(from: 2, as: Legacy.Version2.self) { old in
            try Legacy.upgrade(
                id: old.id,
                household: old.household,
                applicant: old.applicant,
                members: old.members,
                category: old.category,
                history: old.history,
                decision: old.decision
            )
        },
    ]
    /// The applicant, the members and the decision (it lists facts) are personal data.
    public static let sensitiveFields: Set<String> = ["applicant", "members", "decision"]
    /// Applications by state and by household.
    public static let indexes: [RecordIndex<AssistanceApplication>] = [
        RecordIndex("state") { .text($0.state.rawValue) },
        RecordIndex("household") { .text($0.household.rawValue) },
    ]
    /// The application id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}

/// Applications stored before schema version 3, when assistance had its own states, and how they
/// are replayed onto the shared life cycle.
///
/// The old moves become the life cycle's: `accept` is 受理, `startReview` the verification step,
/// `approve` and `reject` complete the application with the decision (办结), `startPaying` marks
/// the month of that move as the first paid, and `withdraw` is 撤回. The old periodic `review` and
/// the old closing move `complete` add nothing: the case was completed at its decision. Those
/// versions kept no actor (recorded as ``actor``) and no district, which is taken from where the
/// applicant's identity number was issued (for a foreign permanent-residence number, its
/// province).
enum Legacy {
    /// Who the replayed moves are recorded as made by.
    static let actor = "civil-affairs (before schema 3)"
    /// The service code and time limits the replayed applications are given: the reference
    /// catalogue's (an assumption; the old records kept none).
    static let serviceCode = AssistanceService.serviceCode

    /// A stored move of versions 1 and 2.
    struct Move: Decodable {
        let event: String
        let state: String
        let time: Date
    }

    /// The stored shape of schema version 1, before members were declared.
    struct Version1: Decodable {
        let id: Identifier<AssistanceApplication>
        let household: Identifier<Household>
        let applicant: ResidentID
        let category: AssistanceCategory
        let history: [Move]
        let decision: Decision?
    }

    /// The stored shape of schema version 2, with the assistance module's own states.
    struct Version2: Decodable {
        let id: Identifier<AssistanceApplication>
        let household: Identifier<Household>
        let applicant: ResidentID
        let members: [ResidentID]
        let category: AssistanceCategory
        let history: [Move]
        let decision: Decision?
    }

    /// Why an old record cannot be replayed.
    struct UpgradeError: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    static func upgrade(
        id: Identifier<AssistanceApplication>,
        household: Identifier<Household>,
        applicant: ResidentID,
        members: [ResidentID],
        category: AssistanceCategory,
        history: [Move],
        decision: Decision?
    ) throws -> AssistanceApplication {
        guard let first = history.first else { throw UpgradeError(reason: "application \(id) has no history") }
        var application = AssistanceApplication(
            id: id,
            household: household,
            applicant: applicant,
            members: members,
            category: category,
            district: try district(of: applicant),
            serviceCode: serviceCode,
            timeLimit: try TimeLimit(statutory: 30, promised: 20),
            submitted: CalendarDate(first.time),
            by: actor
        )
        for move in history.dropFirst() {
            let day = CalendarDate(move.time)
            switch move.event {
            case "accept": try application.accept(on: day, by: actor)
            case "startReview": try application.startReview(on: day, by: actor)
            case "approve", "reject":
                guard let decision else {
                    throw UpgradeError(reason: "application \(id) was decided without a decision")
                }
                try application.decide(decision, on: day, by: actor)
            case "startPaying": try application.startPaying(PayPeriod(containing: day))
            case "review", "complete": break
            case "withdraw": try application.withdraw(reason: "withdrawn by the applicant", on: day, by: actor)
            default: throw UpgradeError(reason: "application \(id) has an unknown move \(move.event)")
            }
        }
        return application
    }

    /// Where the applicant's number was issued: its address code, or for a foreign
    /// permanent-residence number (which starts with 9) the province its digits 2–3 name.
    static func district(of applicant: ResidentID) throws -> DivisionCode {
        if let division = applicant.addressDivision { return division }
        return try DivisionCode(String(applicant.unmasked.dropFirst().prefix(2)) + "0000")
    }
}

extension Decision {
    /// Whether the decision grants a monthly allowance to pay (minimum living or extreme poverty);
    /// a near-minimum-living household is approved without one.
    public var paysAllowance: Bool { isEligible && monthlyAmount > .zero }
}
