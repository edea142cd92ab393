import Foundation
import InteropSupport
import SocietyCore
import SocietyDraw
import SocietyJSON
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

@Suite("The public draw function")
struct PublicDrawTests {
    let crypto = OpenSSLCryptoProvider()
    static let seed = Array(UInt8(0)...UInt8(31))
    static let candidates = (1...10).map { "A" + DecimalText.padded($0, width: 3) }

    @Test("a pinned vector: seed 00…1f, A001…A010 (the order Tests/SocietyDrawTests/Interop/draw.py prints)")
    func vector() throws {
        #expect(
            try PublicDraw.order(seed: Self.seed, candidates: Self.candidates.reversed(), crypto: crypto)
                == ["A002", "A006", "A004", "A009", "A003", "A005", "A010", "A008", "A001", "A007"]
        )
        #expect(
            try PublicDraw.commitment(of: Self.seed, crypto: crypto)
                == "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
        )
    }

    @Test("the order does not depend on the candidates' order; a one-byte change of the seed changes it")
    func determinism() throws {
        let a = try PublicDraw.order(seed: Self.seed, candidates: Self.candidates, crypto: crypto)
        let b = try PublicDraw.order(seed: Self.seed, candidates: Self.candidates.shuffled(), crypto: crypto)
        #expect(a == b)
        var other = Self.seed
        other[31] ^= 1
        #expect(try PublicDraw.order(seed: other, candidates: Self.candidates, crypto: crypto) != a)
        #expect(try PublicDraw.order(seed: Self.seed, candidates: ["only"], crypto: crypto) == ["only"])
        #expect(try PublicDraw.order(seed: Self.seed, candidates: [], crypto: crypto).isEmpty)
    }

    @Test("bad input is refused: a short seed, an empty or repeated candidate")
    func refusals() {
        #expect(throws: PublicDraw.Failure.shortSeed(8)) {
            try PublicDraw.order(seed: Array(repeating: 1, count: 8), candidates: ["a"], crypto: crypto)
        }
        #expect(throws: PublicDraw.Failure.badCandidates("A001 appears twice")) {
            try PublicDraw.order(seed: Self.seed, candidates: ["A001", "A002", "A001"], crypto: crypto)
        }
        #expect(throws: PublicDraw.Failure.badCandidates("an empty candidate")) {
            try PublicDraw.order(seed: Self.seed, candidates: ["", "b"], crypto: crypto)
        }
    }

    @Test("every candidate is first about equally often (4 candidates, 4,000 seeds)")
    func fairness() throws {
        var first: [String: Int] = [:]
        for n in 0..<4_000 {
            var seed = Self.seed
            seed[0] = UInt8(n & 0xFF)
            seed[1] = UInt8(n >> 8)
            first[try PublicDraw.order(seed: seed, candidates: ["a", "b", "c", "d"], crypto: crypto)[0], default: 0] +=
                1
        }
        for candidate in ["a", "b", "c", "d"] { #expect((850...1_150).contains(first[candidate] ?? 0), "\(first)") }
    }

    @Test("an independent Python implementation, from the documentation only, gets the same orders")
    func python() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Interop/draw.py"
        )
        let lists: [[String]] = [
            Self.candidates, ["张三-001", "李四-002", "王五-003", "赵六-004", "😀", "a", "B"],
            (1...57).map { "S2027-" + DecimalText.padded($0 * 7 % 100, width: 2) + "-\($0)" }, ["x"],
        ]
        for (index, list) in lists.enumerated() {
            let seed = try crypto.randomBytes(count: 16 + index * 8)
            let input: JSONValue = [
                "seed": .string(Hex.encode(seed)), "candidates": .array(list.map(JSONValue.string)),
            ]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [try InteropPython.path(), script.path]
            let stdin = Pipe()
            let stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            try process.run()
            stdin.fileHandleForWriting.write(Data(try input.canonicalString().utf8))
            try stdin.fileHandleForWriting.close()
            let output = stdout.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            for pipe in [stdin, stdout] {
                try? pipe.fileHandleForReading.close()
                try? pipe.fileHandleForWriting.close()
            }
            #expect(process.terminationStatus == 0)
            let theirs = try JSONValue(parsing: Array(output)).arrayValue?.compactMap(\.stringValue)
            #expect(theirs == (try PublicDraw.order(seed: seed, candidates: list, crypto: crypto)), "list \(index)")
        }
    }
}

@Suite("The draw office")
struct DrawServiceTests {
    static func clock() throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: "2027-07-01").startInstant.addingTimeInterval(36_000))
    }

    @Test("commit, then draw once: the seed revealed matches, anyone re-runs it, tampering is caught")
    func office() async throws {
        let crypto = OpenSSLCryptoProvider()
        let clock = try Self.clock()
        let store = try InMemoryStore(clock: clock, actor: "11321200014287102B/education")
        let key = try crypto.generateSigningKey(.ed25519)
        let draws = DrawService(
            ports: ServicePorts(store: store, crypto: crypto, keys: store.keys, clock: clock),
            signer: key,
            kid: "edu-1"
        )
        await #expect(throws: DrawError.notFound("d-1")) {
            try await draws.draw(id: "d-1", candidates: ["a"], places: 1)
        }
        let committed = try await draws.commit(id: "d-1", purpose: "enrolment:实验小学-2027")
        #expect(committed.seed == nil && committed.commitment.count == 64)
        await #expect(throws: DrawError.duplicate("draw d-1 is already committed")) {
            try await draws.commit(id: "d-1", purpose: "again")
        }
        #expect(try await draws.result("d-1") == committed)
        let applicants = (1...30).map { "APP-" + DecimalText.padded($0, width: 4) }
        await #expect(throws: DrawError.draw(.badCandidates("APP-0001 appears twice"))) {
            try await draws.draw(id: "d-1", candidates: applicants + ["APP-0001"], places: 10)
        }
        let result = try await draws.draw(id: "d-1", candidates: applicants, places: 10)
        #expect(result.winners.count == 10 && Set(result.order) == Set(applicants))
        #expect(result.commitment == committed.commitment)
        try result.verify(with: key.publicKey, crypto: crypto)
        await #expect(throws: DrawError.duplicate("draw d-1 has already been run")) {
            try await draws.draw(id: "d-1", candidates: applicants.reversed(), places: 10)
        }
        #expect(try await draws.result("d-1") == result)

        let published = try #require(result.json.objectValue)
        #expect(
            published["seed"]?.stringValue == result.seed && published["signature"]?.stringValue == result.signature
        )
        // A result whose order was changed after the draw, or signed by another key, does not verify.
        let other = try crypto.generateSigningKey(.ed25519)
        #expect(throws: DrawError.unverified("the signature does not verify")) {
            try result.verify(with: other.publicKey, crypto: crypto)
        }
        let swapped = try JSONDecoder().decode(
            DrawResult.self,
            from: try JSONEncoder().encode(result).replacing(
                Data(#""APP-"#.utf8),
                with: Data(#""APQ-"#.utf8),
                maxReplacements: 1
            )
        )
        #expect(throws: DrawError.self) { try swapped.verify(with: key.publicKey, crypto: crypto) }
    }

    @Test("on SQLite: the seed is sealed until revealed, the log records the commit and the draw")
    func sqlite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-draw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let clock = try Self.clock()
        let keys = try StaticKeyProvider.random(using: crypto)
        let path = directory.appendingPathComponent("draw.sqlite").path
        let store = try SQLiteStore(
            path: path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "11321200014287102B/education", origin: "test", clock: clock)
            )
        )
        let key = try crypto.generateSigningKey(.ed25519)
        let draws = DrawService(
            ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock),
            signer: key,
            kid: "edu-1"
        )
        let committed = try await draws.commit(id: "d-2", purpose: "enrolment")
        let before = StoreFiles.bytes(of: path)
        let result = try await draws.draw(id: "d-2", candidates: ["a", "b", "c"], places: 1)
        let seed = try #require(result.seed)
        // Before the draw the seed was only in the sealed field; after it, it is published.
        #expect(before.range(of: Data(seed.utf8)) == nil)
        #expect(StoreFiles.bytes(of: path).range(of: Data(seed.utf8)) != nil)
        #expect(result.commitment == committed.commitment)
        try result.verify(with: key.publicKey, crypto: crypto)
        #expect(try await store.auditLog.verify().isValid)
    }
}
