public import SocietyCore
public import SocietyJSON

/// One data service of the catalogue (数据目录): what a data-source department offers, to whom,
/// for what.
///
/// The service's level is the highest level of its fields, so adding a sensitive field to a service
/// can only make its handling stricter.
public struct DataService: Hashable, Sendable, Codable {
    /// The service id, e.g. `hrss.employment-status`: the `svc` claim of envelopes.
    public let id: String
    /// The party that answers requests for this service.
    public var provider: Party
    /// The fields the service returns.
    public var fields: [Field]
    /// What the data may be used for.
    public var purposes: Set<Purpose>

    /// One returned field with its classification.
    public struct Field: Hashable, Sendable, Codable {
        /// The field name in the envelope's `data`.
        public var name: String
        /// Its GB/T 43697 grade.
        public var level: DataLevel
        /// Its PIPL sensitivity.
        public var sensitivity: Sensitivity

        /// Creates a field description.
        public init(name: String, level: DataLevel, sensitivity: Sensitivity) {
            self.name = name
            self.level = level
            self.sensitivity = sensitivity
        }
    }

    /// Creates a service description.
    public init(id: String, provider: Party, fields: [Field], purposes: Set<Purpose>) {
        self.id = id
        self.provider = provider
        self.fields = fields
        self.purposes = purposes
    }

    /// The highest level among the fields (`general` for a service without fields).
    public var level: DataLevel { fields.map(\.level).max() ?? .general }

    /// The highest sensitivity among the fields.
    public var sensitivity: Sensitivity { fields.map(\.sensitivity).max() ?? .public }

    /// The names of `data`'s top-level members that this service does not declare, sorted: what
    /// data minimisation refuses at the boundary. Data that is not an object has no declared shape,
    /// so it is reported as the one undeclared name `"(not an object)"`; `null` (no data) is fine.
    public func undeclaredFields(in data: JSONValue) -> [String] {
        switch data {
        case .null: return []
        case .object(let object):
            let declared = Set(fields.map(\.name))
            return object.keys.filter { !declared.contains($0) }.sorted()
        default: return ["(not an object)"]
        }
    }
}

/// A right to call a service: consumer → service → purposes.
public struct AccessGrant: Hashable, Sendable, Codable {
    /// Who may call.
    public var consumer: Party
    /// Which service (its id).
    public var service: String
    /// For which purposes.
    public var purposes: Set<Purpose>

    /// Creates a grant.
    public init(consumer: Party, service: String, purposes: Set<Purpose>) {
        self.consumer = consumer
        self.service = service
        self.purposes = purposes
    }
}
