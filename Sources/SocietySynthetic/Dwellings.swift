public import SocietyCore

/// A synthetic dwelling as the real-estate register holds it: a 28-character unit number in the
/// household's county, an address, and the floor area in hundredths of a m².
public struct SyntheticDwelling: Hashable, Sendable {
    /// The unit number (不动产单元号): the county, a cadastral district and sub-district, a state-owned
    /// residential parcel (`GB`), the parcel's sequence, a building (`F`), building and unit.
    public let unit: String
    /// The address.
    public let location: String
    /// Floor area, hundredths of a m².
    public let area: Int
}

/// A synthetic housing provident fund account: the wage base and both sides' rates.
public struct SyntheticFundAccount: Hashable, Sendable {
    /// The monthly wage base.
    public let wageBase: Money
    /// The employee's rate, percent.
    public let employeeRate: Int
    /// The employer's rate, percent.
    public let employerRate: Int
}

extension SyntheticPerson {
    /// The person's registered dwellings in `county` (a county-level division), as many as the
    /// population register's facts say they own (`dwellings`), their floor area split between
    /// them; numbered from the identity number alone, so no draw of the city changes.
    public func registeredDwellings(in county: DivisionCode) -> [SyntheticDwelling] {
        guard dwellings > 0, floorArea > 0 else { return [] }
        var bits = WorkBits("dwelling:" + resident.id.unmasked)
        let streets = ["凤凰路", "海陵南路", "鼓楼路", "青年路", "东风路", "五一路", "济川路", "迎春路"]
        return (0..<dwellings).map { index in
            let unit =
                county.code + DecimalText.padded(bits.next(in: 1...120), width: 3)
                + DecimalText.padded(bits.next(in: 1...30), width: 3) + "GB"
                + DecimalText.padded(bits.next(in: 1...99_999), width: 5) + "F"
                + DecimalText.padded(bits.next(in: 1...60), width: 4)
                + DecimalText.padded(bits.next(in: 101...3_204), width: 4)
            let street = streets[bits.next(in: 0...(streets.count - 1))]
            return SyntheticDwelling(
                unit: unit,
                location: "\(county.name ?? county.code)\(street)\(bits.next(in: 1...500))号\(index + 1)室",
                area: floorArea * 100 / dwellings
            )
        }
    }

    /// The person's provident fund account: for the employed, on their wage, with rates of 5–12 %
    /// (both sides the same: **assumption**, most employers match); `nil` for others.
    public var fundAccount: SyntheticFundAccount? {
        guard employment == .employed, monthlyWage.fen > 0 else { return nil }
        var bits = WorkBits("fund:" + resident.id.unmasked)
        let rate = [5, 8, 10, 12][bits.next(in: 0...3)]
        return SyntheticFundAccount(wageBase: monthlyWage, employeeRate: rate, employerRate: rate)
    }
}
