public import SocietyCore

/// The eight categories of special equipment (特种设备) the Special Equipment Safety Law
/// (特种设备安全法, 2013, art. 2) names; the raw value is the category's code in the special
/// equipment catalogue (特种设备目录, 2014).
public enum SpecialEquipmentCategory: String, Hashable, Sendable, Codable, CaseIterable {
    /// 锅炉.
    case boiler = "1000"
    /// 压力容器 (gas cylinders included).
    case pressureVessel = "2000"
    /// 电梯.
    case elevator = "3000"
    /// 起重机械.
    case liftingMachinery = "4000"
    /// 场（厂）内专用机动车辆.
    case inSiteMotorVehicle = "5000"
    /// 大型游乐设施.
    case largeAmusementDevice = "6000"
    /// 压力管道.
    case pressurePiping = "8000"
    /// 客运索道.
    case passengerRopeway = "9000"

    /// The official name.
    public var name: String {
        switch self {
        case .boiler: "锅炉"
        case .pressureVessel: "压力容器"
        case .elevator: "电梯"
        case .liftingMachinery: "起重机械"
        case .inSiteMotorVehicle: "场（厂）内专用机动车辆"
        case .largeAmusementDevice: "大型游乐设施"
        case .pressurePiping: "压力管道"
        case .passengerRopeway: "客运索道"
        }
    }
}

/// The special-equipment rules, configuration:
/// - registration with the department **within 30 days** of being put into use (特种设备安全法
///   art. 33) — ``registrationDays``;
/// - the periodic inspection **requested one month before** the due date (art. 40) —
///   ``requestMonthsBefore``;
/// - intervals in months: elevators **12** (TSG T7001: yearly, DOMAINS.md); the others are an
///   **assumption** to be replaced by the TSG rules of each kind: boilers 12 (external), pressure
///   vessels 36, pressure piping 36, lifting machinery 24, in-site motor vehicles 12, large
///   amusement devices 12, passenger ropeways 12.
public struct SpecialEquipmentPolicy: Hashable, Sendable, Codable {
    /// Days after being put into use within which it is registered.
    public var registrationDays: Int
    /// Months before the due date the inspection is requested.
    public var requestMonthsBefore: Int
    /// Months between periodic inspections, by category.
    public var intervalMonths: [SpecialEquipmentCategory: Int]

    /// The policy; the defaults are the figures above.
    public init(
        registrationDays: Int = 30,
        requestMonthsBefore: Int = 1,
        intervalMonths: [SpecialEquipmentCategory: Int] = [
            .elevator: 12, .boiler: 12, .pressureVessel: 36, .pressurePiping: 36, .liftingMachinery: 24,
            .inSiteMotorVehicle: 12, .largeAmusementDevice: 12, .passengerRopeway: 12,
        ]
    ) {
        self.registrationDays = registrationDays
        self.requestMonthsBefore = requestMonthsBefore
        self.intervalMonths = intervalMonths
    }

    /// The interval of `category` in months (12 when not configured).
    public func interval(of category: SpecialEquipmentCategory) -> Int { intervalMonths[category] ?? 12 }
}

/// A registered piece of special equipment: its user (the entity responsible for it), where it is,
/// when it was put into use and registered, and its inspections. Nothing personal: a user is an
/// organisation.
public struct SpecialEquipment: Hashable, Sendable, Codable {
    /// The registration code (使用登记证编号) or the device code.
    public let id: String
    /// The category.
    public let category: SpecialEquipmentCategory
    /// The user (使用单位).
    public let user: CreditCode
    /// Where it is installed.
    public let location: String
    /// The day it was put into use.
    public let inUseSince: CalendarDate
    /// The day it was registered.
    public let registered: CalendarDate
    /// Registered later than the policy's days after being put into use.
    public let registeredLate: Bool
    /// The latest periodic inspection.
    public internal(set) var lastInspection: CalendarDate
    /// Whether the latest inspection passed.
    public internal(set) var lastPassed: Bool
    /// When the next periodic inspection is due (indexed: the early warnings' query).
    public internal(set) var nextInspection: CalendarDate

    /// A device record as the service keeps it; ``MarketSupervisionService/register(equipment:)``
    /// computes the lateness and the due date.
    public init(
        id: String,
        category: SpecialEquipmentCategory,
        user: CreditCode,
        location: String,
        inUseSince: CalendarDate,
        registered: CalendarDate,
        registeredLate: Bool,
        lastInspection: CalendarDate,
        lastPassed: Bool,
        nextInspection: CalendarDate
    ) {
        self.id = id
        self.category = category
        self.user = user
        self.location = location
        self.inUseSince = inUseSince
        self.registered = registered
        self.registeredLate = registeredLate
        self.lastInspection = lastInspection
        self.lastPassed = lastPassed
        self.nextInspection = nextInspection
    }
}

extension SpecialEquipment: StorableRecord {
    /// The table name.
    public static let recordKind = "special_equipment"
    /// The name of the index on the next inspection's day (days since 1970-01-01).
    public static let nextInspectionIndex = "next_inspection"
    /// By the next inspection's day (the warnings' range query) and by user.
    public static let indexes: [RecordIndex<SpecialEquipment>] = [
        RecordIndex(nextInspectionIndex) { .integer(Int64($0.nextInspection.daysSinceEpoch)) },
        RecordIndex("user") { .text($0.user.value) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// An early warning on a piece of special equipment.
public struct EquipmentWarning: Hashable, Sendable, Codable {
    /// How urgent.
    public enum Level: String, Hashable, Sendable, Codable {
        /// The inspection is due within the request period: request it now.
        case requestDue = "request-due"
        /// The inspection is overdue: the equipment must not be used.
        case overdue
    }

    /// The equipment.
    public let equipment: String
    /// Its category.
    public let category: SpecialEquipmentCategory
    /// Its user.
    public let user: CreditCode
    /// The due day.
    public let due: CalendarDate
    /// The level.
    public let level: Level
    /// Days until due (negative: days overdue).
    public let daysLeft: Int
}
