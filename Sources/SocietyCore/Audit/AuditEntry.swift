public import Foundation

/// How an audited action ended.
public enum AuditOutcome: String, CaseIterable, Codable, Hashable, Sendable {
    /// The action was carried out.
    case success
    /// The action was refused (no permission, wrong purpose, replay).
    case denied
    /// The action was attempted and failed.
    case failed
}

/// One entry of the audit log: who did what to which subject, why, and how it ended.
///
/// The subject is a keyed hash (see ``AuditSubjectHasher``), never a clear identifier, so that the
/// log can be handed to an auditor without handing over the people in it. Each entry's
/// ``canonicalBytes`` is a leaf of the log's RFC 9162 Merkle tree.
public struct AuditEntry: Hashable, Sendable {
    /// When it happened, kept to the millisecond.
    public var time: Date
    /// The party that acted (`CREDITCODE/SUBSYSTEM`, or a user within it).
    public var actor: String
    /// What was done: `put`, `delete`, `read`, `exchange.open`, ….
    public var action: String
    /// The keyed hash of what it was done to.
    public var subject: [UInt8]
    /// Why: the code of the declared ``Purpose`` of the access, or empty when none was declared
    /// (a refused envelope's purpose is the sender's unverified word, so it is not recorded).
    /// Kept as text so that entries written by any version of the SDK still read.
    public var purpose: String
    /// How it ended.
    public var outcome: AuditOutcome
    /// The digest of the envelope that carried the request, or empty when there was none.
    public var envelopeDigest: [UInt8]

    /// Creates an entry; `time` is truncated to whole milliseconds, the precision stored.
    public init(
        time: Date,
        actor: String,
        action: String,
        subject: [UInt8],
        purpose: String,
        outcome: AuditOutcome,
        envelopeDigest: [UInt8] = []
    ) {
        self.time = Date(timeIntervalSince1970: Double(AuditEntry.milliseconds(time)) / 1000)
        self.actor = actor
        self.action = action
        self.subject = subject
        self.purpose = purpose
        self.outcome = outcome
        self.envelopeDigest = envelopeDigest
    }

    /// Creates an entry for an access made for `purpose` (`nil` when none was declared).
    public init(
        time: Date,
        actor: String,
        action: String,
        subject: [UInt8],
        purpose: Purpose?,
        outcome: AuditOutcome,
        envelopeDigest: [UInt8] = []
    ) {
        self.init(
            time: time,
            actor: actor,
            action: action,
            subject: subject,
            purpose: purpose?.code ?? "",
            outcome: outcome,
            envelopeDigest: envelopeDigest
        )
    }

    /// Why stored bytes are not an audit entry.
    public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The bytes end inside a field or carry trailing bytes.
        case malformed(String)

        public var description: String {
            switch self {
            case .malformed(let reason): "malformed audit entry: \(reason)"
            }
        }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard value.isFinite, value > -9.0e15, value < 9.0e15 else { return 0 }
        return Int64(value)
    }

    /// The one byte string that represents this entry, which its leaf hash covers:
    /// `0x01` (format version) ‖ milliseconds since 1970 as a big-endian 64-bit integer ‖ then
    /// actor, action, subject, purpose, outcome and envelope digest, each as a big-endian 32-bit
    /// length followed by its bytes (text as UTF-8). Length prefixes make the encoding unambiguous.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = [0x01]
        out.reserveCapacity(64 + actor.utf8.count + action.utf8.count + subject.count + purpose.utf8.count)
        let millis = UInt64(bitPattern: AuditEntry.milliseconds(time))
        for shift in stride(from: 56, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: millis >> UInt64(shift)))
        }
        func field<S: Collection>(_ bytes: S) where S.Element == UInt8 {
            let count = UInt32(truncatingIfNeeded: bytes.count)
            for shift in stride(from: 24, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: count >> UInt32(shift)))
            }
            out.append(contentsOf: bytes)
        }
        field(actor.utf8)
        field(action.utf8)
        field(subject)
        field(purpose.utf8)
        field(outcome.rawValue.utf8)
        field(envelopeDigest)
        return out
    }

    /// Reads an entry from its ``canonicalBytes``; throws ``DecodingError`` for anything else.
    public init(canonicalBytes bytes: [UInt8]) throws(DecodingError) {
        var position = 0
        func take(_ count: Int) throws(DecodingError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - position >= count else { throw .malformed("truncated") }
            defer { position += count }
            return bytes[position..<position + count]
        }
        func field() throws(DecodingError) -> ArraySlice<UInt8> {
            let length = try take(4).reduce(0) { ($0 << 8) | Int($1) }
            return try take(length)
        }
        func text() throws(DecodingError) -> String {
            guard let string = String(validating: try field(), as: UTF8.self) else { throw .malformed("invalid UTF-8") }
            return string
        }
        guard try take(1).first == 0x01 else { throw .malformed("unknown format version") }
        let millis = Int64(bitPattern: try take(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) })
        let actor = try text()
        let action = try text()
        let subject = Array(try field())
        let purpose = try text()
        guard let outcome = AuditOutcome(rawValue: try text()) else { throw .malformed("unknown outcome") }
        let digest = Array(try field())
        guard position == bytes.count else { throw .malformed("trailing bytes") }
        self.init(
            time: Date(timeIntervalSince1970: Double(millis) / 1000),
            actor: actor,
            action: action,
            subject: subject,
            purpose: purpose,
            outcome: outcome,
            envelopeDigest: digest
        )
    }
}

/// Turns what an entry is about into the keyed hash the log stores, so the log can prove that an
/// access to a given record happened without containing the record's identifier.
///
/// `HMAC(key, len(kind) ‖ kind ‖ len(id) ‖ id)`, lengths as big-endian 32-bit integers. Whoever
/// holds the key (the deployment, an auditor it trusts) can recompute the hash for an identifier
/// and find its entries; whoever only has the log cannot.
public struct AuditSubjectHasher: Sendable {
    private let key: [UInt8]
    private let digest: DigestAlgorithm
    private let crypto: any CryptoProvider

    /// A hasher keyed with `key` (the provider's ``KeyPurpose/auditSubject`` key).
    public init(key: SymmetricKey, digest: DigestAlgorithm, crypto: any CryptoProvider) {
        self.key = key.bytes
        self.digest = digest
        self.crypto = crypto
    }

    /// The subject hash of record `id` of `kind`.
    public func subject(kind: String, id: String) throws -> [UInt8] {
        var data: [UInt8] = []
        for part in [Array(kind.utf8), Array(id.utf8)] {
            let count = UInt32(truncatingIfNeeded: part.count)
            data += [
                UInt8(count >> 24), UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8),
                UInt8(truncatingIfNeeded: count),
            ]
            data += part
        }
        return try crypto.authenticationCode(digest, key: key, data: data)
    }
}
