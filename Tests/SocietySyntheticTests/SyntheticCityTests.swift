import Foundation
import SocietyCore
import SocietySynthetic
import Testing

@Suite("Synthetic city")
struct SyntheticCityTests {
    let today = CalendarDate(daysSinceEpoch: 20_786)  // 2026-11-29

    @Test("the same seed gives the same city; another seed another")
    func deterministic() throws {
        let a = Array(try SyntheticCity(seed: 7, residents: 2_000, today: today).households())
        let b = Array(try SyntheticCity(seed: 7, residents: 2_000, today: today).households())
        let c = Array(try SyntheticCity(seed: 8, residents: 2_000, today: today).households())
        #expect(a == b)
        #expect(a != c)
    }

    @Test("size, valid and unique identity numbers, valid households, Taizhou's six districts")
    func shape() throws {
        let households = Array(try SyntheticCity(seed: 1, residents: 20_000, today: today).households())
        let people = households.flatMap(\.members)
        #expect((19_990...20_000).contains(people.count))
        #expect(Set(people.map(\.resident.id)).count == people.count)
        for person in people.prefix(2_000) {
            #expect(try ResidentID(person.resident.id.unmasked, today: today) == person.resident.id)
        }
        for household in households { _ = try household.household }
        let byDistrict = Dictionary(grouping: people, by: { $0.resident.registeredDivision.code }).mapValues(\.count)
        #expect(Set(byDistrict.keys) == ["321202", "321203", "321204", "321281", "321282", "321283"])
        let xinghua = Double(byDistrict["321281"] ?? 0) / Double(people.count)
        #expect(abs(xinghua - 0.23) < 0.02)
        let averageSize = Double(people.count) / Double(households.count)
        #expect((2.4...3.1).contains(averageSize))
        let elderly = people.filter { $0.resident.age(on: today) >= 60 }.count
        #expect((0.15...0.40).contains(Double(elderly) / Double(people.count)))
        #expect(people.contains { !$0.resident.isAlive })
        #expect(people.contains { $0.disability != nil })
    }

    @Test("sizes outside 1,000 … 4,500,000 are refused")
    func bounds() {
        #expect(throws: SyntheticCity.ConfigurationError.sizeOutOfRange(999)) {
            try SyntheticCity(residents: 999, today: today)
        }
        #expect(throws: SyntheticCity.ConfigurationError.sizeOutOfRange(4_500_001)) {
            try SyntheticCity(residents: 4_500_001, today: today)
        }
    }

    @Test("each department sees only its own facts")
    func departmentFacts() throws {
        let person = try #require(
            try SyntheticCity(seed: 3, residents: 1_000, today: today).households().first { _ in true }?.members.first
        )
        #expect(DataSourceDepartment.banks.facts(of: person).keys == ["deposits"])
        #expect(DataSourceDepartment.humanResources.facts(of: person).keys.contains("monthlyWage"))
        #expect(!DataSourceDepartment.health.facts(of: person).keys.contains("deposits"))
    }
}
