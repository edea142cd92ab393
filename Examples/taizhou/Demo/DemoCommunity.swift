import Foundation
import SocietyAssistance
import SocietyCommunity
import SocietyCore
import SocietyDisability
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietySynthetic

/// The demo's community and rural section (plan items 14 and 15): a grid worker's view of their
/// grid, its special groups asked of civil affairs by envelope; one household's family archive
/// assembled with its consent; the rural low-income monitoring list and the village services
/// indicator.
extension Demo {
    struct CommunityOutcome {
        var grid = ""
        var households = 0
        var residents = 0
        var roster: GridRoster?
        var archive: FamilyArchive?
        var assessed = 0
        var monitored: [MonitoredHousehold] = []
        var signals: [MonitoringSignal: Int] = [:]
        var example = ""
        var coverage: VillageCoverage?
    }

    /// At most this many households on the demo's grid.
    static let gridHouseholds = 40

    func community(
        _ government: DemoGovernment,
        oneCard: OneCardService,
        pooled: [Pooled],
        today: CalendarDate
    ) async throws -> CommunityOutcome {
        var outcome = CommunityOutcome()
        let deployment = government.deployment
        let centre = try government.department("community", as: government.community)
        let service = CommunityService(ports: centre.ports, oneCard: oneCard)
        let civil = try government.department("civil-affairs", as: government.civilAffairs)
        let federation = try government.department("disability", as: government.civilAffairs)
        let register = DisabilityService(ports: federation.ports, oneCard: oneCard)
        let dibaoLine = register.policy.dibaoLine

        // The grid: the first households of the most populous district.
        let district =
            Dictionary(grouping: pooled, by: \.division).max {
                ($0.value.count, $1.key.code) < ($1.value.count, $0.key.code)
            }?
            .key
        guard let district else { return outcome }
        let households = Array(pooled.filter { $0.division == district }.prefix(Self.gridHouseholds))
        let gridID = "\(district.code)-001-01"
        try await service.open(try Grid(id: gridID, name: "城东街道凤凰社区第1网格", district: district, workers: ["W0101"]))
        var byResident: [ResidentID: Pooled] = [:]
        for household in households {
            for member in household.members where member.resident.isAlive {
                byResident[member.resident.id] = household
                try await service.assign(member.resident.id, to: gridID, household: household.id.rawValue)
            }
        }
        outcome.grid = gridID
        outcome.households = households.count
        outcome.residents = byResident.count

        // Civil affairs answers the dibao and disabled groups and two archive sections; the
        // one-card answers its section — each under the trust list, to the community only.
        let trustList = government.trustList
        let crypto = deployment.crypto
        let clock = deployment.configuration.clock
        let desk: Set<Party> = [government.consentDesk.party]
        let lookup = byResident
        @Sendable func isDibao(_ resident: ResidentID) -> Bool {
            (lookup[resident]?.perCapitaIncome).map { $0 < dibaoLine } ?? false
        }
        @Sendable func registered(_ resident: ResidentID) async -> DisabledPerson? {
            guard let record = try? await register.registration(of: resident), record.state == .active else {
                return nil
            }
            return record
        }
        let civilHandlers: [any ExchangeHandler] = [
            SpecialGroupPort.handler(.dibao) { residents in Set(residents.filter(isDibao)) },
            SpecialGroupPort.handler(.disabled) { residents in
                var found = Set<ResidentID>()
                for resident in residents where await registered(resident) != nil { found.insert(resident) }
                return found
            },
            FamilyArchivePort.handler(
                service: "civil-affairs.archive",
                recorders: desk,
                trustList: trustList,
                crypto: crypto,
                clock: clock
            ) { resident in ["dibaoHousehold": .bool(isDibao(resident))] },
            FamilyArchivePort.handler(
                service: "disability.archive",
                recorders: desk,
                trustList: trustList,
                crypto: crypto,
                clock: clock
            ) { resident in
                guard let record = await registered(resident) else { return nil }
                return ["category": .string(record.category.code), "level": .string(record.level.code)]
            },
        ]
        let cardHandlers: [any ExchangeHandler] = [
            FamilyArchivePort.handler(
                service: "onecard.archive",
                recorders: desk,
                trustList: trustList,
                crypto: crypto,
                clock: clock
            ) { resident in
                guard let card = try await oneCard.currentCard(of: resident) else { return nil }
                return ["generation": .number(Double(card.generation.rawValue)), "state": .string(card.state.name)]
            }
        ]
        let civilResponder = ExchangeResponder(
            exchange: try civil.exchange(trustList: trustList),
            trustList: trustList,
            crypto: crypto,
            clock: clock,
            handlers: civilHandlers
        )
        let cardResponder = ExchangeResponder(
            exchange: try government.department("onecard", as: government.oneCard).exchange(trustList: trustList),
            trustList: trustList,
            crypto: crypto,
            clock: clock,
            handlers: cardHandlers
        )
        let send: @Sendable (String, String) async throws -> String = { service, request in
            // In process here; over HTTP through the gateway in a deployment.
            let responder = service == "onecard.archive" ? cardResponder : civilResponder
            return try await responder.answer(request).response
        }
        let exchange = try centre.exchange(trustList: trustList)

        // The grid worker's look: dibao and disabled by envelope; the unemployed from labour's
        // register and the empty-nest elderly from the household register, in process here.
        let sources: [any SpecialGroupSource] = [
            EnvelopeGroupSource(.dibao, exchange: exchange, crypto: crypto, clock: clock, send: send),
            EnvelopeGroupSource(.disabled, exchange: exchange, crypto: crypto, clock: clock, send: send),
            ClosureGroupSource(.unemployed) { residents, _ in
                Set(
                    residents.filter { resident in
                        lookup[resident]?.members.contains {
                            $0.resident.id == resident && $0.employment == "unemployed"
                        }
                            ?? false
                    }
                )
            },
            ClosureGroupSource(.emptyNestElderly) { residents, _ in
                Set(
                    residents.filter { resident in
                        guard let household = lookup[resident] else { return false }
                        let living = household.members.filter(\.resident.isAlive)
                        return resident.age(on: today) >= 60 && living.allSatisfy { $0.resident.age(on: today) >= 60 }
                    }
                )
            },
        ]
        outcome.roster = try await service.specialGroups(in: gridID, worker: "W0101", purpose: .visit, sources: sources)

        // A household's archive, assembled with its consent: the grid's first household with a
        // disabled member (else its first).
        if let household = households.first(where: { !$0.disabled.isEmpty }) ?? households.first {
            let members = household.members.filter(\.resident.isAlive).map(\.resident.id)
            let (consent, salt) = try ArchiveConsent.draft(
                id: "consent-\(household.id.rawValue)",
                household: household.id.rawValue,
                members: members,
                grantee: government.community.party,
                recorder: government.consentDesk.party,
                services: DemoGovernment.archiveSections(
                    civil: government.civilAffairs.party,
                    oneCard: government.oneCard.party
                )
                .map(\.0),
                validFrom: clock.now().addingTimeInterval(-60),
                crypto: crypto
            )
            let signed = try SignedArchiveConsent.sign(
                consent,
                key: try deployment.signingKey(of: government.consentDesk.party),
                kid: deployment.signingKid(of: government.consentDesk.party)
            )
            outcome.archive = try await FamilyArchiveAssembler(exchange: exchange, ports: centre.ports).assemble(
                consent: signed.compact,
                salt: salt,
                members: members,
                send: send
            )
        }

        // Rural monitoring: households of the county-level cities (兴化, 靖江, 泰兴) in synthetic
        // villages; incomes and medical spending from the synthetic city, no disaster data.
        let rural = pooled.filter { ["321281", "321282", "321283"].contains($0.division.code) }
        var villages = Set<VillageCode>()
        for (index, household) in rural.enumerated() {
            let village = try VillageCode(
                household.division.code + "1" + DecimalText.padded(index % 5 + 1, width: 2)
                    + DecimalText.padded(201 + (index / 5) % 12, width: 3)
            )
            villages.insert(village)
            let living = household.members.filter(\.resident.isAlive)
            guard !living.isEmpty else { continue }
            let facts = try RuralHouseholdFacts(
                household: household.id.rawValue,
                village: village,
                members: min(30, living.count),
                income: Money(fen: living.reduce(0) { $0 + $1.monthlyIncome.fen } * 12),
                medicalSpending: Money(fen: living.reduce(0) { $0 + $1.medicalSpending.fen })
            )
            let assessment = try await service.monitor(facts)
            outcome.assessed += 1
            for signal in assessment.signals { outcome.signals[signal, default: 0] += 1 }
            if outcome.example.isEmpty, assessment.needsMonitoring { outcome.example = assessment.explanation }
        }
        outcome.monitored = try await service.monitoringList()
        // The demo's assumed service points: a clinic in every village, a social-security point in
        // two of three, an elderly-care point in every other one.
        for village in villages.sorted() {
            let number = Int(village.code.suffix(3)) ?? 0
            let kinds: [VillageService] =
                [.health] + (number % 3 != 0 ? [.socialSecurity] : []) + (number % 2 == 0 ? [.elderlyCare] : [])
            for kind in kinds {
                try await service.register(
                    try VillageServicePoint(
                        id: "\(village.code)-\(kind.rawValue)",
                        village: village,
                        service: kind,
                        name: "\(kind.chineseName) \(village.code.suffix(6))"
                    )
                )
            }
        }
        outcome.coverage = try await service.coverage(of: Array(villages))
        return outcome
    }

    func printCommunity(_ outcome: CommunityOutcome) {
        guard let roster = outcome.roster else { return }
        let counts = SpecialGroup.allCases.compactMap { group in
            roster.counts[group].map { "\(group.chineseName) \($0)" }
        }
        print(
            "\n3k. Community and rural (社区 and 农村, plan items 14–15): grid \(outcome.grid) (\(outcome.households) households, "
                + "\(outcome.residents) residents) seen by its grid worker for a home visit: \(roster.entries.count) in special groups"
                + (counts.isEmpty ? "" : " — " + counts.joined(separator: ", "))
                + "; dibao and disabled asked of civil affairs by envelope for this look, the look recorded"
        )
        for entry in roster.entries.prefix(2) {
            print("   \(entry.resident.masked): " + entry.groups.map(\.chineseName).joined(separator: "、"))
        }
        if let archive = outcome.archive {
            let sections = archive.sections.map { section in
                "\(section.service) \(section.entries.filter { $0 != .null }.count) of \(archive.members.count)"
            }
            print(
                "   Family archive (数字家庭档案) of one household (\(archive.members.count) members) assembled with its consent "
                    + "(signed by the 一网通办 desk, valid a day): " + sections.joined(separator: ", ")
                    + (archive.missing.isEmpty
                        ? "" : "; missing \(archive.missing.keys.sorted().joined(separator: ", "))")
                    + " — kept: the assembly record only"
            )
        }
        let signals = MonitoringSignal.allCases.compactMap { signal in
            outcome.signals[signal].map { "\(signal.rawValue) \($0)" }
        }
        print(
            "   Rural monitoring (防止返贫监测): \(outcome.assessed) households of 兴化, 靖江 and 泰兴 assessed, "
                + "\(outcome.monitored.count) on the list (" + signals.joined(separator: ", ") + ")"
        )
        if !outcome.example.isEmpty { print("   e.g. " + outcome.example) }
        if let coverage = outcome.coverage { print("   Services reaching villages: \(coverage.description)") }
    }
}
