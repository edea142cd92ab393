import Foundation
import InteropSupport
import SocietyCore
import SocietyJSON
import Testing

@testable import SocietyCertificates

/// An SDK presentation must verify with the IETF reference implementation of RFC 9901 (`sd-jwt`
/// on PyPI, pinned in `Tests/Interop/requirements.txt`), and it must refuse a tampered one.
@Suite("SD-JWT interoperability")
struct SDJWTInteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interop/sdjwt_interop.py")

    @Test("the reference implementation verifies a presentation", arguments: [SignatureAlgorithm.ed25519, .p256])
    func referenceVerifies(algorithm: SignatureAlgorithm) async throws {
        let city = try CertificateFixture()
        let issued = try await city.issueDisability(algorithm)
        let presentation = try city.present(issued, ["name", "category"], nonce: "nonce-7")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try #require(city.issuerKeys[algorithm])
        let jwk = try JSONWebKey(algorithm: algorithm, publicKey: key.publicKey.rawRepresentation)
        let jwkFile = directory.appendingPathComponent("issuer.jwk")
        let tokenFile = directory.appendingPathComponent("presentation.txt")
        try JSONEncoder().encode(jwk).write(to: jwkFile)
        try Data(presentation.utf8).write(to: tokenFile)
        let run = try Shell.run(
            InteropPython.path(),
            [Self.script.path, jwkFile.path, tokenFile.path, city.counter.text, "nonce-7"]
        )
        #expect(run.status == 0, "\(run.error)")
        let claims = try JSONParser().parse(run.output)
        #expect(claims["name"] == "张三")
        #expect(claims["category"] == "physical")
        #expect(claims["level"] == nil)
        #expect(claims["vct"]?.stringValue == CertificateType.disability.vct)

        // The reference implementation refuses a wrong nonce and a changed disclosure.
        let wrongNonce = try Shell.run(
            InteropPython.path(),
            [Self.script.path, jwkFile.path, tokenFile.path, city.counter.text, "nonce-8"]
        )
        #expect(wrongNonce.status == 1)
        var parts = presentation.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        let original = try Disclosure(parsing: parts[1])
        parts[1] = try Disclosure(salt: original.salt, name: original.name ?? "", value: "李四").encoded
        try Data(parts.joined(separator: "~").utf8).write(to: tokenFile)
        let changed = try Shell.run(
            InteropPython.path(),
            [Self.script.path, jwkFile.path, tokenFile.path, city.counter.text, "nonce-7"]
        )
        #expect(changed.status == 1)
    }
}
