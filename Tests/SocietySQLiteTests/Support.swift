import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import Testing

/// A resident as a district system would store it: the identity number is the key (stored only
/// as a keyed hash) and, with the name and phone, a sensitive field (sealed).
struct StoredResident: StorableRecord, Equatable {
    static let recordKind = "resident"
    static let schemaVersion = 2
    static let sensitiveFields: Set<String> = ["id", "name", "phone"]
    static let indexes: [RecordIndex<StoredResident>] = [
        RecordIndex("district") { .text($0.district) },
        RecordIndex("birth_year") { .integer(Int64($0.birthYear)) },
        RecordIndex(searchable: "phone") { $0.phone.map { .text($0) } },
    ]
    static let upgrades: [RecordUpgrade<StoredResident>] = [
        RecordUpgrade(from: 1, as: StoredResidentV1.self) { old in
            StoredResident(
                id: old.id,
                name: old.fullName,
                district: old.district,
                birthYear: old.id.birthDate.year,
                phone: nil,
                tags: []
            )
        }
    ]

    var id: ResidentID
    var name: String
    var district: String
    var birthYear: Int
    var phone: String?
    var tags: [String]

    var recordKey: RecordKey { RecordKey(sensitive: id.unmasked) }
}

/// The shape version 1 stored: a `fullName`, no birth year, phone or tags.
struct StoredResidentV1: StorableRecord {
    static let recordKind = "resident"
    static let schemaVersion = 1
    static let sensitiveFields: Set<String> = ["id", "fullName"]
    static let indexes: [RecordIndex<StoredResidentV1>] = [RecordIndex("district") { .text($0.district) }]
    var id: ResidentID
    var fullName: String
    var district: String
    var recordKey: RecordKey { RecordKey(sensitive: id.unmasked) }
}

/// A record with no personal data and a clear key, from a "third party" module.
struct ServicePoint: StorableRecord, Equatable {
    static let recordKind = "service_point"
    static let indexes: [RecordIndex<ServicePoint>] = [
        RecordIndex("capacity") { .integer(Int64($0.capacity)) },
        RecordIndex("town") { .text($0.town) },
    ]
    struct Location: Codable, Equatable {
        var latitude: Double
        var longitude: Double
    }
    enum Kind: String, Codable { case clinic, school, office }
    var code: String
    var town: String
    var capacity: Int
    var kind: Kind
    var location: Location
    var openDays: [Int]
    var note: String?
    var recordKey: RecordKey { RecordKey(code) }
}

/// Builds the pieces every test needs, in a fresh temporary folder.
struct Fixture {
    let directory: URL
    let crypto = OpenSSLCryptoProvider()
    let keys: StaticKeyProvider

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        keys = try StaticKeyProvider.random(using: crypto)
    }

    func path(_ name: String = "store.sqlite") -> String { directory.appendingPathComponent(name).path }

    func protection(_ profile: StorageCryptoProfile = .standard, keys: StaticKeyProvider? = nil) -> RecordProtection {
        RecordProtection(crypto: crypto, keys: keys ?? self.keys, profile: profile)
    }

    func store(
        _ name: String = "store.sqlite",
        profile: StorageCryptoProfile = .standard,
        audited: Bool = true,
        keys: StaticKeyProvider? = nil
    ) throws -> SQLiteStore {
        var configuration = SQLiteConfiguration(protection: protection(profile, keys: keys))
        if audited {
            configuration.audit = StoreAuditing(actor: "12321200MB0000000X/test", origin: "test.example/audit")
        }
        return try SQLiteStore(path: path(name), configuration: configuration)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Valid synthetic identity numbers: Taizhou districts, birth dates 1940–2009, varied sequence.
enum Synthetic {
    static let districts = ["321202", "321203", "321204", "321281", "321282", "321283"]

    static func residentID(_ n: Int) throws -> ResidentID {
        let district = try DivisionCode(districts[n % districts.count])
        let birth = try CalendarDate(year: 1940 + (n / 7) % 70, month: 1 + n % 12, day: 1 + n % 28)
        return try ResidentID(addressCode: district, birthDate: birth, sequence: n % 1000)
    }

    static func resident(_ n: Int) throws -> StoredResident {
        let id = try residentID(n)
        return StoredResident(
            id: id,
            name: "居民\(n)",
            district: districts[n % districts.count],
            birthYear: id.birthDate.year,
            phone: "1391234\(DecimalText.padded(n % 10000, width: 4))",
            tags: n % 3 == 0 ? ["elderly"] : []
        )
    }
}

/// Runs the sqlite3 shell on `path` with `sql`; returns its standard output.
@discardableResult
func sqliteShell(_ path: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path, sql]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    for pipe in [output] {
        try? pipe.fileHandleForReading.close()
        try? pipe.fileHandleForWriting.close()
    }
    return String(decoding: data, as: UTF8.self)
}

enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = UInt8(String(UnicodeScalar(high)), radix: 16),
                let l = UInt8(String(UnicodeScalar(low)), radix: 16)
            else { return [] }
            result.append(h << 4 | l)
        }
        return result
    }

    static func string(_ bytes: [UInt8]) -> String { SocietyCore.Hex.encode(bytes) }
}
