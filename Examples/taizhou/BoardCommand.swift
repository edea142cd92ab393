import ArgumentParser
import Foundation
import SocietyCommunity
import SocietyCore
import SocietyCultureSport
import SocietyDeployment
import SocietyDraw
import SocietyEducation
import SocietyEmployment
import SocietyHealth
import SocietyIndicators
import SocietyMarketSupervision
import SocietyOneCard
import SocietyServices

/// Builds the progress board of a deployment: one source per indicator on the domain services of
/// the departments whose stores exist, each measured through the domain's public API (the board
/// never reads a table of another module), the warnings from the same APIs, and the page.
struct BoardAssembly {
    let deployment: Deployment
    /// The department with store `name`, when it exists.
    let department: (String) throws -> OpenedDepartment?
    /// The indicators office's own store.
    let office: OpenedDepartment

    /// Reads only: a key made for this run stands in where a service's constructor wants a signer.
    func readOnlySigner() throws -> any SigningKey { try deployment.crypto.generateSigningKey(.ed25519) }

    func build(to folder: URL) async throws -> Board {
        let now = deployment.configuration.clock.now()
        let today = CalendarDate(now)
        var sources: [IndicatorSource] = []
        var warnings: [EarlyWarning] = []
        let cards = try department("onecard").map { try OneCardService(ports: $0.ports) }

        if let education = try department("education"), let cards {
            let service = EducationService(
                ports: education.ports,
                draws: DrawService(ports: education.ports, signer: try readOnlySigner(), kid: "board-read-only"),
                oneCard: cards
            )
            sources.append(
                IndicatorSource("education.smart-campus") { at in
                    let (smart, reporting) = try await service.smartCampus()
                    guard reporting > 0 else { return nil }
                    return IndicatorValue(
                        indicator: "education.smart-campus",
                        value: Double(smart) * 100 / Double(reporting),
                        at: at,
                        basis: "EducationService.smartCampus()：\(reporting) 所学校报送"
                    )
                }
            )
        }
        if let culture = try department("culture-sport") {
            let service = CultureSportService(
                ports: culture.ports,
                signer: try readOnlySigner(),
                kid: "board-read-only"
            )
            for (id, pick) in [("sport.events", 0), ("sport.participants", 1)] {
                sources.append(
                    IndicatorSource(id) { at in
                        let (events, participants) = try await service.indicators(year: CalendarDate(at).year)
                        return IndicatorValue(
                            indicator: id,
                            value: Double(pick == 0 ? events : participants),
                            at: at,
                            basis: "CultureSportService.indicators(year: \(CalendarDate(at).year))"
                        )
                    }
                )
            }
        }
        if let services = try department("services") {
            let desk = ApplicationService(
                ports: services.ports,
                catalogue: try ServiceCatalogue(json: Data(ReferenceCatalogue.json.utf8)),
                calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
            )
            sources.append(
                IndicatorSource("services.decided") { at in
                    var byDistrict: [String: Double] = [:]
                    for count in try await desk.counts() {
                        byDistrict[count.district, default: 0] += Double(count.completedOnTime + count.completedLate)
                    }
                    return IndicatorValue(
                        indicator: "services.decided",
                        value: byDistrict.values.reduce(0, +),
                        at: at,
                        districts: byDistrict,
                        basis: "ApplicationService.counts()"
                    )
                }
            )
            let overdue = try await desk.warnings().filter {
                if case .overdue = $0.status { return true }
                return false
            }
            if !overdue.isEmpty {
                warnings.append(
                    EarlyWarning(kind: .overdueApplications, explanation: "超过承诺时限未办结的申请", count: overdue.count)
                )
            }
        }
        if let onecard = try department("onecard"), let cards {
            let month = PayPeriod(containing: today)
            sources.append(
                IndicatorSource("onecard.paid") { at in
                    let totals = try await cards.totals(period: month)
                    return IndicatorValue(
                        indicator: "onecard.paid",
                        value: Double(totals.total.fen) / 100,
                        at: at,
                        basis: "OneCardService.totals(period: \(month))：\(totals.records) 笔"
                    )
                }
            )
            let alerts = try await FraudMonitor(logger: onecard.ports.logger).alerts(in: onecard.ports.store)
            if !alerts.isEmpty {
                warnings.append(EarlyWarning(kind: .fraud, explanation: "一卡通发放规则命中的异常", count: alerts.count))
            }
        }
        if let communityStore = try department("community"), let cards {
            // Read once: the indicator and the warning are the same list.
            let list = try await CommunityService(ports: communityStore.ports, oneCard: cards).monitoringList()
            sources.append(
                IndicatorSource("rural.monitored") { at in
                    var byCounty: [String: Double] = [:]
                    for household in list { byCounty[household.village.county?.code ?? "?", default: 0] += 1 }
                    return IndicatorValue(
                        indicator: "rural.monitored",
                        value: Double(list.count),
                        at: at,
                        districts: byCounty,
                        basis: "CommunityService.monitoringList()"
                    )
                }
            )
            let monitored = list.count
            if monitored > 0 {
                warnings.append(
                    EarlyWarning(kind: .relapseRisk, explanation: "在防返贫监测名单上的农村家庭", count: monitored)
                )
            }
        }
        if let market = try department("market") {
            let service = MarketSupervisionService(
                ports: market.ports,
                draws: DrawService(ports: market.ports, signer: try readOnlySigner(), kid: "board-read-only"),
                calendar: ProvisionalWorkingCalendar(base: try PublishedCalendar.official())
            )
            let overdue = try await service.overdueEquipmentCount(on: today)
            if overdue > 0 {
                warnings.append(
                    EarlyWarning(kind: .overdueEquipment, explanation: "超过检验有效期仍在登记的特种设备", count: overdue)
                )
            }
        }
        if let employment = try department("employment"), let cards {
            let service = EmploymentService(ports: employment.ports, oneCard: cards)
            // The last complete month's: contributions of the current one are still coming in.
            let month = String(today.adding(months: -1).iso8601.prefix(7))
            // The one labour computed and kept (the board changes no department's store).
            for cell in try await service.keptWarning(month: month)?.flagged(atLeast: .alert).prefix(3) ?? [] {
                let rate = cell.rate.map { DecimalText.fixed($0 * 100, decimals: 2) + "%" } ?? "—"
                let dimension =
                    ["age": "年龄", "industry": "行业", "sex": "性别", "city": "全市"][cell.dimension] ?? cell.dimension
                let place =
                    cell.dimension == "district"
                    ? TaizhouPlan.districtNames[cell.group] ?? cell.group : "\(dimension) \(cell.group)"
                warnings.append(
                    EarlyWarning(kind: .unemployment, explanation: "\(month) \(place)：登记失业率 \(rate)", count: 0)
                )
            }
        }
        if let health = try department("family-doctor") {
            let doctors = try FamilyDoctorService(ports: health.ports)
            for (district, residents) in try await doctors.uncontractedLowIncome(on: today).sorted(by: {
                $0.key.code < $1.key.code
            })
            where !residents.isEmpty {
                warnings.append(
                    EarlyWarning(
                        kind: .uncontractedLowIncome,
                        explanation: "享受低保等救助、尚未签约家庭医生的居民",
                        count: residents.count,
                        district: district.code
                    )
                )
            }
        }
        let office = IndicatorService(ports: office.ports)
        let board = try await office.board(
            title: "泰州市数字社会建设晾晒台",
            definitions: try TaizhouPlan.definitions(),
            targets: try TaizhouPlan.targets(),
            sources: sources,
            warnings: warnings,
            projects: try TaizhouPlan.projects(),
            districtNames: TaizhouPlan.districtNames
        )
        try BoardSite(board: board).write(to: folder)
        return board
    }
}

/// `taizhou board build`: the progress board of the state folder's departments as a static site.
struct BoardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "The progress board (晾晒台): indicators, targets, early warnings, projects, as a web page.",
        subcommands: [Build.self]
    )

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the indicators from the state folder's departments and write the board's page.",
            discussion: """
                Each indicator is measured through its domain's public API from the departments whose \
                stores exist (after `taizhou demo`, all of them); the values are kept in indicators.sqlite \
                so trends build up from one build to the next. The page (index.html, its stylesheet inline) is \
                written into --out, which must be empty or a board's folder; it opens offline, and \
                `taizhou gateway serve --board DIR` serves it at /board/.
                """
        )
        @OptionGroup var state: StateOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The folder to write the page into (empty, or a board's).") var out: String

        mutating func run() async throws {
            let folder = URL(fileURLWithPath: out)
            let state = state
            let (deployment, office) = try state.department("indicators", subsystem: "indicators")
            let onPostgres = try state.postgres() != nil
            let assembly = BoardAssembly(
                deployment: deployment,
                department: { name in
                    // A department not set up here is not measured. On SQLite its file says so; on
                    // PostgreSQL a schema that is not there is refused when opened.
                    guard onPostgres else {
                        guard FileManager.default.fileExists(atPath: state.storeDescription(name)) else { return nil }
                        return try state.department(name, subsystem: name, access: .existing).1
                    }
                    return (try? state.department(name, subsystem: name, access: .existing))?.1
                },
                office: office
            )
            let board = try await reportingErrors { try await assembly.build(to: folder) }
            let measured = board.rows.filter { $0.latest != nil }.count
            output.emit(
                "board written to \(folder.path)/index.html: \(measured) of \(board.rows.count) indicators measured, "
                    + "\(board.warnings.count) warning(s), \(board.slowProjects.count) slow project(s)",
                json: [
                    "folder": .string(folder.path), "indicators": .number(Double(board.rows.count)),
                    "measured": .number(Double(measured)), "warnings": .number(Double(board.warnings.count)),
                ]
            )
        }
    }
}
