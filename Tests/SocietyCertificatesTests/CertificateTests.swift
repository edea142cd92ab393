import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import Testing

@testable import SocietyCertificates

@Suite("Certificates")
struct CertificateTests {
    @Test("disability certificate number = ResidentID + category + level")
    func disabilityNumber() async throws {
        let number = try DisabilityCertificateNumber("11010519491231002X42")
        #expect(number.category == .physical)
        #expect(number.level == .second)
        #expect(number.masked == "1101**********002X42")
        #expect("\(number)" == number.masked)
        #expect(throws: DisabilityCertificateNumber.ValidationError.invalidCategory) {
            try DisabilityCertificateNumber("11010519491231002X82")
        }
        #expect(throws: DisabilityCertificateNumber.ValidationError.invalidLevel) {
            try DisabilityCertificateNumber("11010519491231002X45")
        }
        let city = try CertificateFixture()
        let issued = try await city.issueDisability()
        #expect(issued.certificate.number == "11010519491231002X42")
    }

    @Test("claims are checked against the certificate type")
    func claimValidation() async throws {
        let city = try CertificateFixture()
        let issuer = try city.issuer()
        let holder = CertificateHolder.resident(city.resident)
        await #expect(throws: CertificateError.invalidClaims("level is required")) {
            _ = try await issuer.issue(
                .disability,
                to: holder,
                holderKey: city.holderJWK,
                claims: ["name": "张三", "category": "visual"]
            )
        }
        await #expect(throws: CertificateError.self) {
            _ = try await issuer.issue(
                .disability,
                to: holder,
                holderKey: city.holderJWK,
                claims: ["name": "张三", "category": "visual", "level": "5"]
            )
        }
        await #expect(throws: CertificateError.self) {
            _ = try await issuer.issue(
                .childcareInstitutionLicence,
                to: holder,
                holderKey: city.holderJWK,
                claims: [
                    "institution_name": "海陵区阳光托育", "address": "海陵区凤凰路1号", "division": "321202", "capacity": 60,
                    "legal_representative": "王五",
                ]
            )
        }
        let licence = try await issuer.issue(
            .childcareInstitutionLicence,
            to: .organization(try CreditCode("91320214745555318W")),
            holderKey: city.holderJWK,
            claims: [
                "institution_name": "海陵区阳光托育", "address": "海陵区凤凰路1号", "division": "321202", "capacity": 60,
                "legal_representative": "王五",
            ]
        )
        #expect(licence.certificate.holder.description == "91320214745555318W")
        let estate = try await issuer.issue(
            .realEstateRegistration,
            to: holder,
            holderKey: city.holderJWK,
            claims: [
                "name": "张三", "certificate_number": "苏(2017)海门市不动产权第0000183号",
                "unit_number": "320684413219GB00029F00010002", "location": "海陵区凤凰路1号", "right_type": "国有建设用地使用权/房屋所有权",
                "use": "住宅", "area": 89.5,
            ]
        )
        #expect(estate.sdJWT.disclosures.count == 10)
        await #expect(throws: CertificateError.self) {
            _ = try await issuer.issue(
                .realEstateRegistration,
                to: holder,
                holderKey: city.holderJWK,
                claims: [
                    "name": "张三", "certificate_number": "苏2017海门市不动产权第183号",
                    "unit_number": "320684413219GB00029F00010002", "location": "x", "right_type": "x", "use": "x",
                    "area": 1,
                ]
            )
        }
    }

    @Test("revoke, suspend, reinstate: re-published, signed, versioned lists")
    func lifecycle() async throws {
        let city = try CertificateFixture()
        let issuer = try city.issuer()
        let issued = try await city.issueDisability()
        let index = issued.certificate.statusIndex
        let presentation = try city.present(issued, ["name"])
        func verify(_ lists: [SignedStatusList]) throws(CertificateError) {
            _ = try city.verifier(statusLists: lists).verifyPresentation(
                presentation,
                audience: city.counter.text,
                nonce: "n-0001"
            )
        }
        let first = try await issuer.publish()
        try verify(first)
        let suspended = try await issuer.suspend(index: index)
        #expect(suspended.allSatisfy { $0.version == first[0].version + 1 })
        #expect(throws: CertificateError.suspended) { try verify(suspended) }
        #expect(try await issuer.status(of: index) == .suspended)
        let reinstated = try await issuer.reinstate(index: index)
        try verify(reinstated)
        let revoked = try await issuer.revoke(index: index)
        #expect(throws: CertificateError.revoked) { try verify(revoked) }
        await #expect(throws: CertificateError.revocationIsFinal) { _ = try await issuer.reinstate(index: index) }
        await #expect(throws: CertificateError.revocationIsFinal) { _ = try await issuer.suspend(index: index) }
        // A snapshot mixing an old list with a newer one keeps the newer version.
        #expect(StatusListSnapshot(first + revoked).lists.values.allSatisfy { $0.version == revoked[0].version })
        // An index never issued cannot be changed.
        let unused = (0..<BitstringStatusList.minimumSize).first { $0 != index } ?? 0
        await #expect(throws: CertificateError.unknownStatusIndex(unused)) {
            _ = try await issuer.revoke(index: unused)
        }
    }

    @Test("stale snapshots fail closed with their own errors")
    func staleSnapshots() async throws {
        let city = try CertificateFixture()
        let issued = try await city.issueDisability()
        let lists = try await city.issuer().publish()
        let later = city.now.addingTimeInterval(2 * 3600)
        let presentation = try issued.sdJWT.presenting(
            ["name"],
            holderKey: city.holderKey,
            audience: city.counter.text,
            nonce: "n",
            issuedAt: later,
            crypto: city.crypto
        ).compact
        #expect(throws: CertificateError.statusListTooOld(issuedAt: city.now, maximumAge: 3600)) {
            _ = try city.verifier(statusLists: lists, at: later, maximumAge: 3600)
                .verifyPresentation(presentation, audience: city.counter.text, nonce: "n")
        }
        #expect(
            throws: CertificateError.statusListMissing(
                SignedStatusList.uri(issuer: city.issuerParty, purpose: .revocation)
            )
        ) {
            _ = try city.verifier(statusLists: [], at: later).verifyPresentation(
                presentation,
                audience: city.counter.text,
                nonce: "n"
            )
        }
        // The trust-list snapshot has its own maximum age.
        let signed = try SignedTrustList.sign(city.trustList, with: city.rootKey, kid: "root")
        var anchor = TrustAnchor(root: city.rootKey.publicKey, maximumAge: 1800)
        #expect(throws: CertificateError.trustListTooOld(issuedAt: city.trustList.issuedAt, maximumAge: 1800)) {
            _ = try CertificateVerifier(
                signedTrustList: signed,
                anchor: &anchor,
                statusLists: StatusListSnapshot(lists),
                crypto: city.crypto,
                clock: city.clock
            )
        }
        var fresh = TrustAnchor(root: city.rootKey.publicKey)
        let verifier = try CertificateVerifier(
            signedTrustList: signed,
            anchor: &fresh,
            statusLists: StatusListSnapshot(lists),
            crypto: city.crypto,
            clock: city.clock
        )
        _ = try verifier.verifyIssuance(issued.sdJWT.compact)
    }

    @Test("expired and not-yet-valid certificates are refused")
    func validity() async throws {
        let city = try CertificateFixture()
        let today = CalendarDate(city.now)
        let issued = try await city.issuer().issue(
            .unemploymentRegistration,
            to: .resident(city.resident),
            holderKey: city.holderJWK,
            claims: ["name": "张三", "registration_date": .string(today.iso8601), "division": "321202"],
            validity: try ValidityPeriod(from: today, until: today.adding(days: 30))
        )
        let lists = try await city.issuer().publish()
        let after = today.adding(days: 31).startInstant.addingTimeInterval(3600)
        #expect(throws: CertificateError.expired(today.adding(days: 31).startInstant)) {
            _ = try city.verifier(statusLists: lists, at: after, maximumAge: 86_400 * 365).verifyIssuance(
                issued.sdJWT.compact
            )
        }
        let early = try await city.issuer().issue(
            .unemploymentRegistration,
            to: .resident(city.resident),
            holderKey: city.holderJWK,
            claims: ["name": "张三", "registration_date": .string(today.iso8601), "division": "321202"],
            validity: try ValidityPeriod(from: today.adding(days: 10), until: nil)
        )
        #expect(throws: CertificateError.notYetValid(today.adding(days: 10).startInstant)) {
            _ = try city.verifier(statusLists: lists).verifyIssuance(early.sdJWT.compact)
        }
    }

    @Test("the W3C VC 2.0 view verifies, and a changed claim breaks its proof", arguments: SignatureAlgorithm.allCases)
    func verifiableCredential(algorithm: SignatureAlgorithm) async throws {
        let city = try CertificateFixture()
        let issued = try await city.issueDisability(algorithm)
        let lists = try await city.issuer(algorithm).publish()
        let vc = issued.verifiableCredential
        #expect(vc["proof"]?["cryptosuite"]?.stringValue == VerifiableCredentialView.cryptosuite(for: algorithm))
        #expect(vc["proof"]?["proofValue"]?.stringValue?.hasPrefix("z") == true)
        let result = try city.verifier(statusLists: lists).verifyCredential(vc)
        #expect(result.claims["level"] == "2")
        var tampered = vc
        var subject = vc["credentialSubject"]?.objectValue ?? [:]
        subject["level"] = "1"
        tampered["credentialSubject"] = .object(subject)
        #expect(throws: CertificateError.badIssuerSignature) {
            _ = try city.verifier(statusLists: lists).verifyCredential(tampered)
        }
        let revoked = try await city.issuer(algorithm).revoke(index: issued.certificate.statusIndex)
        #expect(throws: CertificateError.revoked) { _ = try city.verifier(statusLists: revoked).verifyCredential(vc) }
    }

    @Test("status list: bit order, encoding, minimum size, Python reads it")
    func statusList() throws {
        var list = BitstringStatusList()
        #expect(list.size == 131_072)
        try list.set(0, to: true)
        try list.set(9, to: true)
        try list.set(131_071, to: true)
        #expect(list.bytes[0] == 0x80 && list.bytes[1] == 0x40 && list.bytes[16_383] == 0x01)
        let encoded = list.encodedList
        #expect(encoded.hasPrefix("u"))
        #expect(encoded.count < 200, "\(encoded.count) characters")
        let decoded = try BitstringStatusList(encodedList: encoded)
        #expect(decoded == list)
        #expect(throws: StatusListError.tooShort(entries: 8)) {
            try BitstringStatusList(encodedList: "u" + Base64URL.encode(GZip.compress([0])))
        }
        #expect(throws: StatusListError.indexOutOfRange(index: 131_072, size: 131_072)) { try list.isSet(131_072) }
        // The W3C algorithm, written independently in Python: strip "u", base64url-decode, gunzip,
        // read bit i as the (7 - i % 8)th bit of byte i / 8.
        let run = try Shell.python(
            "import sys,base64,gzip; t=sys.stdin.read().strip()[1:]; b=gzip.decompress(base64.urlsafe_b64decode(t+'='*(-len(t)%4))); "
                + "print(len(b)*8, [i for i in (0,1,9,131071) if b[i//8]>>(7-i%8)&1])",
            input: Array(encoded.utf8)
        )
        #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == "131072 [0, 9, 131071]", "\(run.error)")
    }

    @Test("indexes are a permutation: distinct, spread, and recognised as allocated")
    func allocation() throws {
        var state = IssuerStatusState(
            issuer: try Party("91320214745555318W/ecert"),
            randomBytes: [1, 2, 3, 4, 5, 6, 7, 8]
        )
        var seen: Set<Int> = []
        for _ in 0..<2_000 { seen.insert(try state.allocate()) }
        #expect(seen.count == 2_000)
        #expect(seen.allSatisfy(state.isAllocated))
        #expect((0..<state.size).filter(state.isAllocated).count == 2_000)
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(IssuerStatusState.self, from: data) == state)
    }

    @Test("QR compact form: the presentation string and its size")
    func qrSize() async throws {
        let city = try CertificateFixture()
        for algorithm in [SignatureAlgorithm.ed25519, .p256] {
            let issued = try await city.issueDisability(algorithm)
            let qr = try city.present(issued, ["name", "category"])
            // A version-40 QR code holds 2,953 bytes in byte mode at error correction L, 2,331 at M
            // (ISO/IEC 18004 table 7): a presentation must fit at M, the phone's usual choice.
            #expect(qr.utf8.count < 2_331, "\(algorithm): \(qr.utf8.count) bytes")
            #expect(issued.sdJWT.compact.utf8.count < 2_953)
            print(
                "QR \(algorithm): presentation \(qr.utf8.count) bytes, issuance \(issued.sdJWT.compact.utf8.count) bytes"
            )
        }
    }
}
