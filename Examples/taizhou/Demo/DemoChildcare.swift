import Foundation
import SocietyChildcare
import SocietyCore
import SocietyHealth
import SocietyOneCard
import SocietyServices

/// The demo's childcare section (plan item 3): an institution filed, a toddler class opened with
/// as many carers as leave its last applicant over the ratio, the city's toddlers enrolled with
/// their vaccination records, and the refusal explained.
extension Demo {
    struct ChildcareOutcome {
        var receiptDue: CalendarDate?
        var enrolled = 0
        var carers = 0
        var refusal: String?
    }

    func childcare(
        _ government: DemoGovernment,
        oneCard: OneCardService,
        families: [(child: Resident, parent: Resident)],
        today: CalendarDate
    ) async throws -> ChildcareOutcome {
        var outcome = ChildcareOutcome()
        let health = government.departments[.health] ?? government.civilAffairs
        let department = try government.department("childcare", as: health)
        let service = ChildcareService(
            ports: department.ports,
            oneCard: oneCard,
            calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
        )
        let register = ImmunisationService(ports: try government.department("vaccination", as: health).ports)
        let toddlers = families.filter { family in
            family.child.isAlive && (12..<24).contains(family.child.id.birthDate.months(until: today))
                && family.child.id != family.parent.id
        }
        guard toddlers.count >= 2 else { return outcome }
        let provider = try ChildcareProvider(
            id: "91320214745555318W",
            name: "海陵区阳光托育中心",
            kind: .institution,
            district: toddlers[0].child.registeredDivision,
            premises: .owned,
            places: 60,
            healthWorkers: 1,
            cctvDays: 90
        )
        let submitted = try await service.submitFiling(provider)
        if case .submitted(_, let due) = submitted.filing { outcome.receiptDue = due }
        _ = try await service.reviewFiling(provider.id)
        // One carer per five toddlers, one too few for the last applicant (at most 15 in the class).
        let rule = service.rules.classes[.toddler]
        let ratio = rule?.childrenPerCarer ?? 5
        let applicants = Array(toddlers.prefix((rule?.maximumSize ?? 15) + 1))
        outcome.carers = max(1, (applicants.count - 1) / ratio)
        try await service.open(try CareClass(id: "托小1", provider: provider.id, kind: .toddler, carers: outcome.carers))
        for (index, family) in applicants.enumerated() {
            let child = family.child.id
            for (n, given) in ImmunisationSchedule.dosesOnTime(bornOn: child.birthDate, through: today).enumerated() {
                try await register.record(
                    ImmunisationRecord(
                        id: "cc-\(index + 1)-\(n + 1)",
                        child: child,
                        vaccine: given.dose.vaccines[0],
                        date: given.date,
                        lot: "L\(given.date.year)",
                        clinic: "海陵区城东社区卫生服务中心预防接种门诊"
                    )
                )
            }
            let id = "cc-\(index + 1)"
            try await service.apply(id: id, child: child, parent: family.parent.id, careClass: "托小1")
            let enrolment = try await service.enrol(
                id,
                healthCheck: AdmissionHealthCheck(date: today.adding(days: -3), fit: true, institution: "妇幼保健院"),
                vaccination: try await register.status(of: child)
            )
            if enrolment.state == .enrolled {
                outcome.enrolled += 1
            } else if let decision = enrolment.decision {
                outcome.refusal = "\(child.masked): \(decision.explanation)"
            }
        }
        return outcome
    }

    func printChildcare(_ outcome: ChildcareOutcome) {
        guard let due = outcome.receiptDue else {
            print("\n3f. Childcare (托育, plan item 3): no toddler of 12–24 months in this city")
            return
        }
        print(
            "\n3f. Childcare (托育, plan item 3): an institution filed (receipt due by \(due), 5 working days); "
                + "a 托小班 with \(outcome.carers) carer(s) enrolled \(outcome.enrolled) toddler(s), each with a fit "
                + "health check and no vaccination overdue"
        )
        if let refusal = outcome.refusal { print("   Refused: \(refusal)") }
    }
}
