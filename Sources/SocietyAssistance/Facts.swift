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

    /// The purpose every verification request declares.
    public static let purpose = "assistance.verification"
}
