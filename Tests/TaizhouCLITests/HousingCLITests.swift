import Foundation
import Testing

/// `taizhou housing` on a fresh state folder.
@Suite("taizhou housing")
struct HousingCLITests {
    static let seller = "32120219900315003X"
    static let buyer = "321203198506200045"
    static let unit = "321202001001GB00001F00010001"

    @Test("register, a seizure blocks the transfer until lifted, the public search names no one, the fund and rental")
    func flow() throws {
        let workspace = try CLIWorkspace("tz-housing", secrets: [Self.seller, Self.buyer])
        defer { workspace.remove() }
        let (run, succeed) = (workspace.run, { try workspace.succeed($0) })
        let registered = try succeed(
            [
                "housing", "register", "--unit", Self.unit, "--location", "凤凰路1号101室", "--use", "住宅", "--area", "89.54",
                "--holder", Self.seller,
            ]
        )
        #expect(registered.contains("泰州市不动产权第0000001号"))
        #expect(registered.contains("holders: 3212**********003X"))
        let bad = try run([
            "housing", "register", "--unit", "3212020010", "--location", "x", "--use", "住宅", "--area", "1", "--holder",
            Self.seller,
        ])
        #expect(bad.status == 2, "a malformed unit number is bad input")

        _ = try succeed(["housing", "seize", "--unit", Self.unit, "--court", "海陵区人民法院", "--case", "(2026)苏1202执1号"])
        let blocked = try run(["housing", "transfer", "--unit", Self.unit, "--to", Self.buyer, "--price", "1500000"])
        #expect(blocked.status == 1)
        #expect(blocked.standardError.contains("a seized unit cannot be transferred"))
        _ = try succeed(["housing", "lift", "--unit", Self.unit, "--case", "(2026)苏1202执1号"])
        #expect(
            try succeed(["housing", "transfer", "--unit", Self.unit, "--to", Self.buyer, "--price", "1500000"])
                .contains("holders: 3212**********0045")
        )

        let search = try succeed(["housing", "search", "--parcel", String(Self.unit.prefix(19))])
        #expect(search.contains(Self.unit) && search.contains("registered"))
        #expect(!search.contains("3212**********"), "the public map names no holder, not even masked")
        #expect(
            try succeed(["housing", "holder", "--holder", Self.buyer, "--purpose", "court.enforcement-inquiry"])
                .contains("1 unit(s)")
        )
        #expect(try succeed(["housing", "deed-tax", "--price", "1500000", "--area", "89.54"]).contains("= 15000.00"))

        _ = try succeed(
            [
                "housing", "fund", "open", "--id", "gjj-1", "--resident", Self.buyer, "--employer",
                "91320214745555318W", "--wage",
                "10000", "--employee-rate", "12", "--employer-rate", "12",
            ]
        )
        #expect(try succeed(["housing", "fund", "contribute", "--month", "2026-11"]).contains("1 account(s)"))
        let early = try run([
            "housing", "fund", "withdraw", "--account", "gjj-1", "--ground", "retirement", "--reference", "ret-1",
        ])
        #expect(early.status == 1)
        #expect(early.standardOutput.contains("✗ retirement-age"))

        let waiting = try succeed(
            [
                "housing", "rental", "apply", "--id", "gz-1", "--applicant", Self.seller, "--district", "321202",
                "--members", "3",
                "--income", "1500", "--assets", "50000", "--area", "10", "--priority", "elderly", "--evidence",
                "sha256:abc",
            ]
        )
        #expect(waiting.contains("gz-1 for 3212**********003X: waiting"))
        #expect(
            try succeed([
                "housing", "rental", "allocate", "--round", "round-1", "--district", "321202", "--units", "A-101",
            ]).contains("gz-1 → A-101")
        )
    }
}
