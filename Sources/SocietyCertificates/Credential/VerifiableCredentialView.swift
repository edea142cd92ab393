public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// The W3C Verifiable Credential 2.0 view of a certificate, secured with a Data Integrity proof
/// over RFC 8785 canonical JSON (the `*-jcs-*` cryptosuites).
///
/// Cryptosuite per issuer key: Ed25519 → `eddsa-jcs-2022`, P-256 → `ecdsa-jcs-2019` (both W3C),
/// SM2 → `sm2-jcs-2025`, defined by this SDK the same way with SM3 as the hash. The proof is built
/// as those suites specify: `hashData = H(JCS(proof options + @context)) ‖ H(JCS(document))`,
/// signed, and written as multibase base58btc (`z…`). Custom terms rely on the VC 2.0 context's
/// `@vocab`, so the credential needs no second context.
public enum VerifiableCredentialView {
    /// The proof's `verificationMethod` prefix: `urn:cn:taizhou:party:<CREDITCODE/SUBSYSTEM>#<kid>`.
    public static func issuerURI(_ party: Party) -> String { "urn:cn:taizhou:party:\(party.text)" }

    /// The party in an issuer URI, or `nil`.
    public static func party(fromIssuerURI text: String) -> Party? {
        let prefix = "urn:cn:taizhou:party:"
        guard text.hasPrefix(prefix) else { return nil }
        return try? Party(String(text.dropFirst(prefix.count)))
    }

    /// The cryptosuite name for a signature algorithm.
    public static func cryptosuite(for algorithm: SignatureAlgorithm) -> String {
        switch algorithm {
        case .ed25519: "eddsa-jcs-2022"
        case .p256: "ecdsa-jcs-2019"
        case .sm2: "sm2-jcs-2025"
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func date(from text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    /// The unsigned credential for `certificate`, with its status entries.
    public static func credential(for certificate: ECertificate) -> JSONObject {
        var subject = certificate.disclosableClaims
        subject["type"] = .string(certificate.type.code)
        var credential: JSONObject = [
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": .string("urn:cn:taizhou:ecert:\(certificate.issuer.text):\(certificate.statusIndex)"),
            "type": ["VerifiableCredential", "ECertificate"],
            "name": .string(certificate.type.name),
            "issuer": .string(issuerURI(certificate.issuer)),
            "validFrom": .string(timestamp(certificate.notBefore)),
            "credentialSubject": .object(subject),
            "credentialStatus": .array(statusEntries(issuer: certificate.issuer, index: certificate.statusIndex)),
        ]
        if let expires = certificate.expires { credential["validUntil"] = .string(timestamp(expires)) }
        return credential
    }

    /// `BitstringStatusListEntry` objects, one per purpose, at `index`.
    public static func statusEntries(issuer: Party, index: Int) -> [JSONValue] {
        StatusPurpose.allCases.map { purpose in
            let list = SignedStatusList.uri(issuer: issuer, purpose: purpose)
            return [
                "id": .string("\(list)#\(index)"), "type": "BitstringStatusListEntry",
                "statusPurpose": .string(purpose.rawValue), "statusListIndex": .string(String(index)),
                "statusListCredential": .string(list),
            ]
        }
    }

    /// Adds a Data Integrity proof to `credential`.
    public static func secure(
        _ credential: JSONObject,
        issuer: Party,
        key: any SigningKey,
        kid: String,
        created: Date,
        crypto: any CryptoProvider
    ) throws -> JSONObject {
        var options: JSONObject = [
            "type": "DataIntegrityProof", "cryptosuite": .string(cryptosuite(for: key.algorithm)),
            "created": .string(timestamp(created)), "verificationMethod": .string("\(issuerURI(issuer))#\(kid)"),
            "proofPurpose": "assertionMethod",
        ]
        let signature = try key.signature(
            for: try hashData(credential, options: options, algorithm: key.algorithm, crypto: crypto)
        )
        options["proofValue"] = .string("z" + Base58.encode(signature))
        var secured = credential
        secured["proof"] = .object(options)
        return secured
    }

    static func hashData(
        _ document: JSONObject,
        options: JSONObject,
        algorithm: SignatureAlgorithm,
        crypto: any CryptoProvider
    ) throws -> [UInt8] {
        var configuration = options
        configuration["@context"] = document["@context"]
        let digest: DigestAlgorithm = algorithm == .sm2 ? .sm3 : .sha256
        return try crypto.digest(digest, of: try JSONValue.object(configuration).canonicalBytes())
            + crypto.digest(digest, of: try JSONValue.object(document).canonicalBytes())
    }

    /// Checks the proof of a secured credential against the trust list and returns the issuer and
    /// the document without its proof. The status and validity checks are ``CertificateVerifier``'s.
    public static func verifyProof(
        _ secured: JSONObject,
        trustList: TrustList,
        crypto: any CryptoProvider
    ) throws(CertificateError) -> (issuer: Party, document: JSONObject) {
        guard let proof = secured["proof"]?.objectValue, proof["type"]?.stringValue == "DataIntegrityProof",
            let suite = proof["cryptosuite"]?.stringValue, let method = proof["verificationMethod"]?.stringValue,
            let value = proof["proofValue"]?.stringValue, value.hasPrefix("z"),
            let signature = Base58.decode(String(value.dropFirst())),
            let issuerText = secured["issuer"]?.stringValue, let issuer = party(fromIssuerURI: issuerText)
        else { throw .malformed("credential has no well-formed DataIntegrityProof") }
        let kid = String(method.drop { $0 != "#" }.dropFirst())
        guard method == "\(issuerText)#\(kid)" else { throw .issuerMismatch(claimed: issuerText, keyOwner: method) }
        let created = proof["created"]?.stringValue.flatMap(date(from:)) ?? .distantFuture
        let key = try CertificateVerifier.issuerKey(
            kid: kid,
            issuer: issuer,
            signedAt: created,
            trustList: trustList,
            crypto: crypto
        )
        guard cryptosuite(for: key.algorithm) == suite else { throw .unsupportedAlgorithm(suite) }
        var document = secured
        document["proof"] = nil
        var options = proof
        options["proofValue"] = nil
        guard let data = try? hashData(document, options: options, algorithm: key.algorithm, crypto: crypto),
            key.isValidSignature(signature, for: data)
        else { throw .badIssuerSignature }
        return (issuer, document)
    }
}
