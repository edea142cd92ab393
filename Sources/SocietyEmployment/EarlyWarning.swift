public import Foundation
import Logging
public import SocietyCore
import SocietyOneCard

/// The unemployment early warning's thresholds (失业预警), as values.
public struct WarningPolicy: Hashable, Sendable, Codable {
    /// Names the policy in every warning.
    public var version: String
    /// A rate at or above this is watched: 5.5 %, the national target for the surveyed urban
    /// unemployment rate ("5.5 % 左右", Government Work Report 2025).
    public var watchRate: Double
    /// A rate at or above this raises an alert: **assumption** 7 %.
    public var alertRate: Double
    /// A rise of at least this many percentage points over ``trendMonths`` raises the level by one
    /// (normal → watch → alert): **assumption** 0.5 points over 3 months.
    public var trendPoints: Double
    /// How many months back the trend compares with.
    public var trendMonths: Int
    /// Cells with a smaller labour force are counted but not rated (a few people make no rate):
    /// **assumption** 30.
    public var minimumLabourForce: Int

    /// The defaults above.
    public static let standard = WarningPolicy(
        version: "warning/assumed-2026",
        watchRate: 0.055,
        alertRate: 0.07,
        trendPoints: 0.5,
        trendMonths: 3,
        minimumLabourForce: 30
    )

    /// A policy.
    public init(
        version: String,
        watchRate: Double,
        alertRate: Double,
        trendPoints: Double,
        trendMonths: Int,
        minimumLabourForce: Int
    ) {
        self.version = version
        self.watchRate = watchRate
        self.alertRate = alertRate
        self.trendPoints = trendPoints
        self.trendMonths = trendMonths
        self.minimumLabourForce = minimumLabourForce
    }
}

/// How worrying a cell is.
public enum WarningLevel: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Below the watch rate and not rising fast.
    case normal
    /// At or above the watch rate, or rising fast.
    case watch
    /// At or above the alert rate, or watched and rising fast.
    case alert
    /// Too few people to rate.
    case notRated

    public static func < (lhs: WarningLevel, rhs: WarningLevel) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// One group of the labour force in one month: registered unemployed, employed (contributing),
/// the rate, its change, and the level with the reason.
public struct WarningCell: Hashable, Sendable, Codable {
    /// What the group is cut by: `city`, `district`, `industry`, `age`, `sex`, `dibao`, `disability`.
    public let dimension: String
    /// The group: a division code, a GB/T 4754 section, an age band, `1`/`2`, `yes`.
    public let group: String
    /// Registered unemployed on the month's last day.
    public let unemployed: Int
    /// Contributing in the month; `nil` where the department does not know the group's employed
    /// (dibao and disability are known for the registered only).
    public let employed: Int?
    /// unemployed ÷ (employed + unemployed), when rated.
    public let rate: Double?
    /// The change in percentage points since ``WarningPolicy/trendMonths`` ago, when both are known.
    public let trend: Double?
    /// The level.
    public let level: WarningLevel
    /// Why, in words.
    public let explanation: String
}

/// The unemployment early warning of one month: the rate by district, industry and group, each
/// cell's level explained; what the progress board reads. Computed from the department's own
/// registrations and contribution histories, kept as a snapshot so later months can show a trend.
public struct UnemploymentWarning: Hashable, Sendable, Codable {
    /// The month, `YYYY-MM`.
    public let month: String
    /// The policy applied.
    public let policyVersion: String
    /// When it was computed.
    public let computedAt: Date
    /// The whole city first, then each dimension's cells by group.
    public let cells: [WarningCell]

    /// The city's cell.
    public var city: WarningCell? { cells.first { $0.dimension == "city" } }

    /// The cells at `level` or worse (alerts before watches), the board's list.
    public func flagged(atLeast level: WarningLevel = .watch) -> [WarningCell] {
        cells.filter { $0.level != .notRated && $0.level >= level }.sorted {
            ($0.level, $0.rate ?? 0) > ($1.level, $1.rate ?? 0)
        }
    }
}

extension UnemploymentWarning: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_warning"
    /// One snapshot per month.
    public var recordKey: RecordKey { RecordKey(month) }
}

/// The counts the warning is computed from, gathered in one pass.
struct LabourCounts {
    var unemployed: [String: [String: Int]] = [:]
    var employed: [String: [String: Int]] = [:]

    mutating func count(unemployed dimension: String, _ group: String) {
        unemployed[dimension, default: [:]][group, default: 0] += 1
    }

    mutating func count(employed dimension: String, _ group: String) {
        employed[dimension, default: [:]][group, default: 0] += 1
    }
}

extension EmploymentService {
    /// The early warning for `month` (`YYYY-MM`): every person registered unemployed on the
    /// month's last day and every person contributing in the month, counted by district, industry,
    /// age band and sex (and the registered by dibao and disability), in one streaming read; each
    /// cell rated against `policy`, its trend taken from the snapshot of ``WarningPolicy/trendMonths``
    /// earlier when there is one. The result is kept as that month's snapshot (replacing an earlier
    /// computation of the same month).
    public func earlyWarning(
        month: String,
        policy: WarningPolicy = .standard,
        progress: ProgressHandler? = nil
    ) async throws(EmploymentError) -> UnemploymentWarning {
        guard let first = (try? PayPeriod(month))?.firstDay else { throw .invalid("\(month) is not YYYY-MM") }
        let lastDay = first.adding(months: 1).adding(days: -1)
        let earlier = first.adding(months: -policy.trendMonths)
        let earlierMonth = String(earlier.iso8601.prefix(7))
        let now = ports.clock.now()
        let counts = try await logger.employmentOperation("earlyWarning") {
            try await ports.store.read(purpose: Purposes.statistics) { db in
                var counts = LabourCounts()
                var meter = ProgressMeter(
                    "unemployment early warning \(month)",
                    total: nil,
                    every: 10_000,
                    handler: progress
                )
                try await db.forEach(RecordQuery<UnemploymentRegistration>.all) { registration in
                    guard registration.isActive(on: lastDay) else { return true }
                    counts.count(unemployed: "city", "all")
                    counts.count(unemployed: "district", registration.district.code)
                    counts.count(unemployed: "industry", registration.industry)
                    counts.count(unemployed: "age", registration.ageBand.rawValue)
                    counts.count(unemployed: "sex", registration.sex.rawValue)
                    if registration.dibao { counts.count(unemployed: "dibao", "yes") }
                    if registration.disabled { counts.count(unemployed: "disability", "yes") }
                    meter.advance()
                    return true
                }
                // The employed are counted on the indexes, group by group: no history is decoded.
                let districts = try await db.get(LabourDistricts.self, key: RecordKey("all"))?.districts ?? []
                let groups: [(String, String, [String])] = [
                    ("city", "last_month", ["all"]),
                    ("district", "month_district", districts),
                    ("industry", "month_industry", Industry.sections.keys.sorted()),
                    ("age", "month_age", AgeBand.allCases.map(\.rawValue)),
                    ("sex", "month_sex", Sex.allCases.map(\.rawValue)),
                ]
                for (dimension, index, values) in groups {
                    for value in values {
                        let key = dimension == "city" ? month : "\(month)|\(value)"
                        let employed = try await db.count(
                            RecordQuery<ContributionHistory>.filter(index, equals: .text(key))
                        )
                        if employed > 0 { counts.employed[dimension, default: [:]][value] = employed }
                    }
                }
                meter.finish()
                return counts
            }
        }
        let previous = try await logger.employmentOperation("earlyWarning") {
            try await ports.store.read(purpose: Purposes.statistics) { db in
                try await db.get(UnemploymentWarning.self, key: RecordKey(earlierMonth))
            }
        }
        var cells: [WarningCell] = []
        for dimension in ["city", "district", "industry", "age", "sex", "dibao", "disability"] {
            let groups = Set((counts.unemployed[dimension] ?? [:]).keys).union((counts.employed[dimension] ?? [:]).keys)
            for group in groups.sorted() {
                let known = !["dibao", "disability"].contains(dimension)
                let before = previous?.cells.first { $0.dimension == dimension && $0.group == group }?.rate
                cells.append(
                    Self.rate(
                        dimension: dimension,
                        group: group,
                        unemployed: counts.unemployed[dimension]?[group] ?? 0,
                        employed: known ? counts.employed[dimension]?[group] ?? 0 : nil,
                        before: before,
                        since: earlierMonth,
                        policy: policy
                    )
                )
            }
        }
        let warning = UnemploymentWarning(month: month, policyVersion: policy.version, computedAt: now, cells: cells)
        try await logger.employmentOperation("earlyWarning") {
            try await ports.store.write(purpose: Purposes.statistics) { db in try await db.put(warning) }
        }
        logger.info(
            "early warning computed",
            metadata: [
                "operation": "earlyWarning", "month": "\(month)", "cells": "\(cells.count)",
                "flagged": "\(warning.flagged().count)",
            ]
        )
        return warning
    }

    /// The early warning kept for `month` (`YYYY-MM`) when it was computed, read only: what a
    /// reader such as the progress board shows without recomputing it.
    public func keptWarning(month: String) async throws(EmploymentError) -> UnemploymentWarning? {
        guard (try? PayPeriod(month)) != nil else { throw .invalid("\(month) is not YYYY-MM") }
        return try await logger.employmentOperation("keptWarning") {
            try await ports.store.read(purpose: Purposes.statistics) { db in
                try await db.get(UnemploymentWarning.self, key: RecordKey(month))
            }
        }
    }

    /// One cell rated: the level from the rate, raised by one for a fast rise.
    static func rate(
        dimension: String,
        group: String,
        unemployed: Int,
        employed: Int?,
        before: Double?,
        since: String,
        policy: WarningPolicy
    ) -> WarningCell {
        guard let employed else {
            return WarningCell(
                dimension: dimension,
                group: group,
                unemployed: unemployed,
                employed: nil,
                rate: nil,
                trend: nil,
                level: .notRated,
                explanation: "\(unemployed) registered unemployed; the group's employed are not known here, so no rate"
            )
        }
        let force = employed + unemployed
        guard force >= max(1, policy.minimumLabourForce) else {
            return WarningCell(
                dimension: dimension,
                group: group,
                unemployed: unemployed,
                employed: employed,
                rate: nil,
                trend: nil,
                level: .notRated,
                explanation: "labour force \(force) < \(policy.minimumLabourForce): too few to rate"
            )
        }
        let rate = Double(unemployed) / Double(force)
        let trend = before.map { (rate - $0) * 100 }
        var level: WarningLevel = rate >= policy.alertRate ? .alert : rate >= policy.watchRate ? .watch : .normal
        let threshold =
            level == .alert
            ? ("≥ alert", policy.alertRate)
            : level == .watch ? ("≥ watch", policy.watchRate) : ("< watch", policy.watchRate)
        let (shown, limit) = percents(rate, threshold.1)
        var reasons = ["\(unemployed) of \(force) unemployed: \(shown) \(threshold.0) \(limit)"]
        if let trend {
            let rising = trend >= policy.trendPoints
            reasons.append(
                "\(DecimalText.fixed(trend, decimals: 1, sign: true)) points since \(since)"
                    + (rising ? " ≥ \(policy.trendPoints): raised one level" : "")
            )
            if rising { level = level == .normal ? .watch : .alert }
        }
        return WarningCell(
            dimension: dimension,
            group: group,
            unemployed: unemployed,
            employed: employed,
            rate: rate,
            trend: trend,
            level: level,
            explanation: reasons.joined(separator: "; ")
        )
    }
}

/// A rate and the threshold it was compared with, as percentages with two decimals — or more, as
/// many as it takes for a rate under a threshold not to print as equal to it (`5.4976 %` against
/// `5.5000 %`, not `5.50 %` against `5.50 %`).
func percents(_ rate: Double, _ threshold: Double) -> (String, String) {
    for decimals in 2...6 {
        let (shown, limit) = (
            DecimalText.fixed(rate * 100, decimals: decimals) + " %",
            DecimalText.fixed(threshold * 100, decimals: decimals) + " %"
        )
        if shown != limit || rate == threshold { return (shown, limit) }
    }
    return (DecimalText.fixed(rate * 100, decimals: 6) + " %", DecimalText.fixed(threshold * 100, decimals: 6) + " %")
}
