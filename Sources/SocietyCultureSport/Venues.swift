public import Foundation
public import SocietyCore
import SocietyExchange
import SocietyJSON

/// What the culture and sport service refuses or fails with.
public enum CultureSportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// Not found.
    case notFound(String)
    /// Already there.
    case duplicate(String)
    /// Full (what, and its capacity).
    case full(String, capacity: Int)
    /// A move the ticket's or registration's state does not allow.
    case illegal(move: String, state: String)
    /// Booking is closed for the person until the day (no-shows).
    case blocked(until: CalendarDate)
    /// An entry pass does not admit (why).
    case refusedEntry(String)
    /// The store or another port failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .duplicate(let what): "\(what) already exists"
        case .full(let what, let capacity): "\(what) is full (\(capacity))"
        case .illegal(let move, let state): "cannot \(move): it is \(state)"
        case .blocked(let until): "online booking is closed until \(until) after repeated no-shows"
        case .refusedEntry(let reason): "entry refused: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as CultureSportError: self = error
        default: self = .store(String(describing: error))
        }
    }
}

/// A point on the map (WGS 84 degrees).
public struct GeoPoint: Hashable, Sendable, Codable {
    /// Latitude, −90…90.
    public let latitude: Double
    /// Longitude, −180…180.
    public let longitude: Double

    /// A point; refused off the globe.
    public init(latitude: Double, longitude: Double) throws(CultureSportError) {
        guard (-90...90).contains(latitude), (-180...180).contains(longitude) else {
            throw .invalid("a point is at latitude −90…90, longitude −180…180")
        }
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The great-circle distance in metres (haversine, mean Earth radius 6,371,008.8 m — IUGG).
    public func distance(to other: GeoPoint) -> Double {
        let radius = 6_371_008.8
        let (lat1, lat2) = (latitude * .pi / 180, other.latitude * .pi / 180)
        let dLat = (other.latitude - latitude) * .pi / 180
        let dLon = (other.longitude - longitude) * .pi / 180
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1) * cos(lat2) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * radius * atan2(a.squareRoot(), (1 - a).squareRoot())
    }
}

/// A public venue: a museum, library, cultural centre or sports ground.
public struct Venue: Hashable, Sendable, Codable {
    /// What kind.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// 博物馆.
        case museum
        /// 图书馆.
        case library
        /// 文化馆.
        case culturalCentre
        /// 体育场地 (a fitness point counts for the 15-minute circle).
        case sportsGround
    }

    /// The id.
    public let id: String
    /// The name.
    public let name: String
    /// The kind.
    public let kind: Kind
    /// The county.
    public let district: DivisionCode
    /// Where it is.
    public let location: GeoPoint

    /// A venue.
    public init(
        id: String,
        name: String,
        kind: Kind,
        district: DivisionCode,
        location: GeoPoint
    ) throws(CultureSportError) {
        guard id.wholeMatch(of: /[A-Za-z0-9\-]{1,32}/) != nil, !name.isEmpty else {
            throw .invalid("a venue has an id of letters, digits and '-' and a name")
        }
        self.id = id
        self.name = name
        self.kind = kind
        self.district = district
        self.location = location
    }
}

extension Venue: StorableRecord {
    /// The table name.
    public static let recordKind = "cs_venue"
    /// By district.
    public static let indexes: [RecordIndex<Venue>] = [RecordIndex("district") { .text($0.district.code) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A venue's entry slots: days of the week, start times, minutes a slot, places a slot.
public struct EntrySchedule: Hashable, Sendable, Codable {
    /// The venue.
    public let venue: String
    /// Open weekdays, 1 Monday … 7 Sunday.
    public let weekdays: Set<Int>
    /// Slot start times, `HH:MM`.
    public let times: [String]
    /// Minutes a slot lasts.
    public let minutes: Int
    /// Places a slot.
    public let capacity: Int

    /// A schedule; the times are valid `HH:MM`, the weekdays 1–7, the counts positive.
    public init(
        venue: String,
        weekdays: Set<Int>,
        times: [String],
        minutes: Int,
        capacity: Int
    ) throws(CultureSportError) {
        guard !weekdays.isEmpty, weekdays.isSubset(of: 1...7), !times.isEmpty, minutes > 0, capacity > 0 else {
            throw .invalid("a schedule has weekdays 1–7, times, and positive minutes and capacity")
        }
        for time in times where time.wholeMatch(of: /([01]\d|2[0-3]):[0-5]\d/) == nil {
            throw .invalid("\(time) is not HH:MM")
        }
        self.venue = venue
        self.weekdays = weekdays
        self.times = times
        self.minutes = minutes
        self.capacity = capacity
    }
}

/// One entry slot of a venue on a day.
public struct EntrySlot: Hashable, Sendable, Codable {
    /// `VENUE|YYYY-MM-DD|HH:MM`.
    public let id: String
    /// The venue.
    public let venue: String
    /// The day.
    public let day: CalendarDate
    /// The start, `HH:MM`.
    public let time: String
    /// When it starts.
    public let start: Date
    /// When it ends.
    public let end: Date
    /// Places.
    public let capacity: Int
    /// Tickets booked (not cancelled).
    public internal(set) var booked: Int
}

extension EntrySlot: StorableRecord {
    /// The table name.
    public static let recordKind = "cs_slot"
    /// By venue and day.
    public static let indexes: [RecordIndex<EntrySlot>] = [RecordIndex("venue_day") { .text("\($0.venue)|\($0.day)") }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A real-name ticket (实名预约) for a slot.
public struct Ticket: Hashable, Sendable, Codable {
    /// Where it stands.
    public enum State: String, Hashable, Sendable, Codable {
        /// Booked.
        case booked
        /// Used: the visitor entered.
        case used
        /// Cancelled before the cut-off.
        case cancelled
        /// Not used by the slot's end.
        case noShow
    }

    /// The id.
    public let id: String
    /// The visitor (encrypted at rest).
    public let visitor: ResidentID
    /// The slot.
    public let slot: String
    /// The venue.
    public let venue: String
    /// The day.
    public let day: CalendarDate
    /// The state.
    public internal(set) var state: State
}

extension Ticket: StorableRecord {
    /// The table name.
    public static let recordKind = "cs_ticket"
    /// The visitor.
    public static let sensitiveFields: Set<String> = ["visitor"]
    /// By slot; by visitor (keyed hash).
    public static let indexes: [RecordIndex<Ticket>] = [
        RecordIndex("slot") { .text($0.slot) },
        RecordIndex(searchable: "visitor") { .text($0.visitor.unmasked) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The reservation rules. **Assumptions**, configuration (DOMAINS.md: "timed-entry reservations
/// with real-name booking windows", no figures): slots bookable 7 days ahead; one ticket a person a
/// venue a day; cancellation up to 30 minutes before the slot; entry from 30 minutes before the
/// slot to its end; 3 no-shows in 30 days close online booking for 30 days.
public struct ReservationPolicy: Hashable, Sendable, Codable {
    /// Days ahead slots are released and bookable.
    public var bookingDays: Int
    /// Minutes before the slot after which a ticket is no longer cancelled.
    public var cancelCutOffMinutes: Int
    /// Minutes before the slot a pass starts to admit.
    public var earlyEntryMinutes: Int
    /// No-shows …
    public var noShowLimit: Int
    /// … within this many days …
    public var noShowWindowDays: Int
    /// … close online booking for this many days.
    public var blockDays: Int

    /// The policy; the defaults are the assumptions above.
    public init(
        bookingDays: Int = 7,
        cancelCutOffMinutes: Int = 30,
        earlyEntryMinutes: Int = 30,
        noShowLimit: Int = 3,
        noShowWindowDays: Int = 30,
        blockDays: Int = 30
    ) {
        self.bookingDays = bookingDays
        self.cancelCutOffMinutes = cancelCutOffMinutes
        self.earlyEntryMinutes = earlyEntryMinutes
        self.noShowLimit = noShowLimit
        self.noShowWindowDays = noShowWindowDays
        self.blockDays = blockDays
    }
}

/// An entry pass (入场凭证): the ticket as a compact JWS the venue signs, so that the gate checks it
/// offline — the signature with the venue operator's public key, the venue, and the time window.
/// It names the visitor by a keyed hash, never the identity number; the gate matches the person
/// by the identity document it sees.
public enum EntryPass {
    /// The JWS `typ`.
    public static let type = "entry-pass+jwt"

    /// The pass of `ticket` (in `slot`) for the visitor whose keyed hash is `visitor`, signed by `key`.
    public static func issue(
        ticket: Ticket,
        slot: EntrySlot,
        visitor: String,
        earlyMinutes: Int,
        key: any SigningKey,
        kid: String
    ) throws(CultureSportError) -> String {
        let payload: JSONObject = [
            "tid": .string(ticket.id), "venue": .string(ticket.venue), "sub": .string(visitor),
            "nbf": .number((slot.start.timeIntervalSince1970 - Double(earlyMinutes) * 60).rounded()),
            "exp": .number(slot.end.timeIntervalSince1970.rounded()),
        ]
        do {
            let header: JSONObject = ["alg": .string(key.algorithm.jwsName), "typ": .string(type), "kid": .string(kid)]
            return try JWS.sign(header: header, payload: try JSONValue.object(payload).canonicalBytes(), key: key)
                .compact
        } catch {
            throw .store("signing the pass: \(error)")
        }
    }

    /// What a gate reads from a valid pass.
    public struct Admission: Hashable, Sendable {
        /// The ticket.
        public let ticket: String
        /// The visitor's keyed hash.
        public let visitor: String
    }

    /// Checks `pass` offline at `venue`'s gate at `now`: the signature with `key`, the type, the
    /// venue, and that `now` is within the pass's window.
    public static func admit(
        _ pass: String,
        at venue: String,
        now: Date,
        key: any VerifyingKey
    ) throws(CultureSportError) -> Admission {
        let jws: JWS
        do {
            jws = try JWS(parsing: pass)
        } catch {
            throw .refusedEntry("not a pass: \(error)")
        }
        guard jws.header["typ"]?.stringValue == type else { throw .refusedEntry("not an entry pass") }
        guard key.isValidSignature(jws.signature, for: jws.signingInput) else {
            throw .refusedEntry("the signature does not verify")
        }
        guard let payload = try? JSONValue(parsing: jws.payload).objectValue,
            let ticket = payload["tid"]?.stringValue, let visitor = payload["sub"]?.stringValue,
            let notBefore = payload["nbf"]?.doubleValue, let expires = payload["exp"]?.doubleValue
        else { throw .refusedEntry("the pass lacks its claims") }
        guard payload["venue"]?.stringValue == venue else { throw .refusedEntry("the pass is for another venue") }
        let time = now.timeIntervalSince1970
        guard time >= notBefore else { throw .refusedEntry("too early: the pass admits from its slot") }
        guard time <= expires else { throw .refusedEntry("the slot is over") }
        return Admission(ticket: ticket, visitor: visitor)
    }
}
