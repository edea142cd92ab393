import Foundation
public import SocietyCore

/// Audit entries for tests of any audit log: the same `n` always gives the same entry, so logs in
/// different stores can be compared (and the SQLite tests' known-answer roots hold for them).
public enum AuditSamples {
    /// Entry `n`: one second apart from 2025-06-15, alternating an exchange and a read, every
    /// fifth one denied, every other one naming an envelope.
    public static func entry(_ n: Int) -> AuditEntry {
        AuditEntry(
            time: Date(timeIntervalSince1970: 1_750_000_000 + Double(n)),
            actor: "12321200MB0000000X/assistance",
            action: n % 2 == 0 ? "exchange.open" : "read",
            subject: Array(repeating: UInt8(n % 256), count: 32),
            purpose: Purpose(constant: "minimum-living-review"),
            outcome: n % 5 == 0 ? .denied : .success,
            envelopeDigest: n % 2 == 0 ? Array(repeating: 0xAB, count: 32) : []
        )
    }
}
