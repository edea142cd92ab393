import Foundation
import Logging
import SQLiteTestSupport
import SocietyCore
import SocietyIndicators
import SocietyTesting
import Testing

/// The indicators office on an in-memory store at 10:00 on 2026-12-07.
struct BoardWorld {
    let store: InMemoryStore
    let office: IndicatorService
    let clock: MovingClock

    init(policy: BoardPolicy = BoardPolicy()) throws {
        clock = MovingClock(try CalendarDate(iso8601: "2026-12-07").startInstant.addingTimeInterval(36_000))
        store = try InMemoryStore(clock: clock, actor: "11321200014287102B/indicators")
        office = IndicatorService(
            ports: ServicePorts(
                store: store,
                crypto: store.crypto,
                keys: store.keys,
                clock: clock,
                logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
            ),
            policy: policy
        )
    }

    static func sources(
        events: Double = 21_000,
        participants: Double = 150_000,
        smart: Double = 90
    ) -> [IndicatorSource] {
        [
            IndicatorSource("education.smart-campus") { at in
                IndicatorValue(indicator: "education.smart-campus", value: smart, at: at, basis: "9 of 10 schools")
            },
            IndicatorSource("sport.events") { at in
                IndicatorValue(indicator: "sport.events", value: events, at: at, basis: "events of 2026")
            },
            IndicatorSource("sport.participants") { at in
                IndicatorValue(indicator: "sport.participants", value: participants, at: at, basis: "registrations")
            },
            IndicatorSource("services.decided") { at in
                IndicatorValue(
                    indicator: "services.decided",
                    value: 57,
                    at: at,
                    districts: ["321202": 40, "321281": 12, "321283": 5],
                    basis: "ApplicationService.counts()"
                )
            },
        ]
    }

    func board(_ sources: [IndicatorSource] = sources()) async throws -> Board {
        try await office.board(
            title: "泰州市数字社会建设晾晒台",
            definitions: try TaizhouPlan.definitions().filter { !["onecard.paid", "rural.monitored"].contains($0.id) },
            targets: try TaizhouPlan.targets(),
            sources: sources,
            warnings: [EarlyWarning(kind: .fraud, explanation: "一卡通发放异常 3 笔", count: 3)],
            projects: try TaizhouPlan.projects(),
            districtNames: TaizhouPlan.districtNames
        )
    }
}

@Suite("The progress board")
struct BoardTests {
    @Test("each indicator against its target: met, behind (with a warning), untracked; history builds up")
    func statuses() async throws {
        let world = try BoardWorld()
        let board = try await world.board()
        let rows = Dictionary(uniqueKeysWithValues: board.rows.map { ($0.definition.id, $0) })
        #expect(rows["sport.events"]?.status == .met)
        #expect(rows["sport.events"]?.explanation == "现值 21000 已达到 2023-12-31 目标 20000")
        #expect(rows["sport.participants"]?.status == .behind)
        #expect(rows["education.smart-campus"]?.explanation == "现值 90.0% 低于进度值 98.0%（目标 98.0%，2023-12-31）")
        #expect(rows["services.decided"]?.status == .untracked)
        #expect(board.warnings.filter { $0.kind == .belowTrajectory }.count == 2)
        #expect(board.warnings.contains { $0.kind == .fraud })
        // Slow: the third-generation card milestone was due 2025-12-31.
        #expect(board.slowProjects.map(\.project.id) == ["item-11"])
        #expect(board.slowProjects[0].explanation == "第三代社保卡全域应用 应于 2025-12-31 完成，逾期 341 天")
        world.clock.advance(days: 31)
        let later = try await world.board(BoardWorld.sources(events: 22_000))
        #expect(later.rows.first { $0.definition.id == "sport.events" }?.history.map(\.value) == [21_000, 22_000])
        // On 2027-01-07 the 2026-12-31 milestones are late too.
        #expect(later.slowProjects.map(\.project.id) == ["item-11", "item-16", "item-14"])
    }

    @Test("the trajectory between baseline and due date; a project's progress")
    func trajectory() throws {
        let target = try IndicatorTarget(
            indicator: "x.y",
            value: 100,
            due: CalendarDate(iso8601: "2024-01-01"),
            baseline: 0,
            baselineDate: CalendarDate(iso8601: "2023-01-01"),
            setBy: "test"
        )
        #expect(abs(target.expected(on: try CalendarDate(iso8601: "2023-07-02")) - 50) < 0.2)
        #expect(target.expected(on: try CalendarDate(iso8601: "2022-01-01")) == 0)
        #expect(target.expected(on: try CalendarDate(iso8601: "2025-01-01")) == 100)
        #expect(throws: IndicatorError.self) {
            try IndicatorTarget(
                indicator: "x.y",
                value: 1,
                due: CalendarDate(iso8601: "2023-01-01"),
                baseline: 0,
                baselineDate: CalendarDate(iso8601: "2023-01-01"),
                setBy: "t"
            )
        }
        #expect(try TaizhouPlan.projects().map(\.progress) == [100, 50, 50, 0])
        #expect(throws: IndicatorError.self) {
            try IndicatorDefinition(id: "X", name: "n", counts: "c", source: "s", unit: .count)
        }
    }

    @Test("small counts are suppressed everywhere on the page; no personal data")
    func suppression() async throws {
        let world = try BoardWorld()
        let board = try await world.board()
        #expect(
            board.policy.shown(count: 5) == "<10" && board.policy.shown(count: 0) == "0"
                && board.policy.shown(count: 10) == "10"
        )
        let html = BoardSite(board: board).html
        // 姜堰… 泰兴市 had 5 decided applications: shown as <10, in the bar's label and in the text alternative.
        #expect(html.contains("泰兴市 &lt;10") && !html.contains("泰兴市 5"))
        #expect(html.contains(">&lt;10</text>"))
        // No identity number, phone or bank card pattern anywhere.
        #expect(html.range(of: #"[0-9]{17}[0-9X]"#, options: .regularExpression) == nil)
        // A warning's count is suppressed too: the fraud warning concerns 3.
        #expect(html.contains("一卡通发放异常 3 笔：&lt;10</li>"))
        let strict = try BoardWorld(policy: BoardPolicy(suppressBelow: 50))
        let hidden = BoardSite(board: try await strict.board()).html
        #expect(hidden.contains("海陵区 &lt;50") && hidden.contains("小于 50 的计数"))
    }

    @Test("a source that fails stops the board, naming its indicator; a source without a definition is refused")
    func failures() async throws {
        let world = try BoardWorld()
        struct Down: Error {}
        let failing = BoardWorld.sources() + [IndicatorSource("onecard.paid") { _ in throw Down() }]
        await #expect(throws: IndicatorError.self) { try await world.board(failing) }
        let stranger =
            BoardWorld.sources() + [
                IndicatorSource("nobody.knows") { at in
                    IndicatorValue(indicator: "nobody.knows", value: 1, at: at, basis: "-")
                }
            ]
        await #expect(throws: IndicatorError.invalid("source for nobody.knows, which has no definition")) {
            try await world.board(stranger)
        }
        #expect(try await world.office.history(of: "sport.events").isEmpty)
    }

    @Test("a source with nothing to measure yet leaves its indicator not measured, not zero")
    func nothingYet() async throws {
        let world = try BoardWorld()
        let sources =
            BoardWorld.sources().filter { $0.indicator != "education.smart-campus" } + [
                IndicatorSource("education.smart-campus") { _ in nil }
            ]
        let board = try await world.board(sources)
        let row = board.rows.first { $0.definition.id == "education.smart-campus" }
        #expect(row?.status == .notMeasured && row?.latest == nil && row?.explanation == "尚未采集：来源部门暂无数据")
        #expect(!board.warnings.contains { $0.explanation.hasPrefix("智慧校园") })
    }

    @Test("the site is written only into an empty folder or a board's own")
    func folders() async throws {
        let world = try BoardWorld()
        let site = BoardSite(board: try await world.board())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("board-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try site.write(to: folder)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.html").path))
        try site.write(to: folder)  // its own folder: rewritten
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: other) }
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: other.appendingPathComponent("notes.txt"))
        #expect(throws: IndicatorError.notABoardFolder(other.path)) { try site.write(to: other) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: other.path) == ["notes.txt"])
        #expect(BoardSite.escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }

    @Test("every text colour has a WCAG contrast of at least 4.5:1 with its background")
    func contrast() throws {
        let pairs = ContrastCheck.pairs(in: BoardSite.css)
        #expect(pairs.count >= 15)
        for pair in pairs {
            let ratio = ContrastCheck.ratio(pair.foreground, pair.background)
            #expect(ratio >= 4.5, "\(pair.rule): \(pair.foreground) on \(pair.background) is \(ratio):1")
        }
        // The SVG text colours, on the charts' white background.
        for colour in [BoardSite.text, BoardSite.muted] {
            #expect(ContrastCheck.ratio(colour, BoardSite.background) >= 4.5)
        }
        // The check itself: black on white is 21:1, a light grey on white fails.
        #expect(abs(ContrastCheck.ratio("#000000", "#ffffff") - 21) < 0.01)
        #expect(ContrastCheck.ratio("#999999", "#ffffff") < 4.5)
    }
}

/// WCAG 2.x contrast: relative luminance of sRGB colours and the ratio (L1 + 0.05) / (L2 + 0.05).
enum ContrastCheck {
    struct Pair {
        let rule: String
        let foreground: String
        let background: String
    }

    /// Every rule's `color` with the rule's `background-color` (or the body's).
    static func pairs(in css: String) -> [Pair] {
        var pairs: [Pair] = []
        var bodyBackground = "#ffffff"
        for line in css.split(separator: "\n") {
            guard let open = line.firstIndex(of: "{") else { continue }
            let selector = line[..<open].trimmingCharacters(in: .whitespaces)
            let declarations = line[line.index(after: open)...].split(separator: ";").map {
                $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "}")))
            }
            func value(_ property: String) -> String? {
                declarations.first { $0.hasPrefix(property + ":") }.map {
                    String($0.dropFirst(property.count + 1)).trimmingCharacters(in: .whitespaces)
                }
            }
            let background = value("background-color")
            if selector == "body", let background { bodyBackground = background }
            if let colour = value("color") {
                pairs.append(Pair(rule: selector, foreground: colour, background: background ?? bodyBackground))
            }
        }
        return pairs
    }

    static func luminance(_ hex: String) -> Double {
        let digits = Array(hex.dropFirst())
        func channel(_ index: Int) -> Double {
            let value = Double(Int(String(digits[index * 2...index * 2 + 1]), radix: 16) ?? 0) / 255
            return value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
    }

    static func ratio(_ a: String, _ b: String) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }
}
