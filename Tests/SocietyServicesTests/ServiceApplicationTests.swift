import Foundation
import SocietyCore
import SocietyServices
import Testing

/// The shared life cycle on the 2026 official calendar; every expected date was counted by hand.
@Suite("Application life cycle")
struct ServiceApplicationTests {
    let calendar: PublishedCalendar
    let limit: TimeLimit

    init() throws {
        calendar = try PublishedCalendar.official()
        limit = try TimeLimit(statutory: 20, promised: 5, materials: 5)
    }

    func day(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }

    func application(submitted: String) throws -> ServiceApplication {
        ServiceApplication(
            id: "app-1",
            serviceCode: "330100-test",
            timeLimit: limit,
            submitted: try day(submitted),
            by: "applicant"
        )
    }

    @Test("accepted before the Spring Festival: the limits run across it")
    func acrossSpringFestival() throws {
        var app = try application(submitted: "2026-02-13")
        #expect(try app.promisedDeadline(on: calendar) == nil)
        try app.accept(on: day("2026-02-13"), by: "clerk-7")
        #expect(app.state == .accepted)
        // 14 Feb (worked Saturday) 1; 24–27 Feb 2–5.
        #expect(try app.promisedDeadline(on: calendar) == day("2026-02-27"))
        // …28 Feb 6; 2–6 Mar 7–11; 9–13 Mar 12–16; 16–19 Mar 17–20.
        #expect(try app.statutoryDeadline(on: calendar) == day("2026-03-19"))
        try app.review(step: "civil-affairs check", on: day("2026-02-24"), by: "reviewer-2")
        try app.complete(result: "certificate issued", on: day("2026-02-26"), by: "reviewer-2")
        #expect(app.state == .completed(result: "certificate issued"))
        #expect(app.history.map(\.name) == ["submit", "accept", "review", "complete"])
        #expect(app.history.map(\.actor) == ["applicant", "clerk-7", "reviewer-2", "reviewer-2"])
    }

    @Test("materials requested during review pause the clock by the working days waited")
    func pause() throws {
        var app = try application(submitted: "2026-03-02")
        try app.accept(on: day("2026-03-02"), by: "clerk")
        #expect(try app.promisedDeadline(on: calendar) == day("2026-03-09"))
        try app.review(step: "housing check", on: day("2026-03-03"), by: "reviewer")
        try app.requestMaterials(["household register page"], on: day("2026-03-04"), by: "reviewer", calendar: calendar)
        // The applicant has until the fifth working day after 4 March: 5, 6, 9, 10, 11 March.
        #expect(app.state == .awaitingMaterials(missing: ["household register page"], deadline: try day("2026-03-11")))
        #expect(try app.deadlineStatus(on: day("2026-03-05"), calendar: calendar) == .onTrack)
        try app.supplyMaterials(on: day("2026-03-09"), by: "applicant", calendar: calendar)
        // Back to the step it was at, the limit moved by 5, 6 and 9 March: 3 working days.
        #expect(app.state == .underReview(step: "housing check"))
        #expect(app.pausedWorkingDays == 3)
        #expect(try app.promisedDeadline(on: calendar) == day("2026-03-12"))
        #expect(
            try app.deadlineStatus(on: day("2026-03-10"), calendar: calendar)
                == .dueSoon(.promised, deadline: day("2026-03-12"), workingDaysLeft: 2)
        )
        #expect(
            try app.deadlineStatus(on: day("2026-03-16"), calendar: calendar)
                == .overdue(.promised, deadline: day("2026-03-12"), workingDays: 2)
        )
    }

    @Test("materials asked for before acceptance: back to submitted, nothing paused, the limit starts at acceptance")
    func materialsAtIntake() throws {
        var app = try application(submitted: "2026-03-02")
        try app.requestMaterials(["photo"], on: day("2026-03-02"), by: "clerk", calendar: calendar)
        #expect(
            try app.deadlineStatus(on: day("2026-03-09"), calendar: calendar)
                == .dueSoon(.materials, deadline: day("2026-03-09"), workingDaysLeft: 0)
        )
        #expect(
            try app.deadlineStatus(on: day("2026-03-10"), calendar: calendar)
                == .overdue(.materials, deadline: day("2026-03-09"), workingDays: 1)
        )
        try app.supplyMaterials(on: day("2026-03-04"), by: "applicant", calendar: calendar)
        #expect(app.state == .submitted)
        #expect(app.pausedWorkingDays == 0)
        try app.accept(on: day("2026-03-04"), by: "clerk")
        #expect(try app.promisedDeadline(on: calendar) == day("2026-03-11"))
    }

    @Test("illegal moves throw and change nothing")
    func illegalMoves() throws {
        var app = try application(submitted: "2026-03-02")
        let before = app
        #expect(throws: ServiceApplication.MoveError.illegal(move: "complete", from: "submitted")) {
            try app.complete(result: "x", on: day("2026-03-02"), by: "clerk")
        }
        #expect(throws: ServiceApplication.MoveError.illegal(move: "supplyMaterials", from: "submitted")) {
            try app.supplyMaterials(on: day("2026-03-02"), by: "applicant", calendar: calendar)
        }
        #expect(
            throws: ServiceApplication.MoveError.backdated(
                move: "accept",
                date: try day("2026-03-01"),
                last: try day("2026-03-02")
            )
        ) {
            try app.accept(on: day("2026-03-01"), by: "clerk")
        }
        #expect(throws: ServiceApplication.MoveError.missingReasons(move: "refuse")) {
            try app.refuse(reasons: [], on: day("2026-03-02"), by: "clerk")
        }
        #expect(
            throws: ServiceApplication.MoveError.calendar(
                .outsidePublishedYears(date: try day("2027-01-01"), known: [2025, 2026])
            )
        ) {
            try app.requestMaterials(["photo"], on: day("2026-12-28"), by: "clerk", calendar: calendar)
        }
        #expect(app == before)
        var accepted = app
        try accepted.accept(on: day("2026-03-02"), by: "clerk")
        let acceptedBefore = accepted
        #expect(throws: ServiceApplication.MoveError.missingDetail(move: "review", detail: "the step's name")) {
            try accepted.review(step: "", on: day("2026-03-02"), by: "reviewer")
        }
        #expect(throws: ServiceApplication.MoveError.missingDetail(move: "complete", detail: "its result")) {
            try accepted.complete(result: "", on: day("2026-03-02"), by: "reviewer")
        }
        #expect(accepted == acceptedBefore)

        try app.refuse(reasons: ["not resident in the district"], on: day("2026-03-03"), by: "clerk")
        #expect(app.state.isFinal)
        let refused = app
        #expect(throws: ServiceApplication.MoveError.illegal(move: "withdraw", from: "notAccepted")) {
            try app.withdraw(reason: "changed my mind", on: day("2026-03-04"), by: "applicant")
        }
        #expect(throws: ServiceApplication.MoveError.illegal(move: "accept", from: "notAccepted")) {
            try app.accept(on: day("2026-03-04"), by: "clerk")
        }
        #expect(app == refused)
    }

    @Test("a withdrawal ends any open state, including a wait for materials")
    func withdraw() throws {
        var app = try application(submitted: "2026-03-02")
        try app.accept(on: day("2026-03-02"), by: "clerk")
        try app.requestMaterials(["photo"], on: day("2026-03-03"), by: "clerk", calendar: calendar)
        try app.withdraw(reason: "moved away", on: day("2026-03-05"), by: "applicant")
        #expect(app.state == .withdrawn(reason: "moved away"))
        #expect(try app.deadlineStatus(on: day("2026-03-30"), calendar: calendar) == .onTrack)
        #expect(throws: ServiceApplication.MoveError.illegal(move: "supplyMaterials", from: "withdrawn")) {
            try app.supplyMaterials(on: day("2026-03-06"), by: "applicant", calendar: calendar)
        }
    }

    @Test("an application survives a round trip through its stored form, wait state included")
    func codable() throws {
        var app = try application(submitted: "2026-03-02")
        try app.accept(on: day("2026-03-02"), by: "clerk")
        try app.requestMaterials(["photo"], on: day("2026-03-03"), by: "clerk", calendar: calendar)
        let data = try JSONEncoder().encode(app)
        var copy = try JSONDecoder().decode(ServiceApplication.self, from: data)
        #expect(copy == app)
        try copy.supplyMaterials(on: day("2026-03-05"), by: "applicant", calendar: calendar)
        #expect(copy.state == .accepted)
        #expect(copy.pausedWorkingDays == 2)
    }

    @Test("time limits: positive, and no promise beyond the statute")
    func timeLimits() {
        #expect(throws: TimeLimit.ValidationError.promiseBeyondStatute(promised: 30, statutory: 20)) {
            try TimeLimit(statutory: 20, promised: 30)
        }
        #expect(throws: TimeLimit.ValidationError.notPositive("statutory", 0)) {
            try TimeLimit(statutory: 0, promised: 0)
        }
        #expect(throws: TimeLimit.ValidationError.notPositive("materials", -1)) {
            try TimeLimit(statutory: 5, promised: 5, materials: -1)
        }
    }

    @Test("late December: judged on the days so far, a due-soon deadline in an unpublished year has no date")
    func yearEnd() throws {
        var app = try application(submitted: "2026-12-28")
        try app.accept(on: day("2026-12-28"), by: "clerk")
        // 29 and 30 December have run: 3 of 5 left.
        #expect(try app.deadlineStatus(on: day("2026-12-30"), calendar: calendar) == .onTrack)
        // 31 December: 2 left, the deadline itself in 2027, which the calendar does not know.
        #expect(
            try app.deadlineStatus(on: day("2026-12-31"), calendar: calendar)
                == .dueSoon(.promised, deadline: nil, workingDaysLeft: 2)
        )
        #expect(throws: CalendarError.self) { try app.promisedDeadline(on: calendar) }
        try app.complete(result: "done", on: day("2026-12-31"), by: "clerk")
        #expect(try app.completedOnTime(calendar: calendar) == true)
    }
}
