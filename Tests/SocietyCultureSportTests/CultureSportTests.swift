import Foundation
import Logging
import SQLiteTestSupport
import SocietyCore
import SocietyCultureSport
import SocietyJSON
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

/// The service on a store with a clock the tests move, from 10:00 on Monday 2027-03-01.
struct VenueWorld<Store: RecordStore> {
    let store: Store
    let service: CultureSportService
    let clock: MovingClock
    let key: any SigningKey

    static func clock() throws -> MovingClock {
        MovingClock(try CalendarDate(iso8601: "2027-03-01").startInstant.addingTimeInterval(36_000))
    }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: MovingClock) throws {
        self.store = store
        self.clock = clock
        key = try OpenSSLCryptoProvider().generateSigningKey(.ed25519)
        service = CultureSportService(
            ports: ServicePorts(
                store: store,
                crypto: crypto,
                keys: keys,
                clock: clock,
                logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
            ),
            signer: key,
            kid: "museum-1"
        )
    }

    func visitor(_ n: Int) throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: "1990-05-01"), sequence: n)
    }

    func museum() async throws {
        try await service.register(
            try Venue(
                id: "TZ-MUSEUM",
                name: "泰州市博物馆",
                kind: .museum,
                district: DivisionCode("321202"),
                location: GeoPoint(latitude: 32.4849, longitude: 119.9229)
            )
        )
        try await service.release(
            try EntrySchedule(
                venue: "TZ-MUSEUM",
                weekdays: Set(1...7),
                times: ["09:00", "14:00"],
                minutes: 120,
                capacity: 3
            )
        )
    }
}

extension VenueWorld where Store == InMemoryStore {
    init() throws {
        let clock = try Self.clock()
        let store = try InMemoryStore(clock: clock, actor: "12321200MB0000000X/museum")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}

@Suite("Timed-entry reservations")
struct ReservationTests {
    typealias World = VenueWorld<InMemoryStore>

    @Test("book, no overbooking under a race, one ticket a person a day, cancel before the cut-off")
    func booking() async throws {
        let world = try World()
        try await world.museum()
        let slot = "TZ-MUSEUM|2027-03-02|09:00"
        let service = world.service
        let visitors = try (1...20).map { try world.visitor($0) }
        let won = await withTaskGroup(of: Bool.self) { group in
            for (index, visitor) in visitors.enumerated() {
                group.addTask { (try? await service.book(slot, for: visitor, id: "t-\(index)")) != nil }
            }
            var count = 0
            for await booked in group where booked { count += 1 }
            return count
        }
        #expect(won == 3)
        await #expect(throws: CultureSportError.full("slot \(slot)", capacity: 3)) {
            try await service.book(slot, for: try world.visitor(99), id: "t-99")
        }
        _ = try await service.book("TZ-MUSEUM|2027-03-04|09:00", for: try world.visitor(70), id: "d-1")
        await #expect(throws: CultureSportError.duplicate("a ticket for the visitor at TZ-MUSEUM on 2027-03-04 (d-1)"))
        {
            try await service.book("TZ-MUSEUM|2027-03-04|14:00", for: try world.visitor(70), id: "d-2")
        }
        await #expect(throws: CultureSportError.self) {
            try await service.book("TZ-MUSEUM|2027-03-20|09:00", for: try world.visitor(50), id: "far")
        }
        #expect(
            try await service.freeSlots(venue: "TZ-MUSEUM", on: try CalendarDate(iso8601: "2027-03-02")).map(\.time)
                == ["14:00"]
        )
        let ticket = try await service.book("TZ-MUSEUM|2027-03-03|09:00", for: try world.visitor(60), id: "c-1")
        try await service.cancel(ticket.id)
        #expect(try await service.ticket("c-1").state == .cancelled)
        #expect(
            try await service.freeSlots(venue: "TZ-MUSEUM", on: try CalendarDate(iso8601: "2027-03-03")).first?.booked
                == 0
        )
        _ = try await service.book("TZ-MUSEUM|2027-03-03|09:00", for: try world.visitor(61), id: "c-2")
        try world.clock.move(to: "2027-03-03")
        world.clock.advance(seconds: -80 * 60)  // 08:40, 20 minutes before the slot
        await #expect(throws: CultureSportError.illegal(move: "cancel", state: "within 30 minutes of its slot")) {
            try await service.cancel("c-2")
        }
    }

    @Test("the entry pass: verified offline at the gate, only at its venue and in its window; used once")
    func pass() async throws {
        let world = try World()
        try await world.museum()
        let ticket = try await world.service.book("TZ-MUSEUM|2027-03-02|14:00", for: try world.visitor(1), id: "p-1")
        let pass = try await world.service.pass(for: ticket.id)
        #expect(!pass.contains("321202"))
        let slotStart = try CalendarDate(iso8601: "2027-03-02").startInstant.addingTimeInterval(14 * 3_600)
        let admitted = try EntryPass.admit(
            pass,
            at: "TZ-MUSEUM",
            now: slotStart.addingTimeInterval(-600),
            key: world.key.publicKey
        )
        let pseudonym = try world.service.pseudonym(of: try world.visitor(1))
        #expect(admitted.ticket == "p-1" && admitted.visitor == pseudonym)
        #expect(throws: CultureSportError.refusedEntry("too early: the pass admits from its slot")) {
            try EntryPass.admit(
                pass,
                at: "TZ-MUSEUM",
                now: slotStart.addingTimeInterval(-3_600),
                key: world.key.publicKey
            )
        }
        #expect(throws: CultureSportError.refusedEntry("the slot is over")) {
            try EntryPass.admit(
                pass,
                at: "TZ-MUSEUM",
                now: slotStart.addingTimeInterval(7_300),
                key: world.key.publicKey
            )
        }
        #expect(throws: CultureSportError.refusedEntry("the pass is for another venue")) {
            try EntryPass.admit(pass, at: "TZ-LIBRARY", now: slotStart, key: world.key.publicKey)
        }
        let other = try OpenSSLCryptoProvider().generateSigningKey(.ed25519)
        #expect(throws: CultureSportError.refusedEntry("the signature does not verify")) {
            try EntryPass.admit(pass, at: "TZ-MUSEUM", now: slotStart, key: other.publicKey)
        }
        var forged = Array(pass)
        forged[forged.count - 5] = forged[forged.count - 5] == "A" ? "B" : "A"
        #expect(throws: CultureSportError.self) {
            try EntryPass.admit(String(forged), at: "TZ-MUSEUM", now: slotStart, key: world.key.publicKey)
        }
        try await world.service.enter("p-1")
        await #expect(throws: CultureSportError.illegal(move: "enter", state: "used")) {
            try await world.service.enter("p-1")
        }
    }

    @Test("three no-shows in 30 days close online booking for 30 days")
    func noShows() async throws {
        let world = try World()
        try await world.museum()
        let visitor = try world.visitor(7)
        for day in 2...4 {
            let date = "2027-03-0\(day)"
            _ = try await world.service.book("TZ-MUSEUM|\(date)|09:00", for: visitor, id: "n-\(day)")
        }
        try world.clock.move(to: "2027-03-05")
        for day in 2...4 {
            #expect(
                try await world.service.closeDay(venue: "TZ-MUSEUM", day: try CalendarDate(iso8601: "2027-03-0\(day)"))
                    == 1
            )
        }
        try await world.service.release(
            try EntrySchedule(venue: "TZ-MUSEUM", weekdays: Set(1...7), times: ["09:00"], minutes: 120, capacity: 3)
        )
        await #expect(throws: CultureSportError.blocked(until: try CalendarDate(iso8601: "2027-04-03"))) {
            try await world.service.book("TZ-MUSEUM|2027-03-06|09:00", for: visitor, id: "n-6")
        }
    }
}

extension Array where Element: Sendable {
    func asyncFirst(_ predicate: (Element) async throws -> Bool) async rethrows -> Element? {
        for element in self where try await predicate(element) { return element }
        return nil
    }
}

@Suite("Sports events and the fitness circle")
struct SportTests {
    typealias World = VenueWorld<InMemoryStore>

    @Test("registration with capacity, once a person; results; the plan's counts")
    func events() async throws {
        let world = try World()
        try await world.service.register(
            try SportsEvent(
                id: "run-1",
                name: "泰州半程马拉松",
                date: try CalendarDate(iso8601: "2027-04-10"),
                district: DivisionCode("321202"),
                capacity: 2
            )
        )
        try await world.service.register(
            try SportsEvent(
                id: "swim-1",
                name: "凤城河游泳赛",
                date: try CalendarDate(iso8601: "2027-07-10"),
                district: DivisionCode("321202"),
                capacity: 10
            )
        )
        try await world.service.enrol(try world.visitor(1), in: "run-1", id: "r-1")
        try await world.service.enrol(try world.visitor(2), in: "run-1", id: "r-2")
        await #expect(throws: CultureSportError.full("event run-1", capacity: 2)) {
            try await world.service.enrol(try world.visitor(3), in: "run-1", id: "r-3")
        }
        await #expect(throws: CultureSportError.duplicate("a registration of the participant for run-1")) {
            try await world.service.enrol(try world.visitor(1), in: "run-1", id: "r-4")
        }
        try await world.service.enrol(try world.visitor(1), in: "swim-1", id: "s-1")
        try await world.service.recordResult("r-2", rank: 1, performance: "1:12:03")
        try await world.service.recordResult("r-1", rank: 2, performance: "1:20:45")
        #expect(try await world.service.results(of: "run-1").map(\.id) == ["r-2", "r-1"])
        let counts = try await world.service.indicators(year: 2027)
        #expect(counts.events == 2 && counts.participants == 2)
        #expect(CultureSportService.planTargets == (events: 20_000, participants: 200_000))
    }

    @Test("coverage by district: a community within 1,000 m of a sports ground is covered")
    func circle() async throws {
        let world = try World()
        // The Taizhou Sports Centre; communities about 600 m north and 2.2 km east of it.
        try await world.service.register(
            try Venue(
                id: "TZ-SPORTS",
                name: "泰州体育公园",
                kind: .sportsGround,
                district: DivisionCode("321202"),
                location: GeoPoint(latitude: 32.4550, longitude: 119.9230)
            )
        )
        try await world.service.register(
            try Community(
                id: "C1",
                name: "凤凰社区",
                district: DivisionCode("321202"),
                location: GeoPoint(latitude: 32.4604, longitude: 119.9230),
                population: 8_000
            )
        )
        try await world.service.register(
            try Community(
                id: "C2",
                name: "城东社区",
                district: DivisionCode("321202"),
                location: GeoPoint(latitude: 32.4550, longitude: 119.9465),
                population: 2_000
            )
        )
        try await world.service.register(
            try Community(
                id: "C3",
                name: "高港社区",
                district: DivisionCode("321203"),
                location: GeoPoint(latitude: 32.3190, longitude: 119.8810),
                population: 5_000
            )
        )
        let coverage = try await world.service.coverage()
        #expect(coverage.map(\.district) == ["321202", "321203"])
        #expect(coverage[0].covered == 1 && coverage[0].communities == 2 && coverage[0].share == 0.8)
        #expect(coverage[1].covered == 0)
        // One degree of latitude is 111.2 km on the mean sphere.
        let a = try GeoPoint(latitude: 32, longitude: 120)
        #expect(abs(a.distance(to: try GeoPoint(latitude: 33, longitude: 120)) - 111_195) < 1)
        #expect(try await world.service.coverage(circle: FitnessCircle(radiusMetres: 2_500))[0].covered == 2)
    }
}

@Suite("Culture and sport on SQLite")
struct CultureSportSQLiteTests {
    @Test("tickets and registrations: no identity number in clear, the log verifies")
    func sqlite() async throws {
        let clock = try VenueWorld<SQLiteStore>.clock()
        let sqlite = try EncryptedSQLiteStore("venue", actor: "12321200MB0000000X/museum", clock: clock)
        defer { sqlite.remove() }
        let (store, keys, crypto, path) = (sqlite.store, sqlite.keys, sqlite.crypto, sqlite.path)
        let world = try VenueWorld(store: store, keys: keys, crypto: crypto, clock: clock)
        try await world.museum()
        let visitors = try (1...3).map { try world.visitor($0) }
        for (index, visitor) in visitors.enumerated() {
            _ = try await world.service.book("TZ-MUSEUM|2027-03-02|09:00", for: visitor, id: "q-\(index)")
        }
        await #expect(throws: CultureSportError.self) {
            try await world.service.book("TZ-MUSEUM|2027-03-02|09:00", for: try world.visitor(9), id: "q-9")
        }
        let bytes = StoreFiles.bytes(of: path)
        for visitor in visitors { #expect(bytes.range(of: Data(visitor.unmasked.utf8)) == nil) }
        #expect(try await store.auditLog.verify().isValid)
    }
}
