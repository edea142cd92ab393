import Foundation
import SocietyAssistance
import SocietyCommunity
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyHealth
import SocietyHousing
import SocietyJSON
import SocietyOneCard
import SocietySynthetic

/// The demo's city government: its departments as parties of one deployment — each with its
/// keys and its store in the deployment's state folder — and the trust list the big-data bureau
/// signs for them. Keys, stores, sealers and openers all come from the deployment.
struct DemoGovernment {
    /// A department as a party in the exchange.
    struct Member {
        let party: Party
        let name: String
    }

    let deployment: Deployment
    let rootKey: any SigningKey
    let signedTrustList: SignedTrustList
    let trustList: TrustList
    let civilAffairs: Member
    let departments: [DataSourceDepartment: Member]
    let oneCard: Member
    let populationRegister: Member
    /// The home-transfer bundle's departments: the tax bureau, the registration centre, the fund centre.
    let tax: Member
    let realEstate: Member
    let housingFund: Member
    /// The education bureau: its public draws are signed with its key.
    let education: Member
    /// The community service centre that assembles family archives and runs the grids.
    let community: Member
    /// The one network's consent desk, which records and signs households' consents.
    let consentDesk: Member
    /// The market supervision bureau: its inspection draws are signed with its key.
    let market: Member

    /// Builds the parties (their keys generated into the state folder on first use) and the
    /// trust list, signed by a bureau root key made for this run.
    init(deployment: Deployment) throws {
        self.deployment = deployment
        let now = deployment.configuration.clock.now()
        func member(_ code: String, _ subsystem: String, _ name: String) throws -> Member {
            Member(party: try Party(organization: CreditCode(code), subsystem: subsystem), name: name)
        }
        // Credit codes of the demo's departments: synthetic but valid (GB 32100 checks pass).
        let codes = try DemoGovernment.departmentCodes()
        civilAffairs = try member(codes[0], "assistance", "泰州市民政局 社会救助系统")
        oneCard = try member(codes[1], "onecard", "泰州市人社局 社会保障卡系统")
        populationRegister = try member(codes[2], "population", "泰州市公安局 人口信息系统")
        var departments: [DataSourceDepartment: Member] = [:]
        for (index, department) in DataSourceDepartment.allCases.enumerated() {
            departments[department] = try member(codes[3 + index], department.rawValue, department.name)
        }
        self.departments = departments
        let extra = 3 + DataSourceDepartment.allCases.count
        tax = try member(codes[extra], "tax", "国家税务总局泰州市税务局")
        realEstate = try member(codes[extra + 1], "real-estate", "泰州市不动产登记中心")
        housingFund = try member(codes[extra + 2], "housing-fund", "泰州市住房公积金管理中心")
        education = try member(codes[extra + 3], "education", "泰州市教育局")
        community = try member(codes[extra + 4], "community", "海陵区城东街道社区综合服务中心")
        consentDesk = try member(codes[extra + 5], "consent-desk", "泰州市政务服务管理办公室 一网通办授权确认")
        market = try member(codes[extra + 6], "market", "泰州市市场监督管理局")
        rootKey = try deployment.crypto.generateSigningKey(deployment.profile.signature)

        let purpose = VerificationService.purpose
        let all =
            [civilAffairs, oneCard, populationRegister] + DataSourceDepartment.allCases.compactMap { departments[$0] }
            + [tax, realEstate, housingFund, education, community, consentDesk, market]
        var list = TrustList(
            version: 1,
            issuedAt: now.addingTimeInterval(-60),
            nextUpdate: now.addingTimeInterval(86_400)
        )
        for member in all {
            list.parties.append(
                try deployment.trustEntry(of: member.party, name: member.name, validFrom: now.addingTimeInterval(-3600))
            )
        }
        for department in DataSourceDepartment.allCases {
            guard let provider = departments[department] else { continue }
            let service = DemoGovernment.service(of: department)
            let fields = department.fieldNames.map {
                DataService.Field(name: $0, level: .important, sensitivity: .sensitivePersonal)
            }
            list.services.append(
                DataService(id: service, provider: provider.party, fields: fields, purposes: [purpose])
            )
            list.grants.append(AccessGrant(consumer: civilAffairs.party, service: service, purposes: [purpose]))
        }
        let deathService = "ps.death-register"
        let monitoring = OneCardService.Purposes.monitoring
        list.services.append(
            DataService(
                id: deathService,
                provider: populationRegister.party,
                fields: [.init(name: "dateOfDeath", level: .general, sensitivity: .personal)],
                purposes: [monitoring]
            )
        )
        list.grants.append(AccessGrant(consumer: oneCard.party, service: deathService, purposes: [monitoring]))
        // The home-transfer bundle: the tax bureau's receipts to the registration centre, the
        // centre's transfer notices to the fund centre.
        let personal = { (name: String) in DataService.Field(name: name, level: .general, sensitivity: .personal) }
        let registration = Purpose(constant: "housing.registration")
        let withdrawals = Purpose(constant: "fund.withdrawals")
        list.services.append(
            DataService(
                id: HomeTransfer.taxReceipts,
                provider: tax.party,
                fields: ["unit", "buyer", "price", "tax", "paidOn"].map(personal),
                purposes: [registration]
            )
        )
        list.grants.append(
            AccessGrant(consumer: realEstate.party, service: HomeTransfer.taxReceipts, purposes: [registration])
        )
        list.services.append(
            DataService(
                id: HomeTransfer.transferNotices,
                provider: realEstate.party,
                fields: ["unit", "buyer", "price", "registeredOn"].map(personal),
                purposes: [withdrawals]
            )
        )
        list.grants.append(
            AccessGrant(consumer: housingFund.party, service: HomeTransfer.transferNotices, purposes: [withdrawals])
        )
        // The newborn bundle: the hospital's birth certificates to public security, public
        // security's registrations to the medical-insurance bureau (the one-card's party here).
        if let health = departments[.health] {
            let registration = Purpose(constant: "ps.household-registration")
            list.services.append(
                DataService(
                    id: NewbornBundle.birthService,
                    provider: health.party,
                    fields: ["number", "name", "sex", "born", "hospital", "mother", "district"].map(personal),
                    purposes: [registration]
                )
            )
            list.grants.append(
                AccessGrant(
                    consumer: populationRegister.party,
                    service: NewbornBundle.birthService,
                    purposes: [registration]
                )
            )
        }
        let enrolment = Purpose(constant: "mi.enrolment")
        list.services.append(
            DataService(
                id: NewbornBundle.registrationService,
                provider: populationRegister.party,
                fields: ["certificate", "child", "registeredOn"].map(personal),
                purposes: [enrolment]
            )
        )
        list.grants.append(
            AccessGrant(consumer: oneCard.party, service: NewbornBundle.registrationService, purposes: [enrolment])
        )
        // The community: the family archive's sections and the grid's special groups.
        for (id, provider, fields) in DemoGovernment.archiveSections(civil: civilAffairs.party, oneCard: oneCard.party)
        {
            list.services.append(FamilyArchivePort.service(id, provider: provider, fields: fields))
            list.grants.append(
                AccessGrant(consumer: community.party, service: id, purposes: [FamilyArchivePort.purpose])
            )
        }
        for group in [SpecialGroup.dibao, .disabled] {
            list.services.append(SpecialGroupPort.service(group, provider: civilAffairs.party))
            list.grants.append(
                AccessGrant(
                    consumer: community.party,
                    service: group.service,
                    purposes: Set(GridPurpose.allCases.map(\.purpose))
                )
            )
        }
        signedTrustList = try SignedTrustList.sign(list, with: rootKey, kid: "bureau-root-1")
        var anchor = TrustAnchor(root: rootKey.publicKey)
        trustList = try anchor.accept(SignedTrustList(parsing: signedTrustList.text), now: now)
    }

    /// The family archive's sections: civil affairs' (the household's dibao standing, the
    /// disability register kept in the demo by civil affairs' party) and the one-card's.
    static func archiveSections(civil: Party, oneCard: Party) -> [(String, Party, [String])] {
        [
            ("civil-affairs.archive", civil, ["dibaoHousehold"]),
            ("disability.archive", civil, ["category", "level"]),
            ("onecard.archive", oneCard, ["generation", "state"]),
        ]
    }

    /// The department whose store is `store`, acting as `member`.
    func department(_ store: String, as member: Member) throws -> OpenedDepartment {
        try deployment.department(store, party: member.party)
    }

    /// The data service a data-source department answers the verification on.
    static func service(of department: DataSourceDepartment) -> String { "\(department.rawValue).facts" }

    /// The key id of `member`'s signing key on the trust list.
    func signingKid(of member: Member) -> String? {
        trustList.parties.first { $0.party == member.party }?.keys.first { $0.use == .signature }?.kid
    }

    /// Valid credit codes for the demo's parties (government bodies registered in Taizhou).
    static func departmentCodes() throws -> [String] {
        let division = try DivisionCode("321200")
        return try (0..<(10 + DataSourceDepartment.allCases.count)).map { index in
            try CreditCode(
                authority: .institutionalOrganization,
                type: "1",
                division: division,
                organizationBody: "0142" + DecimalText.padded(8710 + index * 7, width: 4)
            ).value
        }
    }
}
