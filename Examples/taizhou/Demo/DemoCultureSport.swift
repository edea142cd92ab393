import Foundation
import SocietyCore
import SocietyCultureSport

/// The demo's culture and sport section (plan item 10): a museum ticket booked and checked at the
/// gate offline, and the 15-minute fitness circle's coverage by county for the synthetic city.
extension Demo {
    struct CultureSportOutcome {
        var lines: [String] = []
    }

    /// Approximate centres of Taizhou's counties (degrees), for placing the synthetic city's
    /// communities and sports grounds on a map: synthetic geography, not survey data.
    static let countyCentres: [String: (Double, Double)] = [
        "321202": (32.49, 119.92), "321203": (32.32, 119.88), "321204": (32.51, 120.13), "321281": (32.93, 119.85),
        "321282": (32.01, 120.27), "321283": (32.17, 120.05),
    ]

    func cultureSport(
        _ government: DemoGovernment,
        visitors: [Resident],
        households: [(division: DivisionCode, members: Int)],
        today: CalendarDate
    ) async throws -> CultureSportOutcome {
        var outcome = CultureSportOutcome()
        let operatorParty = government.civilAffairs.party
        let department = try government.department("culture-sport", as: government.civilAffairs)
        let key = try government.deployment.signingKey(of: operatorParty)
        let service = CultureSportService(
            ports: department.ports,
            signer: key,
            kid: government.deployment.signingKid(of: operatorParty)
        )
        // A museum ticket for tomorrow morning, and the gate's offline check at 08:50.
        if let visitor = visitors.first(where: \.isAlive) {
            try await service.register(
                try Venue(
                    id: "TZ-MUSEUM",
                    name: "泰州市博物馆",
                    kind: .museum,
                    district: try DivisionCode("321202"),
                    location: try GeoPoint(latitude: 32.4849, longitude: 119.9229)
                )
            )
            try await service.release(
                try EntrySchedule(
                    venue: "TZ-MUSEUM",
                    weekdays: Set(1...7),
                    times: ["09:00", "14:00"],
                    minutes: 120,
                    capacity: 300
                )
            )
            let tomorrow = today.adding(days: 1)
            let ticket = try await service.book("TZ-MUSEUM|\(tomorrow)|09:00", for: visitor.id, id: "ticket-demo-1")
            let pass = try await service.pass(for: ticket.id)
            let gateTime = tomorrow.startInstant.addingTimeInterval(8 * 3_600 + 50 * 60)
            let admitted = try EntryPass.admit(pass, at: "TZ-MUSEUM", now: gateTime, key: key.publicKey)
            try await service.enter(admitted.ticket)
            let refused =
                (try? EntryPass.admit(
                    pass,
                    at: "TZ-MUSEUM",
                    now: gateTime.addingTimeInterval(-3_600),
                    key: key.publicKey
                )) == nil
            outcome.lines.append(
                "泰州市博物馆 \(tomorrow) 09:00: ticket booked for \(visitor.id.masked); its pass (a \(pass.count)-character signed JWS) "
                    + "admitted offline at 08:50" + (refused ? ", refused at 07:50" : "") + "; entry recorded"
            )
        }
        // The fitness circle: six communities around each county's centre, and its sports grounds.
        var residents: [String: Int] = [:]
        for household in households { residents[household.division.code, default: 0] += household.members }
        for (code, population) in residents.sorted(by: { $0.key < $1.key }) {
            guard let centre = Self.countyCentres[code], let district = try? DivisionCode(code) else { continue }
            for index in 0..<6 {
                let offset = (Double(index % 3) - 1) * 0.012
                let row = index < 3 ? -0.006 : 0.010
                try await service.register(
                    try Community(
                        id: "\(code)-C\(index + 1)",
                        name: "\(code) 社区 \(index + 1)",
                        district: district,
                        location: try GeoPoint(latitude: centre.0 + row, longitude: centre.1 + offset),
                        population: population / 6
                    )
                )
            }
            // One to three grounds by county (from its code), so that coverage differs between counties.
            let spots = [(-0.004, -0.010), (0.012, 0.010), (-0.006, 0.012)]
            for (index, spot) in spots.prefix(1 + (Int(code.suffix(1)) ?? 0) % 3).enumerated() {
                try await service.register(
                    try Venue(
                        id: "\(code)-G\(index + 1)",
                        name: "\(code) 健身点 \(index + 1)",
                        kind: .sportsGround,
                        district: district,
                        location: try GeoPoint(latitude: centre.0 + spot.0, longitude: centre.1 + spot.1)
                    )
                )
            }
        }
        let coverage = try await service.coverage()
        if !coverage.isEmpty {
            outcome.lines.append(
                "15-minute fitness circle (1,000 m): "
                    + coverage.map {
                        "\($0.district) \($0.covered)/\($0.communities) communities, "
                            + DecimalText.fixed($0.share * 100, decimals: 0) + " %"
                    }
                    .joined(separator: "; ")
            )
        }
        return outcome
    }

    func printCultureSport(_ outcome: CultureSportOutcome) {
        guard let first = outcome.lines.first else { return }
        print("\n3i. Culture, tourism and sport (文旅体, plan item 10): " + first)
        for line in outcome.lines.dropFirst() { print("   " + line) }
    }
}
