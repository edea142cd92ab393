import Foundation
import SocietyCore
import SocietyServices
import Testing

@Suite("Service catalogue")
struct ServiceCatalogueTests {
    /// Test data shaped like a real entry: the childcare filing receipt is due within 5 working days
    /// (DOMAINS.md, childcare); the codes, names and materials are the tests' own.
    func filing(code: String = "childcare-filing", materials: [ServiceEntry.Material]? = nil) throws -> ServiceEntry {
        try ServiceEntry(
            code: code,
            name: "托育机构备案",
            department: "taizhou-health-commission",
            legalBasis: ["托育机构登记和备案办法（试行）"],
            applicant: .organisation,
            materials: materials ?? [
                .document(name: "premises floor plan"),
                .certificate(type: "childcare-institution-licence", replaces: "registration certificate"),
                .exchange(service: "market.business-licence", replaces: "business licence copy"),
            ],
            channels: [.online, .counter],
            timeLimit: try TimeLimit(statutory: 5, promised: 3),
            outcome: .decision
        )
    }

    @Test("an entry says what is paperless, and the catalogue finds it by code and department")
    func lookUp() throws {
        let entry = try filing()
        #expect(entry.paperlessShare == 2.0 / 3.0)
        #expect(
            entry.materials.map(\.document) == [
                "premises floor plan", "registration certificate", "business licence copy",
            ]
        )
        let other = try filing(code: "childcare-change", materials: [])
        #expect(other.paperlessShare == 1)
        let catalogue = try ServiceCatalogue([entry, other])
        #expect(catalogue.entries.map(\.code) == ["childcare-change", "childcare-filing"])
        #expect(try catalogue.entry("childcare-filing") == entry)
        #expect(catalogue.services(of: "taizhou-health-commission").count == 2)
        #expect(catalogue.services(of: "nobody").isEmpty)
        #expect(throws: CatalogueError.unknownService("dibao")) { try catalogue.entry("dibao") }
        #expect(throws: CatalogueError.duplicateCode("childcare-filing")) { try ServiceCatalogue([entry, entry]) }
    }

    @Test("an application made through the catalogue carries the service's time limits")
    func apply() throws {
        let catalogue = try ServiceCatalogue([try filing()])
        var application = try catalogue.apply(
            for: "childcare-filing",
            id: "a-1",
            submitted: try CalendarDate(iso8601: "2026-09-30"),
            by: "applicant"
        )
        #expect(application.serviceCode == "childcare-filing")
        try application.accept(on: try CalendarDate(iso8601: "2026-09-30"), by: "clerk")
        // 8, 9, 10 October (the last a worked Saturday) after the National Day holiday.
        #expect(
            try application.promisedDeadline(on: PublishedCalendar.official()) == CalendarDate(iso8601: "2026-10-10")
        )
        #expect(throws: CatalogueError.unknownService("nope")) {
            try catalogue.apply(for: "nope", id: "a-2", submitted: try CalendarDate(iso8601: "2026-09-30"), by: "x")
        }
    }

    @Test("entries that do not check are refused with the reason")
    func badEntries() throws {
        func reason(_ make: () throws -> ServiceEntry) -> String? {
            do {
                _ = try make()
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(reason { try filing(code: "a b") }?.contains("3–64 letters") == true)
        #expect(reason { try filing(code: "ab") }?.contains("3–64 letters") == true)
        #expect(
            reason { try filing(materials: [.document(name: "x"), .certificate(type: "t", replaces: "x")]) }?
                .contains("listed twice") == true
        )
        #expect(reason { try filing(materials: [.certificate(type: "", replaces: "x")]) }?.contains("names no") == true)
        #expect(reason { try filing(materials: [.document(name: "")]) }?.contains("without its document") == true)
        let limit = try TimeLimit(statutory: 5, promised: 5)
        #expect(
            reason {
                try ServiceEntry(
                    code: "abc",
                    name: "n",
                    department: "d",
                    legalBasis: [],
                    applicant: .resident,
                    materials: [],
                    channels: [.online],
                    timeLimit: limit,
                    outcome: .payment
                )
            }?.contains("legal basis") == true
        )
        #expect(
            reason {
                try ServiceEntry(
                    code: "abc",
                    name: "n",
                    department: "d",
                    legalBasis: ["law"],
                    applicant: .resident,
                    materials: [],
                    channels: [],
                    timeLimit: limit,
                    outcome: .payment
                )
            }?.contains("channel") == true
        )
        #expect(
            reason {
                try ServiceEntry(
                    code: "abc",
                    name: "n",
                    department: "d",
                    legalBasis: ["law"],
                    applicant: .resident,
                    materials: [],
                    fee: Money(fen: -1),
                    channels: [.counter],
                    timeLimit: limit,
                    outcome: .payment
                )
            }?.contains("negative") == true
        )
        #expect(
            reason {
                try ServiceEntry(
                    code: "abc",
                    name: "n",
                    department: "d",
                    legalBasis: ["law"],
                    applicant: .resident,
                    materials: [],
                    channels: [.counter],
                    timeLimit: limit,
                    outcome: .certificate(type: "")
                )
            }?.contains("outcome names no certificate type") == true
        )
    }
}

@Suite("One-thing bundles")
struct ServiceBundleTests {
    func entry(_ code: String, department: String, materials: [ServiceEntry.Material]) throws -> ServiceEntry {
        try ServiceEntry(
            code: code,
            name: code,
            department: department,
            legalBasis: ["test regulation"],
            applicant: .resident,
            materials: materials,
            channels: [.online],
            timeLimit: try TimeLimit(statutory: 10, promised: 5),
            outcome: .decision
        )
    }

    @Test("one set of materials: each document once, the paperless form where any part accepts it")
    func materials() throws {
        let first = try entry(
            "part-one",
            department: "a",
            materials: [.document(name: "household register"), .document(name: "photo")]
        )
        let second = try entry(
            "part-two",
            department: "b",
            materials: [
                .exchange(service: "ps.household", replaces: "household register"), .document(name: "bank card"),
            ]
        )
        let bundle = try ServiceBundle(code: "life-event", name: "test life event", parts: ["part-one", "part-two"])
        let catalogue = try ServiceCatalogue([first, second], bundles: [bundle])
        #expect(
            try catalogue.materials(of: bundle) == [
                .exchange(service: "ps.household", replaces: "household register"), .document(name: "photo"),
                .document(name: "bank card"),
            ]
        )
        #expect(try catalogue.bundle("life-event") == bundle)
        #expect(throws: CatalogueError.unknownService("none")) { try catalogue.bundle("none") }
    }

    @Test("bad bundles are refused with the reason")
    func badBundles() throws {
        let one = try entry("part-one", department: "a", materials: [])
        #expect(throws: CatalogueError.invalidEntry(code: "b-1", "a bundle needs at least two services")) {
            try ServiceBundle(code: "b-1", name: "b", parts: ["part-one"])
        }
        #expect(throws: CatalogueError.invalidEntry(code: "b-1", "a service is bundled twice")) {
            try ServiceBundle(code: "b-1", name: "b", parts: ["part-one", "part-one"])
        }
        let dangling = try ServiceBundle(code: "b-1", name: "b", parts: ["part-one", "part-nine"])
        #expect(
            throws: CatalogueError.invalidEntry(code: "b-1", "bundles \"part-nine\", which is not in the catalogue")
        ) {
            try ServiceCatalogue([one], bundles: [dangling])
        }
        let clash = try ServiceBundle(code: "part-one", name: "b", parts: ["part-one", "part-one-b"])
        #expect(throws: CatalogueError.duplicateCode("part-one")) {
            try ServiceCatalogue([one, try entry("part-one-b", department: "b", materials: [])], bundles: [clash])
        }
    }
}

@Suite("Catalogue files")
struct CatalogueFileTests {
    let sample = #"""
        {"format": "ds.service-catalogue/1",
         "services": [
           {"code": "svc-one", "name": "one", "department": "a", "legalBasis": ["law"], "applicant": "resident",
            "materials": [{"document": {"name": "photo"}}, {"certificate": {"type": "disability", "replaces": "card"}}],
            "fee": 1500, "channels": ["online"], "timeLimit": {"statutory": 10, "promised": 5, "materials": 3},
            "outcome": {"certificate": "disability"}},
           {"code": "svc-two", "name": "two", "department": "b", "legalBasis": ["law"], "applicant": "household",
            "materials": [{"exchange": {"service": "ps.household", "replaces": "register"}}],
            "channels": ["counter"], "timeLimit": {"statutory": 10, "promised": 5, "materials": 3}, "outcome": "payment"}
         ],
         "bundles": [{"code": "life", "name": "life event", "parts": ["svc-one", "svc-two"]}]}
        """#

    @Test("a file reads with every field, and what json() writes reads back the same")
    func roundTrip() throws {
        let catalogue = try ServiceCatalogue(json: Data(sample.utf8))
        let one = try catalogue.entry("svc-one")
        #expect(one.fee == Money(fen: 1500))
        #expect(one.outcome == .certificate(type: "disability"))
        #expect(one.materials == [.document(name: "photo"), .certificate(type: "disability", replaces: "card")])
        #expect(try catalogue.entry("svc-two").outcome == .payment)
        #expect(try catalogue.entry("svc-two").fee == Money(fen: 0))
        #expect(catalogue.bundles.map(\.code) == ["life"])
        #expect(try ServiceCatalogue(json: try catalogue.json()) == catalogue)
    }

    func reason(_ text: String) -> String? {
        do {
            _ = try ServiceCatalogue(json: Data(text.utf8))
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a file that does not read or check is refused, naming the place or the rule")
    func badFiles() {
        #expect(reason("not json")?.contains("service catalogue:") == true)
        #expect(
            reason(sample.replacingOccurrences(of: "ds.service-catalogue/1", with: "v2"))?.contains("format is") == true
        )
        #expect(
            reason(sample.replacingOccurrences(of: #""department": "b", "#, with: ""))
                == "service catalogue: services[1]: department is missing"
        )
        #expect(
            reason(
                sample.replacingOccurrences(
                    of: #""statutory": 10, "promised": 5, "materials": 3}, "outcome": "payment""#,
                    with: #""statutory": 4, "promised": 5, "materials": 3}, "outcome": "payment""#
                )
            )?
            .contains("exceeds the statutory one") == true
        )
        #expect(
            reason(sample.replacingOccurrences(of: #""outcome": "payment""#, with: #""outcome": "gift""#))?.contains(
                "unknown outcome"
            ) == true
        )
        #expect(
            reason(sample.replacingOccurrences(of: #""applicant": "household""#, with: #""applicant": "robot""#)) != nil
        )
        #expect(
            reason(
                sample.replacingOccurrences(
                    of: #""legalBasis": ["law"], "applicant": "resident""#,
                    with: #""legalBasis": [], "applicant": "resident""#
                )
            )?.contains("legal basis") == true
        )
        #expect(
            reason(
                sample.replacingOccurrences(of: #""parts": ["svc-one", "svc-two"]"#, with: #""parts": ["svc-one"]"#)
            )?.contains("at least two") == true
        )
    }

    @Test("mangled files never crash the reader")
    func fuzz() {
        var random = SeededRandomSource(seed: 19)
        let bytes = Array(sample.utf8)
        for round in 0..<400 {
            var mangled = bytes
            for _ in 0..<(1 + round % 6) {
                let position = Int(random.next() % UInt64(mangled.count))
                if random.next() % 2 == 0 {
                    mangled[position] = UInt8(truncatingIfNeeded: random.next())
                } else {
                    mangled.remove(at: position)
                }
            }
            do {
                _ = try ServiceCatalogue(json: Data(mangled))
            } catch {
                // A CatalogueError is the only way to fail (typed throws); reaching here is the point.
                #expect(!"\(error)".isEmpty)
            }
        }
    }
}
