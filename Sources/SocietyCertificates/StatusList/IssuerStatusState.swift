import Foundation
public import SocietyExchange
import Synchronization

/// An issuer's status-list state: both bitstrings, the allocation counter and the version.
///
/// Indexes are handed out in a pseudo-random order — `(offset + counter × stride) mod size` with
/// an odd stride over a power-of-two size, a permutation — so that a certificate's index does not
/// reveal when it was issued relative to others (W3C Bitstring Status List §6, herd privacy),
/// without storing a set of used indexes.
public struct IssuerStatusState: Codable, Hashable, Sendable {
    /// The issuing party.
    public var issuer: Party
    /// How many indexes have been allocated.
    public var allocated: Int
    /// The permutation's odd multiplier.
    public var stride: Int
    /// The permutation's offset.
    public var offset: Int
    /// Incremented at every publication.
    public var version: Int
    /// The revocation list.
    public var revocation: BitstringStatusList
    /// The suspension list.
    public var suspension: BitstringStatusList

    /// A fresh state of `size` entries (rounded up to a power of two ≥ 131,072), its permutation
    /// drawn from `randomBytes` (8 bytes).
    public init(issuer: Party, size: Int = BitstringStatusList.minimumSize, randomBytes: [UInt8]) {
        var power = BitstringStatusList.minimumSize
        while power < size { power *= 2 }
        let seed = randomBytes.prefix(8).reduce(0) { $0 << 8 | Int($1) } & Int(Int32.max)
        self.issuer = issuer
        self.allocated = 0
        self.stride = (seed % power) | 1
        self.offset = (seed >> 3) % power
        self.version = 0
        self.revocation = BitstringStatusList(size: power)
        self.suspension = BitstringStatusList(size: power)
    }

    /// The number of entries.
    public var size: Int { revocation.size }

    /// Allocates the next index.
    public mutating func allocate() throws(CertificateError) -> Int {
        guard allocated < size else { throw .statusListFull }
        defer { allocated += 1 }
        return (offset + allocated * stride) % size
    }

    /// Whether `index` has been allocated: inverts the permutation (an odd number has an inverse
    /// modulo a power of two, found by Newton's iteration).
    public func isAllocated(_ index: Int) -> Bool {
        guard index >= 0, index < size else { return false }
        let mask = size - 1
        var inverse = stride
        for _ in 0..<6 { inverse = inverse &* (2 &- stride &* inverse) & mask }
        let counter = ((index - offset) & mask) &* inverse & mask
        return counter < allocated
    }

    /// The state of the certificate at `index`.
    public func status(of index: Int) throws(CertificateError) -> CertificateStatus {
        do {
            if try revocation.isSet(index) { return .revoked }
            return try suspension.isSet(index) ? .suspended : .active
        } catch {
            throw .unknownStatusIndex(index)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case issuer, allocated, stride, offset, version, revocation, suspension
    }

    /// Decodes the state file (bitstrings as `encodedList` text).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        issuer = try container.decode(Party.self, forKey: .issuer)
        allocated = try container.decode(Int.self, forKey: .allocated)
        stride = try container.decode(Int.self, forKey: .stride)
        offset = try container.decode(Int.self, forKey: .offset)
        version = try container.decode(Int.self, forKey: .version)
        revocation = try BitstringStatusList(encodedList: try container.decode(String.self, forKey: .revocation))
        suspension = try BitstringStatusList(encodedList: try container.decode(String.self, forKey: .suspension))
        guard revocation.size == suspension.size, stride % 2 == 1, (0...revocation.size).contains(allocated) else {
            throw DecodingError.dataCorruptedError(
                forKey: .stride,
                in: container,
                debugDescription: "inconsistent state"
            )
        }
    }

    /// Encodes the state file.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(issuer, forKey: .issuer)
        try container.encode(allocated, forKey: .allocated)
        try container.encode(stride, forKey: .stride)
        try container.encode(offset, forKey: .offset)
        try container.encode(version, forKey: .version)
        try container.encode(revocation.encodedList, forKey: .revocation)
        try container.encode(suspension.encodedList, forKey: .suspension)
    }
}

/// Where an issuer keeps its ``IssuerStatusState`` between operations.
///
/// An I/O port, so that a deployment can keep it in its record store (or a file, as the CLI does):
/// `update` is `async`, so a store on a network database answers without holding a thread, and
/// runs read-modify-write as one step so that two issuances never get the same index. Its closures
/// are `@Sendable` and its result `Sendable`, as a ``SocietyCore/RecordStore`` transaction's are: a
/// store may run them on a connection or thread of its own.
///
/// ```swift
/// let index = try await store.update(issuer: party, initial: { fresh }) { state in
///     try state.allocate()
/// }
/// ```
public protocol StatusStateStore: Sendable {
    /// Runs `change` on the issuer's state (creating it with `initial` on first use) and saves the
    /// result only if `change` does not throw.
    func update<T: Sendable>(
        issuer: Party,
        initial: @Sendable () throws -> IssuerStatusState,
        _ change: @Sendable (inout IssuerStatusState) throws -> T
    ) async throws -> T
}

/// A ``StatusStateStore`` in memory, for tests and single-process tools.
public final class InMemoryStatusStateStore: StatusStateStore {
    private let states = Mutex<[Party: IssuerStatusState]>([:])

    /// An empty store.
    public init() {}

    /// Runs `change` under the lock; a throwing change leaves the state as it was.
    public func update<T: Sendable>(
        issuer: Party,
        initial: @Sendable () throws -> IssuerStatusState,
        _ change: @Sendable (inout IssuerStatusState) throws -> T
    ) async throws -> T {
        try states.withLock { states in
            var state = try states[issuer] ?? initial()
            let result = try change(&state)
            states[issuer] = state
            return result
        }
    }

    /// The current state of `issuer`, for inspection.
    public func state(of issuer: Party) -> IssuerStatusState? { states.withLock { $0[issuer] } }
}
