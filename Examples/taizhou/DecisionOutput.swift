import SocietyJSON
import SocietyServices

/// How the tool prints a decision the rules made: one line a rule, ✓ or ✗, with its statement —
/// the same for benefits, subsidies, withdrawals and rental applications.
extension ExplainedDecision {
    /// The rules, one indented line each.
    var lines: [String] { checks.map { "  \($0.passed ? "✓" : "✗") \($0.rule): \($0.statement)" } }

    /// The rules as JSON.
    var json: JSONValue {
        .array(
            checks.map { ["rule": .string($0.rule), "passed": .bool($0.passed), "statement": .string($0.statement)] }
        )
    }
}
