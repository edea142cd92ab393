public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// Who holds a certificate: a resident or an organization.
public enum CertificateHolder: Hashable, Sendable, CustomStringConvertible {
    /// A natural person.
    case resident(ResidentID)
    /// An organization.
    case organization(CreditCode)

    /// Which kind of holder.
    public var kind: HolderKind {
        switch self {
        case .resident: .resident
        case .organization: .organization
        }
    }

    /// The identifier as signed into the certificate: the full ResidentID or credit code.
    public var unmasked: String {
        switch self {
        case .resident(let id): id.unmasked
        case .organization(let code): code.value
        }
    }

    /// Parses a ResidentID or a credit code (both are 18 characters; the checksums tell them apart).
    public init(_ text: String) throws(CertificateError) {
        if let resident = try? ResidentID(text) {
            self = .resident(resident)
        } else if let organization = try? CreditCode(text) {
            self = .organization(organization)
        } else {
            throw .invalidClaims("holder is neither a valid ResidentID nor a valid credit code")
        }
    }

    /// Residents print masked; organizations in full (they are public actors).
    public var description: String {
        switch self {
        case .resident(let id): id.masked
        case .organization(let code): code.value
        }
    }
}

/// A certificate's life-cycle state, as the issuer's status lists publish it.
public enum CertificateStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// Valid (within its validity period).
    case active
    /// Temporarily not valid; the issuer may reinstate it.
    case suspended
    /// Withdrawn for good.
    case revoked
}

/// An electronic certificate (电子证照): what the issuer records and signs.
///
/// The same certificate is issued in two views (``IssuedCertificate``): an SD-JWT VC the holder's
/// phone presents with selective disclosure, and a W3C Verifiable Credential 2.0 with a
/// Data Integrity proof for systems that exchange whole credentials.
public struct ECertificate: Hashable, Sendable {
    /// The type (code, name, claims).
    public let type: CertificateType
    /// The certificate number: derived for a disability certificate, otherwise issuer-assigned.
    public let number: String
    /// The holder.
    public let holder: CertificateHolder
    /// The issuing department's system.
    public let issuer: Party
    /// The day of issue.
    public let issueDate: CalendarDate
    /// The days the certificate is valid.
    public let validity: ValidityPeriod
    /// The type's claims.
    public let claims: JSONObject
    /// Where the certificate's bits are in the issuer's status lists.
    public let statusIndex: Int
    /// The state when issued or last read.
    public var status: CertificateStatus

    /// Creates a certificate record.
    public init(
        type: CertificateType,
        number: String,
        holder: CertificateHolder,
        issuer: Party,
        issueDate: CalendarDate,
        validity: ValidityPeriod,
        claims: JSONObject,
        statusIndex: Int,
        status: CertificateStatus = .active
    ) {
        self.type = type
        self.number = number
        self.holder = holder
        self.issuer = issuer
        self.issueDate = issueDate
        self.validity = validity
        self.claims = claims
        self.statusIndex = statusIndex
        self.status = status
    }

    /// `nbf`: the first instant of the first valid day, China Standard Time.
    public var notBefore: Date { validity.from.startInstant }

    /// `exp`: the first instant after the last valid day, or `nil` for long-term (长期).
    public var expires: Date? { validity.until.map { $0.adding(days: 1).startInstant } }

    /// The claims every view discloses selectively: the number, holder, issue date and the type's claims.
    public var disclosableClaims: JSONObject {
        var all = claims
        all["number"] = .string(number)
        all["holder"] = .string(holder.unmasked)
        all["issue_date"] = .string(issueDate.iso8601)
        return all
    }
}
