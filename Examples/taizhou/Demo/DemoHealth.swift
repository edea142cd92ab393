import Foundation
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyHealth
import SocietyOneCard
import SocietyServices
import SocietySynthetic

/// The demo's health-services section (plan item 7): a paediatric clinic's week released, the
/// paid households' heads booking and paying through the one-card, and one newborn bundle across
/// four departments.
extension Demo {
    struct HealthOutcome {
        var released = 0
        var booked = 0
        var paid = 0
        var refused = 0
        var newborn: (child: String, parts: Int, done: Bool, freeFirstYear: Bool)?
        var immunisation: [String] = []
    }

    func healthServices(
        _ government: DemoGovernment,
        oneCard: OneCardService,
        patients: [ResidentID],
        mothers: [Resident],
        children: [Resident],
        desk: OpenedDepartment,
        today: CalendarDate
    ) async throws -> HealthOutcome {
        var outcome = HealthOutcome()
        let hospital = try government.department(
            "hospital",
            as: government.departments[.health] ?? government.civilAffairs
        )
        let appointments = AppointmentService(ports: hospital.ports, oneCard: oneCard)
        let code = try CreditCode("113212000142871106")
        let schedule = try ClinicSchedule(
            hospital: code,
            department: "内科",
            doctor: "D0001",
            weekdays: Set(1...7),
            times: (0..<16).map {
                DecimalText.padded(8 + $0 / 4, width: 2) + ":" + DecimalText.padded(($0 % 4) * 15, width: 2)
            },
            onSite: 4,
            fee: Money(fen: 1_000)
        )
        outcome.released = try await appointments.release(schedule)
        // Tomorrow's online slots go to the paid households' heads, who pay through their card.
        let tomorrow = today.adding(days: 1)
        let free = try await appointments.freeSlots(hospital: code, department: "内科", on: tomorrow)
        for (slot, patient) in zip(free, patients) {
            let appointment = try await appointments.book(slot.id, for: patient, id: "apt-\(outcome.booked + 1)")
            outcome.booked += 1
            do {
                _ = try await appointments.pay(appointment.id)
                outcome.paid += 1
            } catch {
                outcome.refused += 1
            }
        }

        // One newborn bundle: the first mother of the city aged 20–40.
        guard
            let mother = mothers.first(where: {
                $0.isAlive && $0.sex == .female && (20...40).contains($0.age(on: today))
            })
        else { return outcome }
        let (entries, bundle) = try NewbornBundle.catalogue(timeLimit: TimeLimit(statutory: 5, promised: 1))
        let newbornDesk = ApplicationService(
            ports: desk.ports,
            catalogue: try ServiceCatalogue(entries, bundles: [bundle]),
            calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
        )
        let id = "born-\(today.compact)-1"
        _ = try await newbornDesk.submit(
            id: id,
            bundle: NewbornBundle.bundle,
            applicant: .resident(mother.id),
            district: mother.registeredDivision,
            by: "portal"
        )
        let part = { (service: String) in ApplicationService.partID(id, service) }
        let police = try government.department("population", as: government.populationRegister)
        let insurance = try government.department("medical-insurance", as: government.oneCard)
        let trust = government.trustList

        try await newbornDesk.accept(part(NewbornBundle.birthCertificate), by: "hospital")
        let certificate = try BirthCertificate(
            number: "Q\(today.compact.suffix(6))001",
            name: PersonName("\(mother.name.unmasked.prefix(1))小宝"),
            sex: .female,
            born: today.adding(days: -3),
            hospital: code,
            mother: mother.id,
            district: mother.registeredDivision
        )
        try await BirthCertificates(ports: hospital.ports).issue(certificate)
        try await newbornDesk.complete(part(NewbornBundle.birthCertificate), result: certificate.number, by: "hospital")
        let toPolice = try await hospital.exchange(trustList: trust).sealer.seal(
            EnvelopeDraft(
                audience: government.populationRegister.party,
                service: NewbornBundle.birthService,
                purpose: NewbornRegistrationOffice.purpose,
                data: certificate.envelopeData
            )
        )
        try await newbornDesk.accept(part(NewbornBundle.householdRegistration), by: "public-security")
        let policeExchange = try police.exchange(trustList: trust)
        let registration = try await NewbornRegistrationOffice(ports: police.ports).register(
            try await policeExchange.opener.open(toPolice)
        )
        try await newbornDesk.complete(
            part(NewbornBundle.householdRegistration),
            result: "registered",
            by: "public-security"
        )
        let toInsurance = try await policeExchange.sealer.seal(
            EnvelopeDraft(
                audience: government.oneCard.party,
                service: NewbornBundle.registrationService,
                purpose: Purpose(constant: "mi.enrolment"),
                data: registration.envelopeData
            )
        )
        try await newbornDesk.accept(part(NewbornBundle.medicalInsurance), by: "medical-insurance")
        let enrolment = try await NewbornEnrolment.enrol(
            try await insurance.exchange(trustList: trust).opener.open(toInsurance),
            in: insurance.ports
        )
        try await newbornDesk.complete(
            part(NewbornBundle.medicalInsurance),
            result: "enrolled",
            by: "medical-insurance"
        )
        try await newbornDesk.accept(part(NewbornBundle.socialSecurityCard), by: "onecard")
        let card = try await oneCard.apply(
            holder: registration.child,
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: try demoAccount(2_000_000),
            uses: [.medicalInsuranceSettlement]
        )
        try await newbornDesk.complete(part(NewbornBundle.socialSecurityCard), result: card.id.rawValue, by: "onecard")
        let status = try await newbornDesk.bundleStatus(id, bundle: NewbornBundle.bundle)
        outcome.newborn = (registration.child.masked, status.parts.count, status.isDone, enrolment.firstYearFree)
        outcome.immunisation = try await immunisation(
            government,
            newborn: registration.child,
            child: children.first { $0.isAlive && (4...5).contains($0.age(on: today)) },
            today: today
        )
        return outcome
    }

    /// The vaccination clinic: the newborn's doses at birth, and a child of the city aged 4–5 whose
    /// record misses the second MMR dose — the status and the school-entry check name it.
    func immunisation(
        _ government: DemoGovernment,
        newborn: ResidentID,
        child: Resident?,
        today: CalendarDate
    ) async throws -> [String] {
        let clinic = try government.department(
            "vaccination",
            as: government.departments[.health] ?? government.civilAffairs
        )
        let register = ImmunisationService(ports: clinic.ports)
        let site = "海陵区城东社区卫生服务中心预防接种门诊"
        let born = newborn.birthDate
        for (index, vaccine) in [NIPVaccine.hepB, .bcg].enumerated() {
            try await register.record(
                ImmunisationRecord(
                    id: "nb-\(index + 1)",
                    child: newborn,
                    vaccine: vaccine,
                    date: born,
                    lot: "L2026",
                    clinic: site
                )
            )
        }
        let infant = try await register.status(of: newborn)
        let next = infant.doses.first { $0.state == .upcoming || $0.state == .due }
        var lines = [
            "newborn \(newborn.masked): \(infant.doses.filter(\.isGiven).map(\.dose.id).joined(separator: ", ")) given at birth"
                + (next.map { ", next \($0.dose.id) from \($0.dueFrom)" } ?? "")
        ]
        guard let child else { return lines }
        // Every dose due by today, at its age under the schedule then in force — but the second MMR.
        var recorded = 0
        for (index, given) in ImmunisationSchedule.dosesOnTime(bornOn: child.id.birthDate, through: today).enumerated()
        where given.dose.id != "MMR-2" {
            try await register.record(
                ImmunisationRecord(
                    id: "c-\(index + 1)",
                    child: child.id,
                    vaccine: given.dose.vaccines[0],
                    date: given.date,
                    lot: "L\(given.date.year)",
                    clinic: site
                )
            )
            recorded += 1
        }
        let status = try await register.status(of: child.id)
        let entry = child.id.birthDate.adding(years: 6)
        let check = try await register.schoolEntryCheck(of: child.id, on: entry)
        lines.append(
            "child \(child.id.masked) (age \(child.age(on: today))): \(recorded) doses recorded, "
                + (status.isUpToDate
                    ? "up to date"
                    : "\(status.overdue.count) overdue — catch up \(status.overdue.map(\.dose.id).joined(separator: ", "))")
                + "; school entry on \(entry): "
                + (check.isComplete ? "complete" : "catch up \(check.catchUp.map(\.id).joined(separator: ", "))")
        )
        return lines
    }

    func printHealth(_ outcome: HealthOutcome) {
        print(
            "\n3e. Health services (医疗, plan item 7): \(outcome.released) appointment slots released for a week; "
                + "\(outcome.booked) booked for tomorrow, \(outcome.paid) paid through the one-card's medical-insurance "
                + "settlement, \(outcome.refused) refused"
        )
        if let newborn = outcome.newborn {
            print(
                "   Newborn bundle (出生一件事): \(newborn.parts) parts, \(newborn.done ? "all completed" : "NOT completed") — "
                    + "birth certificate → household registration (\(newborn.child)) → medical insurance"
                    + (newborn.freeFirstYear ? " (first year free)" : "")
                    + " → social security card, each step by envelope"
            )
        }
        for line in outcome.immunisation {
            print("   Immunisation (预防接种, \(ImmunisationSchedule.national2025.name)): \(line)")
        }
    }
}
