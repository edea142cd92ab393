import Foundation
import Logging
public import SocietyCertificates
public import SocietyCore
import SocietyJSON

/// A registration applied to a unit's register page. Each is a move of the page's state machine:
/// a move the state does not allow throws ``HousingError/refused(_:state:reason:)`` and changes
/// nothing.
public enum Registration: Hashable, Sendable {
    /// 首次登记 of the ownership: the unit enters the register.
    case first(location: String, use: String, area: Int, holders: [Holder])
    /// 转移登记: the ownership passes to `holders` (sale, gift, inheritance) for `price`.
    case transfer(to: [Holder], price: Money)
    /// 变更登记: the address or the use changes (the holders stay).
    case change(location: String?, use: String?)
    /// 更正登记: a wrong area corrected, with the evidence's reference.
    case correction(area: Int, evidence: String)
    /// 首次登记 of a mortgage right (right type 23).
    case mortgage(mortgagee: CreditCode, amount: Money)
    /// 注销登记 of a mortgage right, when the debt is repaid.
    case dischargeMortgage(id: String)
    /// 查封登记.
    case seizure(court: String, caseNumber: String)
    /// 解封: the seizure of `caseNumber` lifted.
    case liftSeizure(caseNumber: String)
    /// 预告登记 for a buyer of a unit not yet transferable.
    case advanceNotice(beneficiary: Holder)
    /// 异议登记 by someone who disputes the register.
    case objection(by: Holder)
    /// 注销登记 of the unit (demolished, merged).
    case cancellation

    /// The move's name, for errors and logs.
    public var name: String {
        switch self {
        case .first: "first registration"
        case .transfer: "transfer"
        case .change: "change"
        case .correction: "correction"
        case .mortgage: "mortgage"
        case .dischargeMortgage: "mortgage discharge"
        case .seizure: "seizure"
        case .liftSeizure: "lifting a seizure"
        case .advanceNotice: "advance notice"
        case .objection: "objection"
        case .cancellation: "cancellation"
        }
    }

    /// The registration's type and the right it concerns.
    public var kind: (RegistrationType, RightType) {
        switch self {
        case .first: (.first, .ownership)
        case .transfer: (.transfer, .ownership)
        case .change: (.change, .ownership)
        case .correction: (.correction, .ownership)
        case .mortgage: (.first, .mortgage)
        case .dischargeMortgage: (.cancellation, .mortgage)
        case .seizure, .liftSeizure: (.seizure, .ownership)
        case .advanceNotice: (.advanceNotice, .ownership)
        case .objection: (.objection, .ownership)
        case .cancellation: (.cancellation, .ownership)
        }
    }
}

extension RealEstateUnit {
    /// An empty page for `unit`, before its first registration.
    init(unit: UnitNumber) {
        self.unit = unit
        location = ""
        use = ""
        area = 0
        holders = []
        certificate = nil
        mortgages = []
        restrictions = []
        cancelled = false
        history = []
    }

    /// Applies `registration` on `date` under business number `number`; `certificate` is the new
    /// certificate or certification number the move issues, when it issues one.
    mutating func apply(
        _ registration: Registration,
        on date: CalendarDate,
        number: String,
        certificate issued: CertificateNumber?
    ) throws(HousingError) {
        func refuse(_ reason: String) -> HousingError { .refused(registration.name, state: state, reason: reason) }
        if cancelled { throw refuse("the unit was cancelled") }
        let registered = !holders.isEmpty
        if case .first = registration {} else if !registered { throw refuse("the unit has no first registration") }
        var summary: String
        switch registration {
        case .first(let location, let use, let area, let holders):
            guard !registered else { throw refuse("the unit is already registered") }
            guard !holders.isEmpty, Set(holders).count == holders.count else {
                throw HousingError.invalid("a first registration names one or more distinct holders")
            }
            guard area > 0, !location.isEmpty, !use.isEmpty else {
                throw HousingError.invalid("a first registration gives the address, the use and a positive area")
            }
            (self.location, self.use, self.area, self.holders) = (location, use, area, holders)
            certificate = issued
            summary = "first registration, \(holders.count) holder(s)"
        case .transfer(let to, let price):
            if isSeized { throw refuse("a seized unit cannot be transferred until the seizure is lifted") }
            for case .advanceNotice(let beneficiary, _) in restrictions where !to.contains(beneficiary) {
                throw refuse("an advance notice reserves the unit for its beneficiary (Civil Code art. 221)")
            }
            guard !to.isEmpty, Set(to).count == to.count, Set(to) != Set(holders) else {
                throw HousingError.invalid("a transfer names new, distinct holders")
            }
            guard price.fen >= 0 else { throw HousingError.invalid("a price cannot be negative") }
            holders = to
            certificate = issued
            // The notice is fulfilled by the transfer to its beneficiary; mortgages follow the unit
            // (Civil Code art. 406).
            restrictions.removeAll { if case .advanceNotice = $0 { true } else { false } }
            summary = "transferred to \(to.count) holder(s)" + (mortgages.isEmpty ? "" : ", mortgages kept")
        case .change(let location, let use):
            guard location != nil || use != nil else { throw HousingError.invalid("a change changes something") }
            if let location { self.location = location }
            if let use { self.use = use }
            summary =
                "changed "
                + [location.map { _ in "address" }, use.map { _ in "use" }].compactMap { $0 }.joined(separator: " and ")
        case .correction(let area, let evidence):
            guard area > 0, !evidence.isEmpty else {
                throw HousingError.invalid("a correction gives the area and its evidence")
            }
            self.area = area
            summary = "area corrected on \(evidence)"
        case .mortgage(let mortgagee, let amount):
            if isSeized { throw refuse("a seized unit cannot be mortgaged") }
            guard amount.fen > 0, let issued else { throw HousingError.invalid("a mortgage secures a positive amount") }
            mortgages.append(
                Mortgage(id: number, mortgagee: mortgagee, amount: amount, registeredOn: date, certification: issued)
            )
            summary = "mortgage to \(mortgagee.value)"
        case .dischargeMortgage(let id):
            guard mortgages.contains(where: { $0.id == id }) else { throw refuse("no mortgage \(id) on the unit") }
            mortgages.removeAll { $0.id == id }
            summary = "mortgage \(id) discharged"
        case .seizure(let court, let caseNumber):
            guard !court.isEmpty, !caseNumber.isEmpty else {
                throw HousingError.invalid("a seizure names the court and case")
            }
            // A second court may queue a seizure behind the first (轮候查封): both stand.
            restrictions.append(.seizure(court: court, caseNumber: caseNumber, on: date))
            summary = "seized by \(court) (\(caseNumber))"
        case .liftSeizure(let caseNumber):
            let before = restrictions.count
            restrictions.removeAll { if case .seizure(_, caseNumber, _) = $0 { true } else { false } }
            guard restrictions.count < before else { throw refuse("no seizure \(caseNumber) on the unit") }
            summary = "seizure \(caseNumber) lifted"
        case .advanceNotice(let beneficiary):
            if isSeized { throw refuse("a seized unit cannot be promised") }
            if restrictions.contains(where: { if case .advanceNotice = $0 { true } else { false } }) {
                throw refuse("the unit is already promised by an advance notice")
            }
            restrictions.append(.advanceNotice(beneficiary: beneficiary, on: date))
            summary = "advance notice for a buyer"
        case .objection(let by):
            restrictions.append(.objection(by: by, on: date))
            summary = "objection registered"
        case .cancellation:
            if isSeized { throw refuse("a seized unit cannot be cancelled") }
            guard mortgages.isEmpty else { throw refuse("a mortgaged unit cannot be cancelled") }
            cancelled = true
            holders = []
            certificate = nil
            summary = "unit cancelled"
        }
        let (type, right) = registration.kind
        history.append(RegisterEntry(number: number, type: type, right: right, on: date, summary: summary))
    }
}

/// The real-estate registration centre (不动产登记中心): the register of units, the certificates it
/// issues, look-up by unit and — for officials with a purpose — by holder, and the public map
/// search that shows no holder.
public struct RealEstateRegistry: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Registrations.
        public static let registration = Purpose(constant: "housing.registration")
        /// The public map search.
        public static let publicSearch = Purpose(constant: "housing.public-search")
    }

    let ports: ServicePorts
    /// The province's abbreviation and the place on the certificates this centre issues.
    public let province: Character
    /// The place (city or county) on the certificates.
    public let place: String

    /// A centre on the department's ports; `place` goes on its certificates (苏(2026)泰州市不动产权第…).
    public init(ports: ServicePorts, province: Character = "苏", place: String = "泰州市") {
        self.ports = ports.logging(as: "housing")
        self.province = province
        self.place = place
    }

    var logger: Logger { ports.logger }

    /// Registers `registration` on `unit` today: the page's move, a business number, and — for a
    /// first registration, a transfer or a mortgage — a new certificate (or certification) number in
    /// the year's sequence. The page, its public view and the holders' index change in one
    /// transaction.
    @discardableResult
    public func register(_ registration: Registration, on unit: UnitNumber) async throws(HousingError) -> RealEstateUnit
    {
        let today = CalendarDate(ports.clock.now())
        let (province, place) = (province, place)
        do {
            let page = try await ports.store.write(purpose: Purposes.registration) { db in
                var page =
                    try await db.get(RealEstateUnit.self, key: RecordKey(unit.value)) ?? RealEstateUnit(unit: unit)
                if case .first = registration, page.history.isEmpty == false, page.holders.isEmpty == false {
                    throw HousingError.exists("unit \(unit)")
                }
                var counter =
                    try await db.get(RegisterCounter.self, key: RecordKey("\(today.year)"))
                    ?? RegisterCounter(year: today.year, business: 0, rights: 0, certifications: 0)
                counter.business += 1
                let number = DecimalText.padded(today.year, width: 4) + DecimalText.padded(counter.business, width: 8)
                var issued: CertificateNumber?
                switch registration {
                case .first, .transfer:
                    counter.rights += 1
                    issued = try CertificateNumber(
                        province: province,
                        year: today.year,
                        place: place,
                        kind: .right,
                        sequence: counter.rights
                    )
                case .mortgage:
                    counter.certifications += 1
                    issued = try CertificateNumber(
                        province: province,
                        year: today.year,
                        place: place,
                        kind: .certification,
                        sequence: counter.certifications
                    )
                default: issued = nil
                }
                let before = page.holders
                try page.apply(registration, on: today, number: number, certificate: issued)
                for holder in before where !page.holders.contains(holder) {
                    _ = try await db.delete(Holding.self, key: Holding(holder: holder, unit: unit).recordKey)
                }
                for holder in page.holders where !before.contains(holder) {
                    try await db.put(Holding(holder: holder, unit: unit))
                }
                try await db.put(page)
                try await db.put(PublicUnit(page))
                try await db.put(counter)
                return page
            }
            logger.info(
                "registered",
                metadata: [
                    "operation": "register", "registration": "\(registration.name)", "unit": "\(unit)",
                    "number": "\(page.history.last?.number ?? "")",
                ]
            )
            return page
        } catch {
            let failure = HousingError(wrapping: error)
            logger.info("registration refused", metadata: ["operation": "register", "error": "\(failure.caseName)"])
            throw failure
        }
    }

    /// The register page of `unit`, read for `purpose` (its holders are personal data: the read
    /// is audited under it).
    public func unit(_ unit: UnitNumber, purpose: Purpose) async throws(HousingError) -> RealEstateUnit {
        do {
            let page = try await ports.store.read(purpose: purpose) { db in
                try await db.get(RealEstateUnit.self, key: RecordKey(unit.value))
            }
            guard let page else { throw HousingError.notFound("unit \(unit)") }
            return page
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// 依申请查询 by an official: every unit `holder` holds, read for `purpose` and audited under it.
    public func units(heldBy holder: Holder, purpose: Purpose) async throws(HousingError) -> [RealEstateUnit] {
        do {
            return try await ports.store.read(purpose: purpose) { db in
                var pages: [RealEstateUnit] = []
                for holding in try await db.fetch(RecordQuery<Holding>.filter("holder", equals: .text(holder.key))) {
                    if let page = try await db.get(RealEstateUnit.self, key: RecordKey(holding.unit.value)) {
                        pages.append(page)
                    }
                }
                return pages.sorted { $0.unit < $1.unit }
            }
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// The public map search: every unit of the parcel (the first 19 characters of a unit number,
    /// or a whole unit number), with only the public fields — no holder, certificate or amount.
    public func publicSearch(_ parcelOrUnit: String) async throws(HousingError) -> [PublicUnit] {
        let parcel = String(parcelOrUnit.prefix(19))
        guard parcel.count == 19 else {
            throw HousingError.invalid("a parcel is the first 19 characters of a unit number")
        }
        do {
            let found = try await ports.store.read(purpose: Purposes.publicSearch) { db in
                try await db.fetch(RecordQuery<PublicUnit>.filter("parcel", equals: .text(parcel)))
            }
            return found.filter { parcelOrUnit.count != 28 || $0.unit == parcelOrUnit }.sorted { $0.unit < $1.unit }
        } catch {
            throw HousingError(wrapping: error)
        }
    }
}

/// The year's counters of business numbers, certificates and certifications.
struct RegisterCounter: Hashable, Sendable, Codable, StorableRecord {
    let year: Int
    var business: Int
    var rights: Int
    var certifications: Int

    static let recordKind = "housing_counter"
    var recordKey: RecordKey { RecordKey("\(year)") }
}

extension RealEstateRegistry {
    /// Issues the real-estate registration certificate (不动产权证书) of `unit` as an e-certificate
    /// to `holder`, one of its holders, named `name` (the register keeps numbers, not names), with
    /// the type found in `registry`: the certificate number in force, the unit number, the address,
    /// the right, the use and the area. A unit without a certificate in force (cancelled), or a
    /// person who does not hold it, is refused.
    public func issueCertificate(
        _ unit: UnitNumber,
        to holder: ResidentID,
        name: PersonName,
        issuer: CertificateIssuer,
        holderKey: JSONWebKey,
        registry: CertificateTypeRegistry = .standard
    ) async throws(HousingError) -> IssuedCertificate {
        let page = try await self.unit(unit, purpose: Purposes.registration)
        guard let certificate = page.certificate else {
            throw .refused("certificate", state: page.state, reason: "no certificate is in force")
        }
        guard page.holders.contains(.resident(holder)) else {
            throw .refused("certificate", state: page.state, reason: "the person does not hold the unit")
        }
        guard let type = registry[CertificateType.realEstateRegistration.code] else {
            throw .invalid("the registry has no real-estate-registration type")
        }
        let claims: JSONObject = [
            "name": .string(name.unmasked), "certificate_number": .string(certificate.description),
            "unit_number": .string(unit.value), "location": .string(page.location),
            "right_type": "国有建设用地使用权/房屋所有权", "use": .string(page.use),
            "area": .number(Double(page.area) / 100),
        ]
        do {
            let issued = try await issuer.issue(
                type,
                to: .resident(holder),
                holderKey: holderKey,
                claims: claims,
                number: certificate.description
            )
            logger.info(
                "registration certificate issued",
                metadata: ["operation": "issueCertificate", "unit": "\(unit)"]
            )
            return issued
        } catch {
            throw .failed("\(error)")
        }
    }
}
