public import SocietyExchange
public import SocietyServices

/// The application desk's check of an e-certificate an applicant presents instead of a document
/// (SocietyServices' `MaterialVerifier` port), on the offline ``CertificateVerifier``.
///
/// The presentation must pass every check of ``CertificateVerifier/verifyPresentation(_:audience:nonce:)``
/// — trust list, signatures, key binding to this desk as audience and to the application's id as
/// nonce, validity, status — be of the type the catalogue names, and disclose its `number` and its
/// `holder`, who must be the applicant (a household's head for a household). The desk keeps the
/// number only.
public struct CertificateMaterialVerifier: MaterialVerifier {
    /// The offline verifier, with its trust-list and status-list snapshots.
    public let verifier: CertificateVerifier
    /// The desk's party: the audience presentations must be bound to.
    public let audience: Party

    /// Why a presentation verified as a certificate is still not the material asked for.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        /// A certificate of another type.
        case wrongType(expected: String, got: String)
        /// The presentation does not disclose a claim the desk needs.
        case undisclosed(String)
        /// The certificate is held by someone other than the applicant.
        case notTheApplicant

        public var description: String {
            switch self {
            case .wrongType(let expected, let got): "a \(got) certificate was presented where \(expected) is asked for"
            case .undisclosed(let claim): "the presentation must disclose the certificate's \(claim)"
            case .notTheApplicant: "the certificate is not the applicant's"
            }
        }
    }

    /// A check bound to `audience` (the desk's party) on `verifier`.
    public init(verifier: CertificateVerifier, audience: Party) {
        self.verifier = verifier
        self.audience = audience
    }

    /// Verifies the presentation and returns the certificate's number; throws a
    /// ``CertificateError`` or a ``Refusal`` otherwise.
    public func verifyCertificate(
        _ presentation: String,
        type: String,
        holder: Applicant,
        nonce: String
    ) async throws -> String {
        let verified = try verifier.verifyPresentation(presentation, audience: audience.text, nonce: nonce)
        let code = verified.type?.code ?? verified.typeIdentifier
        guard code == type else { throw Refusal.wrongType(expected: type, got: code) }
        guard let number = verified.claims["number"]?.stringValue else { throw Refusal.undisclosed("number") }
        guard let shown = verified.claims["holder"]?.stringValue else { throw Refusal.undisclosed("holder") }
        let expected: String =
            switch holder {
            case .resident(let id), .household(let id): id.unmasked
            case .organisation(let code): code.value
            }
        guard shown == expected else { throw Refusal.notTheApplicant }
        return number
    }
}
