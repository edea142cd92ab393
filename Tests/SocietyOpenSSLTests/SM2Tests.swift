import Foundation
import SocietyCore
import Testing

@testable import SocietyOpenSSL

@Suite("SM2 with SM3 and the GM/T 0009 identifier")
struct SM2Tests {
    // GM/T 0003.5-2012 Annex A (SM2 signature example on the recommended curve), as re-checked with
    // `openssl pkeyutl` in REFERENCES.md: message "message digest", ID "1234567812345678".
    static let d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
    static let px = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    static let py = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
    static let r = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    static let s = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
    static let message = "message digest".bytes

    static func annexSignature() throws -> [UInt8] {
        try ECSignatureEncoding.der(fromRaw: Hex.bytes(r + s))
    }

    @Test("GM/T 0003.5 Annex A signature verifies with the identifier")
    func annexVerifies() throws {
        let publicKey = try SM2.Signing.PublicKey(rawRepresentation: Hex.bytes(Self.px + Self.py))
        #expect(publicKey.isValidSignature(try Self.annexSignature(), for: Self.message))
        #expect(!publicKey.isValidSignature(try Self.annexSignature(), for: "message digesT".bytes))
    }

    @Test("The same signature fails without the identifier (OpenSSL 3.0's empty default)")
    func annexFailsWithoutIdentifier() throws {
        let publicKey = try SM2.Signing.PublicKey(rawRepresentation: Hex.bytes(Self.px + Self.py))
        let signature = try Self.annexSignature()
        #expect(publicKey.storage.key.verify(signature, message: Self.message))
        #expect(!publicKey.storage.key.verify(signature, message: Self.message, distinguishingIdentifier: nil))
    }

    @Test("Raw private key d derives the Annex A public key Px‖Py")
    func derivedPublicKey() throws {
        let privateKey = try SM2.Signing.PrivateKey(rawRepresentation: Hex.bytes(Self.d))
        #expect(privateKey.publicKey.rawRepresentation == Hex.bytes(Self.px + Self.py))
        #expect(privateKey.rawRepresentation == Hex.bytes(Self.d))
        #expect(privateKey.publicKey.x963Representation == [0x04] + Hex.bytes(Self.px + Self.py))
        // EVP cannot fix k, so a fresh signature differs from Annex A but must verify the same way.
        let signature = try privateKey.signature(for: Self.message)
        #expect(privateKey.publicKey.isValidSignature(signature, for: Self.message))
        #expect(try privateKey.publicKey.isValidSignature(Self.annexSignature(), for: Self.message))
    }

    @Test("SPKI names id-ecPublicKey and the SM2 curve OID 1.2.156.10197.1.301")
    func spkiCurve() throws {
        let der = try SM2.Signing.PrivateKey().publicKey.derRepresentation
        let sm2CurveOID: [UInt8] = [0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D]
        let ecPublicKeyOID: [UInt8] = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
        #expect(der.contains(subsequence: sm2CurveOID))
        #expect(der.contains(subsequence: ecPublicKeyOID))
    }

    @Test("Out-of-range private scalars are rejected")
    func scalarRange() {
        #expect(throws: CryptoError(.invalidKey)) {
            try SM2.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        }
        // n − 1 for the SM2 curve: forbidden because signing inverts 1 + d.
        let nMinusOne = Hex.bytes("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122")
        #expect(throws: CryptoError(.invalidKey)) { try SM2.Signing.PrivateKey(rawRepresentation: nMinusOne) }
        #expect(throws: CryptoError(.invalidKey)) { try SM2.Signing.PrivateKey(rawRepresentation: [1, 2, 3]) }
    }

    // MARK: Cross-check with the openssl command-line tool

    @Test("openssl pkeyutl verifies our SM2 signature", .enabled(if: OpenSSLTool.isAvailable))
    func opensslVerifiesOurs() throws {
        let directory = try OpenSSLTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try SM2.Signing.PrivateKey()
        let message = "An envelope from 91331000MA2XXXXXXX/ASSISTANCE".bytes
        try Data(key.publicKey.pemRepresentation.utf8).write(to: directory.appending(path: "pub.pem"))
        try Data(message).write(to: directory.appending(path: "msg"))
        try Data(key.signature(for: message)).write(to: directory.appending(path: "sig"))
        let output = try OpenSSLTool.run(
            [
                "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
                "-pubin", "-inkey", "pub.pem", "-in", "msg", "-sigfile", "sig",
            ],
            in: directory
        )
        #expect(output.contains("Signature Verified Successfully"))
    }

    @Test("We verify an SM2 signature made by openssl pkeyutl", .enabled(if: OpenSSLTool.isAvailable))
    func weVerifyOpenSSLs() throws {
        let directory = try OpenSSLTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try SM2.Signing.PrivateKey()
        let message = "A reply from the Civil Affairs bureau".bytes
        try Data(key.pemRepresentation.utf8).write(to: directory.appending(path: "key.pem"))
        try Data(message).write(to: directory.appending(path: "msg"))
        _ = try OpenSSLTool.run(
            [
                "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
                "-inkey", "key.pem", "-in", "msg", "-out", "sig",
            ],
            in: directory
        )
        let signature = try [UInt8](Data(contentsOf: directory.appending(path: "sig")))
        #expect(key.publicKey.isValidSignature(signature, for: message))
        // And the PEM openssl reads is the one we read back.
        let reread = try SM2.Signing.PrivateKey(pemRepresentation: key.pemRepresentation)
        #expect(reread.publicKey.isValidSignature(signature, for: message))
    }
}

/// Runs the `openssl` command-line tool for cross-checks.
enum OpenSSLTool {
    static let path = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static var isAvailable: Bool { path != nil }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "society-openssl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `openssl arguments` in `directory` and returns stdout and stderr together.
    static func run(_ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        for pipe in [pipe] {
            try? pipe.fileHandleForReading.close()
            try? pipe.fileHandleForWriting.close()
        }
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CryptoError(.library, "openssl \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}

extension Array where Element: Equatable {
    func contains(subsequence: [Element]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
