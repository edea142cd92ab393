public import SocietyCore

/// Monthly preferential-care amounts per category: configuration with documented defaults.
///
/// The national standards are raised every year by the Ministry of Veterans Affairs and the
/// Ministry of Finance, and Jiangsu adds to them; Taizhou's current figures were not found. The
/// defaults are labelled assumptions of the right order of magnitude, for demos and tests only:
/// disabled veteran ¥2,500, demobilised veteran ¥1,900, returned with illness ¥1,000, war or test
/// participant ¥900, elderly rural ex-soldier ¥300 per month per year of service up to ¥900.
public struct PreferentialCareSchedule: Hashable, Sendable, Codable {
    /// The monthly amount per category (for ``PreferentialCareCategory/elderlyRuralVeteran``, per
    /// year of service).
    public var monthly: [PreferentialCareCategory: Money]
    /// The cap for the per-year-of-service category.
    public var elderlyRuralCap: Money

    /// The assumed defaults above.
    public init(
        monthly: [PreferentialCareCategory: Money] = [
            .disabledVeteran: Money(fen: 250_000), .demobilisedVeteran: Money(fen: 190_000),
            .returnedWithIllness: Money(fen: 100_000), .warParticipant: Money(fen: 90_000),
            .elderlyRuralVeteran: Money(fen: 30_000),
        ],
        elderlyRuralCap: Money = Money(fen: 90_000)
    ) {
        self.monthly = monthly
        self.elderlyRuralCap = elderlyRuralCap
    }

    /// The monthly amount due to `veteran`, or why nothing is.
    public func amount(for veteran: Veteran) throws(VeteranError) -> Money {
        guard let care = veteran.care else { throw .notEntitled("no preferential-care category") }
        guard care.status == .active else { throw .notEntitled("care is \(care.status.name)") }
        guard let base = monthly[care.category], base.fen > 0 else {
            throw .notEntitled("no amount configured for \(care.category.rawValue)")
        }
        guard care.category == .elderlyRuralVeteran else { return base }
        let scaled = (try? base.multiplied(by: Int64(max(veteran.yearsOfService, 1)))) ?? elderlyRuralCap
        return min(scaled, elderlyRuralCap)
    }
}
