import Foundation
import SocietyCore
import SocietyElderlyCare
import SocietyOneCard

/// The demo's elderly-care section (plan item 9): the city's oldest resident assessed, a care plan
/// from the level, and a home-care order carried out and rated.
extension Demo {
    struct ElderlyCareOutcome {
        var lines: [String] = []
    }

    func elderlyCare(
        _ government: DemoGovernment,
        oneCard: OneCardService,
        residents: [Resident],
        today: CalendarDate
    ) async throws -> ElderlyCareOutcome {
        var outcome = ElderlyCareOutcome()
        let living = residents.filter(\.isAlive)
        guard let elder = living.filter({ $0.age(on: today) >= 60 }).max(by: { $0.age(on: today) < $1.age(on: today) }),
            let worker = living.first(where: { (30...50).contains($0.age(on: today)) })
        else { return outcome }
        let department = try government.department("eldercare", as: government.civilAffairs)
        let care = ElderlyCareService(ports: department.ports, oneCard: oneCard)
        // Scores falling with age past 75: a point off an item for every year, item by item.
        var missing = max(0, min(80, (elder.age(on: today) - 75) * 3))
        var items: [CapabilityItem: Int] = [:]
        for item in CapabilityItem.allCases {
            let taken = min(item.maximum, missing)
            items[item] = item.maximum - taken
            missing -= taken
        }
        let assessment = try await care.assess(id: "as-demo-1", elder: elder.id, assessor: "A001", items: items)
        let plan = try await care.makePlan(id: "plan-demo-1", from: assessment.id)
        let provider = try HomeCareProvider(
            id: "91320214745555318W",
            name: "海陵区颐康居家养老服务中心",
            district: elder.registeredDivision,
            kinds: Set(HomeCareKind.allCases)
        )
        try await care.register(provider)
        try await care.register(try CareWorker(id: "W001", provider: provider.id, person: worker.id))
        let kind = plan.services.first?.kind ?? .companionship
        try await care.place(
            try HomeCareOrder(
                id: "o-demo-1",
                elder: elder.id,
                provider: provider.id,
                kind: kind,
                date: today,
                plan: plan.id
            )
        )
        let start = today.startInstant.addingTimeInterval(9 * 3_600)
        try await care.apply(.assign(worker: "W001"), to: "o-demo-1")
        try await care.apply(.checkIn(at: start), to: "o-demo-1")
        try await care.apply(.checkOut(at: start.addingTimeInterval(3_600), note: "按照护计划服务"), to: "o-demo-1")
        let order = try await care.apply(.rate(stars: 5, comment: "满意"), to: "o-demo-1")
        outcome.lines = [
            "\(elder.id.masked) (age \(elder.age(on: today))) assessed \(assessment.score.total)/90: "
                + "\(assessment.level.chineseName) → care plan: "
                + plan.services.map { "\($0.kind.rawValue) \($0.visitsPerWeek)×/week" }.joined(separator: ", "),
            "home-care order \(order.id): \(kind.rawValue) by \(provider.name), checked in and out "
                + "(\(order.minutes ?? 0) minutes), rated \(order.stars ?? 0)★",
        ]
        return outcome
    }

    func printElderlyCare(_ outcome: ElderlyCareOutcome) {
        guard !outcome.lines.isEmpty else {
            print("\n3g. Elderly care (养老, plan item 9): no resident of 60 or more in this city")
            return
        }
        print("\n3g. Elderly care (养老, plan item 9): " + outcome.lines[0])
        for line in outcome.lines.dropFirst() { print("   " + line) }
    }
}
