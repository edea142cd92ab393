/// A resident (居民) as the population register knows them: the subject of most of the plan's
/// services.
///
/// Sex and birth date are read from the identity number rather than stored beside it, so the
/// record can never contradict itself. The whole record is sensitive personal information and
/// prints masked.
public struct Resident: Hashable, Sendable, Codable {
    /// The citizen identity number, the resident's key.
    public let id: ResidentID
    /// The registered name.
    public var name: PersonName
    /// The ethnic group.
    public var ethnicity: Ethnicity
    /// Where the household registration (户籍) is.
    public var registeredDivision: DivisionCode
    /// Where the resident actually lives, when it differs from the registration.
    public var currentDivision: DivisionCode?
    /// A contact number, if the resident gave one.
    public var phone: PhoneNumber?
    /// Alive, or deceased with the date of death.
    public private(set) var vitalStatus: VitalStatus

    /// Alive or deceased.
    public enum VitalStatus: Hashable, Sendable, Codable {
        /// Living.
        case alive
        /// Deceased on the given day.
        case deceased(on: CalendarDate)
    }

    /// Why a resident record would contradict itself.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The date of death is before the birth date read from the identity number.
        case deathBeforeBirth(death: CalendarDate, birth: CalendarDate)
        /// The resident is already recorded as deceased.
        case alreadyDeceased(on: CalendarDate)

        public var description: String {
            switch self {
            case .deathBeforeBirth(let death, let birth): "date of death \(death) is before the birth date \(birth)"
            case .alreadyDeceased(let date): "resident is already recorded as deceased on \(date)"
            }
        }
    }

    /// Creates a resident record.
    public init(
        id: ResidentID,
        name: PersonName,
        ethnicity: Ethnicity = .han,
        registeredDivision: DivisionCode,
        currentDivision: DivisionCode? = nil,
        phone: PhoneNumber? = nil,
        vitalStatus: VitalStatus = .alive
    ) throws(ValidationError) {
        if case .deceased(let date) = vitalStatus, date < id.birthDate {
            throw .deathBeforeBirth(death: date, birth: id.birthDate)
        }
        self.id = id
        self.name = name
        self.ethnicity = ethnicity
        self.registeredDivision = registeredDivision
        self.currentDivision = currentDivision
        self.phone = phone
        self.vitalStatus = vitalStatus
    }

    /// The sex encoded in the identity number.
    public var sex: Sex { id.sex }
    /// The birth date encoded in the identity number.
    public var birthDate: CalendarDate { id.birthDate }
    /// Whether the resident is alive.
    public var isAlive: Bool { vitalStatus == .alive }

    /// The age in whole years on `date` (or at death, if earlier).
    public func age(on date: CalendarDate) -> Int {
        if case .deceased(let death) = vitalStatus, death < date { return birthDate.age(on: death) }
        return birthDate.age(on: date)
    }

    /// Records the death, as reported by the civil-affairs or public-security register.
    public mutating func recordDeath(on date: CalendarDate) throws(ValidationError) {
        if case .deceased(let existing) = vitalStatus { throw .alreadyDeceased(on: existing) }
        guard date >= birthDate else { throw .deathBeforeBirth(death: date, birth: birthDate) }
        vitalStatus = .deceased(on: date)
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, ethnicity, registeredDivision, currentDivision, phone, vitalStatus
    }

    /// Decodes and re-checks the record (a death before birth is refused).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                id: container.decode(ResidentID.self, forKey: .id),
                name: container.decode(PersonName.self, forKey: .name),
                ethnicity: container.decode(Ethnicity.self, forKey: .ethnicity),
                registeredDivision: container.decode(DivisionCode.self, forKey: .registeredDivision),
                currentDivision: container.decodeIfPresent(DivisionCode.self, forKey: .currentDivision),
                phone: container.decodeIfPresent(PhoneNumber.self, forKey: .phone),
                vitalStatus: container.decode(VitalStatus.self, forKey: .vitalStatus)
            )
        } catch let error as ValidationError {
            throw DecodingError.dataCorruptedError(
                forKey: .vitalStatus,
                in: container,
                debugDescription: error.description
            )
        }
    }
}

extension Resident: DataClassified, CustomStringConvertible, CustomDebugStringConvertible {
    /// A resident record holds an identity number: sensitive personal information.
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One record is general data; the register as a whole is important data.
    public static var dataLevel: DataLevel { .general }

    /// A masked one-line summary, safe for logs.
    public var description: String {
        var text = "Resident(\(id.masked), \(name.masked), \(sex.englishName), born \(birthDate.year)"
        if case .deceased(let date) = vitalStatus { text += ", deceased \(date)" }
        return text + ")"
    }

    /// The same masked summary.
    public var debugDescription: String { description }
}

extension Resident: CustomReflectable {
    /// Reflection shows only masked values.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "id": id.masked, "name": name.masked, "registeredDivision": registeredDivision.code,
                "vitalStatus": isAlive ? "alive" : "deceased",
            ],
            displayStyle: .struct
        )
    }
}
