/// A one-thing bundle (一件事一次办): several departments' services as one application, with one form
/// and one set of materials. Each part is an application of its own on the shared life cycle, moved
/// by its department; the bundle is done when every part is.
public struct ServiceBundle: Hashable, Sendable, Codable {
    /// The bundle's code: letters, digits and `-`, 3–64 characters, distinct from every service code.
    public let code: String
    /// The life event it serves (出生, 就业, 不动产转移, …).
    public let name: String
    /// The services it bundles, in the order the guide lists them (their catalogue codes).
    public let parts: [String]

    private enum CodingKeys: String, CodingKey { case code, name, parts }

    /// Decodes a bundle through the same checks as ``init(code:name:parts:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            code: try container.decode(String.self, forKey: .code),
            name: try container.decode(String.self, forKey: .name),
            parts: try container.decode([String].self, forKey: .parts)
        )
    }

    /// A bundle of `parts`: at least two distinct services.
    public init(code: String, name: String, parts: [String]) throws(CatalogueError) {
        guard ServiceEntry.isValidCode(code) else {
            throw .invalidEntry(code: code, "the code must be 3–64 letters, digits or '-'")
        }
        guard !name.isEmpty else { throw .invalidEntry(code: code, "the name is empty") }
        guard parts.count >= 2 else { throw .invalidEntry(code: code, "a bundle needs at least two services") }
        guard Set(parts).count == parts.count else { throw .invalidEntry(code: code, "a service is bundled twice") }
        self.code = code
        self.name = name
        self.parts = parts
    }
}

extension ServiceCatalogue {
    /// The materials of the bundle `bundle` as one list: each paper document once, in the parts'
    /// order, and where one part accepts an e-certificate or an exchange for a document another part
    /// asks on paper, the paperless form (the applicant hands it in once, or not at all).
    public func materials(of bundle: ServiceBundle) throws(CatalogueError) -> [ServiceEntry.Material] {
        var order: [String] = []
        var chosen: [String: ServiceEntry.Material] = [:]
        for part in bundle.parts {
            for material in try entry(part).materials {
                let document = material.document
                if let known = chosen[document] {
                    if !known.isPaperless && material.isPaperless { chosen[document] = material }
                } else {
                    order.append(document)
                    chosen[document] = material
                }
            }
        }
        return order.compactMap { chosen[$0] }
    }
}

/// Where a bundle application stands: each part's application, and whether all are done.
public struct BundleStatus: Hashable, Sendable {
    /// The bundle application's id (each part's id is this id, `/`, and the service code).
    public let id: String
    /// The bundle's code.
    public let bundle: String
    /// Each part's application, in the bundle's order.
    public let parts: [ServiceApplication]

    /// Every part is final (completed, not accepted or withdrawn).
    public var isDone: Bool { parts.allSatisfy(\.state.isFinal) }

    /// The results of the completed parts, by service code: the bundle's one result set.
    public var results: [String: String] {
        var results: [String: String] = [:]
        for part in parts {
            if case .completed(let result) = part.state { results[part.serviceCode] = result }
        }
        return results
    }
}
