public import Foundation
public import SocietyCore

/// A grid (网格): the block of households in a community that one or more grid workers serve.
///
/// Grid size norms were not found (DOMAINS.md): the largest number of residents on one grid is
/// configuration (``GridPolicy``).
public struct Grid: Hashable, Sendable, Codable {
    /// The grid's id, e.g. `321202-001-03` (district, community, grid): 3–40 characters from
    /// `A–Z a–z 0–9 - _ .`.
    public let id: String
    /// Its name, e.g. `海陵区 城东街道 凤凰社区 第3网格`.
    public let name: String
    /// The district (GB/T 2260) the grid lies in.
    public let district: DivisionCode
    /// The grid workers (网格员) assigned to it, by staff number.
    public internal(set) var workers: [String]

    /// A grid, checking its id and name.
    public init(id: String, name: String, district: DivisionCode, workers: [String] = []) throws(CommunityError) {
        guard Self.isValidID(id) else { throw .invalid("grid id \(id) is not 3–40 letters, digits, - _ .") }
        guard !name.isEmpty else { throw .invalid("a grid has a name") }
        for worker in workers where !Self.isValidID(worker) {
            throw .invalid("worker \(worker) is not 3–40 letters, digits, - _ .")
        }
        self.id = id
        self.name = name
        self.district = district
        self.workers = workers
    }

    static func isValidID(_ text: String) -> Bool {
        (3...40).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }
}

extension Grid: StorableRecord {
    /// The table name.
    public static let recordKind = "community_grid"
    /// By district.
    public static let indexes: [RecordIndex<Grid>] = [RecordIndex("district") { .text($0.district.code) }]
    /// Nothing personal: staff numbers are the office's.
    public static let sensitiveFields: Set<String> = []
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A resident on a grid, with the household they live in (the household id as civil affairs
/// keeps it).
public struct GridResident: Hashable, Sendable, Codable {
    /// The resident (encrypted at rest; the key is a keyed hash).
    public let resident: ResidentID
    /// The grid.
    public let grid: String
    /// The household.
    public let household: String
}

extension GridResident: StorableRecord {
    /// The table name.
    public static let recordKind = "community_grid_resident"
    /// By grid, for the grid's roster.
    public static let indexes: [RecordIndex<GridResident>] = [RecordIndex("grid") { .text($0.grid) }]
    /// The resident and the household.
    public static let sensitiveFields: Set<String> = ["resident", "household"]
    /// The resident (one grid each).
    public var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

/// The grid rules: configuration, since no norm was found.
public struct GridPolicy: Hashable, Sendable, Codable {
    /// The most residents one grid holds (**assumption**: 1,500 — roughly 300–500 households, the
    /// size urban grids are commonly described with).
    public var maxResidents: Int

    /// The policy; the default is the assumption above.
    public init(maxResidents: Int = 1_500) {
        self.maxResidents = maxResidents
    }
}

/// The special groups grid work follows closely (重点人群): the plan's five and those DOMAINS.md
/// adds from practice.
public enum SpecialGroup: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// 低保对象 — minimum-living (dibao) recipients.
    case dibao
    /// 失业人员 — registered unemployed.
    case unemployed
    /// 空巢老人 — empty-nest elderly.
    case emptyNestElderly
    /// 困难群众 — people in poverty (extreme poverty, near-dibao).
    case poverty
    /// 留守儿童 — left-behind children.
    case leftBehindChildren
    /// 残疾人 — disabled people on the register.
    case disabled
    /// 严重精神障碍患者 — people with severe mental illness under management.
    case severeMentalIllness
    /// 优抚对象 — entitled groups (veterans and their families).
    case entitled

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .dibao: "低保对象"
        case .unemployed: "失业人员"
        case .emptyNestElderly: "空巢老人"
        case .poverty: "困难群众"
        case .leftBehindChildren: "留守儿童"
        case .disabled: "残疾人"
        case .severeMentalIllness: "严重精神障碍患者"
        case .entitled: "优抚对象"
        }
    }

    /// The data service a department answers the group on (`community.group.<raw value>`).
    public var service: String { "community.group.\(rawValue)" }

    public static func < (lhs: SpecialGroup, rhs: SpecialGroup) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// Why a grid worker looks at their grid's special groups: every look names one, and the purpose
/// travels in the envelopes to the departments.
public enum GridPurpose: String, Hashable, Sendable, Codable, CaseIterable {
    /// 入户走访 — a home visit.
    case visit
    /// 帮扶 — assistance follow-up.
    case assistance
    /// 应急 — an emergency (flood, fire, epidemic).
    case emergency

    /// The store and envelope purpose, `community.grid.<raw value>`.
    public var purpose: Purpose {
        switch self {
        case .visit: Purpose(constant: "community.grid.visit")
        case .assistance: Purpose(constant: "community.grid.assistance")
        case .emergency: Purpose(constant: "community.grid.emergency")
        }
    }
}

/// One look at a grid's special groups (or an attempt refused): who, which grid, why, when, and
/// how many residents were shown. Kept in the community store; the store's audit log records
/// each one.
public struct GridLook: Hashable, Sendable, Codable {
    /// A random id.
    public let id: String
    /// The grid worker.
    public let worker: String
    /// The grid.
    public let grid: String
    /// Why.
    public let purpose: GridPurpose
    /// When.
    public let at: Date
    /// Shown, or refused (with the reason).
    public let outcome: String
    /// How many residents the roster listed.
    public let shown: Int
}

extension GridLook: StorableRecord {
    /// The table name.
    public static let recordKind = "community_grid_look"
    /// By worker and by grid, for the supervisor's review.
    public static let indexes: [RecordIndex<GridLook>] = [
        RecordIndex("worker") { .text($0.worker) }, RecordIndex("grid") { .text($0.grid) },
    ]
    /// Nothing personal.
    public static let sensitiveFields: Set<String> = []
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A grid's special groups as a grid worker sees them: each resident in a group, with their
/// groups; groups whose department could not answer are named with the reason. Identity numbers
/// print masked.
public struct GridRoster: Hashable, Sendable, CustomStringConvertible {
    /// One resident and their groups.
    public struct Entry: Hashable, Sendable {
        /// The resident.
        public let resident: ResidentID
        /// The household.
        public let household: String
        /// Their groups, in the enum's order.
        public let groups: [SpecialGroup]
    }

    /// The grid.
    public let grid: Grid
    /// Who looked.
    public let worker: String
    /// Why.
    public let purpose: GridPurpose
    /// When.
    public let at: Date
    /// How many residents live on the grid.
    public let residents: Int
    /// The residents in at least one group, by household then resident.
    public let entries: [Entry]
    /// Groups no answer came for, with the reason.
    public let unavailable: [SpecialGroup: String]

    /// How many residents are in each group asked about.
    public var counts: [SpecialGroup: Int] {
        var counts: [SpecialGroup: Int] = [:]
        for entry in entries {
            for group in entry.groups { counts[group, default: 0] += 1 }
        }
        return counts
    }

    public var description: String {
        let lines = entries.map { entry in
            "\(entry.resident.masked): " + entry.groups.map(\.chineseName).joined(separator: "、")
        }
        return (["grid \(grid.id) (\(residents) residents), \(entries.count) in special groups"] + lines)
            .joined(separator: "\n")
    }
}
