import Foundation
import SocietyCore
import Testing

/// Base64url (RFC 4648 §5, unpadded) against Foundation's base64 with the two characters swapped:
/// the table-driven encoder and decoder must agree with it at every length, and refuse everything
/// JOSE forbids.
@Suite("Base64URL")
struct Base64URLTests {
    static func reference(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("Every length up to 300 bytes round-trips and matches Foundation")
    func roundTrip() {
        var random = SystemRandomNumberGenerator()
        for length in 0...300 {
            for _ in 0..<4 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                let text = Base64URL.encode(bytes)
                #expect(text == Self.reference(bytes))
                #expect(Base64URL.decode(text) == bytes)
            }
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64URL.encode(all) == Self.reference(all))
        #expect(Base64URL.encode([]) == "")
        #expect(Base64URL.decode("") == [])
    }

    @Test("A character outside the alphabet at any position is refused")
    func invalidCharacters() {
        let text = Base64URL.encode((0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        for position in text.utf8.indices {
            for bad in ["+", "/", "=", " ", "\n", "é", "\u{0}"] {
                var characters = Array(text)
                characters[text.utf8.distance(from: text.utf8.startIndex, to: position)] = Character(bad)
                #expect(Base64URL.decode(String(characters)) == nil, "\(bad) at \(position)")
            }
        }
    }

    @Test("Impossible lengths and set trailing bits are refused")
    func nonCanonical() {
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.decode("AAAAA") == nil)
        #expect(Base64URL.decode("AB") == nil)  // "A" is 0x00 with "B"'s low bits set
        #expect(Base64URL.decode("AA") == [0])
        #expect(Base64URL.decode("AAB") == nil)
        #expect(Base64URL.decode("AAA") == [0, 0])
        #expect(Base64URL.decode("AAAA") == [0, 0, 0])
        #expect(Base64URL.decode("AAAA=") == nil)
    }
}
