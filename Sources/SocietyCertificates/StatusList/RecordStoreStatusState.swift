public import SocietyCore
public import SocietyExchange

extension IssuerStatusState: StorableRecord {
    /// The table name: one record per issuer.
    public static let recordKind = "certificate_status_state"
    /// The issuing party (`CREDITCODE/SUBSYSTEM`): an organisation, not a person, so it is kept in
    /// clear. The state holds no personal data: bits, counters and the permutation.
    public var recordKey: RecordKey { RecordKey(issuer.text) }
}

/// A ``StatusStateStore`` that keeps each issuer's ``IssuerStatusState`` as one record in a
/// ``SocietyCore/RecordStore``: how a deployment persists certificates' state, in the department's
/// store with everything else (the service recipe of Architecture.md).
///
/// Each ``update(issuer:initial:_:)`` is one write transaction opened with ``purpose``: it reads the
/// issuer's record (or makes the initial state), runs the change and puts the result, so two
/// issuances on any number of processes sharing the store never get the same index, and a change
/// that throws leaves the record as it was. A change that leaves the state as it was (a status
/// query) writes nothing.
///
/// ``CertificateIssuer/init(ports:party:key:kid:)`` keeps its state in one over `ports.store`:
///
/// ```swift
/// let issuer = CertificateIssuer(ports: ports, party: party, key: key, kid: "ecert-2026")
/// let issued = try await issuer.issue(.disability, to: .resident(id), holderKey: walletJWK, claims: claims)
/// let state = try await RecordStoreStatusState(store: ports.store).state(of: party)  // allocated == 1
/// ```
public struct RecordStoreStatusState: StatusStateStore {
    /// The store the records live in.
    public let store: any RecordStore
    /// The purpose every transaction is opened with.
    public let purpose: Purpose

    /// Status states in `store`, under `purpose` (``CertificateIssuer/Purposes/statusLists`` by
    /// default).
    public init(store: any RecordStore, purpose: Purpose = CertificateIssuer.Purposes.statusLists) {
        self.store = store
        self.purpose = purpose
    }

    /// Runs `change` on the issuer's state in one write transaction (creating the state with
    /// `initial` on first use) and puts the result unless `change` throws or changed nothing.
    public func update<T: Sendable>(
        issuer: Party,
        initial: @Sendable () throws -> IssuerStatusState,
        _ change: @Sendable (inout IssuerStatusState) throws -> T
    ) async throws -> T {
        try await store.write(purpose: purpose) { db in
            let stored = try await db.get(IssuerStatusState.self, key: RecordKey(issuer.text))
            var state = try stored ?? initial()
            let result = try change(&state)
            if state != stored { try await db.put(state) }
            return result
        }
    }

    /// The issuer's current state, or `nil` before its first issuance: for inspection and reports.
    public func state(of issuer: Party) async throws(CertificateError) -> IssuerStatusState? {
        do {
            return try await store.read(purpose: purpose) { db in
                try await db.get(IssuerStatusState.self, key: RecordKey(issuer.text))
            }
        } catch {
            throw CertificateError(wrapping: error)
        }
    }
}
