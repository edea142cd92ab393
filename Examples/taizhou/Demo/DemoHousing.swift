import Foundation
import SocietyAssistance
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyHousing
import SocietyJSON
import SocietyServices
import SocietySynthetic

/// The demo's housing section (plan item 6): the synthetic city's dwellings into the real-estate
/// register, fund accounts for its workers, one home-transfer bundle end to end across three
/// departments by envelope, and a public-rental round for the households verified in section 3.
extension Demo {
    struct HousingOutcome {
        var registered = 0
        var accounts = 0
        var transfer: (tax: String, certificate: String, withdrawn: Money, parts: Int, done: Bool)?
        var rental: (applied: Int, waiting: Int, round: AllocationRound?)?
    }

    func housing(
        _ government: DemoGovernment,
        city: SyntheticCity,
        pooled: [Pooled],
        assistance: AssistanceService,
        received: [String],
        desk: OpenedDepartment,
        today: CalendarDate
    ) async throws -> HousingOutcome {
        var outcome = HousingOutcome()
        let realEstate = try government.department("real-estate", as: government.realEstate)
        let fundCentre = try government.department("housing-fund", as: government.housingFund)
        let taxBureau = try government.department("tax", as: government.tax)
        let registry = RealEstateRegistry(ports: realEstate.ports)
        let fund = ProvidentFund(ports: fundCentre.ports)

        // The register and the fund: the first 200 owners' dwellings, the first 200 workers' accounts.
        var owners: [(ResidentID, SyntheticDwelling)] = []
        var workers: [(ResidentID, String)] = []
        for household in city.households() where owners.count < 200 || workers.count < 200 {
            for person in household.members where person.resident.isAlive {
                if owners.count < 200, let dwelling = person.registeredDwellings(in: household.division).first {
                    let unit = try UnitNumber(dwelling.unit)
                    try await registry.register(
                        .first(
                            location: dwelling.location,
                            use: "住宅",
                            area: dwelling.area,
                            holders: [.resident(person.resident.id)]
                        ),
                        on: unit
                    )
                    owners.append((person.resident.id, dwelling))
                }
                if workers.count < 200, let account = person.fundAccount {
                    let id = "gjj-" + DecimalText.padded(workers.count + 1, width: 6)
                    try await fund.open(
                        id: id,
                        resident: person.resident.id,
                        employer: CreditCode("91320214745555318W"),
                        wageBase: account.wageBase,
                        employeeRate: account.employeeRate,
                        employerRate: account.employerRate
                    )
                    workers.append((person.resident.id, id))
                }
            }
        }
        for back in (1...3).reversed() {
            try await fund.contribute(for: String(today.adding(months: -back).iso8601.prefix(7)))
        }
        outcome.registered = owners.count
        outcome.accounts = workers.count

        // One home-transfer bundle: the first owner sells to the first worker who owns nothing yet.
        let sellers = Set(owners.map(\.0))
        if let (seller, dwelling) = owners.first,
            let (buyer, account) = workers.first(where: { !sellers.contains($0.0) }),
            seller != buyer
        {
            let (entries, bundle) = try HomeTransfer.catalogue(timeLimit: TimeLimit(statutory: 5, promised: 1))
            let transferDesk = ApplicationService(
                ports: desk.ports,
                catalogue: try ServiceCatalogue(entries, bundles: [bundle]),
                calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
            )
            let unit = try UnitNumber(dwelling.unit)
            let contract = SuppliedMaterial.document(
                name: "sale contract",
                digest: "sha256:"
                    + Hex.encode(try government.deployment.crypto.digest(.sha256, of: Array(dwelling.unit.utf8)))
            )
            let id = "hx-\(today.compact)-1"
            _ = try await transferDesk.submit(
                id: id,
                bundle: HomeTransfer.bundle,
                applicant: .resident(buyer),
                district: unit.county,
                materials: [contract],
                by: "portal"
            )
            let part = { (service: String) in ApplicationService.partID(id, service) }
            let price = Money(fen: Int64(dwelling.area) * 1_200_000 / 100)  // 12,000 yuan a m² (assumption)
            let trust = government.trustList

            // 1. The tax bureau assesses and sends its receipt to the registration centre.
            try await transferDesk.accept(part(HomeTransfer.deedTax), by: "tax")
            let (tax, statement) = DeedTax.rules2024.assess(price: price, area: dwelling.area, homes: 1)
            let receiptText = try await taxBureau.exchange(trustList: trust).sealer.seal(
                EnvelopeDraft(
                    audience: government.realEstate.party,
                    service: HomeTransfer.taxReceipts,
                    purpose: Purpose(constant: "housing.registration"),
                    data: DeedTax.receipt(unit: unit, buyer: buyer, price: price, tax: tax, paidOn: today)
                )
            )
            try await transferDesk.complete(part(HomeTransfer.deedTax), result: "paid \(tax.yuanText)", by: "tax")

            // 2. The registration centre registers the transfer on the receipt and notifies the fund.
            try await transferDesk.accept(part(HomeTransfer.registration), by: "real-estate")
            let centre = try realEstate.exchange(trustList: trust)
            let receipt = try await centre.opener.open(receiptText)
            let (page, notice) = try await registry.registerTransfer(unit, to: buyer, price: price, taxReceipt: receipt)
            let certificate = page.certificate?.description ?? ""
            try await transferDesk.complete(part(HomeTransfer.registration), result: certificate, by: "real-estate")
            let noticeText = try await centre.sealer.seal(
                EnvelopeDraft(
                    audience: government.housingFund.party,
                    service: HomeTransfer.transferNotices,
                    purpose: Purpose(constant: "fund.withdrawals"),
                    data: notice
                )
            )

            // 3. The fund centre withdraws for the purchase on the notice.
            try await transferDesk.accept(part(HomeTransfer.fundWithdrawal), by: "housing-fund")
            let opened = try await fundCentre.exchange(trustList: trust).opener.open(noticeText)
            let withdrawn = try await fund.withdrawForPurchase(account: account, notice: opened)
            try await transferDesk.complete(
                part(HomeTransfer.fundWithdrawal),
                result: "withdrew \(withdrawn.amount.yuanText)",
                by: "housing-fund"
            )
            let status = try await transferDesk.bundleStatus(id, bundle: HomeTransfer.bundle)
            outcome.transfer = (statement, certificate, withdrawn.amount, status.parts.count, status.isDone)
        }

        // Public rental: the households verified by envelope in section 3 apply with the means
        // that verification established; one round allocates ten units in the first district.
        let housingOffice = try government.department("housing", as: government.realEstate)
        let rental = PublicRental(ports: housingOffice.ports)
        var applied = 0
        var districts: [DivisionCode] = []
        for id in received {
            guard let application = try? await assistance.application(Identifier(id)),
                let decision = application.decision
            else { continue }
            let facts = decision.results.flatMap(\.facts)
            func total(_ suffix: String) -> Int64 {
                var seen: Set<String> = []
                var sum: Int64 = 0
                for fact in facts where fact.name.hasSuffix(suffix) && seen.insert(fact.member + fact.name).inserted {
                    sum += (try? Money(yuanText: fact.value).fen) ?? 0
                }
                return sum
            }
            let members = max(1, application.members.count)
            var priorities: Set<RentalPriority> = []
            if decision.isEligible { priorities.insert(.assistance) }
            if application.members.contains(where: { $0.age(on: today) >= 60 }) { priorities.insert(.elderly) }
            let means = HouseholdMeans(
                members: members,
                perCapitaIncome: decision.perCapitaIncome,
                assets: Money(fen: total(".deposits") + total(".vehicleValue")),
                areaPerCapita: Int(total(".floorArea")) / members,
                priorities: priorities,
                evidence: Array(Set(facts.map(\.source.envelopeDigest))).sorted()
            )
            let district = application.district
            _ = try await rental.apply(
                id: "gz-\(id)",
                applicant: application.applicant,
                district: district,
                means: means
            )
            if !districts.contains(district) { districts.append(district) }
            applied += 1
        }
        if let district = districts.first {
            let waiting = try await rental.waitingList(district).count
            let round = try await rental.allocate(
                round: "round-\(today.compact)",
                district: district,
                units: (1...10).map { "GZ-\(district.code)-" + DecimalText.padded($0, width: 3) }
            )
            outcome.rental = (applied, waiting, round)
        } else {
            outcome.rental = (applied, 0, nil)
        }
        return outcome
    }

    /// Prints the section.
    func printHousing(_ outcome: HousingOutcome) {
        print(
            "\n3d. Housing (住房, plan item 6): \(outcome.registered) dwellings in the real-estate register, "
                + "\(outcome.accounts) provident-fund accounts paid in for three months"
        )
        if let transfer = outcome.transfer {
            print(
                "   Home-transfer bundle (一件事): \(transfer.parts) parts, "
                    + (transfer.done ? "all completed" : "NOT completed")
                    + " — deed tax \(transfer.tax); transfer registered on the tax receipt envelope as \(transfer.certificate); "
                    + "fund withdrawal \(transfer.withdrawn.yuanText) on the centre's notice envelope"
            )
        }
        if let rental = outcome.rental {
            let housed = rental.round?.allocations.count ?? 0
            print(
                "   Public rental housing: \(rental.applied) households applied on their verified means, "
                    + "\(rental.waiting) on the first district's waiting list, \(housed) housed in one round "
                    + "(the list kept with the round, in its documented order)"
            )
        }
    }
}
