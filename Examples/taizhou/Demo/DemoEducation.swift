import Foundation
import SocietyCore
import SocietyDraw
import SocietyEducation
import SocietyOneCard

/// The demo's education section (plan item 4): a primary school's first-year places, the city's
/// six-year-olds applying, the lottery committed before applications close and drawn for the
/// oversubscribed class — printed with its seed and the command that re-runs it.
extension Demo {
    struct EducationOutcome {
        var lines: [String] = []
    }

    func education(
        _ government: DemoGovernment,
        oneCard: OneCardService,
        children: [Resident],
        today: CalendarDate
    ) async throws -> EducationOutcome {
        var outcome = EducationOutcome()
        let pupils = children.filter { $0.isAlive && (5...6).contains($0.age(on: today)) }.prefix(30)
        guard pupils.count >= 4 else { return outcome }
        let department = try government.department("education", as: government.education)
        let key = try government.deployment.signingKey(of: government.education.party)
        let draws = DrawService(
            ports: department.ports,
            signer: key,
            kid: government.deployment.signingKid(of: government.education.party)
        )
        let service = EducationService(ports: department.ports, draws: draws, oneCard: oneCard)
        let places = pupils.count / 2
        let school = try School(
            id: "S-SY",
            name: "泰州市实验小学",
            district: pupils[pupils.startIndex].registeredDivision,
            schoolDistrict: "海陵-实验",
            places: places
        )
        try await service.register(school)
        let committed = try await service.commitLottery(school: school.id)
        for (index, pupil) in pupils.enumerated() {
            // Every third family also owns its home in the district: the first class.
            let facts: Set<EnrolmentFact> = index % 3 == 0 ? [.household, .property] : [.household]
            try await service.apply(
                try EnrolmentApplication(
                    id: "E" + String(today.year + 1) + "-" + DecimalText.padded(index + 1, width: 4),
                    child: pupil.id,
                    school: school.id,
                    facts: facts
                )
            )
        }
        let allocation = try await service.allocate(school: school.id)
        outcome.lines = [
            "\(school.name): \(pupils.count) applications for \(places) places, commitment \(committed.commitment.prefix(16))… "
                + "published before applications closed; \(allocation.admitted.count) admitted, \(allocation.referred.count) referred"
        ]
        outcome.lines += allocation.decision.checks.map(\.statement)
        if let lottery = allocation.lottery, let seed = lottery.seed {
            try lottery.verify(with: key.publicKey, crypto: department.ports.crypto)
            outcome.lines.append("lottery seed \(seed), signed by \(lottery.kid); re-run it:")
            outcome.lines.append(
                "taizhou draw rerun --seed \(seed) --commitment \(lottery.commitment) --places \(lottery.places) "
                    + "--candidates \(lottery.candidates.joined(separator: ","))"
            )
        }
        return outcome
    }

    func printEducation(_ outcome: EducationOutcome) {
        guard let first = outcome.lines.first else {
            print("\n3h. Education (教育, plan item 4): too few children of school age in this city for a lottery")
            return
        }
        print("\n3h. Education (教育, plan item 4): " + first)
        for line in outcome.lines.dropFirst() { print("   " + line) }
    }
}
