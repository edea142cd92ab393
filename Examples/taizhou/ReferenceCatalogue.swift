/// The catalogue the tool uses unless `--catalogue FILE` names another: a few services of the
/// synthetic city and the assistance bundle (issue 19), in the file format deployments use.
///
/// Illustrative, not official: the codes, names of departments and materials are the synthetic
/// city's. The childcare filing's 5 working days come from the childcare rules in
/// `shared/DOMAINS.md`; every other time limit here is an assumption of the example, labelled as such
/// in Documentation/Services.md.
enum ReferenceCatalogue {
    static let json = """
        {
          "format": "ds.service-catalogue/1",
          "services": [
            {
              "code": "assistance-application", "name": "最低生活保障申请 (minimum living allowance)",
              "department": "civil-affairs", "legalBasis": ["社会救助暂行办法"], "applicant": "household",
              "materials": [
                {"exchange": {"service": "hrss.facts", "replaces": "employment and wage certificates"}},
                {"exchange": {"service": "nr.facts", "replaces": "real-estate certificates"}},
                {"exchange": {"service": "ps.facts", "replaces": "household register and vehicle records"}},
                {"exchange": {"service": "amr.facts", "replaces": "business registration records"}},
                {"exchange": {"service": "health.facts", "replaces": "medical expense receipts"}},
                {"exchange": {"service": "dpf.facts", "replaces": "disability assessment"}},
                {"exchange": {"service": "bank.facts", "replaces": "bank statements"}}
              ],
              "channels": ["online", "counter"],
              "timeLimit": {"statutory": 30, "promised": 20, "materials": 5}, "outcome": "decision"
            },
            {
              "code": "assistance-verification", "name": "家庭经济状况核对 (household economic verification)",
              "department": "civil-affairs", "legalBasis": ["社会救助暂行办法"], "applicant": "household",
              "materials": [{"exchange": {"service": "tax.income", "replaces": "income statement"}}],
              "channels": ["online"],
              "timeLimit": {"statutory": 15, "promised": 10, "materials": 5}, "outcome": "decision"
            },
            {
              "code": "onecard-payment", "name": "社保卡待遇发放 (payment through the one-card)",
              "department": "onecard", "legalBasis": ["社会保障卡管理办法"], "applicant": "resident",
              "materials": [], "channels": ["online"],
              "timeLimit": {"statutory": 10, "promised": 5, "materials": 5}, "outcome": "payment"
            },
            {
              "code": "family-doctor-contract", "name": "家庭医生签约 (family-doctor contract)",
              "department": "family-doctor", "legalBasis": ["关于推进家庭医生签约服务的指导意见"],
              "applicant": "resident", "materials": [], "channels": ["online", "counter"],
              "timeLimit": {"statutory": 5, "promised": 3, "materials": 5}, "outcome": "decision"
            },
            {
              "code": "childcare-filing", "name": "托育机构备案 (childcare institution filing)",
              "department": "health-commission", "legalBasis": ["托育机构登记和备案办法（试行）"],
              "applicant": "organisation",
              "materials": [
                {"document": {"name": "premises floor plan"}},
                {"exchange": {"service": "market.business-licence", "replaces": "business licence copy"}}
              ],
              "channels": ["online", "counter"],
              "timeLimit": {"statutory": 5, "promised": 5, "materials": 5}, "outcome": "decision"
            }
          ],
          "bundles": [
            {
              "code": "assistance-bundle", "name": "低收入家庭救助一件事 (assistance for a low-income household)",
              "parts": ["assistance-application", "assistance-verification", "onecard-payment", "family-doctor-contract"]
            }
          ]
        }
        """
}
