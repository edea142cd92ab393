import Foundation
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyJSON
import SocietySQLite
import Testing

/// A record with a personal field, to see the deployment's stores protect and audit it.
struct Member: StorableRecord, Equatable {
    static let recordKind = "deployment_member"
    static let sensitiveFields: Set<String> = ["name"]
    var id: String
    var name: String
    var recordKey: RecordKey { RecordKey(id) }
}

let registration = Purpose(constant: "deployment.registration")

@Suite("Deployment")
struct DeploymentTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deployment-\(UUID().uuidString)")
    let police: Party
    let civil: Party

    init() throws {
        police = try Party("113212000142871106/population")
        civil = try Party("91320214745555318W/assistance")
    }

    func trustList(_ deployment: Deployment) throws -> TrustList {
        var list = TrustList(version: 1, issuedAt: Date() - 60, nextUpdate: Date() + 86_400)
        list.parties = [
            try deployment.trustEntry(of: police, name: "police"), try deployment.trustEntry(of: civil, name: "civil"),
        ]
        let purpose = Purpose(constant: "assistance.verification")
        list.services = [DataService(id: "population.household", provider: police, fields: [], purposes: [purpose])]
        list.grants = [AccessGrant(consumer: civil, service: "population.household", purposes: [purpose])]
        return list
    }

    func draft() -> EnvelopeDraft {
        EnvelopeDraft(
            audience: civil,
            service: "population.household",
            purpose: Purpose(constant: "assistance.verification"),
            data: .object(["members": .number(3)])
        )
    }

    @Test("a department's store is encrypted, audited and the same on every call and after a restart")
    func departments() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let deployment = try Deployment(DeploymentConfiguration(stateFolder: folder))
        let first = try deployment.department("civil-affairs", party: civil)
        let again = try deployment.department("civil-affairs", party: civil)
        #expect((first.ports.store as? SQLiteStore) === (again.ports.store as? SQLiteStore))
        try await first.ports.store.write(purpose: registration) { db in
            try await db.put(Member(id: "m1", name: "王小明"))
        }
        let file = try Data(contentsOf: folder.appendingPathComponent("civil-affairs.sqlite"))
        #expect(file.range(of: Data("王小明".utf8)) == nil, "the name is encrypted at rest")
        let keyFile = folder.appendingPathComponent("civil-affairs.sqlite.key").path
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await first.auditLog.size() == 1)
        #expect(try await first.auditLog.entry(at: 0).actor == civil.text)

        let restarted = try Deployment(DeploymentConfiguration(stateFolder: folder))
        let reopened = try restarted.department("civil-affairs", party: civil)
        let member = try await reopened.ports.store.read(purpose: registration) { db in
            try await db.get(Member.self, key: RecordKey("m1"))
        }
        #expect(member?.name == "王小明", "the same key file opens the same store after a restart")
        #expect(try await reopened.auditLog.verify().isValid)
    }

    @Test("an envelope between departments is opened once, audited on both sides, and refused again after a restart")
    func exchange() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        for profile in CryptoProfile.allCases {
            let state = folder.appendingPathComponent(profile.rawValue)
            let deployment = try Deployment(DeploymentConfiguration(stateFolder: state, profile: profile))
            let list = try trustList(deployment)
            let population = try deployment.department("population", party: police)
            let assistance = try deployment.department("civil-affairs", party: civil)
            let text = try await population.exchange(trustList: list).sealer.seal(draft())
            let opened = try await assistance.exchange(trustList: list).opener.open(text)
            #expect(opened.claims.issuer == police)
            #expect(try await population.auditLog.entry(at: 0).action == "exchange.seal")
            #expect(try await assistance.auditLog.entry(at: 0).action == "exchange.open")
            let header = try #require(text.split(separator: ".").first.flatMap { Base64URL.decode(String($0)) })
            #expect(String(decoding: header, as: UTF8.self).contains(profile == .national ? "SM2" : "EdDSA"))

            let restarted = try Deployment(DeploymentConfiguration(stateFolder: state, profile: profile))
            let opener = try restarted.department("civil-affairs", party: civil).exchange(trustList: list).opener
            await #expect(throws: EnvelopeError.replayed(id: opened.claims.id)) { _ = try await opener.open(text) }
        }
    }

    @Test("bad names and damaged key files are refused with a clear error, and nothing is created")
    func refusals() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let deployment = try Deployment(DeploymentConfiguration(stateFolder: folder))
        #expect(throws: DeploymentError.invalidName("Civil Affairs")) {
            _ = try deployment.department("Civil Affairs", party: civil)
        }
        #expect(throws: DeploymentError.invalidName("../escape")) {
            _ = try deployment.department("../escape", party: civil)
        }
        let keyFile = folder.appendingPathComponent("broken.sqlite.key")
        try Data("not a key\n".utf8).write(to: keyFile)
        #expect(throws: DeploymentError.keyFile(path: keyFile.path, reason: "not a DigitalSociety key file")) {
            _ = try deployment.department("broken", party: civil)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("broken.sqlite").path))
        #expect(
            try String(contentsOf: keyFile, encoding: .utf8) == "not a key\n",
            "an existing key file is never replaced"
        )
    }

    @Test("party keys are generated once into the state folder, mode 600, and kept")
    func partyKeys() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let deployment = try Deployment(DeploymentConfiguration(stateFolder: folder, profile: .national))
        let key = try deployment.signingKey(of: civil)
        #expect(key.algorithm == .sm2)
        let again = try Deployment(DeploymentConfiguration(stateFolder: folder, profile: .national)).signingKey(
            of: civil
        )
        #expect(key.publicKey.rawRepresentation == again.publicKey.rawRepresentation)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("keys").path)
        #expect(files.sorted() == ["91320214745555318W-assistance.sig.pem"])
        let mode =
            try FileManager.default.attributesOfItem(
                atPath: folder.appendingPathComponent("keys/91320214745555318W-assistance.sig.pem").path
            )[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
