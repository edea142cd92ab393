// First steps with DigitalSociety: a deployment, two departments, one envelope between them,
// and the audit log's proof that the exchange was recorded. Run: swift run first-steps
import Foundation
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyJSON

// 1. A deployment keeps its keys and stores in a state folder (a fresh one here).
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("first-steps-\(UUID().uuidString)")
let deployment = try Deployment(DeploymentConfiguration(stateFolder: folder, profile: .standard))

// 2. Two departments: public security supplies a fact, civil affairs asks for it.
let police = try Party("113212000142871106/population")
let civil = try Party("91320214745555318W/assistance")
let purpose = try Purpose("assistance.verification")
let service = "population.household"

// 3. A trust list names both parties' keys (generated into the state folder) and allows civil
//    affairs to call the service for that purpose.
var trust = TrustList(version: 1, issuedAt: Date().addingTimeInterval(-60), nextUpdate: Date() + 86_400)
trust.parties = [
    try deployment.trustEntry(of: police, name: "公安局 人口信息系统"),
    try deployment.trustEntry(of: civil, name: "民政局 社会救助系统"),
]
trust.services = [DataService(id: service, provider: police, fields: [], purposes: [purpose])]
trust.grants = [AccessGrant(consumer: civil, service: service, purposes: [purpose])]

// 4. Each department's exchange seals and opens envelopes, auditing into its own store.
let sender = try deployment.department("population", party: police).exchange(trustList: trust)
let receiving = try deployment.department("civil-affairs", party: civil)
let receiver = try receiving.exchange(trustList: trust)

// 5. Seal from public security to civil affairs, then open as civil affairs.
let text = try await sender.sealer.seal(
    EnvelopeDraft(audience: civil, service: service, purpose: purpose, data: .object(["members": .number(3)]))
)
let opened = try await receiver.opener.open(text)
print("opened envelope \(opened.claims.id) from \(opened.claims.issuer): \(opened.claims.data)")

// 6. The receiver's audit log recorded the opening; prove it is in the log's Merkle tree.
let log = receiving.auditLog
let head = try await log.treeHead()
let index = head.size - 1
let entry = try await log.entry(at: index)
let proof = try await log.inclusionProof(index: index, treeSize: head.size)
let tree = MerkleTree(algorithm: deployment.profile.storage.digest, provider: deployment.crypto)
let included = try tree.verifyInclusion(
    leafHash: try tree.leafHash(entry.canonicalBytes),
    index: index,
    treeSize: head.size,
    proof: proof,
    rootHash: head.rootHash
)
print("audit entry \(index) of \(head.size): \(entry.action) for \(entry.purpose), proof of \(proof.count) hashes")
for hash in proof { print("  \(Base64URL.encode(hash))") }
print("root \(Base64URL.encode(head.rootHash)); inclusion verified: \(included)")
try? FileManager.default.removeItem(at: folder)
