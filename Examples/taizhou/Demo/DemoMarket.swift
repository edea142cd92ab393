import Foundation
import SocietyCore
import SocietyDraw
import SocietyMarketSupervision
import SocietyServices

/// The demo's market supervision section (plan item 16): a "double random, one public" inspection
/// round — committed, drawn, run and disclosed with names masked — and a food recall down the chain.
extension Demo {
    struct MarketOutcome {
        var plan = ""
        var candidates = 0
        var classes: [CreditClass: Int] = [:]
        var drawn: InspectionPlan?
        var disclosure: InspectionDisclosure?
        var problem: InspectionResult?
        var recall: Recall?
    }

    /// Food shops on the demo's register.
    static let marketEntities = 30

    func market(_ government: DemoGovernment, pooled: [Pooled], today: CalendarDate) async throws -> MarketOutcome {
        var outcome = MarketOutcome()
        let deployment = government.deployment
        let department = try government.department("market", as: government.market)
        let party = government.market.party
        let service = MarketSupervisionService(
            ports: department.ports,
            draws: DrawService(
                ports: department.ports,
                signer: try deployment.signingKey(of: party),
                kid: deployment.signingKid(of: party)
            ),
            calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
        )
        // The register: food shops whose legal representatives are the synthetic city's household heads.
        let heads = pooled.map(\.head).filter(\.isAlive).prefix(Self.marketEntities + 8)
        guard heads.count >= Self.marketEntities + 8 else { return outcome }
        var codes: [CreditCode] = []
        for (index, head) in heads.prefix(Self.marketEntities).enumerated() {
            let code = try CreditCode(
                authority: .marketRegulation,
                type: "1",
                division: DivisionCode(head.id.addressCode),
                organizationBody: "MA" + DecimalText.padded(104_729 * (index + 1) % 1_000_000, width: 6)
            )
            try await service.register(
                try MarketEntity(
                    code: code,
                    name: "泰州市第\(index + 1)食品商行",
                    representative: head.name,
                    representativeID: head.id,
                    district: DivisionCode(head.id.addressCode),
                    industry: "food-sales",
                    registered: today.adding(years: -3)
                )
            )
            codes.append(code)
        }
        // Credit events: two major penalties (class C), one minor penalty (class B).
        for (n, kind) in [(3, CreditEvent.Kind.majorPenalty), (7, .majorPenalty), (11, .minorPenalty)] {
            try await service.record(
                try CreditEvent(
                    id: "penalty-\(n)",
                    entity: codes[n],
                    kind: kind,
                    date: today.adding(days: -90),
                    detail: "行政处罚"
                )
            )
        }
        // Eight inspectors; the first is linked to the first shop (a relative runs it).
        for (index, person) in heads.suffix(8).enumerated() {
            try await service.register(
                inspector: try Inspector(
                    id: "ZF-\(DecimalText.padded(index + 1, width: 3))",
                    name: person.name,
                    links: index == 0 ? [Inspector.Link(entity: codes[0], reason: "亲属经营")] : []
                )
            )
        }
        let id = "\(today.year)-food-\(today.month)"
        outcome.plan = id
        try await service.createPlan(id: id, title: "\(today.year)年食品销售双随机抽查", industry: "food-sales")
        let drawn = try await service.drawPlan(id)
        outcome.drawn = drawn
        outcome.candidates = codes.count
        for code in codes { outcome.classes[try await service.classify(code).creditClass, default: 0] += 1 }
        for (index, assignment) in drawn.assignments.enumerated() {
            let result = try await service.recordResult(
                plan: id,
                entity: assignment.entity,
                outcome: index == 0 ? .rectificationOrdered : .noProblem,
                findings: index == 0 ? "进货查验记录不全" : "未发现问题"
            )
            if index == 0 { outcome.problem = result }
        }
        outcome.disclosure = try await service.disclosure(of: id)

        // A recall: frozen dumplings made by one shop's supplier, passed to a wholesaler and on to two shops.
        let batch = "B\(today.year)\(DecimalText.padded(today.month, width: 2))01"
        try await service.produce(
            try ProductBatch(
                id: batch,
                product: "速冻水饺",
                kind: .food,
                producer: codes[1],
                produced: today.adding(days: -20),
                quantity: 1_000
            )
        )
        try await service.transfer(batch: batch, from: codes[1], to: codes[2], quantity: 600)
        try await service.transfer(batch: batch, from: codes[2], to: codes[4], quantity: 200)
        try await service.transfer(batch: batch, from: codes[2], to: codes[5], quantity: 150)
        try await service.transfer(batch: batch, from: codes[5], to: codes[6], quantity: 50)
        outcome.recall = try await service.recall(batch: batch, reason: "抽检发现致病菌")
        return outcome
    }

    func printMarket(_ outcome: MarketOutcome) {
        guard let drawn = outcome.drawn, let disclosure = outcome.disclosure else { return }
        let classes = CreditClass.allCases.compactMap { c in outcome.classes[c].map { "\(c.rawValue) \($0)" } }
        let excluded = drawn.assignments.flatMap(\.exclusions)
        print(
            "\n3l. Market supervision (市场监管, plan item 16): plan \(outcome.plan) — seeds committed before the lists, "
                + "\(drawn.assignments.count) of \(outcome.candidates) food shops drawn by credit class (\(classes.joined(separator: ", "))), "
                + "each with 2 inspectors and no conflict of interest"
                + (excluded.isEmpty
                    ? " (the one declared, ZF-001 with shop 1, did not arise)"
                    : " (left out for a conflict of interest: \(excluded.joined(separator: "; ")))")
        )
        for line in disclosure.text.split(separator: "\n").dropFirst(3).prefix(2) { print("   " + line) }
        if let problem = outcome.problem, let rectifyBy = problem.rectifyBy {
            print(
                "   Rectification by \(rectifyBy), disclosure by \(problem.discloseBy) (working days"
                    + (problem.provisional ? ", provisional past the published holiday schedule" : "") + "); "
                    + "re-run the draw from the revealed seeds: taizhou market disclose --plan \(outcome.plan)"
            )
        }
        if let recall = outcome.recall {
            print(
                "   Recall of batch \(recall.batch) (\(recall.reason)): \(recall.holders.count) downstream holders found, "
                    + recall.holders.map { "\($0.held) at depth \($0.depth)" }.joined(separator: ", ")
            )
        }
    }
}
