import Foundation
import SocietyCore
import SocietySQLite
import Testing

@Suite("Encryption at rest")
struct EncryptionTests {
    @Test(
        "no inserted ResidentID appears in clear in the database, WAL or shared-memory file",
        arguments: ["standard", "national"]
    )
    func noClearIdentifiers(profileName: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let profile: StorageCryptoProfile = profileName == "national" ? .national : .standard
        let store = try fixture.store(profile: profile)
        let residents = try (0..<500).map(Synthetic.resident)
        try store.write(purpose: Purpose(constant: "load")) { db in for r in residents { try db.put(r) } }
        // Reads and an audited lookup by key, so the WAL also holds read audit entries.
        _ = try store.read(purpose: Purpose(constant: "check")) { db in
            try db.get(StoredResident.self, key: residents[1].recordKey)
        }
        var files: [Data] = []
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: fixture.path() + suffix) { files.append(data) }
        }
        #expect(files.count >= 2)
        for resident in residents {
            let needles = [resident.id.unmasked, resident.name, resident.phone ?? ""].map { Data($0.utf8) }
            for data in files {
                for needle in needles { #expect(data.range(of: needle) == nil, "found a clear value in the file") }
            }
        }
        // …and after a checkpoint moved everything into the main file.
        try store.checkpointWAL()
        let main = try Data(contentsOf: URL(fileURLWithPath: fixture.path()))
        for resident in residents { #expect(main.range(of: Data(resident.id.unmasked.utf8)) == nil) }
        // The data is all still readable with a purpose.
        let back = try store.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.all)
        }
        #expect(Set(back.map(\.id)) == Set(residents.map(\.id)))
    }

    @Test("a ciphertext copied into another row does not decrypt")
    func movedCiphertext() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        let a = try Synthetic.resident(1)
        let b = try Synthetic.resident(2)
        try store.write { db in
            try db.put(a)
            try db.put(b)
        }
        // Give row b the body of row a: every sealed field now sits under the wrong row key.
        try sqliteShell(
            fixture.path(),
            "PRAGMA trusted_schema=1; UPDATE rec_resident SET body = (SELECT body FROM rec_resident WHERE id = 1) WHERE id = 2;"
        )
        #expect(throws: StoreError.self) {
            try store.read(purpose: Purpose(constant: "check")) { db in
                try db.get(StoredResident.self, key: b.recordKey)
            }
        }
        #expect(
            try store.read(purpose: Purpose(constant: "check")) { db in
                try db.get(StoredResident.self, key: a.recordKey)
            } == a
        )
    }

    @Test(
        "changing one byte of a stored ciphertext in the file makes the read fail",
        arguments: ["standard", "national"]
    )
    func tamperedCiphertext(profileName: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(profile: profileName == "national" ? .national : .standard, audited: false)
        let resident = try Synthetic.resident(5)
        try store.write { db in try db.put(resident) }
        // Change byte 40 of the body, which lies inside the sealed `id` (the first field).
        try sqliteShell(
            fixture.path(),
            """
            UPDATE rec_resident SET body = CAST(substr(body, 1, 39)
                || CASE WHEN substr(body, 40, 1) = X'5A' THEN X'A5' ELSE X'5A' END || substr(body, 41) AS BLOB) WHERE id = 1;
            """
        )
        do {
            _ = try store.read(purpose: Purpose(constant: "check")) { db in
                try db.get(StoredResident.self, key: resident.recordKey)
            }
            Issue.record("a tampered record was read")
        } catch let error as StoreError {
            switch error {
            case .decryptionFailed, .undecodable: break
            default: Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("keys rotate: records sealed under the old key stay readable, new ones use the new key")
    func rotation() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let crypto = fixture.crypto
        let old = SymmetricKey(id: "2024", bytes: try crypto.randomBytes(count: 32))
        let new = SymmetricKey(id: "2025", bytes: try crypto.randomBytes(count: 32))
        let hash = SymmetricKey(id: "h", bytes: try crypto.randomBytes(count: 32))
        let first = StaticKeyProvider(keys: [.fieldEncryption: [old], .searchableHash: [hash], .auditSubject: [hash]])
        let second = StaticKeyProvider(keys: [
            .fieldEncryption: [old, new], .searchableHash: [hash], .auditSubject: [hash],
        ])
        let a = try Synthetic.resident(1)
        let b = try Synthetic.resident(2)
        try fixture.store(audited: false, keys: first).write { db in try db.put(a) }
        let rotated = try fixture.store(audited: false, keys: second)
        try rotated.write { db in try db.put(b) }
        let both = try rotated.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.all)
        }
        #expect(both.count == 2)
        // Without the retired key, the old record no longer opens but the new one does.
        let retired = StaticKeyProvider(keys: [.fieldEncryption: [new], .searchableHash: [hash], .auditSubject: [hash]])
        let later = try fixture.store(audited: false, keys: retired)
        #expect(
            try later.read(purpose: Purpose(constant: "check")) { db in
                try db.get(StoredResident.self, key: b.recordKey)
            } == b
        )
        #expect(throws: StoreError.self) {
            try later.read(purpose: Purpose(constant: "check")) { db in
                try db.get(StoredResident.self, key: a.recordKey)
            }
        }
    }

    @Test("a store without keys refuses sensitive record types")
    func protectionRequired() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try SQLiteStore(path: fixture.path())
        #expect(throws: StoreError.protectionRequired(kind: "resident")) {
            try store.write { db in try db.put(try Synthetic.resident(1)) }
        }
    }
}
