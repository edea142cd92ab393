public import SocietyCore
import SocietyJSON

/// A deterministic, Taizhou-shaped synthetic city: households, residents and everything the
/// departments know about them, generated from a seed.
///
/// The same seed and size always give the same city, so demos and tests are reproducible and an
/// SDK user can build their own tests on it. Households are produced one at a time
/// (``households()`` is a lazy sequence), so a city of 4.5 million residents streams in constant
/// memory. Every figure below is an **assumption** chosen to look like Taizhou (REFERENCES.md,
/// "Taizhou in figures"), not official data.
public struct SyntheticCity: Sendable {
    /// The seed every random choice derives from.
    public let seed: UInt64
    /// The number of residents to generate, 1,000 … 4,500,000.
    public let residents: Int
    /// The day the city is observed (ages, deaths in the past year).
    public let today: CalendarDate

    /// Why a city cannot be generated.
    public enum ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The size is outside 1,000 … 4,500,000.
        case sizeOutOfRange(Int)

        public var description: String {
            switch self {
            case .sizeOutOfRange(let size): "a synthetic city has 1,000 to 4,500,000 residents, not \(size)"
            }
        }
    }

    /// The six county-level units and their share of the population (assumption: rounded from
    /// census-era figures; Gaogang's 484,500 residents in 2021 fix its share at about 10 %).
    public static let districts: [(code: Int, share: Double)] = [
        (321202, 0.19), (321203, 0.10), (321204, 0.16), (321281, 0.23), (321282, 0.13), (321283, 0.19),
    ]

    /// A city of `residents` people from `seed`, observed on `today`.
    public init(seed: UInt64 = 20_221_028, residents: Int = 20_000, today: CalendarDate) throws(ConfigurationError) {
        guard (1_000...4_500_000).contains(residents) else { throw .sizeOutOfRange(residents) }
        self.seed = seed
        self.residents = residents
        self.today = today
    }

    /// The households, generated lazily in a fixed order.
    public func households() -> some Sequence<SyntheticHousehold> & Sendable { HouseholdSequence(city: self) }
}

/// One generated household with its members.
public struct SyntheticHousehold: Hashable, Sendable {
    /// The household's register id.
    public let id: Identifier<Household>
    /// Where it is registered.
    public let division: DivisionCode
    /// The members, the head first.
    public let members: [SyntheticPerson]

    /// The household as the civil register knows it.
    public var household: Household {
        get throws {
            try Household(
                id: id,
                registeredDivision: division,
                members: members.map { Household.Member(resident: $0.resident.id, relation: $0.relation) }
            )
        }
    }

    /// Members alive on the observation day.
    public var living: [SyntheticPerson] { members.filter { $0.resident.isAlive } }
}

/// One generated resident and the facts each department holds about them.
public struct SyntheticPerson: Hashable, Sendable {
    /// The population-register record (name, ID, division, vital status).
    public let resident: Resident
    /// Relation to the head of the household.
    public let relation: RelationToHead
    /// Employment status, as HR & social security records it.
    public let employment: Employment
    /// Monthly wage (employed) in fen.
    public let monthlyWage: Money
    /// Monthly pension (retired) in fen.
    public let monthlyPension: Money
    /// Disability (category 1–7, level 1–4), as the disabled persons' federation records it.
    public let disability: Disability?
    /// Chronic conditions on the health record.
    public let chronicConditions: Set<ChronicCondition>
    /// Whether the health record shows a current pregnancy.
    public let pregnant: Bool
    /// Out-of-pocket medical spending over the past 12 months, in fen.
    public let medicalSpending: Money
    /// Bank deposits, in fen.
    public let deposits: Money
    /// Dwellings registered to the person, and their floor area in m².
    public let dwellings: Int
    /// Total floor area of those dwellings, m².
    public let floorArea: Int
    /// Vehicles registered, and their estimated value.
    public let vehicles: Int
    /// Estimated value of the vehicles, in fen.
    public let vehicleValue: Money
    /// Whether the person owns a registered business.
    public let businessOwner: Bool

    /// Employment status.
    public enum Employment: String, Hashable, Sendable, Codable, CaseIterable {
        /// In work.
        case employed
        /// Registered unemployed.
        case unemployed
        /// Drawing a pension.
        case retired
        /// In school.
        case student
        /// Outside the labour force (children, carers, farmers without registered work).
        case none
    }

    /// A disability on the federation's register (GB/T 26341 categories and levels).
    public struct Disability: Hashable, Sendable, Codable {
        /// 1 visual, 2 hearing, 3 speech, 4 physical, 5 intellectual, 6 mental, 7 multiple.
        public let category: Int
        /// 1 (most severe) … 4.
        public let level: Int
    }

    /// Chronic conditions that drive follow-up plans and medical spending.
    public enum ChronicCondition: String, Hashable, Sendable, Codable, CaseIterable {
        /// 高血压.
        case hypertension
        /// 糖尿病.
        case diabetes
        /// 严重精神障碍.
        case severeMentalIllness
    }

    /// Monthly income from work and pension.
    public var monthlyIncome: Money { (try? monthlyWage.adding(monthlyPension)) ?? monthlyWage }
}

struct HouseholdSequence: Sequence, Sendable {
    let city: SyntheticCity

    func makeIterator() -> HouseholdGenerator { HouseholdGenerator(city: city) }
}

/// Generates households one by one until the city's size is reached.
struct HouseholdGenerator: IteratorProtocol {
    let city: SyntheticCity
    private var random: SeededRandomSource
    private var generated = 0
    private var householdNumber = 0
    /// Sequence numbers used per (division, birth date, sex): identity numbers never repeat.
    private var sequences: [Int: Int] = [:]
    private let districts: [DivisionCode]
    private let thresholds: [Double]

    init(city: SyntheticCity) {
        self.city = city
        self.random = SeededRandomSource(seed: city.seed)
        var districts: [DivisionCode] = []
        var thresholds: [Double] = []
        var cumulative = 0.0
        for (code, share) in SyntheticCity.districts {
            if let division = try? DivisionCode(code) {
                districts.append(division)
                cumulative += share
                thresholds.append(cumulative)
            }
        }
        self.districts = districts
        self.thresholds = thresholds
    }

    mutating func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func chance(_ probability: Double) -> Bool { uniform() < probability }

    mutating func next() -> SyntheticHousehold? {
        guard generated < city.residents else { return nil }
        householdNumber += 1
        let draw = uniform()
        let division = districts[thresholds.firstIndex { draw < $0 } ?? (districts.count - 1)]
        // Household sizes (assumption): 1: 18 %, 2: 30 %, 3: 27 %, 4: 15 %, 5: 7 %, 6: 3 %.
        let sizeDraw = uniform()
        let cumulativeSizes: [(Double, Int)] = [(0.18, 1), (0.48, 2), (0.75, 3), (0.90, 4), (0.97, 5), (1.0, 6)]
        let size = min(cumulativeSizes.first { sizeDraw < $0.0 }?.1 ?? 3, city.residents - generated)
        var members: [SyntheticPerson] = []
        let headAge = size == 1 ? int(22...92) : int(26...80)
        let headMale = chance(0.6)
        let household = (try? Identifier<Household>("hh-\(division.code)-\(householdNumber)"))
        if let head = person(division: division, age: headAge, male: headMale, relation: .head, alone: size == 1) {
            members.append(head)
        }
        if size >= 2,
            let spouse = person(
                division: division,
                age: max(20, headAge + int(-6...4)),
                male: !headMale,
                relation: .spouse,
                alone: false
            )
        {
            members.append(spouse)
        }
        var index = 2
        while index < size {
            if index == 4 && headAge < 62 && chance(0.5) {
                if let parent = person(
                    division: division,
                    age: min(100, headAge + int(24...32)),
                    male: chance(0.4),
                    relation: .parent,
                    alone: false
                ) {
                    members.append(parent)
                }
            } else {
                let childAge = max(0, headAge - int(22...36))
                let male = chance(0.52)
                if let child = person(
                    division: division,
                    age: childAge,
                    male: male,
                    relation: male ? .son : .daughter,
                    alone: false
                ) {
                    members.append(child)
                }
            }
            index += 1
        }
        generated += max(1, members.count)
        guard let household, members.first?.relation == .head else { return next() }
        return SyntheticHousehold(id: household, division: division, members: members)
    }

    private mutating func person(
        division: DivisionCode,
        age: Int,
        male: Bool,
        relation: RelationToHead,
        alone: Bool
    ) -> SyntheticPerson? {
        let birthYear = city.today.year - age
        let dayOfYear = int(0...364)
        let birth =
            (try? CalendarDate(year: birthYear, month: 1, day: 1).adding(days: dayOfYear))
            ?? CalendarDate(daysSinceEpoch: 0)
        let born = birth > city.today ? city.today : birth
        let key = (division.value * 100_000 + born.daysSinceEpoch + 60_000) * 2 + (male ? 1 : 0)
        let used = sequences[key, default: 0]
        sequences[key] = used + 1
        let sequence = min(999, used * 2 + (male ? 1 : 0))
        let id = (try? ResidentID(addressCode: division, birthDate: born, sequence: sequence, today: city.today))
        let surname = SyntheticNames.surnames[int(0...(SyntheticNames.surnames.count - 1))]
        let given = (0..<int(1...2)).map { _ in SyntheticNames.given[int(0...(SyntheticNames.given.count - 1))] }
            .joined()
        let name = (try? PersonName(surname + given)) ?? (try? PersonName("张三"))
        let deceased = chance(age >= 70 ? 0.03 : 0.002)
        let deathDate = city.today.adding(days: -int(1...330))
        // Every generated number and name is valid by construction; a nil here would only skip a person.
        guard let id, let name,
            let resident = try? Resident(
                id: id,
                name: name,
                registeredDivision: division,
                vitalStatus: deceased && deathDate > born ? .deceased(on: deathDate) : .alive
            )
        else { return nil }
        // Employment by age (assumption).
        let employment: SyntheticPerson.Employment
        switch age {
        case ..<16: employment = .student
        case 16..<23: employment = chance(0.6) ? .student : (chance(0.8) ? .employed : .unemployed)
        case 23..<60: employment = chance(0.84) ? .employed : (chance(0.45) ? .unemployed : .none)
        default: employment = chance(0.82) ? .retired : .none
        }
        let rural = division.value == 321281 || division.value == 321283  // Xinghua, Taixing: more rural
        let wageBase = rural ? 2_600 : 3_600
        let monthlyWage = employment == .employed ? Money(fen: Int64(wageBase + int(0...9_000)) * 100) : .zero
        let monthlyPension =
            employment == .retired ? Money(fen: Int64((rural ? 600 : 1_800) + int(0...3_200)) * 100) : .zero
        let disabled = chance(age >= 60 ? 0.09 : 0.04)
        let disability = disabled ? SyntheticPerson.Disability(category: int(1...7), level: int(1...4)) : nil
        var chronic: Set<SyntheticPerson.ChronicCondition> = []
        if age >= 40 && chance(age >= 60 ? 0.35 : 0.15) { chronic.insert(.hypertension) }
        if age >= 40 && chance(age >= 60 ? 0.14 : 0.05) { chronic.insert(.diabetes) }
        if age >= 18 && chance(0.006) { chronic.insert(.severeMentalIllness) }
        var spending = Int64(int(0...2_000)) * 100 + Int64(chronic.count) * Int64(int(1_000...6_000)) * 100
        if chance(0.02) { spending += Int64(int(30_000...150_000)) * 100 }  // a heavy illness this year
        // Assets follow income (assumption): savings of up to three years' income, a second dwelling
        // and a car mostly for the better-off.
        let monthlyYuan = Int((monthlyWage.fen + monthlyPension.fen) / 100)
        let deposits =
            chance(0.15)
            ? Int64(int(0...3_000)) * 100
            : Int64(Double(monthlyYuan) * uniform() * 36 + Double(int(0...20_000))) * 100
        let owner = relation == .head || relation == .spouse
        let dwellings = owner && chance(0.78) ? (monthlyYuan > 6_000 && chance(0.3) ? 2 : 1) : 0
        let vehicles = owner && age < 75 && chance(monthlyYuan > 4_000 ? 0.6 : 0.12) ? 1 : 0
        return SyntheticPerson(
            resident: resident,
            relation: relation,
            employment: employment,
            monthlyWage: monthlyWage,
            monthlyPension: monthlyPension,
            disability: disability,
            chronicConditions: chronic,
            pregnant: !male && (20...40).contains(age) && chance(0.03),
            medicalSpending: Money(fen: spending),
            deposits: Money(fen: deposits),
            dwellings: dwellings,
            floorArea: dwellings * int(45...140),
            vehicles: vehicles,
            vehicleValue: Money(
                fen: vehicles > 0 ? Int64(int(20_000...(monthlyYuan > 4_000 ? 300_000 : 60_000))) * 100 : 0
            ),
            businessOwner: owner && chance(0.06)
        )
    }
}

/// Name characters for synthetic residents (common surnames and given-name characters).
enum SyntheticNames {
    static let surnames = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
        "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
    ]
    static let given = [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
        "刚", "桂", "英", "华", "玉", "兰", "建", "国", "文", "斌", "红", "梅", "鑫", "宇", "浩", "婷", "欣", "怡", "晨", "阳",
    ]
}
