import SocietyCore
import SocietyHousing
import SocietyServices
import SocietyTesting
import Testing

@Suite("Public rental housing")
struct RentalTests {
    func rental(_ day: String = "2026-12-01") throws -> (PublicRental, InMemoryStore) {
        let clock = try HousingFixture<InMemoryStore>.clock(day)
        let store = try InMemoryStore(clock: clock, actor: "11321200014287102B/housing")
        return (
            PublicRental(ports: ServicePorts(store: store, crypto: store.crypto, keys: store.keys, clock: clock)), store
        )
    }

    func means(
        income: Int64 = 150_000,
        assets: Int64 = 5_000_000,
        area: Int = 1_000,
        _ priorities: Set<RentalPriority> = []
    )
        -> HouseholdMeans
    {
        HouseholdMeans(
            members: 3,
            perCapitaIncome: Money(fen: income),
            assets: Money(fen: assets),
            areaPerCapita: area,
            priorities: priorities,
            evidence: ["sha256:hrss", "sha256:nr"]
        )
    }

    @Test("eligibility is decided on verified means, each limit explained")
    func eligibility() async throws {
        let (service, _) = try rental()
        let city = try HousingFixture()
        let district = try DivisionCode("321202")
        let waiting = try await service.apply(
            id: "gz-1",
            applicant: city.resident(1),
            district: district,
            means: means()
        )
        #expect(waiting.standing == .waiting(since: try CalendarDate(iso8601: "2026-12-01")))
        #expect(waiting.lifecycle.state == .completed(result: "waiting list"))
        let rich = try await service.apply(
            id: "gz-2",
            applicant: city.resident(2),
            district: district,
            means: means(income: 500_000, area: 3_000)
        )
        #expect(rich.standing == .rejected)
        #expect(
            rich.decision.explanation == "not eligible: per-capita income 5000.00 > 2400.00; 30.00 m² a person ≥ 15 m²"
        )
        var unverified = means()
        unverified.evidence = []
        let bare = try await service.apply(
            id: "gz-3",
            applicant: city.resident(3),
            district: district,
            means: unverified
        )
        #expect(bare.decision.explanation.contains("the means were not verified by envelope"))
    }

    @Test("the waiting list runs by priority, then date, then id; a round keeps the list it followed")
    func allocation() async throws {
        let city = try HousingFixture()
        let district = try DivisionCode("321202")
        let (early, store) = try rental("2026-10-01")
        try await early.apply(id: "gz-10", applicant: city.resident(10), district: district, means: means())
        try await early.apply(id: "gz-11", applicant: city.resident(11), district: district, means: means([.elderly]))
        let later = PublicRental(
            ports: ServicePorts(
                store: store,
                crypto: store.crypto,
                keys: store.keys,
                clock: try HousingFixture<InMemoryStore>.clock("2026-11-15")
            )
        )
        try await later.apply(
            id: "gz-12",
            applicant: city.resident(12),
            district: district,
            means: means([.assistance])
        )
        try await later.apply(id: "gz-13", applicant: city.resident(13), district: district, means: means())
        try await later.apply(
            id: "gz-14",
            applicant: city.resident(14),
            district: try DivisionCode("321203"),
            means: means([.assistance])
        )
        #expect(try await later.waitingList(district).map(\.id) == ["gz-12", "gz-11", "gz-10", "gz-13"])

        let round = try await later.allocate(round: "round-2026-11", district: district, units: ["A-101", "A-102"])
        #expect(round.list == ["gz-12", "gz-11", "gz-10", "gz-13"])
        #expect(round.allocations == [["gz-12", "A-101"], ["gz-11", "A-102"]])
        #expect(try await later.waitingList(district).map(\.id) == ["gz-10", "gz-13"])
        await #expect(throws: HousingError.exists("allocation round round-2026-11")) {
            try await later.allocate(round: "round-2026-11", district: district, units: ["A-103"])
        }

        // The annual review: still eligible stays; no longer eligible exits with the reason.
        let stays = try await later.annualReview("gz-12", means: means([.assistance]))
        #expect(stays.standing.name == "housed")
        let leaves = try await later.annualReview("gz-11", means: means(income: 300_000, [.elderly]))
        #expect(leaves.standing.name == "exited")
        await #expect(throws: HousingError.self) { try await later.annualReview("gz-11", means: means()) }
        #expect(try await later.exit("gz-10", reason: "moved away").standing.name == "exited")
        #expect(try await later.waitingList(district).map(\.id) == ["gz-13"])
    }
}
