import Foundation
import SocietyCore
import SocietyIndicators
import Testing

/// Headless Chromium (Debian's `chromium`, which `.ci/run` installs) opens the board as an
/// official would: it must render without a console error, every chart must carry its text
/// alternative, and the screenshot is kept in `.build/artefacts/board.png`.
enum Chromium {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "chromium is not installed: the board's browser test needs Debian's package (apt-get install chromium); .ci/run installs it"
        }
    }

    static func executable() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw Missing()
    }

    /// Runs chromium headless on `page` with `arguments`; standard output and error.
    static func run(_ arguments: [String], page: URL) throws -> (output: String, errors: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--hide-scrollbars", "--enable-logging=stderr", "--log-level=0",
                "--user-data-dir="
                    + FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
                    .path,
            ] + arguments + [page.absoluteString]
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Foundation keeps finished processes and their pipes alive: close both ends (see CLIRunner).
        for pipe in [out, err] {
            try? pipe.fileHandleForReading.close()
            try? pipe.fileHandleForWriting.close()
        }
        return (
            String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self), process.terminationStatus
        )
    }

    /// The console messages chromium logged (at `--log-level=0` every console message is a line
    /// `…:INFO:CONSOLE:…`; the board has no script, so any is a problem).
    static func consoleProblems(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter {
            $0.contains(":CONSOLE") || $0.contains("Uncaught") || $0.contains("Failed to load resource")
        }
    }
}

@Suite("The progress board in a real browser")
struct BrowserTests {
    static var artefacts: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/artefacts")
    }

    @Test("renders without console errors, every chart has its text alternative, a screenshot is kept")
    func browser() async throws {
        let world = try BoardWorld()
        let board = try await world.board()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("board-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try BoardSite(board: board).write(to: folder)
        let page = folder.appendingPathComponent("index.html")

        let dom = try Chromium.run(["--dump-dom", "--virtual-time-budget=2000"], page: page)
        #expect(dom.status == 0, "\(dom.errors.suffix(2_000))")
        #expect(Chromium.consoleProblems(dom.errors).isEmpty, "\(Chromium.consoleProblems(dom.errors))")
        let html = dom.output
        #expect(html.contains("泰州市数字社会建设晾晒台") && html.contains("重点项目进度"))
        // Every chart: an svg with role img, labelled by a non-empty title and desc.
        let charts = html.components(separatedBy: "<svg ").dropFirst()
        #expect(charts.count == board.rows.count + 1)
        for chart in charts {
            #expect(chart.contains("role=\"img\""))
            let title =
                chart.components(separatedBy: "<title").dropFirst().first?.components(separatedBy: "</title>").first
                ?? ""
            let desc =
                chart.components(separatedBy: "<desc").dropFirst().first?.components(separatedBy: "</desc>").first ?? ""
            #expect(title.count > 10 && desc.count > 10, "a chart without its text alternative")
        }
        #expect(!html.contains("<script"))
        // Every file the page refers to is in the folder (no network fetch, nothing missing).
        let page_ = try String(contentsOf: page, encoding: .utf8)
        for attribute in ["href=\"", "src=\""] {
            for reference in page_.components(separatedBy: attribute).dropFirst() {
                let target = String(reference.prefix { $0 != "\"" })
                #expect(
                    !target.contains("://")
                        && FileManager.default.fileExists(atPath: folder.appendingPathComponent(target).path),
                    "\(target)"
                )
            }
        }

        try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
        let screenshot = Self.artefacts.appendingPathComponent("board.png")
        try? FileManager.default.removeItem(at: screenshot)
        let shot = try Chromium.run(["--screenshot=\(screenshot.path)", "--window-size=1280,2200"], page: page)
        #expect(shot.status == 0)
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 20_000 && Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(Chromium.consoleProblems(shot.errors).isEmpty)
    }

    @Test("the console check sees a page's errors (it can fail)")
    func detector() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = folder.appendingPathComponent("index.html")
        try Data(
            "<!DOCTYPE html><html><body><img src=\"missing.png\" alt=\"x\"><script>console.error('boom')</script></body></html>"
                .utf8
        )
        .write(to: page)
        let run = try Chromium.run(["--dump-dom", "--virtual-time-budget=2000"], page: page)
        #expect(!Chromium.consoleProblems(run.errors).isEmpty)
    }
}
