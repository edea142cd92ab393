/// A registered household (户): the unit in which social assistance counts income and assets.
///
/// Exactly one member is the head, nobody appears twice, and there is at most one spouse of the
/// head: the initializer refuses any other shape, so a per-capita income is always computed over
/// a real family.
public struct Household: Hashable, Sendable, Codable {
    /// The household's record identifier (the household register number where one is used).
    public let id: Identifier<Household>
    /// Where the household is registered.
    public var registeredDivision: DivisionCode
    /// Everyone in the household, the head first.
    public private(set) var members: [Member]

    /// One person in a household, with their relation to the head.
    public struct Member: Hashable, Sendable, Codable {
        /// The member's identity number.
        public var resident: ResidentID
        /// How the member is related to the head.
        public var relation: RelationToHead

        /// Creates a member entry.
        public init(resident: ResidentID, relation: RelationToHead) {
            self.resident = resident
            self.relation = relation
        }
    }

    /// Why a list of members is not a household.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// No member has the relation `.head`.
        case noHead
        /// More than one member has the relation `.head`.
        case severalHeads(Int)
        /// The same person is listed twice.
        case duplicateMember(ResidentID)
        /// More than one spouse of the head.
        case severalSpouses(Int)
        /// The member to remove or change is not in the household.
        case notAMember(ResidentID)

        public var description: String {
            switch self {
            case .noHead: "household has no head"
            case .severalHeads(let count): "household has \(count) heads; exactly one is required"
            case .duplicateMember(let id): "household lists \(id.masked) more than once"
            case .severalSpouses(let count): "household lists \(count) spouses of the head; at most one is allowed"
            case .notAMember(let id): "\(id.masked) is not a member of the household"
            }
        }
    }

    /// Creates a household, checking its shape.
    public init(id: Identifier<Household>, registeredDivision: DivisionCode, members: [Member]) throws(ValidationError)
    {
        try Household.check(members)
        self.id = id
        self.registeredDivision = registeredDivision
        self.members = members.sorted { ($0.relation == .head ? 0 : 1) < ($1.relation == .head ? 0 : 1) }
    }

    private static func check(_ members: [Member]) throws(ValidationError) {
        let heads = members.filter { $0.relation == .head }.count
        if heads == 0 { throw .noHead }
        if heads > 1 { throw .severalHeads(heads) }
        let spouses = members.filter { $0.relation == .spouse }.count
        if spouses > 1 { throw .severalSpouses(spouses) }
        var seen = Set<ResidentID>()
        for member in members where !seen.insert(member.resident).inserted {
            throw .duplicateMember(member.resident)
        }
    }

    /// The head of the household (户主).
    public var head: ResidentID {
        // The initializer guarantees a head, and it is sorted first.
        members[0].resident
    }

    /// Number of members: the denominator of per-capita income.
    public var size: Int { members.count }

    /// Adds a member (a birth, a marriage, a move in), keeping the household's shape valid.
    public mutating func add(_ member: Member) throws(ValidationError) {
        let updated = members + [member]
        try Household.check(updated)
        members = updated
    }

    /// Removes a member (a death, a move out); the head cannot be removed this way.
    public mutating func remove(_ resident: ResidentID) throws(ValidationError) {
        guard members.contains(where: { $0.resident == resident }) else { throw .notAMember(resident) }
        let updated = members.filter { $0.resident != resident }
        try Household.check(updated)
        members = updated
    }

    private enum CodingKeys: String, CodingKey { case id, registeredDivision, members }

    /// Decodes and re-checks the household's shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                id: container.decode(Identifier<Household>.self, forKey: .id),
                registeredDivision: container.decode(DivisionCode.self, forKey: .registeredDivision),
                members: container.decode([Member].self, forKey: .members)
            )
        } catch let error as ValidationError {
            throw DecodingError.dataCorruptedError(forKey: .members, in: container, debugDescription: error.description)
        }
    }
}

extension Household: DataClassified {
    /// Family composition is personal information linked to identity numbers.
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One household is general data.
    public static var dataLevel: DataLevel { .general }
}

/// A member's relation to the head of the household, by the first-level groups of GB/T 4761-2008
/// (家庭关系代码).
public enum RelationToHead: String, Codable, Hashable, Sendable, CaseIterable {
    /// 户主 (02).
    case head = "02"
    /// 配偶 (10).
    case spouse = "10"
    /// 子 (20).
    case son = "20"
    /// 女 (30).
    case daughter = "30"
    /// 孙子女 and other grandchildren (40).
    case grandchild = "40"
    /// 父母 (50).
    case parent = "50"
    /// 祖父母 (60).
    case grandparent = "60"
    /// 兄弟姐妹 (70).
    case sibling = "70"
    /// 其他亲属 (80).
    case otherRelative = "80"
    /// 非亲属 (99).
    case nonRelative = "99"
}
