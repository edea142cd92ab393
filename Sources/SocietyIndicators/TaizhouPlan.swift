import SocietyCore

/// The Taizhou plan's indicators and its 2023 targets (泰州市数字社会建设方案, 2022), shipped as
/// examples of definitions and targets, and example projects with milestones.
///
/// The targets are the plan's (../shared/PLAN.md, "Targets the plan sets for the end of 2023");
/// their baselines — zero at the plan's start, 2022-01-01 — are an **assumption** (the plan gives
/// none). The projects' milestones and dates are **examples**, not the plan's.
public enum TaizhouPlan {
    static let setBy = "泰州市数字社会建设方案（2022）2023年底目标"

    /// The indicators the board shows.
    public static func definitions() throws(IndicatorError) -> [IndicatorDefinition] {
        [
            try IndicatorDefinition(
                id: "education.smart-campus",
                name: "智慧校园达标率",
                counts: "达到智慧校园标准的学校占报送学校的比例",
                source: "EducationService.smartCampus()",
                unit: .percent,
                frequency: .yearly
            ),
            try IndicatorDefinition(
                id: "sport.events",
                name: "管理的体育赛事数",
                counts: "本年度登记管理的体育赛事场次",
                source: "CultureSportService.indicators(year:)",
                unit: .count,
                frequency: .monthly
            ),
            try IndicatorDefinition(
                id: "sport.participants",
                name: "赛事参与人次",
                counts: "本年度体育赛事报名参与人次",
                source: "CultureSportService.indicators(year:)",
                unit: .count,
                frequency: .monthly
            ),
            try IndicatorDefinition(
                id: "services.decided",
                name: "办件办结数",
                counts: "一网通办共享办件流程上办结的申请数，分区县",
                source: "ApplicationService.counts()",
                unit: .count,
                frequency: .monthly,
                byDistrict: true
            ),
            try IndicatorDefinition(
                id: "onecard.paid",
                name: "一卡通惠民资金发放",
                counts: "社会保障卡本月发放的各项惠民惠农资金",
                source: "OneCardService.totals(period:)",
                unit: .yuan,
                frequency: .monthly
            ),
            try IndicatorDefinition(
                id: "rural.monitored",
                name: "防返贫监测对象",
                counts: "在监测名单上的农村家庭户数，分县（市）",
                source: "CommunityService.monitoringList()",
                unit: .count,
                frequency: .monthly,
                byDistrict: true
            ),
        ]
    }

    /// The plan's 2023 targets for the indicators above that have one.
    public static func targets() throws(IndicatorError) -> [IndicatorTarget] {
        let start = CalendarDate(daysSinceEpoch: 18_993)  // 2022-01-01
        let due = CalendarDate(daysSinceEpoch: 19_722)  // 2023-12-31
        return [
            try IndicatorTarget(
                indicator: "education.smart-campus",
                value: 98,
                due: due,
                baseline: 0,
                baselineDate: start,
                setBy: setBy
            ),
            try IndicatorTarget(
                indicator: "sport.events",
                value: 20_000,
                due: due,
                baseline: 0,
                baselineDate: start,
                setBy: setBy
            ),
            try IndicatorTarget(
                indicator: "sport.participants",
                value: 200_000,
                due: due,
                baseline: 0,
                baselineDate: start,
                setBy: setBy
            ),
        ]
    }

    /// Example projects (the plan's items, with assumed milestones), one of them behind.
    public static func projects() throws(IndicatorError) -> [BoardProject] {
        func day(_ n: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: n) }
        return [
            try BoardProject(
                id: "item-1",
                name: "民生服务一网通办",
                owner: "市大数据管理局",
                milestones: [
                    .init(name: "共享办件流程上线", due: day(19_174), done: day(19_160)),  // 2022-07-01
                    .init(name: "一件事集成办理", due: day(19_539), done: day(19_530)),  // 2023-07-01
                ]
            ),
            try BoardProject(
                id: "item-11",
                name: "社会保障卡居民服务一卡通",
                owner: "市人社局",
                milestones: [
                    .init(name: "惠民资金一卡发放", due: day(19_357), done: day(19_350)),  // 2022-12-31
                    .init(name: "第三代社保卡全域应用", due: day(20_453), done: nil),  // 2025-12-31
                ]
            ),
            try BoardProject(
                id: "item-16",
                name: "智慧市场监管",
                owner: "市市场监管局",
                milestones: [
                    .init(name: "双随机抽查公示", due: day(19_722), done: day(19_700)),  // 2023-12-31
                    .init(name: "特种设备预警", due: day(20_818), done: nil),  // 2026-12-31
                ]
            ),
            try BoardProject(
                id: "item-14",
                name: "社区数字家庭档案",
                owner: "市民政局",
                milestones: [.init(name: "网格重点人群管理", due: day(20_818), done: nil)]  // 2026-12-31
            ),
        ]
    }

    /// The district names of Taizhou (GB/T 2260).
    public static let districtNames: [String: String] = [
        "321202": "海陵区", "321203": "高港区", "321204": "姜堰区", "321281": "兴化市", "321282": "靖江市",
        "321283": "泰兴市",
    ]
}
