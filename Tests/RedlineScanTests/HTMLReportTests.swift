import Foundation
import Testing
@testable import RedlineTool

/// The HTML report rendered by headless Chromium (Debian package `chromium`; `make deps` and
/// `.ci/run` install it). Skipped only where Chromium is absent.
@Suite("HTML report in headless Chromium")
struct HTMLReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let (status, out, _) = try runCapturingLog(arguments)
        return (status, out)
    }

    /// Runs headless Chromium; returns its exit status, stdout and its log (stderr, where
    /// `--enable-logging=stderr` puts console messages and script errors).
    static func runCapturingLog(_ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=" + FileManager.default.temporaryDirectory.appendingPathComponent("redline-chromium-\(UUID().uuidString)").path] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var log = Data()
        let reader = Thread { log = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: log, as: UTF8.self))
    }

    /// Where the screenshot is kept for people to look at: `.build/test-output/` of this checkout
    /// (or `REDLINE_TEST_OUTPUT`).
    static let outputFolder: String = {
        let folder = ProcessInfo.processInfo.environment["REDLINE_TEST_OUTPUT"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/test-output").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }()

    static func htmlReport() throws -> String {
        let root = try ScanFixture.archive()
        let out = root + ".html"
        var options = ScanFixture.options([root], format: .html, output: out)
        options.policy.environment["SOURCE_DATE_EPOCH"] = "1800000000"
        #expect(ScanRunner.run(options) == 1)
        return out
    }

    @Test("the page is self-contained: no scripts, no external URLs")
    func selfContained() throws {
        let html = ScanFixture.read(try Self.htmlReport())
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http"))
        #expect(!html.contains("href=\"http"))
        #expect(!html.contains("@import"))
        #expect(html.contains("Content-Security-Policy"))
    }

    @Test("Chromium renders the figures, the five charts, the top files and masked findings", .enabled(if: chromium != nil))
    func renderedDOM() throws {
        let path = try Self.htmlReport()
        let (status, dom) = try Self.run(["--dump-dom", "file://" + path])
        #expect(status == 0)
        #expect(dom.contains("<h1>Redline archive report</h1>"))
        // An archive report, not a verdict: what was found, where.
        #expect(dom.contains("7 findings in 7 of 8 files (6 messages, 5 records and texts)"), "\(dom)")
        #expect(!dom.contains(">verdict<"))
        for id in ["chart-detector", "chart-channel", "chart-action", "chart-folder", "chart-time", "top-files", "findings",
                   "detectors", "rules", "channel-detector"] {
            #expect(dom.contains("id=\"\(id)\""), "missing \(id)")
        }
        // Bars are drawn: one rect per detector at least, and the month of the Maildir message.
        #expect(dom.components(separatedBy: "<rect").count > 8)
        #expect(dom.contains(">2027-01<"))
        #expect(dom.contains("**** **** **** 1111"))
        #expect(dom.contains("one.eml"))
        // Detector descriptions and the rules' messages to senders.
        #expect(dom.contains("Luhn"))
        #expect(dom.contains("card-never-leaves"))
        #expect(dom.contains("Card numbers must never be sent"), "\(dom)")
        // Record ids and Message-IDs as the data names them.
        #expect(dom.contains("<code>t1</code>"))
        #expect(dom.contains("<code>r1</code>"))
        #expect(dom.contains("<code>&lt;eml-1@support.example&gt;</code>"))
        for raw in ScanRunnerTests.rawValues { #expect(!dom.contains(raw)) }
    }

    @Test("in Chromium the charts have size and colour, the tables are laid out, and no script or policy error is logged",
          .enabled(if: chromium != nil))
    func chartsVisibleNoErrors() throws {
        let path = try Self.htmlReport()
        // The report itself has no scripts (its CSP forbids them); a probe page beside it loads it
        // in a frame and measures what was drawn.
        let probe = (path as NSString).deletingLastPathComponent + "/probe-\(UUID().uuidString).html"
        let report = (path as NSString).lastPathComponent
        try Data("""
            <!DOCTYPE html><html><body><iframe id="f" src="\(report)" style="width:1280px;height:3000px"></iframe><pre id="result">pending</pre>
            <script>
            document.getElementById('f').addEventListener('load', () => {
              const d = document.getElementById('f').contentDocument;
              const charts = ['chart-detector','chart-channel','chart-action','chart-folder','chart-time'].map(id => {
                const section = d.getElementById(id);
                const bars = section ? Array.from(section.querySelectorAll('svg rect')) : [];
                const drawn = bars.filter(r => { const b = r.getBoundingClientRect(); return b.width > 1 && b.height > 1; });
                const fill = bars.length ? getComputedStyle(bars[0]).fill : '';
                const box = section ? section.getBoundingClientRect() : {width: 0, height: 0};
                return id + ':' + bars.length + ':' + drawn.length + ':' + (fill !== 'none' && fill !== '') + ':' + (box.width > 100 && box.height > 50);
              });
              const rows = d.querySelectorAll('#findings tr').length;
              const grid = d.querySelectorAll('#channel-detector td').length;
              document.getElementById('result').textContent = 'charts=' + charts.join(',') + ';rows=' + rows + ';grid=' + grid;
            });
            </script></body></html>
            """.utf8).write(to: URL(fileURLWithPath: probe))
        let (status, dom, _) = try Self.runCapturingLog(["--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom", "file://" + probe])
        #expect(status == 0)
        let result = try #require(dom.range(of: "charts=").map { String(dom[$0.lowerBound...].prefix { $0 != "<" }) })
        for chart in result.dropFirst("charts=".count).prefix { $0 != ";" }.split(separator: ",") {
            let fields = chart.split(separator: ":")
            #expect(fields.count == 5, "\(chart)")
            guard fields.count == 5 else { continue }
            #expect(Int(fields[1]) ?? 0 > 0, "no bars in \(fields[0])")
            #expect(fields[1] == fields[2], "bars without size in \(fields[0])")
            #expect(fields[3] == "true" && fields[4] == "true", "\(chart)")
        }
        #expect(result.contains(";rows=8;"), "\(result)")   // header + 7 findings
        // The report alone: Chromium logs no script error, no blocked resource, no console error.
        let (reportStatus, _, log) = try Self.runCapturingLog(["--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + path])
        #expect(reportStatus == 0)
        for line in log.split(separator: "\n") where line.contains("CONSOLE") || line.contains("Uncaught") || line.contains("Refused to") {
            Issue.record("Chromium logged: \(line)")
        }
    }

    @Test("the report is created with the user's umask (it holds masked data only)")
    func umaskMode() throws {
        let path = try Self.htmlReport()
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == Int(0o666 & ~AtomicFile.umaskValue()))
        #expect(mode & 0o044 != 0 || AtomicFile.umaskValue() & 0o044 == 0o044)
    }

    @Test("Chromium takes a screenshot of the report", .enabled(if: chromium != nil))
    func screenshot() throws {
        let path = try Self.htmlReport()
        let png = path + ".png"
        let (status, _) = try Self.run(["--screenshot=" + png, "--window-size=1280,1600", "--hide-scrollbars", "file://" + path])
        #expect(status == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(data.count > 20_000)   // a rendered page, not a blank one
        let kept = Self.outputFolder + "/html-report.png"
        try data.write(to: URL(fileURLWithPath: kept))
        try Data(contentsOf: URL(fileURLWithPath: path)).write(to: URL(fileURLWithPath: Self.outputFolder + "/html-report.html"))
        print("HTML report screenshot: \(kept)")
    }
}
