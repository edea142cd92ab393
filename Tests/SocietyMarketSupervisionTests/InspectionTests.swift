import Foundation
import InteropSupport
import SocietyCore
import SocietyDraw
import SocietyJSON
import SocietyMarketSupervision
import SocietyServices
import SocietyTesting
import Testing

/// Twelve food shops (nine class A, one class B, two class D) and five inspectors, two of them
/// linked to shop 11.
func inspectionFixture<Store: RecordStore>(_ world: MarketWorld<Store>) async throws {
    for n in 1...12 { try await world.entity(n) }
    try await world.entity(13, industry: "catering")
    let events: [(String, Int, CreditEvent.Kind)] = [
        ("b-10", 10, .minorPenalty), ("d-11a", 11, .majorPenalty), ("d-11b", 11, .minorPenalty),
        ("d-12a", 12, .majorPenalty), ("d-12b", 12, .unreachable),
    ]
    for (id, n, kind) in events {
        try await world.service.record(
            CreditEvent(
                id: id,
                entity: MarketWorld<Store>.code(n),
                kind: kind,
                date: world.date("2026-04-01"),
                detail: "处罚"
            )
        )
    }
    let names = ["陈建国", "林晓红", "高志强", "何丽萍", "郑海波"]
    for (index, name) in names.enumerated() {
        var links: [Inspector.Link] = []
        if index == 0 { links = [Inspector.Link(entity: try MarketWorld<Store>.code(11), reason: "former employee")] }
        if index == 1 { links = [Inspector.Link(entity: try MarketWorld<Store>.code(11), reason: "relative")] }
        try await world.service.register(
            inspector: Inspector(id: "TZ-SJ-0\(index + 1)", name: PersonName(name), links: links)
        )
    }
}

@Suite("Double random, one public")
struct InspectionTests {
    typealias World = MarketWorld<InMemoryStore>

    @Test("commit before the lists, draw by class quotas, pair without conflicts, verify the draws")
    func draw() async throws {
        let world = try World()
        let plan = try await world.service.createPlan(
            id: "2026-food-01",
            title: "2026 食品销售双随机抽查",
            industry: "food-sales"
        )
        #expect(plan.state == .committed && plan.entityCommitment.count == 64 && plan.inspectorCommitment.count == 64)
        await #expect(throws: MarketSupervisionError.duplicate("plan 2026-food-01")) {
            try await world.service.createPlan(id: "2026-food-01", title: "again")
        }
        await #expect(throws: MarketSupervisionError.self) {
            try await world.service.createPlan(id: "bad id", title: "x")
        }
        try await inspectionFixture(world)

        let drawn = try await world.service.drawPlan("2026-food-01")
        #expect(drawn.state == .drawn)
        // Quotas: A 9 × 3 % → 1, B 1 × 5 % → 1, D 2 × 100 % → 2; the catering shop is no candidate.
        #expect(drawn.assignments.count == 4)
        #expect(drawn.assignments.map(\.creditClass).sorted() == [.a, .b, .d, .d])
        let selected = Set(drawn.assignments.map(\.entity))
        #expect(selected.isSuperset(of: [try World.code(10), try World.code(11), try World.code(12)]))
        #expect(!selected.contains(try World.code(13)))
        for assignment in drawn.assignments {
            #expect(assignment.inspectors.count == 2)
            #expect(Set(assignment.inspectors).count == 2)
        }
        let eleven = try #require(drawn.assignments.first { $0.entity == (try World.code(11)) })
        #expect(!eleven.inspectors.contains("TZ-SJ-01") && !eleven.inspectors.contains("TZ-SJ-02"))
        #expect(eleven.exclusions == ["TZ-SJ-01: former employee", "TZ-SJ-02: relative"])
        var load: [String: Int] = [:]
        for inspector in drawn.assignments.flatMap(\.inspectors) { load[inspector, default: 0] += 1 }
        #expect(load.values.max() == 2)

        // Both draws verify on their own: the seed matches the commitment published first.
        for id in [drawn.entityDraw, drawn.inspectorDraw] {
            let result = try await world.service.draws.result(id)
            try result.verify(with: world.drawKey.publicKey, crypto: world.crypto)
        }
        let entities = try await world.service.draws.result(drawn.entityDraw)
        #expect(entities.commitment == plan.entityCommitment && entities.candidates.count == 12)
        await #expect(throws: MarketSupervisionError.illegal(move: "draw plan 2026-food-01", state: "drawn")) {
            try await world.service.drawPlan("2026-food-01")
        }
    }

    @Test("a plan an entity cannot be paired for is refused before anything is drawn")
    func infeasible() async throws {
        let world = try World()
        try await world.service.createPlan(id: "p-2", title: "t")
        try await world.entity(1)
        let code = try World.code(1)
        try await world.service.register(
            inspector: Inspector(id: "I-1", name: PersonName("陈建国"), links: [.init(entity: code, reason: "relative")])
        )
        try await world.service.register(inspector: Inspector(id: "I-2", name: PersonName("林晓红")))
        await #expect(
            throws: MarketSupervisionError.invalid("entity \(code) has 1 inspector(s) without a link; 2 are needed")
        ) {
            try await world.service.drawPlan("p-2")
        }
        #expect(try await world.service.plan("p-2").state == .committed)
        #expect(!(try await world.service.draws.result(InspectionPlan.entityDrawID("p-2")).isDrawn))
        await #expect(throws: MarketSupervisionError.notFound("plan p-9")) { try await world.service.drawPlan("p-9") }
        #expect(throws: MarketSupervisionError.self) { try Inspector(id: "I 3", name: PersonName("高志强")) }
    }

    @Test("a result in December: deadlines counted into the unpublished year are marked provisional; dates checked")
    func december() async throws {
        let world = try World(
            day: "2026-12-14",
            calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
        )
        try await world.service.createPlan(id: "2026-food-12", title: "2026 年末食品销售抽查", industry: "food-sales")
        try await inspectionFixture(world)
        let drawn = try await world.service.drawPlan("2026-food-12")
        let first = drawn.assignments[0].entity
        await #expect(throws: MarketSupervisionError.invalid("an inspection is not dated after today")) {
            try await world.service.recordResult(
                plan: "2026-food-12",
                entity: first,
                outcome: .noProblem,
                findings: "-",
                on: try world.date("2026-12-15")
            )
        }
        await #expect(throws: MarketSupervisionError.invalid("an inspection is not dated before its draw (2026-12-14)"))
        {
            try await world.service.recordResult(
                plan: "2026-food-12",
                entity: first,
                outcome: .noProblem,
                findings: "-",
                on: try world.date("2026-12-11")
            )
        }
        let problem = try await world.service.recordResult(
            plan: "2026-food-12",
            entity: first,
            outcome: .rectificationOrdered,
            findings: "标签不合格",
            on: try world.date("2026-12-14")
        )
        // 13 working days to 31 December, 1 January a holiday by statute, then 4 and 5 January.
        #expect(problem.rectifyBy == (try world.date("2027-01-05")) && problem.provisional)
        #expect(problem.discloseBy == (try world.date("2027-01-12")))
        #expect(
            try await world.service.disclosure(of: "2026-food-12").text.contains("rectify by 2027-01-05 (provisional)")
        )
        // The published calendar alone cannot count it: a typed error, nothing recorded.
        let strict = try World(day: "2026-12-14")
        try await strict.service.createPlan(id: "p-strict", title: "strict", industry: "food-sales")
        try await inspectionFixture(strict)
        let strictDrawn = try await strict.service.drawPlan("p-strict")
        await #expect(throws: MarketSupervisionError.self) {
            try await strict.service.recordResult(
                plan: "p-strict",
                entity: strictDrawn.assignments[0].entity,
                outcome: .noProblem,
                findings: "-"
            )
        }
        #expect(try await strict.service.results(of: "p-strict").isEmpty)
    }

    @Test("results with rectification in working days, credit events, and the masked public disclosure")
    func results() async throws {
        let world = try World()
        try await world.service.createPlan(id: "2026-food-02", title: "2026 食品销售双随机抽查", industry: "food-sales")
        try await inspectionFixture(world)
        await #expect(throws: MarketSupervisionError.illegal(move: "disclose plan 2026-food-02", state: "committed")) {
            try await world.service.disclosure(of: "2026-food-02")
        }
        let drawn = try await world.service.drawPlan("2026-food-02")
        let first = drawn.assignments[0].entity
        let second = drawn.assignments[1].entity
        let outsider = try World.code(13)
        await #expect(throws: MarketSupervisionError.notFound("entity \(outsider) in the drawn plan 2026-food-02")) {
            try await world.service.recordResult(
                plan: "2026-food-02",
                entity: outsider,
                outcome: .noProblem,
                findings: "-"
            )
        }
        let problem = try await world.service.recordResult(
            plan: "2026-food-02",
            entity: first,
            outcome: .rectificationOrdered,
            findings: "进货查验记录不全"
        )
        // 15 working days from Monday 2026-09-21, across 中秋节 (25–27 Sep), 国庆节 (1–7 Oct) and the
        // make-up working Saturday 10 Oct; disclosure within 20.
        #expect(problem.rectifyBy == (try world.date("2026-10-19")))
        #expect(problem.discloseBy == (try world.date("2026-10-26")))
        #expect(problem.inspectors == drawn.assignments[0].inspectors)
        await #expect(throws: MarketSupervisionError.duplicate("result of \(first) in plan 2026-food-02")) {
            try await world.service.recordResult(
                plan: "2026-food-02",
                entity: first,
                outcome: .noProblem,
                findings: "-"
            )
        }
        let clean = try await world.service.recordResult(
            plan: "2026-food-02",
            entity: second,
            outcome: .noProblem,
            findings: "未发现问题"
        )
        #expect(clean.rectifyBy == nil)
        #expect(try await world.service.events(of: first).contains { $0.kind == .inspectionProblem })
        #expect(!(try await world.service.events(of: second).contains { $0.kind == .inspectionProblem }))

        let late = try world.on("2026-10-20")
        #expect(try await late.service.overdueRectifications(on: late.date("2026-10-20")).map(\.entity) == [first])
        #expect(try await late.service.overdueRectifications(on: late.date("2026-10-19")).isEmpty)
        let fixed = try await late.service.confirmRectification(plan: "2026-food-02", entity: first, proof: "整改报告及照片")
        #expect(fixed.rectified == (try late.date("2026-10-20")))
        #expect(try await late.service.overdueRectifications(on: late.date("2026-10-20")).isEmpty)
        await #expect(throws: MarketSupervisionError.illegal(move: "confirm rectification", state: "no-problem")) {
            try await late.service.confirmRectification(plan: "2026-food-02", entity: second, proof: "x")
        }

        let disclosure = try await world.service.disclosure(of: "2026-food-02")
        #expect(disclosure.lines.map(\.entity) == drawn.assignments.map(\.entity))
        #expect(disclosure.entitySeed == (try await world.service.draws.result(drawn.entityDraw).seed))
        #expect(disclosure.lines[0].outcome == "发现问题，已责令改正")
        #expect(disclosure.lines[1].outcome == "未发现问题")
        #expect(disclosure.lines[2].outcome == nil)
        let text = disclosure.text
        let json = String(decoding: try JSONEncoder().encode(disclosure), as: UTF8.self)
        for n in 1...12 {
            let entity = try await world.service.entity(World.code(n))
            #expect(!text.contains(entity.representative.unmasked) && !json.contains(entity.representative.unmasked))
            #expect(
                !text.contains(entity.representativeID.unmasked) && !json.contains(entity.representativeID.unmasked)
            )
        }
        for name in ["陈建国", "林晓红", "高志强", "何丽萍", "郑海波"] { #expect(!text.contains(name) && !json.contains(name)) }
        let line = disclosure.lines[0]
        let entity = try await world.service.entity(line.entity)
        #expect(line.representative == entity.representative.masked && line.representative.hasSuffix("*"))
        #expect(line.representativeID == entity.representativeID.masked && line.representativeID.contains("**********"))
        #expect(line.inspectors.allSatisfy { $0.hasPrefix("TZ-SJ-0") && $0.hasSuffix("**") })
        #expect(text.contains(line.entity.value))
    }

    @Test("the inspection draw re-run by an independent Python script from the revealed seeds gives the same selection")
    func python() async throws {
        let world = try World()
        try await world.service.createPlan(id: "2026-food-03", title: "interop", industry: "food-sales")
        try await inspectionFixture(world)
        for n in 30...69 { try await world.entity(n) }  // more class-A candidates: 49 × 3 % → 2
        let drawn = try await world.service.drawPlan("2026-food-03")
        let entities = try await world.service.draws.result(drawn.entityDraw)
        let inspectors = try await world.service.draws.result(drawn.inspectorDraw)
        var classes: [JSONValue] = []
        for code in entities.candidates {
            let creditClass = try await world.service.classify(CreditCode(code)).creditClass
            classes.append(["code": .string(code), "class": .string(creditClass.rawValue)])
        }
        var listed: [JSONValue] = []
        for id in inspectors.candidates {
            let links: [JSONValue] = (id == "TZ-SJ-01" || id == "TZ-SJ-02") ? [.string(try World.code(11).value)] : []
            listed.append(["id": .string(id), "links": .array(links)])
        }
        let input: JSONValue = [
            "entitySeed": .string(try #require(entities.seed)), "inspectorSeed": .string(try #require(inspectors.seed)),
            "perEntity": .number(2),
            "percent": ["A": .number(3), "B": .number(5), "C": .number(20), "D": .number(100)],
            "entities": .array(classes),
            "inspectors": .array(listed),
        ]
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Interop/inspection.py")
        let output = try runPython(script: script.path, input: try input.canonicalString())
        let theirs = try #require(try JSONValue(parsing: Array(output.utf8)).arrayValue)
        let mine: [JSONValue] = drawn.assignments.map {
            ["entity": .string($0.entity.value), "inspectors": .array($0.inspectors.map(JSONValue.string))]
        }
        #expect(drawn.assignments.count == 5)
        #expect(theirs == mine)
    }
}

/// Runs `script` with the interoperability Python, `input` on standard input; its standard output.
/// Both ends of both pipes are closed once the process has exited.
func runPython(script: String, input: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [try InteropPython.path(), script]
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    for pipe in [stdin, stdout] {
        try? pipe.fileHandleForReading.close()
        try? pipe.fileHandleForWriting.close()
    }
    guard process.terminationStatus == 0 else { throw PythonFailed(status: process.terminationStatus) }
    return String(decoding: output, as: UTF8.self)
}

struct PythonFailed: Error {
    let status: Int32
}
