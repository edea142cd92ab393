public import Foundation
public import SocietyCore
import Synchronization

/// The answers a gateway gave, kept until their requests expire, so that a request sent again
/// byte for byte (its answer was lost on the way back) gets the same answer instead of a second
/// execution or a replay refusal.
///
/// Kept in the department's ``SocietyCore/RecordStore`` — the deployment's store, so several
/// gateway processes on one PostgreSQL store share it — under the digest of the request's exact
/// bytes, with the answer sealed at rest like any sensitive field. Reading an answer back is a
/// read with the purpose ``ResponseCache/purpose`` and is audited as every read of sealed data is.
public final class ResponseCache: Sendable {
    /// The purpose of reading a kept answer.
    public static let purpose = Purpose(constant: "exchange.retry")

    private let store: any RecordStore
    private let crypto: any CryptoProvider
    private let clock: any WallClock
    private let lastPurge = Mutex<Date?>(nil)

    /// A cache in `store`.
    public init(store: any RecordStore, crypto: any CryptoProvider, clock: any WallClock) {
        self.store = store
        self.crypto = crypto
        self.clock = clock
    }

    /// The key of a request: `sha256:` and the hex SHA-256 of its bytes as received.
    public func key(of request: [UInt8]) throws -> String {
        let digest = try crypto.digest(.sha256, of: request)
        return "sha256:" + Hex.encode(digest)
    }

    /// The answer kept for `key`, if any and its request has not expired.
    public func answer(for key: String) async throws -> String? {
        let now = Int64(clock.now().timeIntervalSince1970)
        let kept = try await store.read(purpose: ResponseCache.purpose) { db in
            try await db.get(KeptAnswer.self, key: RecordKey(key))
        }
        guard let kept, kept.expires >= now else { return nil }
        return kept.response
    }

    /// Keeps `response` for `key` until `expires`; at most once a minute (per process) also forgets
    /// up to 1,000 answers whose requests have expired, so the table holds about the requests still
    /// valid and the forgetting costs one audited query a minute, not one per request.
    public func keep(_ response: String, for key: String, until expires: Date) async throws {
        let now = clock.now()
        let answer = KeptAnswer(request: key, response: response, expires: Int64(expires.timeIntervalSince1970))
        let purge = lastPurge.withLock { last -> Bool in
            guard last.map({ now.timeIntervalSince($0) >= 60 }) ?? true else { return false }
            last = now
            return true
        }
        try await store.write(purpose: purge ? ResponseCache.retention : nil) { db in
            try await db.put(answer)
            guard purge else { return }
            let stale = try await db.fetch(
                RecordQuery<KeptAnswer>.filter("expires", from: nil, to: .integer(Int64(now.timeIntervalSince1970)))
                    .limited(to: 1_000)
            )
            for old in stale { try await db.delete(KeptAnswer.self, key: old.recordKey) }
        }
    }

    /// The purpose of finding expired answers to forget.
    public static let retention = Purpose(constant: "exchange.retention")

    /// How many answers are kept (expired or not).
    public func count() async throws -> Int {
        try await store.read(purpose: nil) { db in try await db.count(RecordQuery<KeptAnswer>.all) }
    }
}

/// One kept answer: the request's digest, the sealed answer, and when the request expires.
struct KeptAnswer: StorableRecord {
    static let recordKind = "exchange_answer"
    static let sensitiveFields: Set<String> = ["response"]
    static let indexes: [RecordIndex<KeptAnswer>] = [RecordIndex("expires") { .integer($0.expires) }]

    var request: String
    var response: String
    var expires: Int64

    var recordKey: RecordKey { RecordKey(request) }
}
