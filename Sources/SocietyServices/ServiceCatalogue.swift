public import Foundation
public import SocietyCore

/// One resident service in the catalogue (政务服务事项): what it is, who runs it, on what legal basis,
/// what an applicant brings, what it costs, how long it may take and what it produces.
public struct ServiceEntry: Hashable, Sendable, Codable {
    /// Who may apply.
    public enum ApplicantKind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A natural person.
        case resident
        /// A household, through its head.
        case household
        /// An organisation, identified by its unified social credit code.
        case organisation
    }

    /// A required material: a document to hand in, or an e-certificate that replaces it.
    public enum Material: Hashable, Sendable, Codable {
        /// A document the applicant provides (uploaded or shown).
        case document(name: String)
        /// An e-certificate of `type` (its code in the certificate catalogue) the applicant presents
        /// instead of the document `replaces`; the department verifies it offline.
        case certificate(type: String, replaces: String)
        /// Data the department fetches itself by envelope from `service` (a data-exchange service
        /// code), instead of asking the applicant for the document `replaces`.
        case exchange(service: String, replaces: String)

        /// The paper document the material stands for.
        public var document: String {
            switch self {
            case .document(let name): name
            case .certificate(_, let replaces), .exchange(_, let replaces): replaces
            }
        }

        /// Whether the applicant hands in nothing for it (一次不用跑).
        public var isPaperless: Bool {
            if case .document = self { return false }
            return true
        }
    }

    /// Where an application can be made.
    public enum Channel: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
        /// Online (一网通办): the app or the web portal.
        case online
        /// At a service-centre counter.
        case counter

        public static func < (lhs: Channel, rhs: Channel) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What completing an application produces. In a catalogue file: `"payment"`, `"decision"`, or
    /// `{"certificate": "TYPE"}`.
    public enum Outcome: Hashable, Sendable, Codable {
        /// An e-certificate of this type (its code in the certificate catalogue).
        case certificate(type: String)
        /// A payment through the one-card.
        case payment
        /// A decision (approval, registration, filing) recorded and notified.
        case decision

        private enum CodingKeys: String, CodingKey { case certificate }

        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                switch text {
                case "payment": self = .payment
                case "decision": self = .decision
                default:
                    throw DecodingError.dataCorrupted(
                        .init(codingPath: decoder.codingPath, debugDescription: "unknown outcome \"\(text)\"")
                    )
                }
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self = .certificate(type: try container.decode(String.self, forKey: .certificate))
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .payment:
                var container = encoder.singleValueContainer()
                try container.encode("payment")
            case .decision:
                var container = encoder.singleValueContainer()
                try container.encode("decision")
            case .certificate(let type):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(type, forKey: .certificate)
            }
        }
    }

    /// The catalogue code: letters, digits and `-`, 3–64 characters.
    public let code: String
    /// The service's name.
    public let name: String
    /// The department that runs it (its party name in the trust list).
    public let department: String
    /// The legal basis: the laws and regulations that establish the service.
    public let legalBasis: [String]
    /// Who may apply.
    public let applicant: ApplicantKind
    /// The materials, in the order the service guide lists them.
    public let materials: [Material]
    /// The fee; zero for a free service.
    public let fee: Money
    /// Where an application can be made.
    public let channels: Set<Channel>
    /// The time limits, in working days.
    public let timeLimit: TimeLimit
    /// What a completed application produces.
    public let outcome: Outcome

    private enum CodingKeys: String, CodingKey {
        case code, name, department, legalBasis, applicant, materials, fee, channels, timeLimit, outcome
    }

    /// Decodes an entry through the same checks as the memberwise initialiser, so that a catalogue
    /// file cannot hold an entry the code would refuse.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            code: try container.decode(String.self, forKey: .code),
            name: try container.decode(String.self, forKey: .name),
            department: try container.decode(String.self, forKey: .department),
            legalBasis: try container.decode([String].self, forKey: .legalBasis),
            applicant: try container.decode(ApplicantKind.self, forKey: .applicant),
            materials: try container.decode([Material].self, forKey: .materials),
            fee: try container.decodeIfPresent(Money.self, forKey: .fee) ?? Money(fen: 0),
            channels: try container.decode(Set<Channel>.self, forKey: .channels),
            timeLimit: try container.decode(TimeLimit.self, forKey: .timeLimit),
            outcome: try container.decode(Outcome.self, forKey: .outcome)
        )
    }

    /// A checked catalogue entry.
    public init(
        code: String,
        name: String,
        department: String,
        legalBasis: [String],
        applicant: ApplicantKind,
        materials: [Material],
        fee: Money = Money(fen: 0),
        channels: Set<Channel>,
        timeLimit: TimeLimit,
        outcome: Outcome
    ) throws(CatalogueError) {
        guard Self.isValidCode(code) else {
            throw .invalidEntry(code: code, "the code must be 3–64 letters, digits or '-'")
        }
        guard !name.isEmpty else { throw .invalidEntry(code: code, "the name is empty") }
        guard !department.isEmpty else { throw .invalidEntry(code: code, "the department is empty") }
        guard !legalBasis.isEmpty, legalBasis.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidEntry(code: code, "a service needs its legal basis")
        }
        guard !channels.isEmpty else { throw .invalidEntry(code: code, "a service needs at least one channel") }
        guard fee.fen >= 0 else { throw .invalidEntry(code: code, "the fee is negative") }
        var documents: Set<String> = []
        for material in materials {
            guard !material.document.isEmpty else { throw .invalidEntry(code: code, "a material without its document") }
            guard documents.insert(material.document).inserted else {
                throw .invalidEntry(code: code, "the material \"\(material.document)\" is listed twice")
            }
            switch material {
            case .certificate(let type, _) where type.isEmpty, .exchange(let type, _) where type.isEmpty:
                throw .invalidEntry(
                    code: code,
                    "the material \"\(material.document)\" names no certificate type or service"
                )
            default: break
            }
        }
        if case .certificate(let type) = outcome, type.isEmpty {
            throw .invalidEntry(code: code, "the outcome names no certificate type")
        }
        self.code = code
        self.name = name
        self.department = department
        self.legalBasis = legalBasis
        self.applicant = applicant
        self.materials = materials
        self.fee = fee
        self.channels = channels
        self.timeLimit = timeLimit
        self.outcome = outcome
    }

    /// Whether `code` is 3–64 ASCII letters, digits or `-`.
    public static func isValidCode(_ code: String) -> Bool {
        (3...64).contains(code.utf8.count)
            && code.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D
            }
    }

    /// The share of materials the applicant does not hand in (replaced by an e-certificate or
    /// fetched by envelope), 0–1; 1 for a service with no materials.
    public var paperlessShare: Double {
        guard !materials.isEmpty else { return 1 }
        return Double(materials.filter(\.isPaperless).count) / Double(materials.count)
    }
}

/// The resident-service catalogue: every service the deployment offers, by code.
public struct ServiceCatalogue: Sendable, Hashable {
    /// The entries, in code order.
    public let entries: [ServiceEntry]
    private let byCode: [String: ServiceEntry]

    /// The one-thing bundles, in code order.
    public let bundles: [ServiceBundle]

    /// A catalogue of `entries` and `bundles`; a code given twice (to services or bundles) and a
    /// bundle of a service not in the catalogue are refused.
    public init(_ entries: [ServiceEntry], bundles: [ServiceBundle] = []) throws(CatalogueError) {
        var byCode: [String: ServiceEntry] = [:]
        for entry in entries {
            guard byCode[entry.code] == nil else { throw .duplicateCode(entry.code) }
            byCode[entry.code] = entry
        }
        var bundleCodes: Set<String> = []
        for bundle in bundles {
            guard byCode[bundle.code] == nil, bundleCodes.insert(bundle.code).inserted else {
                throw .duplicateCode(bundle.code)
            }
            for part in bundle.parts where byCode[part] == nil {
                throw .invalidEntry(code: bundle.code, "bundles \"\(part)\", which is not in the catalogue")
            }
        }
        self.byCode = byCode
        self.entries = entries.sorted { $0.code < $1.code }
        self.bundles = bundles.sorted { $0.code < $1.code }
    }

    /// The file layout of a catalogue.
    private struct File: Codable {
        var format: String
        var services: [ServiceEntry]
        var bundles: [ServiceBundle]?
    }

    /// The format name a catalogue file must carry.
    public static let format = "ds.service-catalogue/1"

    /// Reads a catalogue file: `{"format": "ds.service-catalogue/1", "services": [...], "bundles": [...]}`,
    /// each entry checked as ``ServiceEntry/init(code:name:department:legalBasis:applicant:materials:fee:channels:timeLimit:outcome:)``
    /// checks it.
    public init(json: Data) throws(CatalogueError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch let error as CatalogueError {
            throw error
        } catch let error as TimeLimit.ValidationError {
            throw .malformed("a time limit: \(error)")
        } catch let DecodingError.dataCorrupted(context) {
            throw .malformed(
                Self.describe(context, fallback: context.codingPath.isEmpty ? "not JSON" : context.debugDescription)
            )
        } catch let DecodingError.keyNotFound(key, context) {
            throw .malformed("\(Self.path(context)): \(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .malformed(Self.describe(context, fallback: "a value of the wrong type"))
        } catch {
            throw .malformed("\(error)")
        }
        guard file.format == Self.format else {
            throw .malformed("format is \"\(file.format)\", expected \"\(Self.format)\"")
        }
        try self.init(file.services, bundles: file.bundles ?? [])
    }

    /// The catalogue as a file ``init(json:)`` reads back.
    public func json() throws(CatalogueError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(File(format: Self.format, services: entries, bundles: bundles))
        } catch {
            throw .malformed("\(error)")
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "the catalogue" : String(path.drop { $0 == "." })
    }

    private static func describe(_ context: DecodingError.Context, fallback: String) -> String {
        // A checked initialiser's refusal travels as the underlying error of a decoding error.
        if let refusal = context.underlyingError as? CatalogueError { return "\(refusal)" }
        if let refusal = context.underlyingError as? TimeLimit.ValidationError { return "\(path(context)): \(refusal)" }
        return "\(path(context)): \(fallback)"
    }

    /// The bundle with `code`; ``CatalogueError/unknownService(_:)`` when there is none.
    public func bundle(_ code: String) throws(CatalogueError) -> ServiceBundle {
        guard let bundle = bundles.first(where: { $0.code == code }) else { throw .unknownService(code) }
        return bundle
    }

    /// The entry with `code`; ``CatalogueError/unknownService(_:)`` when there is none.
    public func entry(_ code: String) throws(CatalogueError) -> ServiceEntry {
        guard let entry = byCode[code] else { throw .unknownService(code) }
        return entry
    }

    /// The services `department` runs, in code order.
    public func services(of department: String) -> [ServiceEntry] {
        entries.filter { $0.department == department }
    }

    /// A new application for the service `code`, carrying the service's time limits.
    public func apply(
        for code: String,
        id: String,
        submitted date: CalendarDate,
        by actor: String
    ) throws(CatalogueError) -> ServiceApplication {
        let entry = try entry(code)
        return ServiceApplication(
            id: id,
            serviceCode: entry.code,
            timeLimit: entry.timeLimit,
            submitted: date,
            by: actor
        )
    }
}

/// Why the catalogue refused an entry or a question.
public enum CatalogueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No service has this code.
    case unknownService(String)
    /// Two entries share a code.
    case duplicateCode(String)
    /// An entry that does not check, and why.
    case invalidEntry(code: String, String)
    /// A catalogue file that does not read, and why.
    case malformed(String)

    public var description: String {
        switch self {
        case .unknownService(let code): "no service in the catalogue has the code \"\(code)\""
        case .duplicateCode(let code): "the code \"\(code)\" is given to two services"
        case .invalidEntry(let code, let reason): "catalogue entry \"\(code)\": \(reason)"
        case .malformed(let reason): "service catalogue: \(reason)"
        }
    }
}
