public import SocietyCore

/// What the social-insurance agency and the public employment service hold about one synthetic
/// worker: unemployment-insurance contributions, the industry of the (last) job, and — for a
/// person out of work who registered — the registration.
///
/// Derived from the person's identity number alone (a keyed-free hash), so it adds no draw to the
/// city's random stream: every figure the city had before stays the same. The rates are
/// **assumptions** chosen to look like a Jiangsu prefecture city: seven in ten of the unemployed
/// register (the rest are unemployed in a survey's sense only), eight in ten of those lost their job
/// against their will, and nine in ten are looking for work.
public struct SyntheticWorkHistory: Hashable, Sendable {
    /// A registration at the public employment service.
    public struct Registration: Hashable, Sendable {
        /// The day of registration.
        public let registeredOn: CalendarDate
        /// The last day of the last job.
        public let lostJobOn: CalendarDate
        /// Why the job was lost: `contractExpired`, `dismissed`, `employerClosed`,
        /// `mutualAgreementAtEmployerRequest` or `resigned`.
        public let jobLoss: String
        /// Whether the person is looking for work.
        public let seekingWork: Bool
    }

    /// Months of unemployment-insurance contributions (since any earlier benefit).
    public let contributionMonths: Int
    /// The last month contributed, `YYYY-MM`.
    public let lastMonth: String
    /// The industry of the (last) job: a GB/T 4754-2017 section letter.
    public let industry: String
    /// The registration, for a registered unemployed person.
    public let registration: Registration?

    /// The industry mix of the city's insured workers (**assumption**: manufacturing-heavy, as
    /// Taizhou's economy is), as section letters with weights in percent.
    public static let industryMix: [(String, Int)] = [
        ("C", 38), ("F", 14), ("E", 8), ("G", 6), ("H", 6), ("L", 4), ("O", 4), ("P", 4), ("Q", 4), ("I", 3),
        ("K", 3), ("J", 2), ("M", 2), ("S", 2),
    ]
}

extension SyntheticPerson {
    /// The person's work history as of `today`: for the living aged 16–59 who are employed or
    /// unemployed; `nil` for everyone else.
    public func workHistory(today: CalendarDate) -> SyntheticWorkHistory? {
        guard resident.isAlive, employment == .employed || employment == .unemployed else { return nil }
        let age = resident.id.age(on: today)
        guard (16..<60).contains(age) else { return nil }
        var bits = WorkBits(resident.id.unmasked)
        let careerMonths = max(0, min(age - 18, 32)) * 12
        let industry = bits.industry()
        let previousMonth = String(today.adding(months: -1).iso8601.prefix(7))
        if employment == .employed {
            return SyntheticWorkHistory(
                contributionMonths: bits.next(in: 0...max(0, careerMonths)),
                lastMonth: previousMonth,
                industry: industry,
                registration: nil
            )
        }
        // Registered at 16 or older: a young worker's registration is no earlier than a month after
        // their sixteenth birthday.
        let earliest = resident.id.birthDate.adding(years: 16).adding(days: 31)
        let registered = bits.next(in: 0...99) < 70 && earliest < today
        let registeredOn = max(today.adding(days: -bits.next(in: 1...540)), earliest)
        let lostJobOn = registeredOn.adding(days: -bits.next(in: 0...30))
        let involuntary = ["contractExpired", "dismissed", "employerClosed", "mutualAgreementAtEmployerRequest"]
        let jobLoss = bits.next(in: 0...99) < 80 ? involuntary[bits.next(in: 0...3)] : "resigned"
        let seeking = bits.next(in: 0...99) < 90
        return SyntheticWorkHistory(
            contributionMonths: bits.next(in: 0...max(0, careerMonths)),
            lastMonth: String(lostJobOn.iso8601.prefix(7)),
            industry: industry,
            registration: registered
                ? SyntheticWorkHistory.Registration(
                    registeredOn: registeredOn,
                    lostJobOn: lostJobOn,
                    jobLoss: jobLoss,
                    seekingWork: seeking
                )
                : nil
        )
    }
}

/// A small deterministic generator seeded from an identity number (FNV-1a, then SplitMix64).
struct WorkBits {
    private var state: UInt64

    init(_ text: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        state = hash
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func industry() -> String {
        var pick = next(in: 0...99)
        for (letter, weight) in SyntheticWorkHistory.industryMix {
            if pick < weight { return letter }
            pick -= weight
        }
        return "C"
    }
}
