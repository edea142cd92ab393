import SocietyCore
public import SocietyJSON

/// Whom a certificate type is issued to.
public enum HolderKind: String, Codable, Hashable, Sendable {
    /// A natural person, identified by ``ResidentID``.
    case resident
    /// An organization, identified by ``CreditCode``.
    case organization
}

/// What a claim's value must be. Closed, so that every type's claims are checked the same way.
public enum ClaimKind: Hashable, Sendable {
    /// Free text (1–256 characters).
    case text
    /// A registered name, checked as ``PersonName``.
    case personName
    /// A calendar date `YYYY-MM-DD`.
    case date
    /// A whole number ≥ 0.
    case count
    /// A number ≥ 0 (an area in square metres).
    case quantity
    /// One of the listed codes.
    case choice([String])
    /// A six-digit administrative division code (GB/T 2260).
    case division
    /// Text matching a pattern (a certificate or unit number), with the pattern's description.
    case pattern(String, description: String)
}

/// One claim a certificate type carries.
public struct ClaimSpecification: Hashable, Sendable {
    /// The claim name in both views (JSON member name).
    public let name: String
    /// The label printed on the paper certificate.
    public let label: String
    /// What the value must be.
    public let kind: ClaimKind
    /// Whether every certificate of the type has it.
    public let required: Bool

    /// Creates a claim specification.
    public init(_ name: String, _ label: String, _ kind: ClaimKind, required: Bool = true) {
        self.name = name
        self.label = label
        self.kind = kind
        self.required = required
    }
}

/// A kind of electronic certificate (电子证照): its code, its official name and its typed claims.
///
/// Types are values in a ``CertificateTypeRegistry`` rather than enum cases, because each city
/// adds licences of its own; the five the plan names are ``CertificateTypeRegistry/standard``.
public struct CertificateType: Hashable, Sendable {
    /// A stable code: `a–z` and `-`, used in `vct` and on the command line.
    public let code: String
    /// The official Chinese name, as printed.
    public let name: String
    /// An English name for documentation and logs.
    public let englishName: String
    /// Whether a resident or an organization holds it.
    public let holderKind: HolderKind
    /// The claims, in the order the paper certificate prints them.
    public let claims: [ClaimSpecification]
    /// A cross-claim rule beyond each claim's kind.
    public let rule: ConsistencyRule

    /// Rules that relate several claims, or a claim to the holder.
    public enum ConsistencyRule: Hashable, Sendable {
        /// No rule beyond the claims' kinds.
        case none
        /// The 20-character disability certificate number is the holder's ResidentID followed by
        /// the category and level digits (second-generation certificate).
        case disabilityNumber
    }

    /// Creates a type.
    public init(
        code: String,
        name: String,
        englishName: String,
        holderKind: HolderKind,
        claims: [ClaimSpecification],
        rule: ConsistencyRule = .none
    ) {
        self.code = code
        self.name = name
        self.englishName = englishName
        self.holderKind = holderKind
        self.claims = claims
        self.rule = rule
    }

    /// The SD-JWT VC type identifier (`vct`), a URN that is stable across issuers.
    public var vct: String { "urn:cn:taizhou:ecert:\(code):1" }

    /// Claim names the certificate itself uses in both views; type claims must avoid them.
    public static let reservedNames: Set<String> = [
        "number", "holder", "issue_date", "iss", "iat", "nbf", "exp", "vct", "cnf", "status", "sub", "_sd", "_sd_alg",
    ]

    /// Checks `claims` against the specification: no unknown claim, every required claim present,
    /// every value of its kind, and the type's consistency rule.
    public func validate(_ claims: JSONObject, holder: CertificateHolder) throws(CertificateError) {
        let known = Set(self.claims.map(\.name))
        if let unknown = claims.keys.first(where: { !known.contains($0) }) {
            throw .invalidClaims("\(code) has no claim \(unknown)")
        }
        for specification in self.claims {
            guard let value = claims[specification.name] else {
                if specification.required { throw .invalidClaims("\(specification.name) is required") }
                continue
            }
            try Self.check(value, specification)
        }
        guard holder.kind == holderKind else {
            throw .invalidClaims("\(code) is issued to a \(holderKind.rawValue), not a \(holder.kind.rawValue)")
        }
        switch rule {
        case .none: break
        case .disabilityNumber:
            guard case .resident(let resident) = holder,
                let category = claims["category"]?.stringValue.flatMap(DisabilityCategory.init(code:)),
                let level = claims["level"]?.stringValue.flatMap(DisabilityLevel.init(code:))
            else { throw .invalidClaims("disability certificate needs a resident holder, category and level") }
            let number = DisabilityCertificateNumber(resident: resident, category: category, level: level)
            if let given = claims["number"]?.stringValue, given != number.unmasked {
                throw .invalidClaims("number does not match holder, category and level")
            }
        }
    }

    private static func check(_ value: JSONValue, _ specification: ClaimSpecification) throws(CertificateError) {
        let name = specification.name
        switch specification.kind {
        case .text:
            guard let text = value.stringValue, (1...256).contains(text.count) else {
                throw .invalidClaims("\(name) must be text of 1–256 characters")
            }
        case .personName:
            guard let text = value.stringValue, (try? PersonName(text)) != nil else {
                throw .invalidClaims("\(name) is not a valid name")
            }
        case .date:
            guard let text = value.stringValue, (try? CalendarDate(iso8601: text)) != nil else {
                throw .invalidClaims("\(name) must be a date YYYY-MM-DD")
            }
        case .count:
            guard let number = value.doubleValue, number >= 0, number == number.rounded(), number < 1e9 else {
                throw .invalidClaims("\(name) must be a whole number ≥ 0")
            }
        case .quantity:
            guard let number = value.doubleValue, number >= 0, number < 1e12 else {
                throw .invalidClaims("\(name) must be a number ≥ 0")
            }
        case .choice(let codes):
            guard let text = value.stringValue, codes.contains(text) else {
                throw .invalidClaims("\(name) must be one of \(codes.joined(separator: ", "))")
            }
        case .division:
            guard let text = value.stringValue, (try? DivisionCode(text)) != nil else {
                throw .invalidClaims("\(name) must be a six-digit division code")
            }
        case .pattern(let pattern, let description):
            guard let regex = try? Regex(pattern), let text = value.stringValue, text.wholeMatch(of: regex) != nil
            else {
                throw .invalidClaims("\(name) must be \(description)")
            }
        }
    }
}

/// The certificate types a deployment issues and verifies, by code.
public struct CertificateTypeRegistry: Hashable, Sendable {
    /// The types, by code.
    public private(set) var types: [String: CertificateType]

    /// A registry of `types`; a later type with the same code replaces an earlier one.
    public init(_ types: [CertificateType]) {
        self.types = Dictionary(types.map { ($0.code, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The type with `code`, or `nil`.
    public subscript(code: String) -> CertificateType? { types[code] }

    /// The type whose `vct` is `vct`, or `nil`.
    public func type(forVCT vct: String) -> CertificateType? { types.values.first { $0.vct == vct } }

    /// Adds or replaces a type.
    public mutating func register(_ type: CertificateType) { types[type.code] = type }

    /// The five types the plan names first, and the marketplace's provider qualification.
    public static let standard = CertificateTypeRegistry([
        .realEstateRegistration, .disability, .veteranPreferentialTreatment, .childcareInstitutionLicence,
        .unemploymentRegistration, .providerQualification,
    ])
}

extension CertificateType {
    /// 不动产权证书: the real-estate registration certificate (DOMAINS.md, Housing).
    public static let realEstateRegistration = CertificateType(
        code: "real-estate-registration",
        name: "不动产权证书",
        englishName: "Real-estate registration certificate",
        holderKind: .resident,
        claims: [
            .init("name", "权利人", .personName),
            .init(
                "certificate_number",
                "证书号",
                .pattern(#"\p{Han}\(\d{4}\)\p{Han}+不动产权第\d{7}号"#, description: "of the form 苏(2017)海门市不动产权第0000183号")
            ),
            .init(
                "unit_number",
                "不动产单元号",
                .pattern(
                    #"\d{12}[GJ][ABCDEFGHSXWY]\d{5}[WFLQ]\d{8}"#,
                    description: "a 28-character real-estate unit number"
                )
            ),
            .init("location", "坐落", .text),
            .init("right_type", "权利类型", .text),
            .init("use", "用途", .text),
            .init("area", "面积(m²)", .quantity),
        ]
    )

    /// 残疾人证 (second generation): number = ResidentID + category + level (REFERENCES.md).
    public static let disability = CertificateType(
        code: "disability",
        name: "中华人民共和国残疾人证",
        englishName: "Disability certificate",
        holderKind: .resident,
        claims: [
            .init("name", "姓名", .personName),
            .init("category", "残疾类别", .choice(DisabilityCategory.allCases.map(\.code))),
            .init("level", "残疾等级", .choice(DisabilityLevel.allCases.map(\.code))),
            .init("guardian", "监护人", .personName, required: false),
        ],
        rule: .disabilityNumber
    )

    /// 优待证: the veterans' and other preferential-care recipients' preferential-treatment certificate.
    public static let veteranPreferentialTreatment = CertificateType(
        code: "veteran-preferential-treatment",
        name: "优待证",
        englishName: "Veteran preferential-treatment certificate",
        holderKind: .resident,
        claims: [
            .init("name", "姓名", .personName),
            .init("category", "优待对象类别", .choice(["veteran", "martyr-family", "fallen-family", "deceased-family"])),
            .init("discharge_date", "退役时间", .date, required: false),
        ]
    )

    /// 托育机构备案回执 / licence: held by the institution, with its capacity in places.
    public static let childcareInstitutionLicence = CertificateType(
        code: "childcare-institution-licence",
        name: "托育机构备案证明",
        englishName: "Childcare institution licence",
        holderKind: .organization,
        claims: [
            .init("institution_name", "机构名称", .text),
            .init("address", "地址", .text),
            .init("division", "行政区划", .division),
            .init("capacity", "托位数", .count),
            .init("legal_representative", "法定代表人", .personName),
        ]
    )

    /// 第三方服务机构数据服务资质: the qualification a third-party provider presents when it applies to
    /// the marketplace (plan item 17) — the synthetic city's own type, issued by the big-data bureau
    /// after checking the organisation's network-security protection level (等级保护, GB/T 22239).
    public static let providerQualification = CertificateType(
        code: "provider-qualification",
        name: "第三方服务机构数据服务资质",
        englishName: "Third-party provider qualification",
        holderKind: .organization,
        claims: [
            .init("organisation_name", "机构名称", .text),
            .init("service_fields", "服务领域", .text),
            .init("protection_level", "网络安全等级保护级别", .choice(["2", "3", "4"])),
        ]
    )

    /// 就业失业登记证: the unemployment registration certificate.
    public static let unemploymentRegistration = CertificateType(
        code: "unemployment-registration",
        name: "就业失业登记证",
        englishName: "Unemployment registration certificate",
        holderKind: .resident,
        claims: [
            .init("name", "姓名", .personName),
            .init("registration_date", "失业登记日期", .date),
            .init("division", "登记地", .division),
        ]
    )
}
