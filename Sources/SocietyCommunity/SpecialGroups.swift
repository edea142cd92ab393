public import SocietyCore
public import SocietyExchange
import SocietyJSON

/// Where a special group's members come from: the department that keeps the group's data
/// (civil affairs for dibao, labour for the unemployed, the disabled persons' federation for the
/// register …). The community keeps no copy of the lists; it asks for each look.
public protocol SpecialGroupSource: Sendable {
    /// The group it answers.
    var group: SpecialGroup { get }
    /// Which of `residents` are in the group, asked for `purpose`.
    func members(among residents: [ResidentID], purpose: GridPurpose) async throws -> Set<ResidentID>
}

/// A source from a closure: for a department in the same process, and for tests.
public struct ClosureGroupSource: SpecialGroupSource {
    public let group: SpecialGroup
    private let body: @Sendable ([ResidentID], GridPurpose) async throws -> Set<ResidentID>

    /// A source answering `group` with `body`.
    public init(
        _ group: SpecialGroup,
        _ body: @escaping @Sendable ([ResidentID], GridPurpose) async throws -> Set<ResidentID>
    ) {
        self.group = group
        self.body = body
    }

    public func members(among residents: [ResidentID], purpose: GridPurpose) async throws -> Set<ResidentID> {
        try await body(residents, purpose)
    }
}

/// A source that asks the department's data service ``SpecialGroup/service`` by envelope: the
/// grid's residents go out in a request sealed by the community (encrypted when the catalogue
/// grades the service important, as it does for every group), the members come back in the signed
/// answer, and an answer naming anyone not asked about is refused.
public struct EnvelopeGroupSource: SpecialGroupSource {
    public let group: SpecialGroup
    private let exchange: ExchangePorts
    private let crypto: any CryptoProvider
    private let clock: any WallClock
    private let send: @Sendable (String, String) async throws -> String

    /// A source sealing and opening with the community's `exchange` ports under the trust list its
    /// opener holds; `send` delivers a request for a service and returns the answer (in process, or
    /// over HTTP through `SocietyExchangeClient`).
    public init(
        _ group: SpecialGroup,
        exchange: ExchangePorts,
        crypto: any CryptoProvider,
        clock: any WallClock,
        send: @escaping @Sendable (String, String) async throws -> String
    ) {
        self.group = group
        self.exchange = exchange
        self.crypto = crypto
        self.clock = clock
        self.send = send
    }

    public func members(among residents: [ResidentID], purpose: GridPurpose) async throws -> Set<ResidentID> {
        let trustList = exchange.opener.trustList
        guard let entry = trustList.service(withID: group.service) else {
            throw CommunityError.exchange("\(group.service) is not on the trust list")
        }
        let draft = EnvelopeDraft(
            audience: entry.provider,
            service: group.service,
            purpose: purpose.purpose,
            level: entry.level,
            data: ["residents": .array(residents.map { .string($0.unmasked) })]
        )
        let request = try await exchange.sealRequest(draft, trustList: trustList, crypto: crypto, at: clock.now())
        let answer = try await exchange.opener.open(try await send(group.service, request), answering: request)
        guard let listed = answer.claims.data["members"]?.arrayValue else {
            throw CommunityError.exchange("the answer of \(group.service) has no \"members\"")
        }
        let asked = Set(residents)
        var members = Set<ResidentID>()
        for case .string(let text) in listed {
            guard let resident = try? ResidentID(text), asked.contains(resident) else {
                throw CommunityError.exchange("the answer of \(group.service) names a resident not asked about")
            }
            members.insert(resident)
        }
        return members
    }
}

/// A department's side of a special group: the catalogue entry and the handler answering which of
/// the residents asked about are in the group.
public enum SpecialGroupPort {
    /// The most residents one request may ask about (a grid's roster; **assumption**: 5,000).
    public static let maxResidents = 5_000

    /// The catalogue entry of `group` served by `provider`: `important` and sensitive personal data
    /// (group membership reveals income, health or family situation), for the grid purposes.
    public static func service(_ group: SpecialGroup, provider: Party) -> DataService {
        DataService(
            id: group.service,
            provider: provider,
            fields: [DataService.Field(name: "members", level: .important, sensitivity: .sensitivePersonal)],
            purposes: Set(GridPurpose.allCases.map(\.purpose))
        )
    }

    /// The handler: `{"residents": [ID…]}` answered `{"members": [ID…]}` with those of the
    /// residents `members` finds in the group (and no one else, whatever `members` returns).
    public static func handler(
        _ group: SpecialGroup,
        members: @escaping @Sendable ([ResidentID]) async throws -> Set<ResidentID>
    ) -> any ExchangeHandler {
        ClosureHandler(service: group.service) { request in
            guard let listed = request.claims.data["residents"]?.arrayValue else {
                throw ExchangeProblem.requestData("no \"residents\"")
            }
            guard listed.count <= maxResidents else {
                throw ExchangeProblem.requestData("more than \(maxResidents) residents")
            }
            var residents: [ResidentID] = []
            for value in listed {
                guard let text = value.stringValue, let resident = try? ResidentID(text) else {
                    throw ExchangeProblem.requestData("a resident is not a valid identity number")
                }
                residents.append(resident)
            }
            let found = try await members(residents)
            return ["members": .array(residents.filter(found.contains).map { .string($0.unmasked) })]
        }
    }
}
