public import Foundation
public import SocietyCore
public import SocietyJSON

/// Where a fact came from: the department that supplied it and the digest of the envelope that
/// carried it, so that a decision can show which envelope supplied which fact.
public struct FactSource: Hashable, Sendable, Codable {
    /// The supplying department's data service, e.g. `hrss.facts`.
    public let service: String
    /// `ALG:BASE64URL` of the response envelope.
    public let envelopeDigest: String

    /// Creates a source.
    public init(service: String, envelopeDigest: String) {
        self.service = service
        self.envelopeDigest = envelopeDigest
    }
}

/// What the verification learnt about one household: each member's facts per service, each with
/// its source.
public struct HouseholdFacts: Sendable {
    /// One member and the facts gathered about them.
    public struct Member: Sendable {
        /// The member.
        public let resident: ResidentID
        /// Facts per service (`hrss.facts` → `{"monthlyWage": …}`), with the envelope that supplied them.
        public var facts: [String: (JSONObject, FactSource)]

        /// Creates a member entry.
        public init(resident: ResidentID, facts: [String: (JSONObject, FactSource)] = [:]) {
            self.resident = resident
            self.facts = facts
        }

        /// A numeric fact (`nil` when the service did not supply it).
        public func number(_ service: String, _ name: String) -> (Double, FactSource)? {
            guard let (object, source) = facts[service], let value = object[name]?.doubleValue else { return nil }
            return (value, source)
        }

        /// A text fact.
        public func text(_ service: String, _ name: String) -> (String, FactSource)? {
            guard let (object, source) = facts[service], let value = object[name]?.stringValue else { return nil }
            return (value, source)
        }

        /// A Boolean fact.
        public func flag(_ service: String, _ name: String) -> (Bool, FactSource)? {
            guard let (object, source) = facts[service], let value = object[name]?.boolValue else { return nil }
            return (value, source)
        }
    }

    /// The household.
    public let household: Identifier<Household>
    /// The members, in register order.
    public var members: [Member]

    /// Creates facts for a household.
    public init(household: Identifier<Household>, members: [Member]) {
        self.household = household
        self.members = members
    }
}

/// The verified facts of one application's household as civil affairs keeps them: each member's
/// facts per service, each with the digest of the envelope that carried them, so that a decision
/// can be made — and re-made, and explained — from the store alone.
public struct HouseholdVerification: Hashable, Sendable, Codable {
    /// One member and the facts each service supplied about them.
    public struct Member: Hashable, Sendable, Codable {
        /// The member.
        public let resident: ResidentID
        /// The facts, one entry per service that knew the member, in service order.
        public let facts: [ServiceFacts]
    }

    /// What one service supplied about one member, and which envelope carried it.
    public struct ServiceFacts: Hashable, Sendable, Codable {
        /// The service and the digest of the answer envelope.
        public let source: FactSource
        /// The facts as the department answered them (`{"monthlyWage": 180000, …}`).
        public let facts: JSONValue
    }

    /// The application verified.
    public let application: Identifier<AssistanceApplication>
    /// The household.
    public let household: Identifier<Household>
    /// The services asked, in order.
    public let services: [String]
    /// When the answers were kept.
    public let verifiedAt: Date
    /// The members, in the order the application declared them.
    public let members: [Member]

    /// The record of `facts` gathered for `application` from `services` at `verifiedAt`.
    public init(
        application: Identifier<AssistanceApplication>,
        facts: HouseholdFacts,
        services: [String],
        verifiedAt: Date
    ) {
        self.application = application
        self.household = facts.household
        self.services = services
        self.verifiedAt = verifiedAt
        self.members = facts.members.map { member in
            Member(
                resident: member.resident,
                facts: member.facts.keys.sorted().compactMap { service in
                    member.facts[service].map { ServiceFacts(source: $0.1, facts: .object($0.0)) }
                }
            )
        }
    }

    /// The facts, as ``EligibilityEvaluator/decide(_:)`` reads them.
    public var facts: HouseholdFacts {
        HouseholdFacts(
            household: household,
            members: members.map { member in
                var facts: [String: (JSONObject, FactSource)] = [:]
                for entry in member.facts {
                    facts[entry.source.service] = (entry.facts.objectValue ?? JSONObject(), entry.source)
                }
                return HouseholdFacts.Member(resident: member.resident, facts: facts)
            }
        )
    }

    /// Every envelope that supplied a fact, once each, by service.
    public var evidence: [FactSource] {
        var seen = Set<FactSource>()
        return members.flatMap(\.facts).map(\.source).filter { seen.insert($0).inserted }
            .sorted { ($0.service, $0.envelopeDigest) < ($1.service, $1.envelopeDigest) }
    }
}

extension HouseholdVerification: StorableRecord {
    /// The table name.
    public static let recordKind = "assistance_verification"
    /// The members and their facts are personal data.
    public static let sensitiveFields: Set<String> = ["members"]
    /// One verification per application.
    public var recordKey: RecordKey { RecordKey(application.rawValue) }
}

/// The data services a household's economic verification asks, one per data-source department.
public enum VerificationService {
    /// Employment, wages, pensions (HR & social security).
    public static let labour = "hrss.facts"
    /// Real estate (natural resources).
    public static let property = "nr.facts"
    /// Vehicles and deaths (public security).
    public static let population = "ps.facts"
    /// Business ownership (market regulation).
    public static let business = "amr.facts"
    /// Chronic disease and medical spending (health).
    public static let health = "health.facts"
    /// Disability (disabled persons' federation).
    public static let disability = "dpf.facts"
    /// Deposits (banks).
    public static let deposits = "bank.facts"

    /// Every service, in the order they are asked.
    public static let all = [labour, property, population, business, health, disability, deposits]

    /// The purpose every verification request declares, and the purpose under which a department
    /// reads its own store to answer: ``AssistanceService/Purposes/verification``.
    public static let purpose = AssistanceService.Purposes.verification
}
