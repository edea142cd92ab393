import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
public import SocietyServices

/// 提取情形: the six grounds on which an account holder may withdraw from their housing provident
/// fund (住房公积金管理条例, art. 24).
public enum WithdrawalGround: String, Hashable, Sendable, Codable, CaseIterable {
    /// 购买、建造、翻建、大修自住住房: buying, building or rebuilding one's own home.
    case purchase
    /// 离休、退休: retirement.
    case retirement
    /// 完全丧失劳动能力，并与单位终止劳动关系: lost the capacity to work and left the employer.
    case lostWorkingCapacity
    /// 出境定居: settled abroad.
    case emigration
    /// 偿还购房贷款本息: repaying a home loan.
    case loanRepayment
    /// 房租超出家庭工资收入的规定比例: rent above the set share of the household's wage income.
    case rent
}

/// The fund centre's rules, as values.
public struct FundPolicy: Hashable, Sendable, Codable {
    /// Names the policy in every decision.
    public var version: String
    /// Contribution rates allowed, in percent of the wage base, each side: 5–12 % (DOMAINS.md,
    /// 住房公积金管理条例 art. 18 with the 2016 cap of 12 %).
    public var rates: ClosedRange<Int>
    /// Retirement age by sex, for the retirement ground. **Assumption**: 60 for men and 55 for
    /// women (the ages before the gradual rise that began on 2025-01-01; a record of the person's
    /// actual retirement is the better evidence).
    public var retirementAge: [Sex: Int]
    /// Months after a purchase's registration within which the purchase ground may be used:
    /// **assumption** 12.
    public var purchaseWindowMonths: Int

    /// The defaults above.
    public static let standard = FundPolicy(
        version: "fund/assumed-2026",
        rates: 5...12,
        retirementAge: [.male: 60, .female: 55],
        purchaseWindowMonths: 12
    )

    /// A policy.
    public init(version: String, rates: ClosedRange<Int>, retirementAge: [Sex: Int], purchaseWindowMonths: Int) {
        self.version = version
        self.rates = rates
        self.retirementAge = retirementAge
        self.purchaseWindowMonths = purchaseWindowMonths
    }
}

/// A housing provident fund account (住房公积金账户).
public struct FundAccount: Hashable, Sendable, Codable {
    /// The account number.
    public let id: String
    /// The holder (encrypted at rest).
    public let resident: ResidentID
    /// The employer paying in.
    public let employer: CreditCode
    /// The monthly wage base.
    public let wageBase: Money
    /// The employee's rate, percent.
    public let employeeRate: Int
    /// The employer's rate, percent.
    public let employerRate: Int
    /// The balance.
    public internal(set) var balance: Money
    /// Whether contributions are being paid (false once closed).
    public internal(set) var isOpen: Bool

    /// What one month's contribution adds: both sides' shares of the wage base, each rounded to
    /// the fen (half up).
    public var monthlyContribution: Money {
        let employee = (wageBase.fen * Int64(employeeRate) + 50) / 100
        let employer = (wageBase.fen * Int64(employerRate) + 50) / 100
        return Money(fen: employee + employer)
    }
}

extension FundAccount: StorableRecord {
    /// The table name.
    public static let recordKind = "housing_fund_account"
    /// The holder is personal data.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// By holder (keyed hash) and whether open.
    public static let indexes: [RecordIndex<FundAccount>] = [
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
        RecordIndex("open") { .integer($0.isOpen ? 1 : 0) },
    ]
    /// The account number.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// One movement on an account: a month's contribution or a withdrawal.
public struct FundEntry: Hashable, Sendable, Codable {
    /// Which.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// A month's contribution.
        case contribution
        /// A withdrawal.
        case withdrawal
    }

    /// The account.
    public let account: String
    /// The month (`2026-12`) for a contribution; the withdrawal's reference otherwise.
    public let reference: String
    /// Which.
    public let kind: Kind
    /// The amount (positive).
    public let amount: Money
    /// The day.
    public let on: CalendarDate
    /// A withdrawal's decision, every rule explained.
    public let decision: ExplainedDecision?
}

extension FundEntry: StorableRecord {
    /// The table name.
    public static let recordKind = "housing_fund_entry"
    /// By account.
    public static let indexes: [RecordIndex<FundEntry>] = [RecordIndex("account") { .text($0.account) }]
    /// Account and reference: a month is paid in once, a purchase withdrawn against once.
    public var recordKey: RecordKey { RecordKey("\(account)|\(kind.rawValue)|\(reference)") }
}

/// What a withdrawal asks for and the evidence it rests on.
public struct WithdrawalRequest: Hashable, Sendable {
    /// The ground.
    public var ground: WithdrawalGround
    /// The amount asked for (`nil`: as much as the ground allows).
    public var amount: Money?
    /// The evidence's reference for grounds the centre checks on a document (a disability
    /// assessment, an exit permit, a loan contract, a lease): its digest, `sha256:…`.
    public var document: String?

    /// A request.
    public init(ground: WithdrawalGround, amount: Money? = nil, document: String? = nil) {
        self.ground = ground
        self.amount = amount
        self.document = document
    }
}

/// The housing provident fund centre (住房公积金管理中心): accounts, monthly contributions, and
/// withdrawals on the six grounds — the purchase ground online, on the registration centre's
/// transfer notice by envelope instead of paper.
public struct ProvidentFund: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Accounts and contributions.
        public static let accounts = Purpose(constant: "fund.accounts")
        /// Withdrawals.
        public static let withdrawals = Purpose(constant: "fund.withdrawals")
    }

    let ports: ServicePorts
    /// The rules.
    public let policy: FundPolicy

    /// A centre on its ports, logging as component `fund`.
    public init(ports: ServicePorts, policy: FundPolicy = .standard) {
        self.ports = ports.logging(as: "fund")
        self.policy = policy
    }

    var logger: Logger { ports.logger }

    /// Opens an account; a second open account for the same person is refused.
    @discardableResult
    public func open(
        id: String,
        resident: ResidentID,
        employer: CreditCode,
        wageBase: Money,
        employeeRate: Int,
        employerRate: Int
    ) async throws(HousingError) -> FundAccount {
        guard ServiceEntry.isValidCode(id) else { throw .invalid("an account number is 3–64 letters, digits or '-'") }
        guard policy.rates.contains(employeeRate), policy.rates.contains(employerRate) else {
            throw .invalid(
                "contribution rates are \(policy.rates.lowerBound)–\(policy.rates.upperBound) % each (\(employeeRate) %, \(employerRate) %)"
            )
        }
        guard wageBase.fen > 0 else { throw .invalid("the wage base must be positive") }
        let account = FundAccount(
            id: id,
            resident: resident,
            employer: employer,
            wageBase: wageBase,
            employeeRate: employeeRate,
            employerRate: employerRate,
            balance: .zero,
            isOpen: true
        )
        do {
            return try await ports.store.write(purpose: Purposes.accounts) { db in
                if let kept = try await db.get(FundAccount.self, key: account.recordKey) {
                    guard kept.resident == resident else { throw HousingError.exists("account \(id)") }
                    return kept
                }
                let held = try await db.fetch(
                    RecordQuery<FundAccount>.filter("resident", equals: .text(resident.unmasked))
                )
                if let open = held.first(where: \.isOpen) { throw HousingError.exists("an open account (\(open.id))") }
                try await db.put(account)
                return account
            }
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// The account `id`.
    public func account(_ id: String) async throws(HousingError) -> FundAccount {
        do {
            let found = try await ports.store.read(purpose: Purposes.accounts) { db in
                try await db.get(FundAccount.self, key: RecordKey(id))
            }
            guard let found else { throw HousingError.notFound("account \(id)") }
            return found
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// Pays `month`'s contribution into every open account that has not had it; returns how many
    /// were paid now. Running a month again pays nothing twice.
    @discardableResult
    public func contribute(for month: String) async throws(HousingError) -> Int {
        guard month.count == 7, (try? CalendarDate(iso8601: month + "-01")) != nil else {
            throw .invalid("\(month) is not YYYY-MM")
        }
        let today = CalendarDate(ports.clock.now())
        do {
            let paid = try await ports.store.write(purpose: Purposes.accounts) { db in
                var accounts: [FundAccount] = []
                try await db.forEach(RecordQuery<FundAccount>.filter("open", equals: .integer(1))) { account in
                    accounts.append(account)
                    return true
                }
                var paid = 0
                for var account in accounts {
                    let entry = FundEntry(
                        account: account.id,
                        reference: month,
                        kind: .contribution,
                        amount: account.monthlyContribution,
                        on: today,
                        decision: nil
                    )
                    guard try await db.get(FundEntry.self, key: entry.recordKey) == nil else { continue }
                    account.balance = try account.balance.adding(entry.amount)
                    try await db.put(entry)
                    try await db.put(account)
                    paid += 1
                }
                return paid
            }
            logger.info(
                "contributions paid",
                metadata: ["operation": "contribute", "month": "\(month)", "accounts": "\(paid)"]
            )
            return paid
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// Withdraws on `request.ground`, decided by the rules and kept whatever the decision: the
    /// account is open and holds money; the ground's own rule (retirement by age from the identity
    /// number; a document for the grounds checked on paper; the purchase ground only by
    /// ``withdrawForPurchase(account:notice:)``); the amount within the balance.
    public func withdraw(
        account id: String,
        _ request: WithdrawalRequest,
        reference: String
    ) async throws(HousingError)
        -> FundEntry
    {
        guard ServiceEntry.isValidCode(reference) else { throw .invalid("a reference is 3–64 letters, digits or '-'") }
        let (today, policy) = (CalendarDate(ports.clock.now()), policy)
        return try await decide(account: id, reference: reference) { account in
            var checks: [RuleCheck] = []
            switch request.ground {
            case .purchase:
                checks.append(
                    RuleCheck(
                        rule: "purchase-by-registration",
                        statement: "the purchase ground is taken online on the registration centre's transfer notice",
                        passed: false
                    )
                )
            case .retirement:
                let age = account.resident.age(on: today)
                let threshold = policy.retirementAge[account.resident.sex] ?? 60
                checks.append(
                    RuleCheck(
                        rule: "retirement-age",
                        statement: "aged \(age) \(age >= threshold ? "≥" : "<") \(threshold)",
                        passed: age >= threshold
                    )
                )
            case .lostWorkingCapacity, .emigration, .loanRepayment, .rent:
                let document = request.document ?? ""
                let valid = document.hasPrefix("sha256:") && document.count == 71
                checks.append(
                    RuleCheck(
                        rule: "evidence",
                        statement: valid
                            ? "evidence \(document.prefix(15))… handed in" : "no evidence (a sha256: digest) handed in",
                        passed: valid
                    )
                )
            }
            return (checks, request.amount ?? account.balance)
        }
    }

    /// 购房提取, online: the registration centre's notice of a transfer (data `{"unit", "buyer",
    /// "price", "registeredOn"}`) is the evidence — the buyer is the account holder, the transfer
    /// was registered within the window — and the amount is the balance, at most the price. Once per
    /// unit.
    public func withdrawForPurchase(account id: String, notice: OpenedEnvelope) async throws(HousingError) -> FundEntry
    {
        let data = notice.claims.data
        guard let unitText = data["unit"]?.stringValue, let buyerText = data["buyer"]?.stringValue,
            let priceText = data["price"]?.stringValue, let dayText = data["registeredOn"]?.stringValue
        else { throw .malformedNotice("a transfer notice names unit, buyer, price and registeredOn") }
        let unit: UnitNumber
        let buyer: ResidentID
        let price: Money
        let registered: CalendarDate
        do {
            unit = try UnitNumber(unitText)
            buyer = try ResidentID(buyerText)
            price = try Money(yuanText: priceText)
            registered = try CalendarDate(iso8601: dayText)
        } catch {
            throw .malformedNotice("\(error)")
        }
        let evidence: String
        do {
            evidence = try notice.evidence(digest: ports.profile.digest, crypto: ports.crypto)
        } catch {
            throw .failed("\(error)")
        }
        let (today, policy) = (CalendarDate(ports.clock.now()), policy)
        return try await decide(account: id, reference: "purchase-\(unit.value)") { account in
            let closes = registered.adding(months: policy.purchaseWindowMonths)
            let checks = [
                RuleCheck(
                    rule: "buyer-is-holder",
                    statement: buyer == account.resident ? "the buyer holds the account" : "the buyer is someone else",
                    passed: buyer == account.resident
                ),
                RuleCheck(
                    rule: "purchase-window",
                    statement: "transfer registered \(registered.iso8601), window closes \(closes.iso8601)",
                    passed: registered <= today && today <= closes
                ),
                RuleCheck(
                    rule: "registration-evidence",
                    statement: "transfer of \(unit) registered, notice \(evidence.prefix(22))…",
                    passed: true
                ),
            ]
            return (checks, min(account.balance, price))
        }
    }

    /// Decides a withdrawal: the ground's checks from `rules`, then the account's own (open, money
    /// in it, the amount within the balance); a withdrawal under the same reference is refused.
    private func decide(
        account id: String,
        reference: String,
        rules: @escaping @Sendable (FundAccount) throws -> ([RuleCheck], Money)
    ) async throws(HousingError) -> FundEntry {
        let (today, version) = (CalendarDate(ports.clock.now()), policy.version)
        do {
            let entry = try await ports.store.write(purpose: Purposes.withdrawals) { db in
                guard var account = try await db.get(FundAccount.self, key: RecordKey(id)) else {
                    throw HousingError.notFound("account \(id)")
                }
                let key = RecordKey("\(id)|\(FundEntry.Kind.withdrawal.rawValue)|\(reference)")
                if try await db.get(FundEntry.self, key: key) != nil {
                    throw HousingError.exists("a withdrawal \(reference) on account \(id)")
                }
                var (checks, amount) = try rules(account)
                checks.append(
                    RuleCheck(
                        rule: "balance",
                        statement: "\(amount.yuanText) asked, \(account.balance.yuanText) held",
                        passed: amount.fen > 0 && amount <= account.balance
                    )
                )
                let decision = ExplainedDecision(checks: checks, policyVersion: version)
                if !decision.isEligible { amount = .zero }
                let entry = FundEntry(
                    account: id,
                    reference: reference,
                    kind: .withdrawal,
                    amount: amount,
                    on: today,
                    decision: decision
                )
                if decision.isEligible {
                    account.balance = try account.balance.subtracting(amount)
                    try await db.put(account)
                    try await db.put(entry)
                }
                return entry
            }
            logger.info(
                "withdrawal decided",
                metadata: [
                    "operation": "withdraw", "account": "\(id)", "approved": "\(entry.decision?.isEligible ?? false)",
                ]
            )
            return entry
        } catch {
            throw HousingError(wrapping: error)
        }
    }
}
