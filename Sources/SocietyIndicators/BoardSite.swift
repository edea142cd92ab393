public import Foundation
import SocietyCore

/// The board as a static site: one `index.html` with its stylesheet, Chinese text, SVG charts drawn on the
/// server, no script and no network fetch, so it opens offline from a folder or from the gateway's
/// `/board/`. Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` saying in words
/// what it shows; every text colour has a contrast of at least 4.5 : 1 with its background (WCAG
/// 2.x AA), which a test computes from ``css``.
public struct BoardSite: Sendable {
    /// The file that marks a folder as a board's: the tool writes only into an empty folder or one
    /// holding this file.
    public static let marker = ".society-board"

    /// The palette: (name, hex). Text colours are used on ``background`` or on ``panel``.
    public static let background = "#ffffff"
    /// Panels and table headers.
    public static let panel = "#f3f5f8"
    /// Body text.
    public static let text = "#1b1f24"
    /// Secondary text.
    public static let muted = "#4a5361"
    /// Links, actual values.
    public static let accent = "#0b5394"
    /// Behind, slow, warnings.
    public static let alert = "#a4262c"
    /// Met, on track.
    public static let good = "#1e6b35"

    /// The board.
    public let board: Board

    /// A site for `board`.
    public init(board: Board) { self.board = board }

    /// The files, by name: the page (its stylesheet inline, so it opens the same from a folder, a
    /// file share or the gateway's `/board/`) and the marker.
    public var files: [String: Data] {
        ["index.html": Data(html.utf8), Self.marker: Data("DigitalSociety progress board\n".utf8)]
    }

    /// Writes the files into `folder` (created if missing). A folder that holds anything but a
    /// board's files is refused and left as it was.
    public func write(to folder: URL) throws(IndicatorError) {
        let manager = FileManager.default
        // Rendered once: the page is the expensive part of `files`.
        let files = files
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notABoardFolder(folder.path) }
            let contents = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            let ours = Set(files.keys)
            guard contents.isEmpty || (contents.contains(Self.marker) && Set(contents).isSubset(of: ours)) else {
                throw .notABoardFolder(folder.path)
            }
        }
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, data) in files { try data.write(to: folder.appendingPathComponent(name), options: .atomic) }
        } catch {
            throw .io("\(error)")
        }
    }

    // MARK: The stylesheet

    /// The stylesheet: every rule that sets `color` sets `background-color` too, so each text
    /// colour's background is known.
    public static var css: String {
        """
        body { margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif; color: \(text); background-color: \(background); line-height: 1.6; }
        header { padding: 1.5rem 2rem; color: \(text); background-color: \(panel); border-bottom: 3px solid \(accent); }
        h1 { margin: 0; font-size: 1.6rem; color: \(text); background-color: \(panel); }
        h2 { margin: 2rem 0 0.75rem; font-size: 1.25rem; color: \(text); background-color: \(background); }
        h3 { margin: 0 0 0.25rem; font-size: 1.05rem; color: \(text); background-color: \(background); }
        main { padding: 0 2rem 2rem; max-width: 72rem; }
        .meta { color: \(muted); background-color: \(panel); margin: 0.25rem 0 0; }
        .note { color: \(muted); background-color: \(background); font-size: 0.9rem; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: 1rem; }
        .card { border: 1px solid #c9d1db; border-radius: 6px; padding: 1rem; color: \(text); background-color: \(background); }
        .value { font-size: 1.5rem; font-weight: 700; color: \(accent); background-color: \(background); }
        .status-met, .status-onTrack { color: \(good); background-color: \(background); font-weight: 700; }
        .status-behind { color: \(alert); background-color: \(background); font-weight: 700; }
        .status-untracked, .status-notMeasured { color: \(muted); background-color: \(background); font-weight: 700; }
        .warnings li { color: \(text); background-color: \(background); margin-bottom: 0.35rem; }
        .warning-kind { color: \(alert); background-color: \(background); font-weight: 700; }
        table { border-collapse: collapse; width: 100%; }
        th { text-align: left; padding: 0.4rem 0.6rem; color: \(text); background-color: \(panel); border-bottom: 2px solid #c9d1db; }
        td { padding: 0.4rem 0.6rem; color: \(text); background-color: \(background); border-bottom: 1px solid #e1e6ec; }
        td.slow { color: \(alert); background-color: \(background); font-weight: 700; }
        td.ok { color: \(good); background-color: \(background); }
        svg { display: block; max-width: 100%; height: auto; }
        footer { padding: 1rem 2rem; color: \(muted); background-color: \(panel); font-size: 0.85rem; }
        """
    }

    // MARK: The page

    /// The page.
    public var html: String {
        let policy = board.policy
        let stamp = Self.stamp(board.computedAt)
        var out = """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(board.title))</title>
            <style>
            \(Self.css)
            </style>
            </head>
            <body>
            <header>
            <h1>\(Self.escape(board.title))</h1>
            <p class="meta">更新于 \(stamp)（北京时间）· 共 \(board.rows.count) 项指标 · \(board.warnings.count) 条预警 · \(board.slowProjects.count) 个项目滞后</p>
            </header>
            <main>
            <section aria-labelledby="indicators-heading">
            <h2 id="indicators-heading">指标与目标</h2>
            <div class="cards">

            """
        for (index, row) in board.rows.enumerated() {
            let unit = row.definition.unit
            let latest = row.latest.map { policy.shown($0.value, unit: unit) } ?? "—"
            out += """
                <article class="card" aria-labelledby="ind-\(index)">
                <h3 id="ind-\(index)">\(Self.escape(row.definition.name))</h3>
                <p><span class="value">\(Self.escape(latest))</span> <span class="status-\(row.status.rawValue)">\(row.status.label)</span></p>
                <p class="note">\(Self.escape(row.explanation))</p>
                \(trendChart(row, id: "trend-\(index)"))
                \(row.definition.byDistrict ? districtChart(row, id: "district-\(index)") : "")
                <p class="note">统计口径：\(Self.escape(row.definition.counts))；来源：\(Self.escape(row.latest?.basis ?? row.definition.source))\(row.target.map { "；目标来源：" + Self.escape($0.setBy) } ?? "")</p>
                </article>

                """
        }
        out += "</div>\n</section>\n"
        out += """
            <section aria-labelledby="warnings-heading">
            <h2 id="warnings-heading">预警</h2>

            """
        if board.warnings.isEmpty {
            out += "<p class=\"note\">暂无预警。</p>\n"
        } else {
            out += "<ul class=\"warnings\">\n"
            for warning in board.warnings {
                let place = warning.district.map { " · " + Self.escape(board.districtNames[$0] ?? $0) } ?? ""
                let count = warning.count > 0 ? "：" + policy.shown(count: warning.count) : ""
                out +=
                    "<li><span class=\"warning-kind\">\(warning.kind.title)</span>\(place)："
                    + "\(Self.escape(warning.explanation))\(Self.escape(count))</li>\n"
            }
            out += "</ul>\n"
        }
        out += "</section>\n"
        out += """
            <section aria-labelledby="projects-heading">
            <h2 id="projects-heading">重点项目进度</h2>
            <table>
            <caption class="note">滞后项目 \(board.slowProjects.count) 个：有里程碑逾期未完成即为滞后。</caption>
            <thead><tr><th scope="col">项目</th><th scope="col">牵头单位</th><th scope="col">进度</th><th scope="col">状态</th></tr></thead>
            <tbody>

            """
        for row in board.projects.sorted(by: { ($0.slow ? 0 : 1, $0.project.id) < ($1.slow ? 0 : 1, $1.project.id) }) {
            out +=
                "<tr><td>\(Self.escape(row.project.name))</td><td>\(Self.escape(row.project.owner))</td>"
                + "<td>\(row.project.progress)%</td>"
                + "<td class=\"\(row.slow ? "slow" : "ok")\">\(row.slow ? "滞后：" : "")\(Self.escape(row.explanation))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n</section>\n</main>\n"
        out += """
            <footer>本页仅发布汇总数据，不含个人信息；小于 \(policy.suppressBelow) 的计数以“&lt;\(policy.suppressBelow)”显示。页面为静态文件，可离线打开。</footer>
            </body>
            </html>

            """
        return out
    }

    // MARK: Charts

    /// A line chart of the values against the target's trajectory, with its text alternative.
    func trendChart(_ row: IndicatorRow, id: String) -> String {
        let policy = board.policy
        let unit = row.definition.unit
        let (width, height, left, right, top, bottom) = (320.0, 150.0, 64.0, 10.0, 12.0, 26.0)
        var points: [(Date, Double)] = row.history.map { ($0.at, $0.value) }
        var trajectory: [(Date, Double)] = []
        if let target = row.target {
            trajectory = [(target.baselineDate.startInstant, target.baseline), (target.due.startInstant, target.value)]
        }
        if points.isEmpty && trajectory.isEmpty { points = [(board.computedAt, 0)] }
        let all = points + trajectory + [(board.computedAt, points.last?.1 ?? 0)]
        let times = all.map { $0.0.timeIntervalSince1970 }
        let values = all.map(\.1) + [0]
        let (t0, t1) = (times.min() ?? 0, max((times.max() ?? 1), (times.min() ?? 0) + 1))
        let (v0, v1) = (min(0, values.min() ?? 0), max((values.max() ?? 1) * 1.1, 1))
        func x(_ date: Date) -> Double { left + (date.timeIntervalSince1970 - t0) / (t1 - t0) * (width - left - right) }
        func y(_ value: Double) -> Double { top + (1 - (value - v0) / (v1 - v0)) * (height - top - bottom) }
        func f(_ value: Double) -> String { DecimalText.fixed(value, decimals: 1) }
        let latest = row.latest.map { policy.shown($0.value, unit: unit) } ?? "无数据"
        var description = "\(row.definition.name)：现值 \(latest)"
        if let target = row.target {
            description +=
                "；目标 \(policy.shown(target.value, unit: unit))（\(target.due)），"
                + "自 \(target.baselineDate) 的 \(policy.shown(target.baseline, unit: unit)) 起按直线进度；状态：\(row.status.label)"
        }
        description += "；共 \(row.history.count) 次采集。"
        var svg = """
            <svg role="img" aria-labelledby="\(id)-t \(id)-d" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" xmlns="http://www.w3.org/2000/svg">
            <title id="\(id)-t">\(Self.escape(row.definition.name))趋势与目标</title>
            <desc id="\(id)-d">\(Self.escape(description))</desc>
            <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="\(Self.background)"/>
            <line x1="\(f(left))" y1="\(f(height - bottom))" x2="\(f(width - right))" y2="\(f(height - bottom))" stroke="#8a94a3"/>
            <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(height - bottom))" stroke="#8a94a3"/>
            <text x="\(f(left - 4))" y="\(f(top + 4))" text-anchor="end" font-size="10" fill="\(Self.muted)">\(Self.escape(policy.shown(v1, unit: unit)))</text>
            <text x="\(f(left - 4))" y="\(f(height - bottom))" text-anchor="end" font-size="10" fill="\(Self.muted)">\(Self.escape(policy.shown(v0, unit: unit)))</text>
            <text x="\(f(left))" y="\(f(height - 8))" font-size="10" fill="\(Self.muted)">\(Self.escape(Self.day(Date(timeIntervalSince1970: t0))))</text>
            <text x="\(f(width - right))" y="\(f(height - 8))" text-anchor="end" font-size="10" fill="\(Self.muted)">\(Self.escape(Self.day(Date(timeIntervalSince1970: t1))))</text>

            """
        if trajectory.count == 2 {
            svg +=
                "<line x1=\"\(f(x(trajectory[0].0)))\" y1=\"\(f(y(trajectory[0].1)))\" x2=\"\(f(x(trajectory[1].0)))\" "
                + "y2=\"\(f(y(trajectory[1].1)))\" stroke=\"\(Self.muted)\" stroke-dasharray=\"4 3\"/>\n"
            // After the due date the target stays where it was set.
            if board.computedAt > trajectory[1].0 {
                svg +=
                    "<line x1=\"\(f(x(trajectory[1].0)))\" y1=\"\(f(y(trajectory[1].1)))\" x2=\"\(f(x(board.computedAt)))\" "
                    + "y2=\"\(f(y(trajectory[1].1)))\" stroke=\"\(Self.muted)\" stroke-dasharray=\"4 3\"/>\n"
            }
        }
        if !row.history.isEmpty {
            let path = row.history.map { "\(f(x($0.at))),\(f(y($0.value)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(Self.accent)\" stroke-width=\"2\"/>\n"
            for value in row.history {
                svg +=
                    "<circle cx=\"\(f(x(value.at)))\" cy=\"\(f(y(value.value)))\" r=\"3\" fill=\"\(Self.accent)\"/>\n"
            }
        }
        return svg + "</svg>"
    }

    /// Horizontal bars by district, small counts suppressed, with its text alternative.
    func districtChart(_ row: IndicatorRow, id: String) -> String {
        let policy = board.policy
        let unit = row.definition.unit
        let districts = (row.latest?.districts ?? [:]).sorted { $0.key < $1.key }
        guard !districts.isEmpty else { return "" }
        let barHeight = 18.0
        let (width, labelWidth) = (320.0, 90.0)
        let height = Double(districts.count) * (barHeight + 6) + 6
        let top = max(districts.map(\.value).max() ?? 1, 1)
        func f(_ value: Double) -> String { DecimalText.fixed(value, decimals: 1) }
        let words = districts.map { "\(board.districtNames[$0.key] ?? $0.key) \(policy.shown($0.value, unit: unit))" }
        var svg = """
            <svg role="img" aria-labelledby="\(id)-t \(id)-d" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" xmlns="http://www.w3.org/2000/svg">
            <title id="\(id)-t">\(Self.escape(row.definition.name))分区县</title>
            <desc id="\(id)-d">\(Self.escape(words.joined(separator: "，")))</desc>
            <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="\(Self.background)"/>

            """
        for (index, (code, value)) in districts.enumerated() {
            let yTop = 6 + Double(index) * (barHeight + 6)
            let suppressed = unit == .count && value > 0 && value < Double(policy.suppressBelow)
            let length = suppressed ? 0 : (width - labelWidth - 50) * value / top
            svg +=
                "<text x=\"0\" y=\"\(f(yTop + 13))\" font-size=\"11\" fill=\"\(Self.text)\">\(Self.escape(board.districtNames[code] ?? code))</text>\n"
                + "<rect x=\"\(f(labelWidth))\" y=\"\(f(yTop))\" width=\"\(f(length))\" height=\"\(f(barHeight))\" fill=\"\(Self.accent)\"/>\n"
                + "<text x=\"\(f(labelWidth + length + 4))\" y=\"\(f(yTop + 13))\" font-size=\"11\" fill=\"\(Self.text)\">"
                + "\(Self.escape(policy.shown(value, unit: unit)))</text>\n"
        }
        return svg + "</svg>"
    }

    // MARK: Text

    /// `text` with the five HTML-special characters escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func day(_ date: Date) -> String { CalendarDate(date).iso8601 }

    static func stamp(_ date: Date) -> String {
        let beijing = date.addingTimeInterval(8 * 3_600)
        let seconds = Int(beijing.timeIntervalSince1970) % 86_400
        return CalendarDate(date).iso8601 + " " + DecimalText.padded(seconds / 3_600, width: 2) + ":"
            + DecimalText.padded(seconds % 3_600 / 60, width: 2)
    }
}
