public import Foundation
import Logging
public import SocietyCore
public import SocietyJSON

/// What the draw service refuses or fails with.
public enum DrawError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// No draw with this id.
    case notFound(String)
    /// The draw was already committed or already run (its id).
    case duplicate(String)
    /// The draw cannot run: the function's refusal.
    case draw(PublicDraw.Failure)
    /// A result does not verify (why).
    case unverified(String)
    /// The store or another port failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let id): "no draw \(id)"
        case .duplicate(let what): "\(what)"
        case .draw(let failure): "\(failure)"
        case .unverified(let reason): "does not verify: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as DrawError: self = error
        case let error as PublicDraw.Failure: self = .draw(error)
        default: self = .store(String(describing: error))
        }
    }
}

/// A published draw: what was committed, and — once drawn — the revealed seed, the order and the
/// signature over all of it.
public struct DrawResult: Hashable, Sendable, Codable {
    /// The draw's id.
    public let id: String
    /// What it decides (e.g. `enrolment:321202-实验小学-2027`).
    public let purpose: String
    /// SHA-256 of the seed, hex, published before the draw.
    public let commitment: String
    /// When it was committed.
    public let committedAt: Date
    /// The seed, hex — `nil` until the draw, then revealed.
    public internal(set) var seed: String?
    /// The candidates, sorted as the draw takes them (pseudonymous ids: the result is public).
    public internal(set) var candidates: [String]
    /// The order drawn.
    public internal(set) var order: [String]
    /// How many places: the first `places` of the order win.
    public internal(set) var places: Int
    /// When it was drawn.
    public internal(set) var drawnAt: Date?
    /// The signing key's id.
    public internal(set) var kid: String
    /// The signature (base64url) over ``signedText``.
    public internal(set) var signature: String?

    /// The winners.
    public var winners: [String] { Array(order.prefix(places)) }

    /// Whether it has been drawn.
    public var isDrawn: Bool { seed != nil }

    /// The canonical JSON (RFC 8785) of everything but the signature: what is signed.
    public var signedText: String {
        var object: JSONObject = [
            "id": .string(id), "purpose": .string(purpose), "commitment": .string(commitment),
            "committedAt": .string(Self.stamp(committedAt)), "candidates": .array(candidates.map(JSONValue.string)),
            "order": .array(order.map(JSONValue.string)), "places": .number(Double(places)), "kid": .string(kid),
        ]
        object["seed"] = seed.map(JSONValue.string) ?? .null
        object["drawnAt"] = drawnAt.map { .string(Self.stamp($0)) } ?? .null
        return (try? JSONValue.object(object).canonicalString()) ?? ""
    }

    /// The whole result as JSON, signature included: what is published.
    public var json: JSONValue {
        var object = (try? JSONValue(parsing: signedText).objectValue) ?? JSONObject()
        object["signature"] = signature.map(JSONValue.string) ?? .null
        return .object(object)
    }

    static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        return formatter.string(from: date)
    }

    /// Checks a published result by itself: the seed matches the commitment, the order is the
    /// draw of the seed and the candidates, and the signature verifies with `key`.
    public func verify(with key: any VerifyingKey, crypto: any CryptoProvider) throws(DrawError) {
        guard let seed, let signature else { throw .unverified("not drawn yet") }
        guard let bytes = Hex.decode(seed) else { throw .unverified("the seed is not hex") }
        guard (try? PublicDraw.commitment(of: bytes, crypto: crypto)) == commitment else {
            throw .unverified("the seed does not match the commitment")
        }
        let again: [String]
        do {
            again = try PublicDraw.order(seed: bytes, candidates: candidates, crypto: crypto)
        } catch {
            throw .unverified("\(error)")
        }
        guard again == order else { throw .unverified("re-running the draw gives another order") }
        guard let raw = Base64URL.decode(signature),
            key.isValidSignature(raw, for: Array(signedText.utf8))
        else { throw .unverified("the signature does not verify") }
    }
}

/// The stored draw: the result, and the seed sealed until it is revealed.
struct StoredDraw: Hashable, Sendable, Codable, StorableRecord {
    var result: DrawResult
    /// The seed, hex, sealed at rest: before the draw nobody may read it.
    var secret: String

    static let recordKind = "public_draw"
    static let sensitiveFields: Set<String> = ["secret"]
    var recordKey: RecordKey { RecordKey(result.id) }
}

/// The public-draw office: commits a fresh random seed, runs the draw when the candidates are
/// known, reveals the seed and signs the result. Every step is a store write, so the store's audit
/// log records who committed and who drew, and when.
///
/// ```swift
/// let draws = DrawService(ports: ports, signer: key, kid: "edu-draw-1")
/// let committed = try await draws.commit(id: "d-1", purpose: "enrolment:实验小学-2027")   // publish committed.commitment
/// let result = try await draws.draw(id: "d-1", candidates: applicationIDs, places: 40)
/// try result.verify(with: key.publicKey, crypto: crypto)                                // anyone can
/// ```
public struct DrawService: Sendable {
    /// The store purpose this service declares.
    public static let purpose = Purpose(constant: "draw.public")

    let ports: ServicePorts
    let signer: any SigningKey
    /// The signing key's id, on the trust list.
    public let kid: String

    /// The office on the department's ports, signing with `signer` (`kid` on the trust list).
    public init(ports: ServicePorts, signer: any SigningKey, kid: String) {
        self.ports = ports.logging(as: "draw")
        self.signer = signer
        self.kid = kid
    }

    /// Commits a fresh 32-byte random seed for draw `id`: the result so far, with its commitment
    /// to publish. A draw id committed before is refused.
    public func commit(id: String, purpose: String) async throws(DrawError) -> DrawResult {
        guard !id.isEmpty, !purpose.isEmpty else { throw .invalid("a draw has an id and a purpose") }
        let seed: [UInt8]
        do {
            seed = try ports.crypto.randomBytes(count: 32)
        } catch {
            throw .store("random: \(error)")
        }
        let result = DrawResult(
            id: id,
            purpose: purpose,
            commitment: try wrapped { () throws(PublicDraw.Failure) in
                try PublicDraw.commitment(of: seed, crypto: ports.crypto)
            },
            committedAt: ports.clock.now(),
            seed: nil,
            candidates: [],
            order: [],
            places: 0,
            drawnAt: nil,
            kid: kid,
            signature: nil
        )
        let stored = StoredDraw(result: result, secret: Hex.encode(seed))
        do {
            try await ports.store.write(purpose: Self.purpose) { db in
                guard try await db.get(StoredDraw.self, key: stored.recordKey) == nil else {
                    throw DrawError.duplicate("draw \(id) is already committed")
                }
                try await db.put(stored)
            }
        } catch {
            throw DrawError(wrapping: error)
        }
        ports.logger.info("draw committed", metadata: ["draw": "\(id)", "commitment": "\(result.commitment)"])
        return result
    }

    /// Runs committed draw `id` over `candidates` for `places`, reveals the seed and signs the
    /// result. A draw runs once: running it again is refused, and the stored result stands.
    public func draw(id: String, candidates: [String], places: Int) async throws(DrawError) -> DrawResult {
        guard places >= 0 else { throw .invalid("places is not negative") }
        let crypto = ports.crypto
        let signer = signer
        let now = ports.clock.now()
        let result: DrawResult
        do {
            result = try await ports.store.write(purpose: Self.purpose) { db in
                guard var stored = try await db.get(StoredDraw.self, key: RecordKey(id)) else {
                    throw DrawError.notFound(id)
                }
                guard !stored.result.isDrawn else { throw DrawError.duplicate("draw \(id) has already been run") }
                guard let seed = Hex.decode(stored.secret) else { throw DrawError.store("the stored seed") }
                var result = stored.result
                result.candidates = try PublicDraw.sorted(candidates)
                result.order = try PublicDraw.order(seed: seed, candidates: candidates, crypto: crypto)
                result.places = min(places, candidates.count)
                result.seed = stored.secret
                result.drawnAt = now
                result.signature = Base64URL.encode(try signer.signature(for: Array(result.signedText.utf8)))
                stored.result = result
                try await db.put(stored)
                return result
            }
        } catch {
            throw DrawError(wrapping: error)
        }
        ports.logger.info(
            "draw run",
            metadata: ["draw": "\(id)", "candidates": "\(candidates.count)", "places": "\(result.places)"]
        )
        return result
    }

    /// A draw as published: before it runs, the commitment only; after, everything.
    public func result(_ id: String) async throws(DrawError) -> DrawResult {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                guard let stored = try await db.get(StoredDraw.self, key: RecordKey(id)) else {
                    throw DrawError.notFound(id)
                }
                return stored.result
            }
        } catch {
            throw DrawError(wrapping: error)
        }
    }

    private func wrapped<T>(_ body: () throws(PublicDraw.Failure) -> T) throws(DrawError) -> T {
        do {
            return try body()
        } catch {
            throw .draw(error)
        }
    }
}
