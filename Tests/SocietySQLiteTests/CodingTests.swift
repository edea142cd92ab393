import Foundation
import SocietyCore
import SocietySQLite
import Testing

/// Round trips through the store exercise the compact record coding with every Codable shape.
@Suite("Record coding")
struct CodingTests {
    struct Everything: StorableRecord, Equatable {
        static let recordKind = "everything"
        enum Choice: Codable, Equatable {
            case none
            case some(Int, label: String)
        }
        struct Inner: Codable, Equatable {
            var values: [Double]
            var nested: [String: [Int]]
            var flag: Bool?
        }
        var key: String
        var int8: Int8
        var uint64: UInt64
        var int: Int
        var negative: Int64
        var float: Float
        var double: Double
        var text: String
        var empty: String
        var data: Data
        var date: Date
        var optionalMissing: String?
        var optionalPresent: Int?
        var inners: [Inner]
        var choice: Choice
        var other: Choice
        var set: Set<String>
        var date2: CalendarDate
        var recordKey: RecordKey { RecordKey(key) }
    }

    @Test("every Codable shape survives a round trip through the store")
    func roundTrip() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        let value = Everything(
            key: "k",
            int8: -128,
            uint64: .max,
            int: .min,
            negative: -1,
            float: 1.5,
            double: -0.1,
            text: "泰州 ✓",
            empty: "",
            data: Data([0, 1, 255]),
            date: Date(timeIntervalSince1970: 1_700_000_000.25),
            optionalMissing: nil,
            optionalPresent: 0,
            inners: [.init(values: [1, .infinity], nested: ["a": [1, 2], "b": []], flag: nil)],
            choice: .some(3, label: "x"),
            other: .none,
            set: ["a", "b"],
            date2: try CalendarDate(year: 2024, month: 2, day: 29)
        )
        try store.write { db in try db.put(value) }
        let back = try store.read { db in try db.get(Everything.self, key: RecordKey("k")) }
        #expect(back == value)
    }
}
