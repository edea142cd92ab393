import Foundation
import SocietyCore
import SocietyOneCard
import Testing

@Suite("Card life cycle")
struct CardLifecycleTests {
    static let events: [(String, CardEvent)] = {
        let number = (try? CardNumber("A00000001"))
        let day = CalendarDate(daysSinceEpoch: 20_000)
        let successor = (try? Identifier<SocialSecurityCard>("card-next"))
        var list: [(String, CardEvent)] = [
            ("activate", .activate), ("report-lost", .reportLost), ("suspend", .suspend), ("restore", .restore),
            ("cancel", .cancel(.leftProgramme)),
        ]
        if let number { list.append(("issue", .issue(number, on: day))) }
        if let successor { list.append(("replace", .replace(by: successor))) }
        return list
    }()

    /// The legal moves, by state name and event name.
    static let legal: Set<String> = [
        "applied/issue", "applied/cancel", "issued/activate", "issued/cancel", "activated/report-lost",
        "activated/suspend", "activated/replace", "activated/cancel", "reported-lost/restore", "reported-lost/replace",
        "reported-lost/cancel", "suspended/restore", "suspended/replace", "suspended/cancel",
    ]

    func card(in state: String) throws -> SocialSecurityCard {
        var card = try SocialSecurityCard(
            id: Identifier("card-1"),
            holder: ResidentID("11010519491231002X"),
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: BankAccount("6222021500000000016"),
            enabledUses: [.transit, .pensionPayment]
        )
        let path: [CardEvent] =
            switch state {
            case "applied": []
            case "issued": [.issue(try CardNumber("A00000001"), on: CalendarDate(daysSinceEpoch: 20_000))]
            case "activated":
                [.issue(try CardNumber("A00000001"), on: CalendarDate(daysSinceEpoch: 20_000)), .activate]
            case "reported-lost":
                [.issue(try CardNumber("A00000001"), on: CalendarDate(daysSinceEpoch: 20_000)), .activate, .reportLost]
            case "suspended":
                [.issue(try CardNumber("A00000001"), on: CalendarDate(daysSinceEpoch: 20_000)), .activate, .suspend]
            case "replaced":
                [
                    .issue(try CardNumber("A00000001"), on: CalendarDate(daysSinceEpoch: 20_000)), .activate,
                    .replace(by: try Identifier("card-2")),
                ]
            default: [.cancel(.leftProgramme)]
            }
        for event in path { try card.apply(event) }
        #expect(card.state.name == state)
        return card
    }

    @Test(
        "every (state, event) pair: legal moves succeed, illegal ones throw and change nothing",
        arguments: ["applied", "issued", "activated", "reported-lost", "suspended", "replaced", "cancelled"]
    )
    func everyMove(state: String) throws {
        for (name, event) in Self.events {
            var card = try card(in: state)
            let before = card
            if Self.legal.contains("\(state)/\(name)") {
                try card.apply(event)
                #expect(card.state != before.state, "\(state)/\(name)")
            } else {
                #expect(throws: OneCardError.illegalTransition(from: state, event: name)) { try card.apply(event) }
                #expect(card == before)
            }
        }
    }

    @Test("uses: only on an activated card, enabled, and supported by the generation")
    func uses() throws {
        let day = CalendarDate(daysSinceEpoch: 20_100)
        var lost = try card(in: "activated")
        try lost.authorize(.transit, on: day)
        #expect(throws: OneCardError.useNotEnabled(.library)) { try lost.authorize(.library, on: day) }
        try lost.apply(.reportLost)
        #expect(throws: OneCardError.cardNotActive(state: "reported-lost")) { try lost.authorize(.transit, on: day) }
        #expect(throws: OneCardError.useNotSupportedByGeneration(.transit, .second)) {
            try SocialSecurityCard(
                id: Identifier("card-3"),
                holder: ResidentID("11010519491231002X"),
                generation: .second,
                issuingBank: CreditCode("91320214745555318W"),
                bankAccount: BankAccount("6222021500000000016"),
                enabledUses: [.transit]
            )
        }
        var active = try card(in: "activated")
        #expect(throws: OneCardError.cardExpired) { try active.authorize(.transit, on: day.adding(years: 11)) }
        try active.setUse(.library, enabled: true)
        try active.authorize(.library, on: day)
    }

    @Test("card numbers and bank accounts validate and mask")
    func masking() throws {
        let account = try BankAccount("6222021500000000016")
        #expect(account.masked == "622202*********0016")
        #expect(throws: BankAccount.ValidationError.checkDigitMismatch) { try BankAccount("6222021500000000015") }
        #expect(throws: BankAccount.ValidationError.malformed(length: 5)) { try BankAccount("62220") }
        // Luhn reference: 79927398713 (ISO/IEC 7812 example) is valid with one more digit of prefix.
        #expect(BankAccount.checkDigit(for: "7992739871") == "3")
        #expect(try CardNumber("A12345678").masked == "A1****678")
        #expect(throws: CardNumber.ValidationError.self) { try CardNumber("12345678A") }
        let card = try card(in: "activated")
        for text in ["\(card)", String(reflecting: card)] {
            #expect(!text.contains("11010519491231002X"))
            #expect(!text.contains("6222021500000000016"))
            #expect(!text.contains("A00000001"))
        }
    }
}
