public import SocietyServices

/// What the community and rural services refuse or fail with.
public enum CommunityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// Not found.
    case notFound(String)
    /// Already there.
    case duplicate(String)
    /// The actor may not do this (a grid worker outside their grid, a consent that does not cover
    /// the request); the attempt is audited.
    case forbidden(String)
    /// A move the record's state does not allow.
    case illegal(move: String, state: String)
    /// Refused by the rules, explained.
    case refused(ExplainedDecision)
    /// The one-card refused or failed.
    case oneCard(String)
    /// The exchange (sealing, opening, sending an envelope) failed.
    case exchange(String)
    /// The store or another port failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .duplicate(let what): "\(what) already exists"
        case .forbidden(let reason): "forbidden: \(reason)"
        case .illegal(let move, let state): "cannot \(move): it is \(state)"
        case .refused(let decision): "refused — \(decision.explanation)"
        case .oneCard(let reason): "one-card: \(reason)"
        case .exchange(let reason): "exchange: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as CommunityError: self = error
        default: self = .store(String(describing: error))
        }
    }
}
