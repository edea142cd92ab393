import Foundation
import Logging
public import SocietyCore
import SocietyExchange

/// A sports event (体育赛事) with its places.
public struct SportsEvent: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The name.
    public let name: String
    /// The day.
    public let date: CalendarDate
    /// The county.
    public let district: DivisionCode
    /// Places for participants.
    public let capacity: Int
    /// Participants registered.
    public internal(set) var registered: Int

    /// An event with places.
    public init(
        id: String,
        name: String,
        date: CalendarDate,
        district: DivisionCode,
        capacity: Int
    ) throws(CultureSportError) {
        guard !id.isEmpty, !name.isEmpty, capacity > 0 else { throw .invalid("an event has an id, a name and places") }
        self.id = id
        self.name = name
        self.date = date
        self.district = district
        self.capacity = capacity
        self.registered = 0
    }
}

extension SportsEvent: StorableRecord {
    /// The table name.
    public static let recordKind = "cs_event"
    /// By year, for the plan's counts.
    public static let indexes: [RecordIndex<SportsEvent>] = [RecordIndex("year") { .integer(Int64($0.date.year)) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A participant's registration for an event, and later their result.
public struct EventRegistration: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The event.
    public let event: String
    /// The participant (encrypted at rest).
    public let participant: ResidentID
    /// The event's year.
    public let year: Int
    /// The rank, once the result is in.
    public internal(set) var rank: Int?
    /// The performance as recorded (time, score).
    public internal(set) var performance: String?
}

extension EventRegistration: StorableRecord {
    /// The table name.
    public static let recordKind = "cs_registration"
    /// The participant.
    public static let sensitiveFields: Set<String> = ["participant"]
    /// By event; by participant (keyed hash); by year.
    public static let indexes: [RecordIndex<EventRegistration>] = [
        RecordIndex("event") { .text($0.event) },
        RecordIndex(searchable: "participant") { .text($0.participant.unmasked) },
        RecordIndex("year") { .integer(Int64($0.year)) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A residential community (社区) with its centre and population, for the fitness circle.
public struct Community: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The name.
    public let name: String
    /// The county.
    public let district: DivisionCode
    /// Its centre.
    public let location: GeoPoint
    /// Residents.
    public let population: Int

    /// A community.
    public init(
        id: String,
        name: String,
        district: DivisionCode,
        location: GeoPoint,
        population: Int
    ) throws(CultureSportError) {
        guard !id.isEmpty, !name.isEmpty, population >= 0 else {
            throw .invalid("a community has an id, a name and a population")
        }
        self.id = id
        self.name = name
        self.district = district
        self.location = location
        self.population = population
    }
}

extension Community: StorableRecord {
    /// The table name.
    public static let recordKind = "cs_community"
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The 15-minute fitness circle (15分钟健身圈). DOMAINS.md: the distance is not defined — choose a
/// walking distance and document it. Ours (**assumption**, configuration): 15 minutes at 4.8 km/h is
/// 1,200 m on foot; streets are not straight lines, so with a detour factor of 1.2 a sports ground
/// counts when it lies within **1,000 m in a straight line** of a community's centre.
public struct FitnessCircle: Hashable, Sendable, Codable {
    /// The straight-line radius, metres.
    public var radiusMetres: Double

    /// A circle; the default is the assumption above.
    public init(radiusMetres: Double = 1_000) { self.radiusMetres = radiusMetres }

    /// One county's coverage.
    public struct Coverage: Hashable, Sendable, Codable {
        /// The county.
        public let district: String
        /// Communities within the radius of a sports ground, of all.
        public let covered: Int
        /// All communities.
        public let communities: Int
        /// Residents of covered communities, of all.
        public let coveredPopulation: Int
        /// All residents.
        public let population: Int

        /// The share of residents covered, 0–1.
        public var share: Double { population == 0 ? 0 : Double(coveredPopulation) / Double(population) }
    }

    /// Coverage by county: a community is covered when a sports ground lies within the radius.
    public func coverage(communities: [Community], venues: [Venue]) -> [Coverage] {
        let grounds = venues.filter { $0.kind == .sportsGround }
        var byDistrict: [String: (Int, Int, Int, Int)] = [:]
        for community in communities {
            let near = grounds.contains { $0.location.distance(to: community.location) <= radiusMetres }
            var row = byDistrict[community.district.code] ?? (0, 0, 0, 0)
            row.1 += 1
            row.3 += community.population
            if near {
                row.0 += 1
                row.2 += community.population
            }
            byDistrict[community.district.code] = row
        }
        return byDistrict.sorted { $0.key < $1.key }.map {
            Coverage(
                district: $0.key,
                covered: $0.value.0,
                communities: $0.value.1,
                coveredPopulation: $0.value.2,
                population: $0.value.3
            )
        }
    }
}

/// Culture, tourism and sport (文旅体, plan item 10): venues with timed-entry, real-name
/// reservations and offline-verified entry passes; sports events with registration, results and
/// the plan's counts; the 15-minute fitness circle.
///
/// ```swift
/// let venues = CultureSportService(ports: ports, signer: key, kid: "museum-1")
/// try await venues.register(venue)
/// try await venues.release(schedule)
/// let ticket = try await venues.book(slotID, for: visitor, id: "t-1")
/// let pass = try await venues.pass(for: "t-1")                       // shown at the gate
/// let admitted = try EntryPass.admit(pass, at: venue.id, now: Date(), key: key.publicKey)   // offline
/// ```
public struct CultureSportService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Venues, slots and tickets.
        public static let reservations = Purpose(constant: "culture.reservations")
        /// Events and registrations.
        public static let events = Purpose(constant: "sport.events")
        /// Communities and the fitness circle.
        public static let fitness = Purpose(constant: "sport.fitness-circle")
    }

    /// The plan's counts for the end of 2023: 20,000 managed sports events, 200,000 participants.
    public static let planTargets = (events: 20_000, participants: 200_000)

    let ports: ServicePorts
    let signer: any SigningKey
    /// The signing key's id on the trust list.
    public let kid: String
    /// The reservation rules.
    public let policy: ReservationPolicy

    /// The service on the venues' operator's ports, signing passes with `signer`.
    public init(
        ports: ServicePorts,
        signer: any SigningKey,
        kid: String,
        policy: ReservationPolicy = ReservationPolicy()
    ) {
        self.ports = ports.logging(as: "culture-sport")
        self.signer = signer
        self.kid = kid
        self.policy = policy
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    func write<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(CultureSportError) -> T {
        try await ports.write(purpose, wrapping: CultureSportError.init(wrapping:), body)
    }

    func read<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(CultureSportError) -> T {
        try await ports.read(purpose, wrapping: CultureSportError.init(wrapping:), body)
    }

    // MARK: Venues and reservations

    /// Registers a venue.
    public func register(_ venue: Venue) async throws(CultureSportError) {
        try await write(Purposes.reservations) { db in
            guard try await db.get(Venue.self, key: venue.recordKey) == nil else {
                throw CultureSportError.duplicate("venue \(venue.id)")
            }
            try await db.put(venue)
        }
    }

    /// The venues.
    public func venues() async throws(CultureSportError) -> [Venue] {
        try await read(Purposes.reservations) { db in
            var all: [Venue] = []
            try await db.forEach(RecordQuery<Venue>.all) { venue in
                all.append(venue)
                return true
            }
            return all.sorted { $0.id < $1.id }
        }
    }

    /// Releases the schedule's slots from today through ``ReservationPolicy/bookingDays`` ahead;
    /// slots released before stay. Returns how many were released now.
    @discardableResult
    public func release(_ schedule: EntrySchedule) async throws(CultureSportError) -> Int {
        let today = today
        let days = policy.bookingDays
        return try await write(Purposes.reservations) { db in
            guard try await db.get(Venue.self, key: RecordKey(schedule.venue)) != nil else {
                throw CultureSportError.notFound("venue \(schedule.venue)")
            }
            var released = 0
            for offset in 0...days {
                let day = today.adding(days: offset)
                let weekday = ((day.daysSinceEpoch % 7) + 7 + 3) % 7 + 1
                guard schedule.weekdays.contains(weekday) else { continue }
                for time in schedule.times {
                    let parts = time.split(separator: ":").compactMap { Int($0) }
                    let start = day.startInstant.addingTimeInterval(Double(parts[0] * 3_600 + parts[1] * 60))
                    let slot = EntrySlot(
                        id: "\(schedule.venue)|\(day)|\(time)",
                        venue: schedule.venue,
                        day: day,
                        time: time,
                        start: start,
                        end: start.addingTimeInterval(Double(schedule.minutes * 60)),
                        capacity: schedule.capacity,
                        booked: 0
                    )
                    guard try await db.get(EntrySlot.self, key: slot.recordKey) == nil else { continue }
                    try await db.put(slot)
                    released += 1
                }
            }
            return released
        }
    }

    /// A venue's slots on a day with places left, not yet begun.
    public func freeSlots(venue: String, on day: CalendarDate) async throws(CultureSportError) -> [EntrySlot] {
        let now = ports.clock.now()
        return try await read(Purposes.reservations) { db in
            try await db.fetch(RecordQuery<EntrySlot>.filter("venue_day", equals: .text("\(venue)|\(day)")))
                .filter { $0.booked < $0.capacity && $0.start > now }
                .sorted { $0.start < $1.start }
        }
    }

    /// Books a real-name ticket for `visitor` in one transaction: the slot not begun and within the
    /// booking window, places left, one ticket a person a venue a day, online booking not closed
    /// by no-shows — so that concurrent bookings never exceed the slot's places.
    @discardableResult
    public func book(_ slotID: String, for visitor: ResidentID, id: String) async throws(CultureSportError) -> Ticket {
        guard !id.isEmpty else { throw .invalid("a ticket has an id") }
        let now = ports.clock.now()
        let today = today
        let policy = policy
        let ticket = try await write(Purposes.reservations) { db in
            guard var slot = try await db.get(EntrySlot.self, key: RecordKey(slotID)) else {
                throw CultureSportError.notFound("slot \(slotID)")
            }
            guard slot.start > now else { throw CultureSportError.illegal(move: "book", state: "begun") }
            guard slot.day <= today.adding(days: policy.bookingDays) else {
                throw CultureSportError.invalid("\(slot.day) is beyond the \(policy.bookingDays)-day booking window")
            }
            guard try await db.get(Ticket.self, key: RecordKey(id)) == nil else {
                throw CultureSportError.duplicate("ticket \(id)")
            }
            let mine = try await db.fetch(RecordQuery<Ticket>.filter("visitor", equals: .text(visitor.unmasked)))
            let since = today.adding(days: -policy.noShowWindowDays)
            let noShows = mine.filter { $0.state == .noShow && $0.day > since }.map(\.day).sorted()
            if noShows.count >= policy.noShowLimit, let last = noShows.last {
                let until = last.adding(days: policy.blockDays)
                if today < until { throw CultureSportError.blocked(until: until) }
            }
            if let other = mine.first(where: { $0.venue == slot.venue && $0.day == slot.day && $0.state != .cancelled })
            {
                throw CultureSportError.duplicate(
                    "a ticket for the visitor at \(slot.venue) on \(slot.day) (\(other.id))"
                )
            }
            guard slot.booked < slot.capacity else {
                throw CultureSportError.full("slot \(slotID)", capacity: slot.capacity)
            }
            slot.booked += 1
            let ticket = Ticket(
                id: id,
                visitor: visitor,
                slot: slot.id,
                venue: slot.venue,
                day: slot.day,
                state: .booked
            )
            try await db.put(slot)
            try await db.put(ticket)
            return ticket
        }
        ports.logger.info("ticket booked", metadata: ["ticket": "\(id)", "slot": "\(slotID)"])
        return ticket
    }

    /// Cancels a booked ticket up to ``ReservationPolicy/cancelCutOffMinutes`` before its slot; the
    /// place is free again.
    public func cancel(_ id: String) async throws(CultureSportError) {
        let now = ports.clock.now()
        let cutOff = Double(policy.cancelCutOffMinutes * 60)
        try await write(Purposes.reservations) { db in
            guard var ticket = try await db.get(Ticket.self, key: RecordKey(id)),
                var slot = try await db.get(EntrySlot.self, key: RecordKey(ticket.slot))
            else { throw CultureSportError.notFound("ticket \(id)") }
            guard ticket.state == .booked else {
                throw CultureSportError.illegal(move: "cancel", state: ticket.state.rawValue)
            }
            guard now < slot.start.addingTimeInterval(-cutOff) else {
                throw CultureSportError.illegal(move: "cancel", state: "within \(Int(cutOff / 60)) minutes of its slot")
            }
            ticket.state = .cancelled
            slot.booked -= 1
            try await db.put(ticket)
            try await db.put(slot)
        }
    }

    /// The visitor's keyed hash, hex: how a pass names them.
    public func pseudonym(of visitor: ResidentID) throws(CultureSportError) -> String {
        do {
            return try ports.pseudonym(kind: "visitor", of: visitor.unmasked)
        } catch {
            throw CultureSportError(wrapping: error)
        }
    }

    /// The entry pass of a booked ticket (a signed JWS the gate checks offline).
    public func pass(for id: String) async throws(CultureSportError) -> String {
        let (ticket, slot) = try await read(Purposes.reservations) { db in
            guard let ticket = try await db.get(Ticket.self, key: RecordKey(id)),
                let slot = try await db.get(EntrySlot.self, key: RecordKey(ticket.slot))
            else { throw CultureSportError.notFound("ticket \(id)") }
            return (ticket, slot)
        }
        guard ticket.state == .booked else { throw .illegal(move: "issue a pass", state: ticket.state.rawValue) }
        return try EntryPass.issue(
            ticket: ticket,
            slot: slot,
            visitor: try pseudonym(of: ticket.visitor),
            earlyMinutes: policy.earlyEntryMinutes,
            key: signer,
            kid: kid
        )
    }

    /// Records an entry the gate admitted: the ticket is used (once).
    public func enter(_ id: String) async throws(CultureSportError) {
        try await write(Purposes.reservations) { db in
            guard var ticket = try await db.get(Ticket.self, key: RecordKey(id)) else {
                throw CultureSportError.notFound("ticket \(id)")
            }
            guard ticket.state == .booked else {
                throw CultureSportError.illegal(move: "enter", state: ticket.state.rawValue)
            }
            ticket.state = .used
            try await db.put(ticket)
        }
    }

    /// Marks every ticket still booked for a slot of `venue` on `day` that has ended a no-show.
    /// Returns how many.
    @discardableResult
    public func closeDay(venue: String, day: CalendarDate) async throws(CultureSportError) -> Int {
        let now = ports.clock.now()
        return try await write(Purposes.reservations) { db in
            var count = 0
            let slots = try await db.fetch(RecordQuery<EntrySlot>.filter("venue_day", equals: .text("\(venue)|\(day)")))
            for slot in slots where slot.end <= now {
                for var ticket in try await db.fetch(RecordQuery<Ticket>.filter("slot", equals: .text(slot.id)))
                where ticket.state == .booked {
                    ticket.state = .noShow
                    try await db.put(ticket)
                    count += 1
                }
            }
            return count
        }
    }

    /// A ticket.
    public func ticket(_ id: String) async throws(CultureSportError) -> Ticket {
        try await read(Purposes.reservations) { db in
            guard let ticket = try await db.get(Ticket.self, key: RecordKey(id)) else {
                throw CultureSportError.notFound("ticket \(id)")
            }
            return ticket
        }
    }

    // MARK: Sports events

    /// Registers a sports event.
    public func register(_ event: SportsEvent) async throws(CultureSportError) {
        try await write(Purposes.events) { db in
            guard try await db.get(SportsEvent.self, key: event.recordKey) == nil else {
                throw CultureSportError.duplicate("event \(event.id)")
            }
            try await db.put(event)
        }
    }

    /// Registers a participant, in one transaction: places left, once a person an event.
    @discardableResult
    public func enrol(
        _ participant: ResidentID,
        in eventID: String,
        id: String
    ) async throws(CultureSportError)
        -> EventRegistration
    {
        try await write(Purposes.events) { db in
            guard var event = try await db.get(SportsEvent.self, key: RecordKey(eventID)) else {
                throw CultureSportError.notFound("event \(eventID)")
            }
            guard try await db.get(EventRegistration.self, key: RecordKey(id)) == nil else {
                throw CultureSportError.duplicate("registration \(id)")
            }
            let mine = try await db.fetch(
                RecordQuery<EventRegistration>.filter("participant", equals: .text(participant.unmasked))
            )
            if mine.contains(where: { $0.event == eventID }) {
                throw CultureSportError.duplicate("a registration of the participant for \(eventID)")
            }
            guard event.registered < event.capacity else {
                throw CultureSportError.full("event \(eventID)", capacity: event.capacity)
            }
            event.registered += 1
            let registration = EventRegistration(
                id: id,
                event: eventID,
                participant: participant,
                year: event.date.year,
                rank: nil,
                performance: nil
            )
            try await db.put(event)
            try await db.put(registration)
            return registration
        }
    }

    /// Records a participant's result.
    public func recordResult(_ id: String, rank: Int, performance: String) async throws(CultureSportError) {
        guard rank > 0 else { throw .invalid("a rank is 1 or more") }
        try await write(Purposes.events) { db in
            guard var registration = try await db.get(EventRegistration.self, key: RecordKey(id)) else {
                throw CultureSportError.notFound("registration \(id)")
            }
            registration.rank = rank
            registration.performance = performance
            try await db.put(registration)
        }
    }

    /// An event's results, by rank.
    public func results(of eventID: String) async throws(CultureSportError) -> [EventRegistration] {
        try await read(Purposes.events) { db in
            try await db.fetch(RecordQuery<EventRegistration>.filter("event", equals: .text(eventID)))
                .filter { $0.rank != nil }
                .sorted { ($0.rank ?? 0, $0.id) < ($1.rank ?? 0, $1.id) }
        }
    }

    /// The plan's counts for `year`: events, and participants (distinct people) — against
    /// ``planTargets``.
    public func indicators(year: Int) async throws(CultureSportError) -> (events: Int, participants: Int) {
        try await read(Purposes.events) { db in
            let events = try await db.count(RecordQuery<SportsEvent>.filter("year", equals: .integer(Int64(year))))
            var people = Set<ResidentID>()
            try await db.forEach(RecordQuery<EventRegistration>.filter("year", equals: .integer(Int64(year)))) {
                registration in
                people.insert(registration.participant)
                return true
            }
            return (events, people.count)
        }
    }

    // MARK: The fitness circle

    /// Registers a community (or replaces it).
    public func register(_ community: Community) async throws(CultureSportError) {
        try await write(Purposes.fitness) { db in try await db.put(community) }
    }

    /// Fitness-circle coverage by county, from the registered communities and sports grounds.
    public func coverage(
        circle: FitnessCircle = FitnessCircle()
    ) async throws(CultureSportError) -> [FitnessCircle.Coverage] {
        let venues = try await venues()
        let communities = try await read(Purposes.fitness) { db in
            var all: [Community] = []
            try await db.forEach(RecordQuery<Community>.all) { community in
                all.append(community)
                return true
            }
            return all
        }
        return circle.coverage(communities: communities, venues: venues)
    }
}
