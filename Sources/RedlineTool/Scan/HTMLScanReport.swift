import Foundation
import RedlineCore
import RedlineFormats

/// A self-contained HTML archive report (inline CSS and SVG, no scripts, no external assets;
/// works offline and passes a strict Content-Security-Policy). It reads as an account of what an
/// archive holds — "N findings in M files" — not as a verdict: summary figures, the detectors with
/// their descriptions, the rules that fired with their messages, a channel × detector table,
/// charts by detector, channel, action, source folder and month (message Date), the top offending
/// files, and the findings (record ids and Message-IDs as in the data, anything found in them
/// redacted; masked excerpts only; the first `rowLimit` rows).
final class HTMLScanReport: ScanSink {
    let write: ([UInt8]) -> Void
    let rowLimit: Int
    let context: ReportContext?
    private var rows: [String] = []
    /// Rule id → (action, findings), in first-seen order.
    private var rules: [(id: String, action: Action, count: Int)] = []
    /// Channel → detector → findings.
    private var grid: [String: [String: Int]] = [:]

    init(rowLimit: Int = 2000, context: ReportContext? = nil, write: @escaping ([UInt8]) -> Void) {
        self.rowLimit = rowLimit
        self.context = context
        self.write = write
    }

    func add(_ item: ScanItem) {
        let f = item.entry.finding
        grid[item.entry.channel, default: [:]][f.detector, default: 0] += 1
        if let rule = f.rule {
            if let index = rules.firstIndex(where: { $0.id == rule }) { rules[index].count += 1 } else { rules.append((rule, f.action, 1)) }
        }
        guard rows.count < rowLimit else { return }
        let place = item.entry.record.map { "message/record \($0 + 1)" } ?? "line \(f.line), column \(f.column)"
        let where_ = f.part.map { "\(place) (\($0))" } ?? place
        // The record as the data names it: its id field, or the Message-ID (both redacted where they hold a finding).
        let record = item.entry.id ?? item.messageID ?? ""
        rows.append("<tr><td>\(h(item.entry.source))</td><td>\(h(where_))</td><td><code>\(h(record))</code></td><td>\(h(item.date ?? ""))</td>"
            + "<td>\(h(item.entry.channel))</td><td>\(h(f.detector))</td><td>\(h(f.rule ?? "–"))</td>"
            + "<td><span class=\"a \(f.action.name)\">\(f.action.name)</span></td><td><code>\(h(f.excerpt))</code></td></tr>")
    }

    func finish(_ t: ScanTotals) {
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Redline archive report</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;margin:0;color:#1d2330;background:#f4f6fa}
        header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#b9c2d4}
        main{padding:20px 28px;max-width:1200px}
        .figures{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}
        .figure{background:#fff;border-radius:8px;padding:12px 16px;min-width:120px;box-shadow:0 1px 2px #0002}
        .figure b{display:block;font-size:24px}.figure span{color:#5b6475;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
        .verdict-block b{color:#b3261e}.verdict-redact b{color:#8e24aa}.verdict-flag b{color:#b26a00}.verdict-allow b{color:#2e7d32}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
        section{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px #0002;margin-bottom:16px}
        h2{font-size:15px;margin:0 0 10px}
        table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e3e7ef;vertical-align:top}
        th{background:#eef1f6}td{word-break:break-all}code{font-size:12px}
        .a{padding:1px 6px;border-radius:4px;color:#fff;font-size:12px}.a.block{background:#b3261e}.a.redact{background:#8e24aa}.a.flag{background:#b26a00}.a.allow{background:#2e7d32}
        .note{color:#5b6475;font-size:12px}.errors li{color:#b3261e}
        svg text{font-size:12px;fill:#1d2330}
        </style></head><body>
        <header><h1>Redline archive report</h1>
        <p id="headline">\(h(HTMLScanReport.headline(t)))</p>
        <p>Policy \(h(t.policyName)) · sha256 \(h(String(t.policySHA256.prefix(16)))) · scanned \(h(t.scannedAt))\(t.shard.map { " · shard \($0) of the archive" } ?? "") · every excerpt is masked</p></header>
        <main>
        <div class="figures">
        """
        page += figure("findings", t.findings) + figure("files with findings", t.bySource.count) + figure("files scanned", t.files)
        page += figure("messages", t.messages) + figure("records", t.records)
        if t.suppressed > 0 { page += figure("in baseline", t.suppressed) }
        page += figure("inputs not scanned", t.errors)
        page += "<div class=\"figure\"><b>\(h(ScanTextReport.size(t.bytes)))</b><span>scanned</span></div></div>\n"
        page += detectorTable(t) + ruleTable() + channelGrid(t)
        page += "<div class=\"grid\">"
        page += chart("Findings by detector", id: "chart-detector", t.byDetector)
        page += chart("Findings by channel", id: "chart-channel", t.byChannel)
        page += chart("Findings by action", id: "chart-action", t.byAction, order: Action.allCases.reversed().map(\.name))
        page += chart("Findings by source folder", id: "chart-folder", t.byFolder)
        page += "</div>"
        page += timeline(t.byMonth)
        page += "<section id=\"top-files\"><h2>Top offending files</h2><table><tr><th>file</th><th>findings</th></tr>"
        for row in ScanTotals.top(t.bySource, 20) { page += "<tr><td>\(h(row.key))</td><td>\(row.value)</td></tr>" }
        page += "</table></section>"
        page += "<section id=\"findings\"><h2>Findings</h2>"
        if t.findings > rows.count { page += "<p class=\"note\">The first \(rows.count) of \(t.findings) findings; the JSON, JSONL or CSV report lists them all.</p>" }
        page += "<table><tr><th>source</th><th>where</th><th>record id / Message-ID</th><th>date</th><th>channel</th><th>detector</th><th>rule</th>"
            + "<th>action</th><th>excerpt (masked)</th></tr>"
        page += rows.joined(separator: "\n")
        page += "</table></section>"
        if !t.errorMessages.isEmpty || t.errors > 0 {
            page += "<section id=\"errors\"><h2>Inputs not scanned (\(t.errors))</h2><ul class=\"errors\">"
            for message in t.errorMessages.prefix(50) { page += "<li>\(h(message))</li>" }
            page += "</ul></section>"
        }
        page += "<p class=\"note\">redline \(h(Checker.version)) · no external resources · findings hold masked excerpts and keyed fingerprints only.</p>"
        page += "</main></body></html>\n"
        write(Array(page.utf8))
    }

    /// "12 findings in 3 of 40 files (1,200 messages, 300 records)": what the archive holds.
    static func headline(_ t: ScanTotals) -> String {
        let findings = t.findings == 1 ? "1 finding" : "\(t.findings) findings"
        let files = t.files == 1 ? "1 file" : "\(t.files) files"
        var text = t.findings == 0 ? "No findings in \(files)" : "\(findings) in \(t.bySource.count) of \(files)"
        var parts: [String] = []
        if t.messages > 0 { parts.append(t.messages == 1 ? "1 message" : "\(t.messages) messages") }
        if t.records > t.messages { parts.append("\(t.records - t.messages) records and texts") }
        if !parts.isEmpty { text += " (\(parts.joined(separator: ", ")))" }
        if t.errors > 0 { text += "; \(t.errors) inputs could not be scanned" }
        return text
    }

    /// What each detector looks for, and how often it was found.
    private func detectorTable(_ t: ScanTotals) -> String {
        guard let context, !context.detectors.isEmpty else { return "" }
        var out = "<section id=\"detectors\"><h2>What was looked for</h2><table><tr><th>detector</th><th>kind</th><th>what it finds</th><th>findings</th></tr>"
        for detector in context.detectors {
            out += "<tr><td>\(h(detector.id))</td><td>\(h(detector.kind))</td><td>\(h(detector.summary))</td><td>\(t.byDetector[detector.id] ?? 0)</td></tr>"
        }
        return out + "</table></section>"
    }

    /// The rules that decided findings, with the message the policy gives senders.
    private func ruleTable() -> String {
        guard !rules.isEmpty else { return "" }
        var out = "<section id=\"rules\"><h2>Rules that applied</h2><table><tr><th>rule</th><th>action</th><th>message to senders</th><th>tip</th><th>findings</th></tr>"
        for rule in rules {
            let message = context?.ruleMessages[rule.id] ?? ""
            let tip = context?.ruleTips[rule.id] ?? ""
            out += "<tr><td>\(h(rule.id))</td><td><span class=\"a \(rule.action.name)\">\(rule.action.name)</span></td>"
                + "<td>\(message.isEmpty ? "<span class=\"note\">none</span>" : h(message))</td>"
                + "<td>\(tip.isEmpty ? "<span class=\"note\">none</span>" : h(tip))</td><td>\(rule.count)</td></tr>"
        }
        return out + "</table></section>"
    }

    /// Findings per channel (rows) and detector (columns).
    private func channelGrid(_ t: ScanTotals) -> String {
        guard !grid.isEmpty else { return "" }
        let channels = ScanTotals.top(t.byChannel, 50).map(\.key)
        let detectors = ScanTotals.top(t.byDetector, 50).map(\.key)
        var out = "<section id=\"channel-detector\"><h2>Findings by channel and detector</h2><table><tr><th>channel</th>"
        for detector in detectors { out += "<th>\(h(detector))</th>" }
        out += "<th>total</th></tr>"
        for channel in channels {
            out += "<tr><td>\(h(channel))</td>"
            for detector in detectors { out += "<td>\(grid[channel]?[detector].map(String.init) ?? "")</td>" }
            out += "<td><b>\(t.byChannel[channel] ?? 0)</b></td></tr>"
        }
        return out + "</table></section>"
    }

    private func figure(_ label: String, _ value: Int) -> String {
        "<div class=\"figure\"><b>\(value)</b><span>\(label)</span></div>"
    }

    static let palette = ["#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00", "#b82e2e", "#316395"]

    /// A horizontal bar chart (top 10 rows).
    private func chart(_ title: String, id: String, _ map: [String: Int], order: [String]? = nil) -> String {
        var rows = ScanTotals.top(map, 10)
        if let order { rows = order.compactMap { name in map[name].map { (key: name, value: $0) } } }
        var out = "<section id=\"\(id)\"><h2>\(h(title))</h2>"
        guard let maximum = rows.map(\.value).max(), maximum > 0 else { return out + "<p class=\"note\">No findings.</p></section>" }
        let rowHeight = 24, labelWidth = 150, barWidth = 190
        out += "<svg role=\"img\" aria-label=\"\(h(title))\" width=\"100%\" viewBox=\"0 0 \(labelWidth + barWidth + 50) \(rows.count * rowHeight + 4)\">"
        for (index, row) in rows.enumerated() {
            let y = index * rowHeight
            let width = max(2, row.value * barWidth / maximum)
            let label = row.key.count > 22 ? "…" + row.key.suffix(21) : row.key
            let colour = id == "chart-action" ? HTMLScanReport.actionColour(row.key) : HTMLScanReport.palette[index % HTMLScanReport.palette.count]
            out += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 16)\" text-anchor=\"end\">\(h(label))<title>\(h(row.key))</title></text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(width)\" height=\"16\" rx=\"3\" fill=\"\(colour)\"></rect>"
            out += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 16)\">\(row.value)</text>"
        }
        if map.count > rows.count { out += "</svg><p class=\"note\">\(map.count - rows.count) more not shown.</p></section>" } else { out += "</svg></section>" }
        return out
    }

    static func actionColour(_ name: String) -> String {
        switch name {
        case "block": "#b3261e"
        case "redact": "#8e24aa"
        case "flag": "#b26a00"
        default: "#2e7d32"
        }
    }

    /// Vertical bars per month of the message Date (last 36 months with findings; undated apart).
    private func timeline(_ byMonth: [String: Int]) -> String {
        var out = "<section id=\"chart-time\"><h2>Findings over time (by message date)</h2>"
        let months = Array(byMonth.keys.filter { $0 != "undated" }.sorted().suffix(36))
        let undated = byMonth["undated"] ?? 0
        guard let maximum = months.map({ byMonth[$0]! }).max(), maximum > 0 else {
            return out + "<p class=\"note\">No dated messages\(undated > 0 ? " (\(undated) findings in undated inputs)" : "").</p></section>"
        }
        let barWidth = 46, gap = 10, height = 140
        let width = months.count * (barWidth + gap) + 20
        out += "<svg role=\"img\" aria-label=\"Findings per month\" width=\"\(width)\" height=\"\(height + 40)\" style=\"max-width:100%\" viewBox=\"0 0 \(width) \(height + 40)\">"
        for (index, month) in months.enumerated() {
            let value = byMonth[month]!
            let barHeight = max(2, value * height / maximum)
            let x = 10 + index * (barWidth + gap)
            out += "<rect x=\"\(x)\" y=\"\(height - barHeight + 14)\" width=\"\(barWidth)\" height=\"\(barHeight)\" rx=\"3\" fill=\"#3366cc\"><title>\(h(month)): \(value)</title></rect>"
            out += "<text x=\"\(x + barWidth / 2)\" y=\"\(height - barHeight + 10)\" text-anchor=\"middle\">\(value)</text>"
            out += "<text x=\"\(x + barWidth / 2)\" y=\"\(height + 30)\" text-anchor=\"middle\">\(h(month))</text>"
        }
        out += "</svg>"
        if undated > 0 { out += "<p class=\"note\">\(undated) findings in inputs without a message date are not charted.</p>" }
        return out + "</section>"
    }

    private func h(_ text: String) -> String { HTMLScanReport.escape(text) }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
