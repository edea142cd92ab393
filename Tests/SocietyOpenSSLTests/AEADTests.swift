import SocietyCore
import Testing

@testable import SocietyOpenSSL

@Suite("Authenticated encryption and SM4")
struct AEADTests {
    @Test("SM4 ECB known answer (GB/T 32907-2016 Appendix A, example 1)")
    func sm4Block() throws {
        let key = Hex.bytes("0123456789abcdeffedcba9876543210")
        #expect(Hex.string(try SM4.encryptBlock(key, key: key)) == "681edf34d206965e86b3e94f536e4246")
    }

    @Test("AES-256-GCM known answer (McGrew & Viega, The GCM Mode of Operation, test case 16)")
    func aesGCMTestCase16() throws {
        let key = Hex.bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = Hex.bytes("cafebabefacedbaddecaf888")
        let plaintext = Hex.bytes(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        )
        let aad = Hex.bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let box = try AES256GCM.seal(plaintext, key: key, nonce: nonce, authenticating: aad)
        #expect(
            Hex.string(box.ciphertext)
                == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        )
        #expect(Hex.string(box.tag) == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try AES256GCM.open(box, key: key, authenticating: aad) == plaintext)
    }

    @Test("Seal → open, and every modification fails with .decryptionFailed", arguments: AEADAlgorithm.allCases)
    func tamper(algorithm: AEADAlgorithm) throws {
        let provider = OpenSSLCryptoProvider()
        let key = try provider.randomBytes(count: 32)
        let plaintext = "居民身份号码 3212**********123X".bytes
        let aad = "envelope-header".bytes
        let box = try provider.seal(algorithm, plaintext, key: key, nonce: nil, associatedData: aad)
        #expect(box.nonce.count == algorithm.nonceByteCount)
        #expect(box.tag.count == algorithm.tagByteCount)
        #expect(try provider.open(algorithm, box, key: key, associatedData: aad) == plaintext)
        #expect(
            try provider.open(
                algorithm,
                AEADSealedBox(combined: box.combined, algorithm: algorithm),
                key: key,
                associatedData: aad
            ) == plaintext
        )

        var modifiedCiphertext = box
        modifiedCiphertext.ciphertext[0] ^= 0x01
        var modifiedTag = box
        modifiedTag.tag[15] ^= 0x01
        var modifiedNonce = box
        modifiedNonce.nonce[0] ^= 0x01
        var truncatedTag = box
        truncatedTag.tag.removeLast()
        for bad in [modifiedCiphertext, modifiedTag, modifiedNonce, truncatedTag] {
            #expect(throws: CryptoError(.decryptionFailed)) {
                try provider.open(algorithm, bad, key: key, associatedData: aad)
            }
        }
        #expect(throws: CryptoError(.decryptionFailed)) {
            try provider.open(algorithm, box, key: key, associatedData: "envelope-headeR".bytes)
        }
        var wrongKey = key
        wrongKey[31] ^= 0x01
        #expect(throws: CryptoError(.decryptionFailed)) {
            try provider.open(algorithm, box, key: wrongKey, associatedData: aad)
        }
        #expect(throws: CryptoError(.invalidParameter)) {
            try provider.seal(algorithm, plaintext, key: Array(key.prefix(16)), nonce: nil, associatedData: aad)
        }
    }

    @Test("Empty plaintext and empty AAD", arguments: AEADAlgorithm.allCases)
    func empty(algorithm: AEADAlgorithm) throws {
        let provider = OpenSSLCryptoProvider()
        let key = [UInt8](repeating: 7, count: 32)
        let box = try provider.seal(algorithm, [], key: key, nonce: nil, associatedData: [])
        #expect(try provider.open(algorithm, box, key: key, associatedData: []).isEmpty)
    }

    @Test("A seeded RandomSource makes sealing reproducible")
    func reproducible() throws {
        let provider = OpenSSLCryptoProvider(random: SeededRandomSource(seed: 42))
        let key = [UInt8](repeating: 1, count: 32)
        for algorithm in AEADAlgorithm.allCases {
            let first = try provider.seal(algorithm, "x".bytes, key: key, nonce: nil, associatedData: [])
            let second = try provider.seal(algorithm, "x".bytes, key: key, nonce: nil, associatedData: [])
            #expect(first == second)
        }
    }

    @Test("SM4-CBC-HMAC-SM3 follows the RFC 7518 §5.2 construction")
    func sm4Construction() throws {
        // Recompute the box by hand from its definition: split key, SM4-CBC, HMAC-SM3 over
        // AAD ‖ IV ‖ C ‖ AL, first 16 bytes.
        let key = (0..<32).map { UInt8($0) }
        let iv = (0..<16).map { UInt8(0xA0 + $0) }
        let aad = "The second principle of Auguste Kerckhoffs".bytes
        let plaintext = "A cipher system must not be required to be secret".bytes
        let box = try SM4CBCHMACSM3.seal(plaintext, key: key, iv: iv, authenticating: aad)
        let ciphertext = try LibCryptoCipher.sm4CBC(encrypt: true, key: Array(key[16...]), iv: iv, input: plaintext)
        #expect(box.ciphertext == ciphertext)
        #expect(ciphertext.count == 64)
        let al: [UInt8] = [0, 0, 0, 0, 0, 0, 0x01, 0x50]  // 42 bytes = 336 bits
        let mac = try HMAC.authenticationCode(.sm3, key: Array(key[..<16]), data: aad + iv + ciphertext + al)
        #expect(box.tag == Array(mac.prefix(16)))
    }
}
