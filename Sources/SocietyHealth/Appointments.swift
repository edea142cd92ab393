public import Foundation
import Logging
public import SocietyCore
public import SocietyOneCard

/// What the appointment service refuses or fails with.
public enum AppointmentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense; nothing was changed.
    case invalid(String)
    /// No slot, appointment or schedule with this id.
    case notFound(String)
    /// Someone else has the slot.
    case slotTaken(String)
    /// The patient already has an appointment with this doctor that day.
    case alreadyBooked(String)
    /// The patient may not book online until this day (too many no-shows).
    case blocked(until: CalendarDate, noShows: Int)
    /// A move the appointment's state does not allow (the move, the state).
    case illegal(move: String, state: String)
    /// Too late to cancel: the slot starts within the cut-off.
    case tooLateToCancel(String)
    /// The one-card refused or failed the settlement.
    case payment(OneCardError)
    /// The store refused or failed.
    case store(StoreError)
    /// Something else failed.
    case failed(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .slotTaken(let slot): "slot \(slot) is taken"
        case .alreadyBooked(let id): "the patient already has appointment \(id) with this doctor that day"
        case .blocked(let until, let noShows):
            "online booking is closed until \(until.iso8601) after \(noShows) no-shows"
        case .illegal(let move, let state): "an appointment that is \(state) cannot \(move)"
        case .tooLateToCancel(let id): "appointment \(id) starts too soon to cancel"
        case .payment(let error): "payment: \(error)"
        case .store(let error): "store: \(error)"
        case .failed(let reason): reason
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as AppointmentError: self = error
        case let error as OneCardError: self = .payment(error)
        case let error as StoreError: self = .store(error)
        default: self = .failed(String(describing: error))
        }
    }
}

/// A doctor's bookable time (号源): one patient, one slot.
public struct AppointmentSlot: Hashable, Sendable, Codable {
    /// `doctor|YYYY-MM-DD|HH:MM`.
    public let id: String
    /// The hospital.
    public let hospital: CreditCode
    /// The clinical department (内科, 儿科 …).
    public let department: String
    /// The doctor's staff id.
    public let doctor: String
    /// The day.
    public let date: CalendarDate
    /// The start, `HH:MM` China time.
    public let time: String
    /// The registration fee.
    public let fee: Money
    /// Kept for patients registering at the hospital on the day (现场号), not released online.
    public let onSite: Bool
    /// The appointment holding it, if any.
    public internal(set) var appointment: String?

    /// The start as an instant (China Standard Time, UTC+8).
    public var start: Date {
        let minutes = (Int(time.prefix(2)) ?? 0) * 60 + (Int(time.suffix(2)) ?? 0)
        return date.startInstant.addingTimeInterval(Double(minutes) * 60)
    }
}

extension AppointmentSlot: StorableRecord {
    /// The table name.
    public static let recordKind = "health_appointment_slot"
    /// By doctor and day, and by department and day.
    public static let indexes: [RecordIndex<AppointmentSlot>] = [
        RecordIndex("doctor_day") { .text("\($0.doctor)|\($0.date.iso8601)") },
        RecordIndex("department_day") { .text("\($0.hospital.value)|\($0.department)|\($0.date.iso8601)") },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A patient's appointment and where it stands.
public struct Appointment: Hashable, Sendable, Codable {
    /// Where it stands.
    public enum State: String, Hashable, Sendable, Codable {
        /// Booked, not yet come.
        case booked
        /// Arrived and checked in.
        case checkedIn
        /// Seen by the doctor.
        case completed
        /// Cancelled by the patient in time.
        case cancelled
        /// Did not come.
        case noShow
    }

    /// The appointment's id.
    public let id: String
    /// The slot.
    public let slot: String
    /// The patient (encrypted at rest).
    public let patient: ResidentID
    /// The doctor.
    public let doctor: String
    /// The hospital.
    public let hospital: CreditCode
    /// The day.
    public let date: CalendarDate
    /// Where it stands.
    public internal(set) var state: State
    /// The one-card settlement that paid the fee, once paid.
    public internal(set) var settlement: String?
}

extension Appointment: StorableRecord {
    /// The table name.
    public static let recordKind = "health_appointment"
    /// The patient is personal data.
    public static let sensitiveFields: Set<String> = ["patient"]
    /// By patient (keyed hash) and by day.
    public static let indexes: [RecordIndex<Appointment>] = [
        RecordIndex(searchable: "patient") { .text($0.patient.unmasked) },
        RecordIndex("day") { .text($0.date.iso8601) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The booking rules, as values.
public struct AppointmentPolicy: Hashable, Sendable, Codable {
    /// Days ahead slots are released: **assumption** 7 (hospitals set 7 to 14).
    public var releaseDays: Int
    /// A cancellation must come this many minutes before the slot: **assumption** 120.
    public var cancelCutoffMinutes: Int
    /// No-shows within ``window`` days that close online booking: **assumption** 3 (a common rule,
    /// "爽约3次").
    public var noShowLimit: Int
    /// The window no-shows are counted in, days: **assumption** 90.
    public var window: Int
    /// How long online booking stays closed, days: **assumption** 90.
    public var blockDays: Int

    /// The defaults above.
    public static let standard = AppointmentPolicy(
        releaseDays: 7,
        cancelCutoffMinutes: 120,
        noShowLimit: 3,
        window: 90,
        blockDays: 90
    )

    /// A policy.
    public init(releaseDays: Int, cancelCutoffMinutes: Int, noShowLimit: Int, window: Int, blockDays: Int) {
        self.releaseDays = releaseDays
        self.cancelCutoffMinutes = cancelCutoffMinutes
        self.noShowLimit = noShowLimit
        self.window = window
        self.blockDays = blockDays
    }
}

/// A doctor's weekly clinic: the weekdays (1 Monday … 7 Sunday), the sessions' start times, and
/// which of them are kept for registration on the day.
public struct ClinicSchedule: Hashable, Sendable, Codable {
    /// The hospital.
    public let hospital: CreditCode
    /// The clinical department.
    public let department: String
    /// The doctor's staff id.
    public let doctor: String
    /// Weekdays with a clinic, 1 Monday … 7 Sunday.
    public let weekdays: Set<Int>
    /// Slot start times, `HH:MM`.
    public let times: [String]
    /// How many of each day's slots (the last ones) are kept for on-site registration.
    public let onSite: Int
    /// The registration fee.
    public let fee: Money

    /// A schedule; times are `HH:MM`, weekdays 1–7, the fee positive.
    public init(
        hospital: CreditCode,
        department: String,
        doctor: String,
        weekdays: Set<Int>,
        times: [String],
        onSite: Int,
        fee: Money
    ) throws(AppointmentError) {
        guard !department.isEmpty, !doctor.isEmpty, doctor.count <= 32, !doctor.contains("|") else {
            throw .invalid("a schedule names a department and a doctor (at most 32 characters, no '|')")
        }
        guard !weekdays.isEmpty, weekdays.allSatisfy({ (1...7).contains($0) }) else {
            throw .invalid("weekdays are 1 (Monday) … 7 (Sunday)")
        }
        let valid = times.allSatisfy { time in
            let parts = time.split(separator: ":")
            return time.count == 5 && parts.count == 2 && (Int(parts[0]).map { (0..<24).contains($0) } ?? false)
                && (Int(parts[1]).map { (0..<60).contains($0) } ?? false)
        }
        guard !times.isEmpty, valid, Set(times).count == times.count else { throw .invalid("times are distinct HH:MM") }
        guard (0...times.count).contains(onSite), fee.fen > 0 else {
            throw .invalid("on-site slots are at most the day's slots, and the fee is positive")
        }
        self.hospital = hospital
        self.department = department
        self.doctor = doctor
        self.weekdays = weekdays
        self.times = times.sorted()
        self.onSite = onSite
        self.fee = fee
    }
}

/// Hospital appointments (预约挂号, plan item 7): slots released on a schedule, booking with no
/// double booking under concurrent requests, cancellation before a cut-off, registration on the
/// day, check-in and no-shows with the rule that closes online booking, and the fee settled
/// through the one-card's medical-insurance settlement.
public struct AppointmentService: Sendable {
    /// The store purpose this service declares.
    public static let purpose = Purpose(constant: "health.appointments")

    let ports: ServicePorts
    /// The one-card service the fees are settled through.
    public let oneCard: OneCardService
    /// The rules.
    public let policy: AppointmentPolicy

    /// The service on the hospital platform's ports, logging as component `appointments`.
    public init(ports: ServicePorts, oneCard: OneCardService, policy: AppointmentPolicy = .standard) {
        self.ports = ports.logging(as: "appointments")
        self.oneCard = oneCard
        self.policy = policy
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    /// Releases `schedule`'s slots for the days from today through ``AppointmentPolicy/releaseDays``
    /// ahead; slots already released stay as they are. Returns how many were released now.
    @discardableResult
    public func release(_ schedule: ClinicSchedule) async throws(AppointmentError) -> Int {
        let today = today
        let days = policy.releaseDays
        do {
            return try await ports.store.write(purpose: Self.purpose) { db in
                var released = 0
                for offset in 0...days {
                    let day = today.adding(days: offset)
                    // 1970-01-01 was a Thursday (4).
                    let weekday = ((day.daysSinceEpoch % 7) + 7 + 3) % 7 + 1
                    guard schedule.weekdays.contains(weekday) else { continue }
                    for (index, time) in schedule.times.enumerated() {
                        let slot = AppointmentSlot(
                            id: "\(schedule.doctor)|\(day.iso8601)|\(time)",
                            hospital: schedule.hospital,
                            department: schedule.department,
                            doctor: schedule.doctor,
                            date: day,
                            time: time,
                            fee: schedule.fee,
                            onSite: index >= schedule.times.count - schedule.onSite,
                            appointment: nil
                        )
                        guard try await db.get(AppointmentSlot.self, key: slot.recordKey) == nil else { continue }
                        try await db.put(slot)
                        released += 1
                    }
                }
                return released
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// The free slots of a department on a day (online ones only unless `onSite`).
    public func freeSlots(
        hospital: CreditCode,
        department: String,
        on day: CalendarDate,
        onSite: Bool = false
    )
        async throws(AppointmentError) -> [AppointmentSlot]
    {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                try await db.fetch(
                    RecordQuery<AppointmentSlot>.filter(
                        "department_day",
                        equals: .text("\(hospital.value)|\(department)|\(day.iso8601)")
                    )
                ).filter { $0.appointment == nil && $0.onSite == onSite }.sorted { $0.time < $1.time }
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// Books `slot` for `patient` online. One write transaction reads the slot and the patient's
    /// appointments and takes the slot, so two requests for the same slot never both succeed. Refused:
    /// a taken, past or on-site slot, a second appointment with the same doctor that day, a
    /// patient whose online booking is closed by no-shows.
    @discardableResult
    public func book(_ slot: String, for patient: ResidentID, id: String) async throws(AppointmentError) -> Appointment
    {
        try await take(slot, for: patient, id: id, onSite: false)
    }

    /// 当日挂号: registers `patient` at the hospital on the day, on the first free slot of the
    /// department kept for on-site registration (or any free slot left).
    public func registerOnSite(
        hospital: CreditCode,
        department: String,
        patient: ResidentID,
        id: String
    ) async throws(AppointmentError) -> Appointment {
        let day = today
        let kept = try await freeSlots(hospital: hospital, department: department, on: day, onSite: true)
        let online = try await freeSlots(hospital: hospital, department: department, on: day)
        guard let slot = (kept + online).first(where: { $0.start > ports.clock.now() }) else {
            throw .notFound("free slot in \(department) today")
        }
        return try await take(slot.id, for: patient, id: id, onSite: true)
    }

    private func take(
        _ slotID: String,
        for patient: ResidentID,
        id: String,
        onSite: Bool
    ) async throws(AppointmentError)
        -> Appointment
    {
        guard (3...64).contains(id.utf8.count), !id.contains("|") else {
            throw .invalid("an appointment id is 3–64 characters")
        }
        let (now, today, policy) = (ports.clock.now(), today, policy)
        do {
            let appointment = try await ports.store.write(purpose: Self.purpose) { db in
                guard var slot = try await db.get(AppointmentSlot.self, key: RecordKey(slotID)) else {
                    throw AppointmentError.notFound("slot \(slotID)")
                }
                guard slot.appointment == nil else { throw AppointmentError.slotTaken(slotID) }
                guard slot.start > now else { throw AppointmentError.invalid("slot \(slotID) has begun") }
                if !onSite {
                    guard !slot.onSite else {
                        throw AppointmentError.invalid("slot \(slotID) is kept for on-site registration")
                    }
                }
                let mine = try await db.fetch(
                    RecordQuery<Appointment>.filter("patient", equals: .text(patient.unmasked))
                )
                if let same = mine.first(where: {
                    $0.doctor == slot.doctor && $0.date == slot.date && [.booked, .checkedIn].contains($0.state)
                }) {
                    throw AppointmentError.alreadyBooked(same.id)
                }
                if !onSite {
                    let since = today.adding(days: -policy.window)
                    let missed = mine.filter { $0.state == .noShow && $0.date >= since }.map(\.date).sorted()
                    if missed.count >= policy.noShowLimit, let last = missed.last {
                        let until = last.adding(days: policy.blockDays)
                        if today < until { throw AppointmentError.blocked(until: until, noShows: missed.count) }
                    }
                }
                if try await db.get(Appointment.self, key: RecordKey(id)) != nil {
                    throw AppointmentError.invalid("appointment id \(id) is taken")
                }
                let appointment = Appointment(
                    id: id,
                    slot: slotID,
                    patient: patient,
                    doctor: slot.doctor,
                    hospital: slot.hospital,
                    date: slot.date,
                    state: .booked,
                    settlement: nil
                )
                slot.appointment = id
                try await db.put(slot)
                try await db.put(appointment)
                return appointment
            }
            ports.logger.info("booked", metadata: ["operation": "book", "appointment": "\(id)", "onSite": "\(onSite)"])
            return appointment
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// Cancels a booked appointment before the cut-off; the slot is free again. A fee already paid
    /// is the settlement office's to refund.
    public func cancel(_ id: String) async throws(AppointmentError) -> Appointment {
        let (now, cutoff) = (ports.clock.now(), Double(policy.cancelCutoffMinutes) * 60)
        return try await move(id, "cancel") { appointment, slot in
            guard appointment.state == .booked else {
                throw AppointmentError.illegal(move: "cancel", state: appointment.state.rawValue)
            }
            guard now.addingTimeInterval(cutoff) <= slot.start else { throw AppointmentError.tooLateToCancel(id) }
            appointment.state = .cancelled
            slot.appointment = nil
        }
    }

    /// The patient arrived.
    public func checkIn(_ id: String) async throws(AppointmentError) -> Appointment {
        try await move(id, "check in") { appointment, _ in
            guard appointment.state == .booked else {
                throw AppointmentError.illegal(move: "check in", state: appointment.state.rawValue)
            }
            appointment.state = .checkedIn
        }
    }

    /// The doctor saw the patient.
    public func complete(_ id: String) async throws(AppointmentError) -> Appointment {
        try await move(id, "complete") { appointment, _ in
            guard appointment.state == .checkedIn else {
                throw AppointmentError.illegal(move: "complete", state: appointment.state.rawValue)
            }
            appointment.state = .completed
        }
    }

    /// At the end of `day`: every appointment still booked is a no-show. Returns how many.
    @discardableResult
    public func closeDay(_ day: CalendarDate) async throws(AppointmentError) -> Int {
        guard day < today else { throw .invalid("a day is closed once it is over") }
        do {
            return try await ports.store.write(purpose: Self.purpose) { db in
                var missed = 0
                for var appointment in try await db.fetch(
                    RecordQuery<Appointment>.filter("day", equals: .text(day.iso8601))
                )
                where appointment.state == .booked {
                    appointment.state = .noShow
                    try await db.put(appointment)
                    missed += 1
                }
                return missed
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// Settles the registration fee through the one-card's medical-insurance settlement (the
    /// patient's card must allow it), once: paying again returns the appointment as it is.
    public func pay(_ id: String) async throws(AppointmentError) -> Appointment {
        let (appointment, slot) = try await read(id)
        guard appointment.settlement == nil else { return appointment }
        guard [.booked, .checkedIn, .completed].contains(appointment.state) else {
            throw .illegal(move: "pay", state: appointment.state.rawValue)
        }
        let settlement: MedicalSettlement
        do {
            settlement = try await oneCard.settle(
                id: "apt-\(id)",
                holder: appointment.patient,
                hospital: appointment.hospital,
                total: slot.fee
            )
        } catch {
            throw .payment(error)
        }
        return try await move(id, "record payment") { appointment, _ in appointment.settlement = settlement.id }
    }

    /// The patient's appointments, latest first.
    public func appointments(of patient: ResidentID) async throws(AppointmentError) -> [Appointment] {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                try await db.fetch(RecordQuery<Appointment>.filter("patient", equals: .text(patient.unmasked)))
                    .sorted { ($0.date, $0.id) > ($1.date, $1.id) }
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    private func read(_ id: String) async throws(AppointmentError) -> (Appointment, AppointmentSlot) {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                guard let appointment = try await db.get(Appointment.self, key: RecordKey(id)) else {
                    throw AppointmentError.notFound("appointment \(id)")
                }
                guard let slot = try await db.get(AppointmentSlot.self, key: RecordKey(appointment.slot)) else {
                    throw AppointmentError.notFound("slot \(appointment.slot)")
                }
                return (appointment, slot)
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    private func move(
        _ id: String,
        _ name: String,
        _ change: @escaping @Sendable (inout Appointment, inout AppointmentSlot) throws -> Void
    ) async throws(AppointmentError) -> Appointment {
        do {
            let moved = try await ports.store.write(purpose: Self.purpose) { db in
                guard var appointment = try await db.get(Appointment.self, key: RecordKey(id)) else {
                    throw AppointmentError.notFound("appointment \(id)")
                }
                guard var slot = try await db.get(AppointmentSlot.self, key: RecordKey(appointment.slot)) else {
                    throw AppointmentError.notFound("slot \(appointment.slot)")
                }
                let before = slot
                try change(&appointment, &slot)
                try await db.put(appointment)
                // Only a cancellation frees the slot; the other moves leave it as it was.
                if slot != before { try await db.put(slot) }
                return appointment
            }
            ports.logger.info("appointment moved", metadata: ["operation": "\(name)", "appointment": "\(id)"])
            return moved
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }
}

/// A report of an examination or test (检查检验报告) from a visit, as the hospital issues it.
public struct MedicalReport: Hashable, Sendable, Codable {
    /// The report's id.
    public let id: String
    /// The appointment (visit) it came from.
    public let appointment: String
    /// The patient (encrypted at rest).
    public let patient: ResidentID
    /// The day issued.
    public let issued: CalendarDate
    /// What was examined (血常规, 胸部X线 …).
    public let title: String
    /// The findings (encrypted at rest).
    public let findings: String
}

extension MedicalReport: StorableRecord {
    /// The table name.
    public static let recordKind = "health_report"
    /// The patient and the findings are personal data.
    public static let sensitiveFields: Set<String> = ["patient", "findings"]
    /// By patient (keyed hash).
    public static let indexes: [RecordIndex<MedicalReport>] = [
        RecordIndex(searchable: "patient") { .text($0.patient.unmasked) }
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A patient's consent that their family-doctor team may read their reports, until a day or
/// until withdrawn.
public struct ReportConsent: Hashable, Sendable, Codable {
    /// The patient (encrypted at rest).
    public let patient: ResidentID
    /// The family-doctor team.
    public let team: String
    /// The last day it holds.
    public let until: CalendarDate
    /// Withdrawn by the patient.
    public internal(set) var withdrawn: Bool
}

extension ReportConsent: StorableRecord {
    /// The table name.
    public static let recordKind = "health_report_consent"
    /// The patient is personal data.
    public static let sensitiveFields: Set<String> = ["patient"]
    /// One consent per patient and team: the key is the keyed hash of both.
    public var recordKey: RecordKey { RecordKey(sensitive: "\(patient.unmasked)|\(team)") }
}

extension AppointmentService {
    /// Files a report of a visit that took place (the appointment completed).
    @discardableResult
    public func fileReport(
        id: String,
        appointment: String,
        title: String,
        findings: String
    ) async throws(AppointmentError)
        -> MedicalReport
    {
        guard (3...64).contains(id.utf8.count), !title.isEmpty else { throw .invalid("a report has an id and a title") }
        let today = today
        do {
            return try await ports.store.write(purpose: Self.purpose) { db in
                guard let visit = try await db.get(Appointment.self, key: RecordKey(appointment)) else {
                    throw AppointmentError.notFound("appointment \(appointment)")
                }
                guard visit.state == .completed else {
                    throw AppointmentError.illegal(move: "have a report", state: visit.state.rawValue)
                }
                let report = MedicalReport(
                    id: id,
                    appointment: appointment,
                    patient: visit.patient,
                    issued: today,
                    title: title,
                    findings: findings
                )
                try await db.put(report)
                return report
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// 报告查询 by the patient: their reports, latest first.
    public func reports(of patient: ResidentID) async throws(AppointmentError) -> [MedicalReport] {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                try await db.fetch(RecordQuery<MedicalReport>.filter("patient", equals: .text(patient.unmasked)))
                    .sorted { ($0.issued, $0.id) > ($1.issued, $1.id) }
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// The patient consents that family-doctor team `team` may read their reports until `until`
    /// (granting again replaces the earlier consent).
    @discardableResult
    public func consentToReports(
        _ patient: ResidentID,
        team: String,
        until: CalendarDate
    ) async throws(AppointmentError)
        -> ReportConsent
    {
        guard !team.isEmpty, until >= today else { throw .invalid("a consent names a team and ends today or later") }
        let consent = ReportConsent(patient: patient, team: team, until: until, withdrawn: false)
        do {
            try await ports.store.write(purpose: Self.purpose) { db in try await db.put(consent) }
            return consent
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// The patient withdraws the team's access; refused when there was none.
    public func withdrawReportConsent(_ patient: ResidentID, team: String) async throws(AppointmentError) {
        do {
            try await ports.store.write(purpose: Self.purpose) { db in
                let key = RecordKey(sensitive: "\(patient.unmasked)|\(team)")
                guard var consent = try await db.get(ReportConsent.self, key: key) else {
                    throw AppointmentError.notFound("consent of the patient for team \(team)")
                }
                consent.withdrawn = true
                try await db.put(consent)
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }

    /// 报告查询 by the patient's family doctor: allowed only under the patient's consent to the
    /// doctor's team, in force today; read and audited under `health.family-doctor.reports`.
    public func reports(
        of patient: ResidentID,
        forFamilyDoctorTeam team: String
    ) async throws(AppointmentError)
        -> [MedicalReport]
    {
        let today = today
        do {
            return try await ports.store.read(purpose: Purpose(constant: "health.family-doctor.reports")) { db in
                let consent = try await db.get(
                    ReportConsent.self,
                    key: RecordKey(sensitive: "\(patient.unmasked)|\(team)")
                )
                guard let consent, !consent.withdrawn, today <= consent.until else {
                    throw AppointmentError.illegal(move: "be read by team \(team)", state: "not consented")
                }
                return try await db.fetch(RecordQuery<MedicalReport>.filter("patient", equals: .text(patient.unmasked)))
                    .sorted { ($0.issued, $0.id) > ($1.issued, $1.id) }
            }
        } catch {
            throw AppointmentError(wrapping: error)
        }
    }
}
