import Foundation
import SocietyCore
import SocietyExchange
import Testing

/// The two small parsers the network adds — the `traceparent` header and the problem document a
/// client reads — fed random and mutated input: never a crash, never a value from garbage, and
/// every valid value read back as written.
@Suite("Wire parsers under random input")
struct WireParserFuzzTests {
    @Test("traceparent: valid headers round-trip; mutated and random ones are read only when still valid")
    func traceparent() throws {
        var random = SeededRandomSource(seed: 20_261_207)  // a fixed seed, so a failure repeats
        let alphabet = Array("0123456789abcdefABCDEF-xz \u{0}é".unicodeScalars)
        var accepted = 0
        for _ in 0..<20_000 {
            let trace = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
            let parent = (0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }
            guard
                let valid = TraceParent(
                    traceID: trace,
                    parentID: parent,
                    flags: UInt8.random(in: 0...255, using: &random)
                )
            else { continue }
            #expect(TraceParent(header: valid.description) == valid)
            // One character changed, inserted or removed.
            var scalars = Array(valid.description.unicodeScalars)
            let position = Int.random(in: 0..<scalars.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: scalars[position] = alphabet.randomElement(using: &random) ?? "0"
            case 1: scalars.insert(alphabet.randomElement(using: &random) ?? "0", at: position)
            default: scalars.remove(at: position)
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            if let parsed = TraceParent(header: text) {
                accepted += 1
                // Whatever is accepted is well formed: it prints back to lower-case hex of the right length.
                #expect(parsed.description.count == 55)
                #expect(TraceParent(header: parsed.description) == parsed)
            }
            // Random text of random length.
            let length = Int.random(in: 0...80, using: &random)
            var noise = ""
            for _ in 0..<length { noise.unicodeScalars.append(alphabet.randomElement(using: &random) ?? "0") }
            if let parsed = TraceParent(header: noise) { #expect(parsed.description.count == 55) }
        }
        #expect(accepted < 20_000, "mutations are mostly refused")
        #expect(
            TraceParent(header: "00-00000000000000000000000000000000-00f067aa0ba902b7-01") == nil,
            "all-zero trace id"
        )
        #expect(TraceParent(header: "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == nil, "version ff")
        #expect(TraceParent(header: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01") == nil, "upper case")
    }

    @Test("problem documents: random bytes and truncations never crash and are read only when whole")
    func problems() throws {
        var random = SeededRandomSource(seed: 9457)
        let problem = ExchangeProblem(
            status: 409,
            check: "replay",
            title: "The envelope was already received",
            detail: "jti x"
        )
        let bytes = problem.json()
        #expect(ExchangeProblem(json: bytes) == problem)
        for _ in 0..<20_000 {
            var mutated = bytes
            let cut = Int.random(in: 0...mutated.count, using: &random)
            if Bool.random(using: &random) {
                mutated = Array(mutated.prefix(cut))
            } else if cut < mutated.count {
                mutated[cut] = UInt8.random(in: 0...255, using: &random)
            }
            if let read = ExchangeProblem(json: mutated) {
                #expect((100..<600).contains(read.status))
            }
            let noise = (0..<Int.random(in: 0...64, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            #expect(ExchangeProblem(json: noise) == nil || noise.first == UInt8(ascii: "{"))
        }
    }
}
