/// What an applicant hands in at submission for one material a service requires.
public enum SuppliedMaterial: Hashable, Sendable {
    /// A document handed in, named as the catalogue names it, by the digest of its content
    /// (`sha256:` or `sm3:` and 64 lowercase hex digits): the desk keeps the digest, the file stays
    /// wherever the channel stored it.
    case document(name: String, digest: String)
    /// An e-certificate of `type` (its code in the certificate catalogue) presented instead of the
    /// document the catalogue says it replaces (亮证): a presentation bound to the application's id
    /// as its nonce, checked by the desk's ``MaterialVerifier``.
    case certificate(type: String, presentation: String)

    /// What the material is called in an error: the document's name or the certificate's type.
    var label: String {
        switch self {
        case .document(let name, _): name
        case .certificate(let type, _): "\(type) e-certificate"
        }
    }
}

/// A material as the desk keeps it with the application once checked: the document's digest, or
/// the number of the e-certificate verified — never the presentation, which carries more than the
/// application needs.
public enum KeptMaterial: Hashable, Sendable, Codable {
    /// A document, by the digest of its content.
    case document(name: String, digest: String)
    /// An e-certificate verified at submission, by its number.
    case certificate(type: String, number: String)
}

/// The port through which the desk checks a presented e-certificate. The desk knows nothing of
/// certificate formats; `SocietyCertificates` implements it on its offline verifier (trust list,
/// status lists, key binding).
public protocol MaterialVerifier: Sendable {
    /// Verifies `presentation` as an e-certificate of `type` held by `holder` (the applicant, or a
    /// household's head), bound to `nonce` (the application's id), and returns the certificate's
    /// number. Throws, with a reason the applicant may be told, when it does not verify.
    func verifyCertificate(
        _ presentation: String,
        type: String,
        holder: Applicant,
        nonce: String
    ) async throws -> String
}

/// Checks what an applicant supplied against what the services applied for require.
struct MaterialCheck {
    let entries: [ServiceEntry]
    let applicant: Applicant
    let nonce: String
    let verifier: (any MaterialVerifier)?

    /// The materials each service keeps, by service code, or the first problem: a material
    /// nothing asked for or supplied twice, a document without a well-formed digest, a certificate
    /// that does not verify, or a required material not supplied. The exchange materials need
    /// nothing from the applicant: the department fetches them by envelope.
    func run(_ supplied: [SuppliedMaterial]) async throws(ServicesError) -> [String: [KeptMaterial]] {
        var documents: [String: String] = [:]
        var certificates: [String: String] = [:]
        for material in supplied {
            switch material {
            case .document(let name, let digest):
                guard wants(document: name), documents[name] == nil else { throw .unexpectedMaterial(material.label) }
                guard Self.isDigest(digest) else {
                    throw .unverifiableMaterial(
                        material: name,
                        reason: "the digest must be sha256: or sm3: followed by 64 lowercase hex digits"
                    )
                }
                documents[name] = digest
            case .certificate(let type, let presentation):
                guard wants(certificate: type), certificates[type] == nil else {
                    throw .unexpectedMaterial(material.label)
                }
                guard let verifier else {
                    throw .unverifiableMaterial(
                        material: material.label,
                        reason: "this desk has no e-certificate verifier"
                    )
                }
                do {
                    certificates[type] = try await verifier.verifyCertificate(
                        presentation,
                        type: type,
                        holder: applicant,
                        nonce: nonce
                    )
                } catch {
                    throw .unverifiableMaterial(material: material.label, reason: "\(error)")
                }
            }
        }
        var kept: [String: [KeptMaterial]] = [:]
        for entry in entries {
            var materials: [KeptMaterial] = []
            for required in entry.materials {
                switch required {
                case .document(let name):
                    guard let digest = documents[name] else {
                        throw .missingMaterial(service: entry.code, material: name)
                    }
                    materials.append(.document(name: name, digest: digest))
                case .certificate(let type, let replaces):
                    if let number = certificates[type] {
                        materials.append(.certificate(type: type, number: number))
                    } else if let digest = documents[replaces] {
                        materials.append(.document(name: replaces, digest: digest))
                    } else {
                        throw .missingMaterial(
                            service: entry.code,
                            material: "\(replaces) (or a \(type) e-certificate)"
                        )
                    }
                case .exchange: break
                }
            }
            kept[entry.code] = materials
        }
        return kept
    }

    /// Whether some service asks for the document `name`, itself or as the paper form of a
    /// certificate.
    private func wants(document name: String) -> Bool {
        entries.contains { entry in
            entry.materials.contains {
                switch $0 {
                case .document(let wanted), .certificate(_, let wanted): wanted == name
                case .exchange: false
                }
            }
        }
    }

    private func wants(certificate type: String) -> Bool {
        entries.contains { entry in
            entry.materials.contains {
                if case .certificate(let wanted, _) = $0 { return wanted == type }
                return false
            }
        }
    }

    /// `sha256:` or `sm3:` and 64 lowercase hex digits.
    static func isDigest(_ text: String) -> Bool {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "sha256" || parts[0] == "sm3", parts[1].utf8.count == 64 else {
            return false
        }
        return parts[1].utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
