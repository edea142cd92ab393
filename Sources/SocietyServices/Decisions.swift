// Decisions that explain themselves: the shared shape every domain's rule-decided service uses
// (employment benefits and subsidies, the provident fund's withdrawals, …), so a desk, a resident
// and an auditor read every decision the same way.

/// One rule evaluated for one decision: what it says, with the numbers it compared, and whether it
/// passed.
public struct RuleCheck: Hashable, Sendable, Codable {
    /// A stable id, e.g. `contributions-one-year`.
    public let rule: String
    /// The rule with the values compared, in words.
    public let statement: String
    /// Whether the applicant passed it.
    public let passed: Bool

    /// A rule's outcome.
    public init(rule: String, statement: String, passed: Bool) {
        self.rule = rule
        self.statement = statement
        self.passed = passed
    }
}

/// An explained decision: every rule, in order; eligible only when all passed.
public struct ExplainedDecision: Hashable, Sendable, Codable {
    /// Every rule evaluated.
    public let checks: [RuleCheck]
    /// The policy version applied.
    public let policyVersion: String

    /// A decision from its checks.
    public init(checks: [RuleCheck], policyVersion: String) {
        self.checks = checks
        self.policyVersion = policyVersion
    }

    /// Whether every rule passed.
    public var isEligible: Bool { checks.allSatisfy(\.passed) }

    /// "eligible: …" or "not eligible: …", naming each failed rule.
    public var explanation: String {
        let failed = checks.filter { !$0.passed }.map(\.statement)
        return failed.isEmpty
            ? "eligible: " + checks.map(\.statement).joined(separator: "; ")
            : "not eligible: " + failed.joined(separator: "; ")
    }
}
