import Foundation
import Testing
@testable import RedlineTool

/// The HTML report rendered by headless Chromium (Debian package `chromium`; `make deps` and
/// `.ci/run` install it). Skipped only where Chromium is absent.
@Suite("HTML report in headless Chromium")
struct HTMLReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=" + FileManager.default.temporaryDirectory.appendingPathComponent("redline-chromium-\(UUID().uuidString)").path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

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
        #expect(dom.contains("<h1>Redline scan report</h1>"))
        for id in ["chart-detector", "chart-channel", "chart-action", "chart-folder", "chart-time", "top-files", "findings"] {
            #expect(dom.contains("id=\"\(id)\""), "missing \(id)")
        }
        // Bars are drawn: one rect per detector at least, and the month of the Maildir message.
        #expect(dom.components(separatedBy: "<rect").count > 8)
        #expect(dom.contains(">2027-01<"))
        #expect(dom.contains("**** **** **** 1111"))
        #expect(dom.contains("one.eml"))
        for raw in ScanRunnerTests.rawValues { #expect(!dom.contains(raw)) }
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
        if let keep = ProcessInfo.processInfo.environment["REDLINE_KEEP_SCREENSHOT"] { try data.write(to: URL(fileURLWithPath: keep)) }
    }
}
