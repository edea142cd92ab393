public import Foundation
import Logging
public import SocietyCore

/// The board's rules: the k-anonymity threshold below which a count is not shown (so that no
/// resident can be singled out from a small number), configuration.
public struct BoardPolicy: Hashable, Sendable, Codable {
    /// Counts below this are shown as `<k` (**assumption**: 10, a common small-cell threshold in
    /// official statistics).
    public var suppressBelow: Int

    /// The policy; the default is the assumption above.
    public init(suppressBelow: Int = 10) {
        self.suppressBelow = max(1, suppressBelow)
    }

    /// A count as the board shows it: `<k` when it is positive and below the threshold.
    public func shown(count: Int) -> String {
        count > 0 && count < suppressBelow ? "<\(suppressBelow)" : "\(count)"
    }

    /// A value of `unit` as the board shows it (counts suppressed, shares to one decimal).
    public func shown(_ value: Double, unit: IndicatorUnit) -> String {
        switch unit {
        case .count: shown(count: Int(value.rounded()))
        case .percent: DecimalText.fixed(value, decimals: 1) + "%"
        case .yuan: DecimalText.fixed(value, decimals: 2) + "元"
        }
    }
}

/// One indicator on the board: its definition, target, history and where it stands, explained.
public struct IndicatorRow: Hashable, Sendable {
    /// Where it stands against its target.
    public enum Status: String, Hashable, Sendable {
        /// The target is reached.
        case met
        /// At or above the trajectory.
        case onTrack
        /// Below the trajectory.
        case behind
        /// Measured, with no target.
        case untracked
        /// Not measured yet.
        case notMeasured

        /// The board's label.
        public var label: String {
            switch self {
            case .met: "已达标"
            case .onTrack: "按进度"
            case .behind: "滞后"
            case .untracked: "无目标"
            case .notMeasured: "尚未采集"
            }
        }
    }

    /// The definition.
    public let definition: IndicatorDefinition
    /// The target, if any.
    public let target: IndicatorTarget?
    /// Every value measured, oldest first.
    public let history: [IndicatorValue]
    /// The status.
    public let status: Status
    /// Why.
    public let explanation: String

    /// The latest value.
    public var latest: IndicatorValue? { history.last }
}

/// The progress board (晾晒台) at one moment: every indicator with its target and history, the
/// early warnings, the projects (slow ones flagged). Aggregates only: it holds no personal data,
/// and counts below the policy's threshold are shown suppressed.
public struct Board: Hashable, Sendable {
    /// A project and whether it is slow.
    public struct ProjectRow: Hashable, Sendable {
        /// The project.
        public let project: BoardProject
        /// Whether it is behind its plan.
        public let slow: Bool
        /// Why.
        public let explanation: String
    }

    /// The board's title.
    public let title: String
    /// When it was computed.
    public let computedAt: Date
    /// The indicators.
    public let rows: [IndicatorRow]
    /// The early warnings, including one for each indicator behind its trajectory.
    public let warnings: [EarlyWarning]
    /// The projects.
    public let projects: [ProjectRow]
    /// The district names, by code, for the breakdowns.
    public let districtNames: [String: String]
    /// The suppression rules.
    public let policy: BoardPolicy

    /// The slow projects.
    public var slowProjects: [ProjectRow] { projects.filter(\.slow) }
}

/// Where a figure comes from: a domain's public API measured for the board. The composition root
/// builds one per indicator on the domain services it holds (the board never reads another
/// module's tables). A source answers `nil` when there is nothing to measure yet (no school has
/// reported): the indicator then shows as not yet measured rather than as zero.
public struct IndicatorSource: Sendable {
    /// The indicator it measures.
    public let indicator: String
    let measure: @Sendable (Date) async throws -> IndicatorValue?

    /// A source measuring `indicator` with `measure`.
    public init(_ indicator: String, measure: @escaping @Sendable (Date) async throws -> IndicatorValue?) {
        self.indicator = indicator
        self.measure = measure
    }
}

/// The indicators office: keeps each measured value (so trends build up run after run) and
/// computes the board.
///
/// ```swift
/// let office = IndicatorService(ports: ports)
/// let board = try await office.board(
///     title: "泰州市数字社会建设晾晒台", definitions: TaizhouPlan.definitions, targets: TaizhouPlan.targets,
///     sources: sources, warnings: warnings, projects: projects)
/// try BoardSite(board: board).write(to: folder)
/// ```
public struct IndicatorService: Sendable {
    /// The store purpose.
    public static let purpose = Purpose(constant: "indicators.board")

    let ports: ServicePorts
    /// The suppression rules.
    public let policy: BoardPolicy

    /// The office on its ports, logging as component `indicators`.
    public init(ports: ServicePorts, policy: BoardPolicy = BoardPolicy()) {
        self.ports = ports.logging(as: "indicators")
        self.policy = policy
    }

    /// The history of `indicator`, oldest first.
    public func history(of indicator: String) async throws(IndicatorError) -> [IndicatorValue] {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                try await db.fetch(RecordQuery<IndicatorValue>.filter("indicator", equals: .text(indicator)))
                    .sorted { $0.at < $1.at }
            }
        } catch {
            throw .store("\(error)")
        }
    }

    /// Measures every source now, keeps the values, and computes the board: each indicator's status
    /// against its target's trajectory (a warning for each one behind), the given `warnings`, and
    /// the projects with the slow ones flagged. A source that fails stops the board with its
    /// indicator named: a board must not silently show stale figures as current.
    public func board(
        title: String,
        definitions: [IndicatorDefinition],
        targets: [IndicatorTarget],
        sources: [IndicatorSource],
        warnings: [EarlyWarning] = [],
        projects: [BoardProject] = [],
        districtNames: [String: String] = [:]
    ) async throws(IndicatorError) -> Board {
        let now = ports.clock.now()
        let today = CalendarDate(now)
        let known = Set(definitions.map(\.id))
        for source in sources where !known.contains(source.indicator) {
            throw .invalid("source for \(source.indicator), which has no definition")
        }
        var measured: [IndicatorValue] = []
        for source in sources {
            do {
                guard let value = try await source.measure(now) else { continue }
                guard value.indicator == source.indicator, value.value.isFinite else {
                    throw IndicatorError.invalid("the source of \(source.indicator) answered for another indicator")
                }
                measured.append(value)
            } catch let error as IndicatorError {
                throw error
            } catch {
                throw .source(indicator: source.indicator, reason: "\(error)")
            }
        }
        let kept = measured
        do {
            try await ports.store.write(purpose: Self.purpose) { db in
                for value in kept { try await db.put(value) }
            }
        } catch {
            throw .store("\(error)")
        }
        var rows: [IndicatorRow] = []
        var allWarnings: [EarlyWarning] = []
        for definition in definitions {
            let target = targets.first { $0.indicator == definition.id }
            let history = try await self.history(of: definition.id)
            let (status, explanation) = Self.status(
                of: history.last,
                target: target,
                on: today,
                unit: definition.unit,
                policy: policy
            )
            if status == .behind {
                allWarnings.append(
                    EarlyWarning(kind: .belowTrajectory, explanation: "\(definition.name)：\(explanation)", count: 0)
                )
            }
            rows.append(
                IndicatorRow(
                    definition: definition,
                    target: target,
                    history: history,
                    status: status,
                    explanation: explanation
                )
            )
        }
        allWarnings += warnings
        let projectRows = projects.map { project in
            let (slow, why) = project.slowness(on: today)
            return Board.ProjectRow(project: project, slow: slow, explanation: why)
        }
        ports.logger.info(
            "board computed",
            metadata: [
                "indicators": "\(rows.count)", "warnings": "\(allWarnings.count)",
                "slow": "\(projectRows.filter(\.slow).count)",
            ]
        )
        return Board(
            title: title,
            computedAt: now,
            rows: rows,
            warnings: allWarnings,
            projects: projectRows,
            districtNames: districtNames,
            policy: policy
        )
    }

    /// Where `latest` stands against `target`'s trajectory on `date`, explained.
    static func status(
        of latest: IndicatorValue?,
        target: IndicatorTarget?,
        on date: CalendarDate,
        unit: IndicatorUnit,
        policy: BoardPolicy
    ) -> (IndicatorRow.Status, String) {
        guard let latest else { return (.notMeasured, "尚未采集：来源部门暂无数据") }
        guard let target else { return (.untracked, "现值 \(policy.shown(latest.value, unit: unit))，未设目标") }
        let now = policy.shown(latest.value, unit: unit)
        let goal = policy.shown(target.value, unit: unit)
        if latest.value >= target.value { return (.met, "现值 \(now) 已达到 \(target.due) 目标 \(goal)") }
        let expected = target.expected(on: date)
        let shownExpected = policy.shown(expected, unit: unit)
        if latest.value >= expected {
            return (.onTrack, "现值 \(now) 不低于进度值 \(shownExpected)（目标 \(goal)，\(target.due)）")
        }
        return (.behind, "现值 \(now) 低于进度值 \(shownExpected)（目标 \(goal)，\(target.due)）")
    }
}
