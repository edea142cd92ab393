import Foundation
import SocietyCore
import Testing

@Suite("Entities")
struct EntityTests {
    func resident(_ number: String = "11010519491231002X") throws -> Resident {
        try Resident(
            id: ResidentID(number, today: testToday),
            name: PersonName("王小明"),
            registeredDivision: DivisionCode("321202"),
            phone: PhoneNumber("13812345678")
        )
    }

    @Test("a resident prints masked everywhere")
    func residentMasking() throws {
        let person = try resident()
        let texts = ["\(person)", String(reflecting: person), String(describing: [person])]
        for text in texts {
            #expect(!text.contains("11010519491231002X"))
            #expect(!text.contains("王小明"))
            #expect(!text.contains("13812345678"))
        }
        var dumped = ""
        dump(person, to: &dumped)
        #expect(!dumped.contains("11010519491231002X"))
        #expect(!dumped.contains("小明"))
        #expect("\(person)" == "Resident(1101**********002X, 王**, female, born 1949)")
    }

    @Test("sex and birth date come from the identity number")
    func derived() throws {
        let person = try resident()
        #expect(person.sex == .female)
        #expect(person.birthDate.iso8601 == "1949-12-31")
    }

    @Test("death is recorded once and never before birth")
    func death() throws {
        var person = try resident()
        #expect(throws: Resident.ValidationError.self) {
            try person.recordDeath(on: CalendarDate(iso8601: "1940-01-01"))
        }
        try person.recordDeath(on: CalendarDate(iso8601: "2020-05-01"))
        #expect(!person.isAlive)
        #expect(person.age(on: testToday) == 70)
        #expect(throws: Resident.ValidationError.alreadyDeceased(on: try CalendarDate(iso8601: "2020-05-01"))) {
            try person.recordDeath(on: CalendarDate(iso8601: "2021-01-01"))
        }
    }

    @Test("a resident round-trips through Codable, and a decoded death before birth is refused")
    func residentCodable() throws {
        var person = try resident()
        try person.recordDeath(on: CalendarDate(iso8601: "2020-05-01"))
        let data = try JSONEncoder().encode(person)
        #expect(try JSONDecoder().decode(Resident.self, from: data) == person)
        let tampered = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "2020-05-01", with: "1900-05-01")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Resident.self, from: Data(tampered.utf8)) }
    }

    @Test("a household has exactly one head, no duplicates, at most one spouse")
    func household() throws {
        let head = try ResidentID("11010519491231002X", today: testToday)
        let child = try ResidentID("440524188001010014", today: testToday)
        let id = try Identifier<Household>("hh-321202-000001")
        let division = try DivisionCode("321202")
        var household = try Household(
            id: id,
            registeredDivision: division,
            members: [.init(resident: child, relation: .son), .init(resident: head, relation: .head)]
        )
        #expect(household.head == head)
        #expect(household.size == 2)
        #expect(throws: Household.ValidationError.noHead) {
            try Household(id: id, registeredDivision: division, members: [.init(resident: child, relation: .son)])
        }
        #expect(throws: Household.ValidationError.duplicateMember(child)) {
            try household.add(.init(resident: child, relation: .daughter))
        }
        #expect(throws: Household.ValidationError.noHead) { try household.remove(head) }
        try household.remove(child)
        #expect(household.size == 1)
        let data = try JSONEncoder().encode(household)
        #expect(try JSONDecoder().decode(Household.self, from: data) == household)
    }

    @Test("identifiers refuse empty and odd text; no literal can bypass validation")
    func identifiers() throws {
        #expect(throws: Identifier<Household>.ValidationError.invalidLength(0)) { try Identifier<Household>("") }
        #expect(throws: Identifier<Household>.ValidationError.invalidCharacter(" ", position: 3)) {
            try Identifier<Household>("hh 1")
        }
        #expect(try Identifier<Household>("hh-1").rawValue == "hh-1")
    }

    @Test("ethnicity codes of GB/T 3304")
    func ethnicity() throws {
        #expect(Ethnicity.han.name == "汉族")
        #expect(try Ethnicity(code: "56").name == "基诺族")
        #expect(try Ethnicity(code: "98").name == "外国血统中国籍人士")
        #expect(throws: Ethnicity.ValidationError.self) { try Ethnicity(code: "57") }
    }

    @Test("names mask to the first character")
    func names() throws {
        #expect(try PersonName("欧阳娜娜").masked == "欧***")
        #expect(try PersonName("阿依古丽·买买提").masked.hasPrefix("阿*"))
        #expect(throws: PersonName.ValidationError.self) { try PersonName("") }
        #expect(throws: PersonName.ValidationError.invalidCharacter(position: 2)) { try PersonName("王1") }
    }

    @Test("data classification is declared on personal types")
    func classification() {
        #expect(ResidentID.sensitivity == .sensitivePersonal)
        #expect(Resident.sensitivity == .sensitivePersonal)
        #expect(PhoneNumber.sensitivity == .personal)
        #expect(Organization.sensitivity == .public)
        #expect(DataLevel.general < .important && DataLevel.important < .core)
    }
}
