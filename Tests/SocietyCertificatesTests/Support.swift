import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL

/// A small certificate world: the big-data bureau's root, the disabled persons' federation as
/// issuer (Ed25519 and P-256 keys on the trust list), a resident holder with a P-256 wallet key,
/// and a verifier at a service counter.
struct CertificateFixture {
    static let epoch = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28

    let crypto = OpenSSLCryptoProvider()
    let clock: FixedWallClock
    let issuerParty: Party
    let counter: Party
    let rootKey: any SigningKey
    let issuerKeys: [SignatureAlgorithm: any SigningKey]
    let holderKey: any SigningKey
    let holderJWK: JSONWebKey
    let resident: ResidentID
    let store = InMemoryStatusStateStore()
    var trustList: TrustList

    init(now: Date = CertificateFixture.epoch) throws {
        clock = FixedWallClock(now)
        issuerParty = try Party("91320214745555318W/ecert")
        counter = try Party("113212000142871106/counter")
        rootKey = try crypto.generateSigningKey(.ed25519)
        var keys: [SignatureAlgorithm: any SigningKey] = [:]
        var entry = TrustList.PartyEntry(party: issuerParty, name: "泰州市残联 电子证照")
        for algorithm in SignatureAlgorithm.allCases {
            let key = try crypto.generateSigningKey(algorithm)
            keys[algorithm] = key
            entry.keys.append(
                TrustedKey(
                    kid: "ecert-\(algorithm.rawValue)",
                    algorithm: algorithm,
                    publicKey: key.publicKey.rawRepresentation,
                    validFrom: now.addingTimeInterval(-86_400 * 30),
                    validUntil: now.addingTimeInterval(86_400 * 365)
                )
            )
        }
        issuerKeys = keys
        holderKey = try crypto.generateSigningKey(.p256)
        holderJWK = try JSONWebKey(algorithm: .p256, publicKey: holderKey.publicKey.rawRepresentation)
        resident = try ResidentID("11010519491231002X")
        trustList = TrustList(
            version: 1,
            issuedAt: now.addingTimeInterval(-3600),
            nextUpdate: now.addingTimeInterval(86_400 * 7)
        )
        trustList.parties = [entry, TrustList.PartyEntry(party: counter, name: "市民中心窗口")]
    }

    var now: Date { clock.instant }

    func issuer(_ algorithm: SignatureAlgorithm = .ed25519) throws -> CertificateIssuer {
        guard let key = issuerKeys[algorithm] else { throw MissingKey() }
        return CertificateIssuer(
            party: issuerParty,
            key: key,
            kid: "ecert-\(algorithm.rawValue)",
            crypto: crypto,
            random: OpenSSLRandomSource(),
            clock: clock,
            store: store
        )
    }

    struct MissingKey: Error {}

    static let disabilityClaims: JSONObject = ["name": "张三", "category": "physical", "level": "2"]

    func issueDisability(_ algorithm: SignatureAlgorithm = .ed25519) async throws -> IssuedCertificate {
        try await issuer(algorithm).issue(
            .disability,
            to: .resident(resident),
            holderKey: holderJWK,
            claims: Self.disabilityClaims
        )
    }

    func verifier(
        statusLists: [SignedStatusList],
        at instant: Date? = nil,
        maximumAge: TimeInterval = 86_400
    )
        -> CertificateVerifier
    {
        CertificateVerifier(
            trustList: trustList,
            statusLists: StatusListSnapshot(statusLists),
            statusListMaximumAge: maximumAge,
            crypto: crypto,
            clock: FixedWallClock(instant ?? now)
        )
    }

    func present(_ issued: IssuedCertificate, _ names: Set<String>, nonce: String = "n-0001") throws -> String {
        try issued.sdJWT.presenting(
            names,
            holderKey: holderKey,
            audience: counter.text,
            nonce: nonce,
            issuedAt: now,
            crypto: crypto
        ).compact
    }
}

enum Shell {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    static func run(_ command: String, _ arguments: [String], input: [UInt8]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input)) }
        try stdin.fileHandleForWriting.close()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        for pipe in [output, error, stdin] {
            try? pipe.fileHandleForReading.close()
            try? pipe.fileHandleForWriting.close()
        }
        return Result(
            status: process.terminationStatus,
            output: String(decoding: outData, as: UTF8.self),
            error: String(decoding: errData, as: UTF8.self)
        )
    }

    /// Runs a Python snippet with `input` on stdin and returns its stdout bytes (hex-decoded when
    /// the snippet prints hex).
    static func python(_ code: String, input: [UInt8] = []) throws -> Result {
        try run("python3", ["-c", code], input: input)
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    let characters = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
    var bytes: [UInt8] = []
    var index = 0
    while index + 1 < characters.count {
        bytes.append(UInt8(String(decoding: characters[index...index + 1], as: UTF8.self), radix: 16) ?? 0)
        index += 2
    }
    return bytes
}

func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
