/// An organization that provides or receives services: a department, a hospital, a school, a
/// childcare institution, an enterprise.
///
/// Its credit code is its identity across every department and in the exchange's trust list.
public struct Organization: Hashable, Sendable, Codable, DataClassified {
    /// The unified social credit code.
    public let creditCode: CreditCode
    /// The registered name.
    public var name: String
    /// What kind of organization it is, for the plan's domains.
    public var kind: Kind
    /// Where it is registered or operates.
    public var division: DivisionCode

    /// The kinds of organization the plan's domains deal with.
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        /// A government department (部门).
        case governmentDepartment
        /// A public institution (事业单位).
        case publicInstitution
        /// A company (企业).
        case enterprise
        /// A social organization (社会组织).
        case socialOrganization
        /// A hospital or primary-care institution.
        case hospital
        /// A school or kindergarten.
        case school
        /// A childcare institution (托育机构).
        case childcareInstitution
        /// An elderly-care provider (养老机构).
        case elderCareProvider
        /// A bank (cards and payouts).
        case bank
        /// A residents' or villagers' committee (居委会, 村委会): the community grid.
        case communityCommittee
        /// A third-party provider of value-added public services (item 17).
        case thirdPartyProvider
    }

    /// Organizations are public actors.
    public static var sensitivity: Sensitivity { .public }
    /// Registration data is general data.
    public static var dataLevel: DataLevel { .general }

    /// Creates an organization record.
    public init(creditCode: CreditCode, name: String, kind: Kind, division: DivisionCode) {
        self.creditCode = creditCode
        self.name = name
        self.kind = kind
        self.division = division
    }
}

/// A government department in the plan, with the domains it leads or supports.
///
/// The plan names a lead department for each item and cooperating departments beside it; the
/// big-data bureau collects and shares the data ("business departments state the need, data-source
/// departments supply the data, the big-data bureau collects it").
public struct Department: Hashable, Sendable, Codable {
    /// The department as an organization.
    public var organization: Organization
    /// Its function in government.
    public var function: Function
    /// The roles it plays in the plan's data flows.
    public var roles: Set<Role>

    /// The government functions the plan names.
    public enum Function: String, Codable, Hashable, Sendable, CaseIterable {
        /// 大数据管理局.
        case bigDataBureau
        /// 卫生健康委员会.
        case healthCommission
        /// 教育局.
        case educationBureau
        /// 人力资源和社会保障局.
        case humanResourcesAndSocialSecurity
        /// 住房和城乡建设局.
        case housingAndConstruction
        /// 自然资源和规划局.
        case naturalResources
        /// 民政局.
        case civilAffairs
        /// 文化广电和旅游局.
        case cultureAndTourism
        /// 体育局.
        case sports
        /// 医疗保障局.
        case medicalSecurity
        /// 残疾人联合会.
        case disabledPersonsFederation
        /// 退役军人事务局.
        case veteransAffairs
        /// 农业农村局.
        case agricultureAndRuralAffairs
        /// 供销合作总社.
        case supplyAndMarketing
        /// 市场监督管理局.
        case marketRegulation
        /// 公安局.
        case publicSecurity
        /// 财政局.
        case finance

        /// The plan items (PLAN.md numbering) this function leads.
        public var leadsPlanItems: [Int] {
            switch self {
            case .bigDataBureau: [1, 2, 11, 17]
            case .healthCommission: [3, 7]
            case .educationBureau: [4]
            case .humanResourcesAndSocialSecurity: [5, 11]
            case .housingAndConstruction: [6, 14]
            case .naturalResources: [6]
            case .civilAffairs: [8, 9, 14]
            case .cultureAndTourism, .sports: [10]
            case .medicalSecurity: [11]
            case .disabledPersonsFederation: [12]
            case .veteransAffairs: [13]
            case .agricultureAndRuralAffairs, .supplyAndMarketing: [15]
            case .marketRegulation: [16]
            case .publicSecurity, .finance: []
            }
        }
    }

    /// A department's role in a data flow.
    public enum Role: String, Codable, Hashable, Sendable, CaseIterable {
        /// Leads a plan item (牵头).
        case lead
        /// Cooperates on a plan item (配合).
        case cooperating
        /// Supplies data from its own registers (数源部门).
        case dataSource
        /// Collects and shares data for the city (大数据局).
        case bureau
    }

    /// Creates a department record.
    public init(organization: Organization, function: Function, roles: Set<Role>) {
        self.organization = organization
        self.function = function
        self.roles = roles
    }
}
