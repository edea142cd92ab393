import ArgumentParser
import Foundation
import SocietyCore
import SocietyCultureSport
import SocietyDeployment
import SocietyJSON

/// `taizhou venue` and `taizhou sport`: the culture, tourism and sport platform on the state
/// folder's `culture-sport` store — venues and timed-entry tickets with offline entry passes,
/// sports events, and the 15-minute fitness circle.
struct VenueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venue",
        abstract: "Venues (文旅): timed-entry reservations, real-name tickets, offline entry passes.",
        discussion: """
            State lives in culture-sport.sqlite of the state folder; passes are signed with the platform's key \
            there, and `gate` checks one offline with that key's public half. Slot ids are VENUE|YYYY-MM-DD|HH:MM.
            """,
        subcommands: [
            Register.self, Release.self, Slots.self, Book.self, Cancel.self, Pass.self, Gate.self, CloseDay.self,
        ]
    )

    struct Platform: ParsableArguments {
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions

        func open(_ access: StoreAccess = .createIfMissing) throws -> (CultureSportService, any VerifyingKey) {
            let party = try ToolParty.party("culture-sport")
            let (deployment, department) = try state.department("culture-sport", party: party, access: access)
            let key = try reportingErrorsSync { try deployment.signingKey(of: party) }
            return (
                CultureSportService(ports: department.ports, signer: key, kid: deployment.signingKid(of: party)),
                key.publicKey
            )
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a venue.")
        @OptionGroup var platform: Platform
        @Option(help: "The venue's id.") var id: String
        @Option(help: "Its name.") var name: String
        @Option(help: "museum, library, culturalCentre or sportsGround.") var kind: String
        @Option(help: "The county.") var district: String
        @Option(help: "Latitude, degrees.") var latitude: Double
        @Option(help: "Longitude, degrees.") var longitude: Double

        mutating func run() async throws {
            guard let kind = Venue.Kind(rawValue: kind) else { throw ValidationError("--kind \(kind) is not a kind") }
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let (name, latitude, longitude) = (name, latitude, longitude)
            let venue = try validated(id, as: "venue") { id in
                try Venue(
                    id: id,
                    name: name,
                    kind: kind,
                    district: district,
                    location: GeoPoint(latitude: latitude, longitude: longitude)
                )
            }
            let (service, _) = try platform.open()
            try await reportingErrors { try await service.register(venue) }
            platform.output.emit("\(venue.id): \(venue.name) (\(kind.rawValue))", json: ["venue": .string(venue.id)])
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a venue's entry slots for the booking window."
        )
        @OptionGroup var platform: Platform
        @Option(help: "The venue.") var venue: String
        @Option(help: "Open weekdays, 1 Monday … 7 Sunday, comma-separated.") var weekdays = "1,2,3,4,5,6,7"
        @Option(help: "Slot start times, HH:MM, comma-separated.") var times: String
        @Option(help: "Minutes a slot.") var minutes = 120
        @Option(help: "Places a slot.") var capacity: Int

        mutating func run() async throws {
            let days = Set(weekdays.split(separator: ",").compactMap { Int($0) })
            let (venue, slotTimes, minutes, capacity) = (
                venue, times.split(separator: ",").map(String.init), minutes, capacity
            )
            let schedule = try validated(venue, as: "schedule") { venue in
                try EntrySchedule(venue: venue, weekdays: days, times: slotTimes, minutes: minutes, capacity: capacity)
            }
            let (service, _) = try platform.open(.existing)
            let released = try await reportingErrors { try await service.release(schedule) }
            platform.output.emit("\(released) slot(s) released", json: ["released": .number(Double(released))])
        }
    }

    struct Slots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A venue's slots with places on a day.")
        @OptionGroup var platform: Platform
        @Option(help: "The venue.") var venue: String
        @Option(help: "The day, YYYY-MM-DD.") var day: String

        mutating func run() async throws {
            let date = try validated(day, as: "day", CalendarDate.init(iso8601:))
            let (service, _) = try platform.open(.existing)
            let venue = venue
            let slots = try await reportingErrors { try await service.freeSlots(venue: venue, on: date) }
            platform.output.emit(
                slots.isEmpty
                    ? "no place left"
                    : slots.map { "\($0.id): \($0.capacity - $0.booked) of \($0.capacity) left" }.joined(
                        separator: "\n"
                    ),
                json: .array(slots.map { ["slot": .string($0.id), "left": .number(Double($0.capacity - $0.booked))] })
            )
        }
    }

    struct Book: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book a real-name ticket.")
        @OptionGroup var platform: Platform
        @Option(help: "The slot.") var slot: String
        @Option(help: "The visitor's identity number.") var visitor: String
        @Option(help: "The ticket's id.") var id: String

        mutating func run() async throws {
            let visitor = try validated(visitor, as: "visitor", { try ResidentID($0) })
            let (service, _) = try platform.open(.existing)
            let (slot, id) = (slot, id)
            let ticket = try await reportingErrors { try await service.book(slot, for: visitor, id: id) }
            platform.output.emit("\(ticket.id): \(visitor.masked) booked \(slot)", json: ["ticket": .string(ticket.id)])
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a ticket before the cut-off.")
        @OptionGroup var platform: Platform
        @Option(help: "The ticket.") var id: String

        mutating func run() async throws {
            let (service, _) = try platform.open(.existing)
            let id = id
            try await reportingErrors { try await service.cancel(id) }
            platform.output.emit("\(id): cancelled", json: ["cancelled": true])
        }
    }

    struct Pass: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A booked ticket's entry pass (a signed JWS).")
        @OptionGroup var platform: Platform
        @Option(help: "The ticket.") var id: String

        mutating func run() async throws {
            let (service, _) = try platform.open(.existing)
            let id = id
            print(try await reportingErrors { try await service.pass(for: id) })
        }
    }

    struct Gate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a pass at a venue's gate, offline, and record the entry (--record)."
        )
        @OptionGroup var platform: Platform
        @Option(help: "The venue of this gate.") var venue: String
        @Option(help: "The pass.") var pass: String
        @Option(help: "The time, ISO 8601 (default now).") var at: String?
        @Flag(help: "Record the entry on the platform once admitted.") var record = false

        mutating func run() async throws {
            let now =
                try at.map { text in
                    guard let date = ISO8601DateFormatter().date(from: text) else {
                        throw ValidationError("--at is ISO 8601")
                    }
                    return date
                } ?? Date()
            let (service, key) = try platform.open(.existing)
            let (pass, venue) = (pass, venue)
            let admitted = try await reportingErrors { try EntryPass.admit(pass, at: venue, now: now, key: key) }
            if record { try await reportingErrors { try await service.enter(admitted.ticket) } }
            platform.output.emit(
                "admitted: ticket \(admitted.ticket)" + (record ? ", entry recorded" : ""),
                json: ["ticket": .string(admitted.ticket), "recorded": .bool(record)]
            )
        }
    }

    struct CloseDay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-day",
            abstract: "Mark the day's unused tickets of ended slots no-shows."
        )
        @OptionGroup var platform: Platform
        @Option(help: "The venue.") var venue: String
        @Option(help: "The day, YYYY-MM-DD.") var day: String

        mutating func run() async throws {
            let date = try validated(day, as: "day", CalendarDate.init(iso8601:))
            let (service, _) = try platform.open(.existing)
            let venue = venue
            let count = try await reportingErrors { try await service.closeDay(venue: venue, day: date) }
            platform.output.emit("\(count) no-show(s)", json: ["noShows": .number(Double(count))])
        }
    }
}

/// `taizhou sport`: sports events and the 15-minute fitness circle.
struct SportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sport",
        abstract: "Sport (体育): events, registrations, results, the plan's counts, the 15-minute fitness circle.",
        subcommands: [Event.self, Enrol.self, Result.self, Counts.self, CommunityCommand.self, Coverage.self]
    )

    struct Event: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a sports event.")
        @OptionGroup var platform: VenueCommand.Platform
        @Option(help: "The event's id.") var id: String
        @Option(help: "Its name.") var name: String
        @Option(help: "The day, YYYY-MM-DD.") var date: String
        @Option(help: "The county.") var district: String
        @Option(help: "Places.") var capacity: Int

        mutating func run() async throws {
            let day = try validated(date, as: "date", CalendarDate.init(iso8601:))
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let (name, capacity) = (name, capacity)
            let event = try validated(id, as: "event") { id in
                try SportsEvent(id: id, name: name, date: day, district: district, capacity: capacity)
            }
            let (service, _) = try platform.open()
            try await reportingErrors { try await service.register(event) }
            platform.output.emit(
                "\(event.id): \(event.name) on \(day), \(capacity) places",
                json: ["event": .string(event.id)]
            )
        }
    }

    struct Enrol: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a participant.")
        @OptionGroup var platform: VenueCommand.Platform
        @Option(help: "The event.") var event: String
        @Option(help: "The participant's identity number.") var participant: String
        @Option(help: "The registration's id.") var id: String

        mutating func run() async throws {
            let participant = try validated(participant, as: "participant", { try ResidentID($0) })
            let (service, _) = try platform.open(.existing)
            let (event, id) = (event, id)
            _ = try await reportingErrors { try await service.enrol(participant, in: event, id: id) }
            platform.output.emit(
                "\(id): \(participant.masked) registered for \(event)",
                json: ["registration": .string(id)]
            )
        }
    }

    struct Result: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a result, or list an event's results.")
        @OptionGroup var platform: VenueCommand.Platform
        @Option(help: "The event (to list its results).") var event: String?
        @Option(help: "The registration (to record its result).") var id: String?
        @Option(help: "The rank.") var rank: Int?
        @Option(help: "The performance (time, score).") var performance = ""

        mutating func run() async throws {
            let (service, _) = try platform.open(.existing)
            if let id, let rank {
                let performance = performance
                try await reportingErrors { try await service.recordResult(id, rank: rank, performance: performance) }
                platform.output.emit("\(id): rank \(rank) \(performance)", json: ["rank": .number(Double(rank))])
                return
            }
            guard let event else { throw ValidationError("give --event, or --id and --rank") }
            let results = try await reportingErrors { try await service.results(of: event) }
            platform.output.emit(
                results.map { "\($0.rank ?? 0). \($0.participant.masked) \($0.performance ?? "")" }.joined(
                    separator: "\n"
                ),
                json: .array(
                    results.map {
                        ["rank": .number(Double($0.rank ?? 0)), "performance": .string($0.performance ?? "")]
                    }
                )
            )
        }
    }

    struct Counts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The plan's counts for a year: events and participants."
        )
        @OptionGroup var platform: VenueCommand.Platform
        @Option(help: "The year.") var year: Int

        mutating func run() async throws {
            let (service, _) = try platform.open(.existing)
            let year = year
            let counts = try await reportingErrors { try await service.indicators(year: year) }
            let targets = CultureSportService.planTargets
            platform.output.emit(
                "\(year): \(counts.events) event(s) (plan: \(targets.events) by the end of 2023), "
                    + "\(counts.participants) participant(s) (plan: \(targets.participants))",
                json: ["events": .number(Double(counts.events)), "participants": .number(Double(counts.participants))]
            )
        }
    }

    struct CommunityCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "community",
            abstract: "Register a community's centre and population."
        )
        @OptionGroup var platform: VenueCommand.Platform
        @Option(help: "The community's id.") var id: String
        @Option(help: "Its name.") var name: String
        @Option(help: "The county.") var district: String
        @Option(help: "Latitude of its centre.") var latitude: Double
        @Option(help: "Longitude of its centre.") var longitude: Double
        @Option(help: "Residents.") var population: Int

        mutating func run() async throws {
            let district = try validated(district, as: "district", { try DivisionCode($0) })
            let (name, latitude, longitude, population) = (name, latitude, longitude, population)
            let community = try validated(id, as: "community") { id in
                try Community(
                    id: id,
                    name: name,
                    district: district,
                    location: GeoPoint(latitude: latitude, longitude: longitude),
                    population: population
                )
            }
            let (service, _) = try platform.open()
            try await reportingErrors { try await service.register(community) }
            platform.output.emit("\(community.id): \(community.name)", json: ["community": .string(community.id)])
        }
    }

    struct Coverage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The 15-minute fitness circle's coverage by county.")
        @OptionGroup var platform: VenueCommand.Platform
        @Option(help: "The straight-line radius in metres (default 1,000: 15 minutes' walk).") var radius: Double =
            1_000

        mutating func run() async throws {
            let (service, _) = try platform.open(.existing)
            let circle = FitnessCircle(radiusMetres: radius)
            let rows = try await reportingErrors { try await service.coverage(circle: circle) }
            platform.output.emit(
                rows.map {
                    "\($0.district): \($0.covered) of \($0.communities) communities, "
                        + DecimalText.fixed($0.share * 100, decimals: 1)
                        + " % of residents within \(Int(radius)) m of a sports ground"
                }.joined(separator: "\n"),
                json: .array(
                    rows.map {
                        [
                            "district": .string($0.district), "covered": .number(Double($0.covered)),
                            "share": .number($0.share),
                        ]
                    }
                )
            )
        }
    }
}
