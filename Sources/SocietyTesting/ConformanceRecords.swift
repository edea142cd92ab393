import SocietyCore

// The record types the conformance suite stores: one plain, one personal, and one whose shape
// changed between schema versions. Their kinds start with `conformance_` so they never collide
// with a domain's.

/// A record with no personal data, two clear indexes (one sometimes absent).
struct ConformanceNote: StorableRecord, Equatable {
    static let recordKind = "conformance_note"
    static let indexes: [RecordIndex<ConformanceNote>] = [
        RecordIndex("rank") { .integer($0.rank) },
        RecordIndex("tag") { $0.tag.map(IndexValue.text) },
    ]
    var id: String
    var rank: Int64
    var tag: String?
    var recordKey: RecordKey { RecordKey(id) }
}

/// A record of personal data: a sensitive key, sensitive fields and a searchable index.
struct ConformancePerson: StorableRecord, Equatable {
    static let recordKind = "conformance_person"
    static let sensitiveFields: Set<String> = ["id", "name", "phone"]
    static let indexes: [RecordIndex<ConformancePerson>] = [
        RecordIndex("district") { .text($0.district) },
        RecordIndex(searchable: "phone") { .text($0.phone) },
    ]
    var id: String
    var name: String
    var phone: String
    var district: String
    var recordKey: RecordKey { RecordKey(sensitive: id) }

    static func sample(_ n: Int) -> ConformancePerson {
        ConformancePerson(
            id: "32120219800101\(1000 + n)",
            name: "测试\(n)",
            phone: "1380000\(1000 + n)",
            district: n % 2 == 0 ? "321202" : "321203"
        )
    }
}

/// The first shape of a versioned record.
struct VersionedNoteV1: StorableRecord {
    static let recordKind = "conformance_versioned"
    var id: String
    var title: String
    var recordKey: RecordKey { RecordKey(id) }
}

/// The second shape: a word count derived from the title when an old record is read.
struct VersionedNote: StorableRecord, Equatable {
    static let recordKind = "conformance_versioned"
    static let schemaVersion = 2
    static let upgrades = [
        RecordUpgrade<VersionedNote>(from: 1, as: VersionedNoteV1.self) { old in
            VersionedNote(id: old.id, title: old.title, words: old.title.split(separator: " ").count)
        }
    ]
    var id: String
    var title: String
    var words: Int
    var recordKey: RecordKey { RecordKey(id) }
}

/// A third shape that registers no step from version 1.
struct VersionedNoteV3: StorableRecord {
    static let recordKind = "conformance_versioned"
    static let schemaVersion = 3
    var id: String
    var recordKey: RecordKey { RecordKey(id) }
}

/// A record whose kind is not a valid name.
struct BadlyNamed: StorableRecord {
    static let recordKind = "Bad-Kind"
    var id: String
    var recordKey: RecordKey { RecordKey(id) }
}
