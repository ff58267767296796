/// The HTML form of ``AuditReport``: one self-contained page (no scripts, no external resources;
/// it passes a `default-src 'none'` Content-Security-Policy) with a stacked bar chart of decisions
/// per day in inline SVG, the tables per sender, group and rule, and every override.
struct AuditReportHTML {
    let report: AuditReport
    let file: String

    static let colours = ["allow": "#9aa5b1", "flag": "#e0a800", "redact": "#8e44ad", "block": "#c0392b"]

    func h(_ text: String) -> String { HTMLScanReport.escape(text) }

    func render() -> String {
        let granted = report.overrides.filter(\.granted).count
        var out = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>Redline audit report</title>
            <style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
            th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
            td.n{text-align:right}.granted{color:#1e7e34}.refused{color:#c0392b}.note{color:#555}</style>
            </head><body>
            <h1>Audit report</h1>
            <p>Log <code>\(h(file))</code>. Period \(h(report.first ?? "-")) to \(h(report.last ?? "-")): \(report.records) decisions\(report.skipped > 0 ? " (\(report.skipped) earlier records left out)" : "").</p>
            <p>Chain: \(h(report.chain ?? "not verified (no key: run 'redline audit verify' with the HMAC key)"))</p>
            <p>Overrides: <strong>\(granted)</strong> granted, <strong>\(report.overrides.count - granted)</strong> refused.</p>

            """
        out += chart()
        for (title, map) in [("Senders", report.bySender), ("Groups", report.byGroup), ("Rules", report.byRule)] {
            out += "<h2>\(title)</h2><table><tr><th>Name</th><th>Decisions</th>"
            out += AuditReport.verdictOrder.map { "<th>\($0)</th>" }.joined() + "<th>Overrides granted</th><th>Overrides refused</th></tr>\n"
            for (name, tally) in AuditReport.sorted(map) {
                out += "<tr><td>\(h(name))</td><td class=\"n\">\(tally.decisions)</td>"
                out += AuditReport.verdictOrder.map { "<td class=\"n\">\(tally.verdicts[$0] ?? 0)</td>" }.joined()
                out += "<td class=\"n\">\(tally.granted)</td><td class=\"n\">\(tally.refused)</td></tr>\n"
            }
            out += "</table>\n"
        }
        out += "<h2>Overrides</h2>"
        if report.overrides.isEmpty {
            out += "<p class=\"note\">No override was asked for in this period.</p>"
        } else {
            out += "<table><tr><th>#</th><th>Time</th><th>Sender</th><th>Groups</th><th>Rule</th><th>Outcome</th><th>Channel</th><th>Passed</th><th>Justification (redacted)</th></tr>\n"
            for item in report.overrides {
                let outcome = item.granted ? "<span class=\"granted\">granted → \(h(item.becomes ?? ""))</span>"
                    : "<span class=\"refused\">refused</span> \(h(item.refusal ?? ""))"
                let counts = item.detectors.keys.sorted().map { "\($0)=\(item.detectors[$0]!)" }.joined(separator: " ")
                out += "<tr><td>\(item.seq)</td><td>\(h(item.time))</td><td>\(h(item.sender))</td><td>\(h(item.groups.joined(separator: ", ")))</td>"
                out += "<td>\(h(item.rule))</td><td>\(outcome)</td><td>\(h(item.channel)) (\(h(item.mode)))</td><td>\(h(counts))</td><td>\(h(item.justification))</td></tr>\n"
            }
            out += "</table>"
        }
        return out + "\n</body></html>\n"
    }

    /// Decisions per day, stacked by verdict, as inline SVG with a text legend.
    func chart() -> String {
        let days = report.byDay.keys.sorted()
        guard !days.isEmpty else { return "<p class=\"note\">No decisions in this period.</p>\n" }
        let totals = days.map { report.byDay[$0]!.values.reduce(0, +) }
        let maximum = max(totals.max() ?? 1, 1)
        let barWidth = 28, gap = 8, height = 160
        let width = days.count * (barWidth + gap) + 40
        var out = "<h2>Decisions per day</h2>\n<svg role=\"img\" aria-label=\"Decisions per day by verdict\" width=\"\(width)\" height=\"\(height + 50)\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"10\">"
        for (index, day) in days.enumerated() {
            let x = 30 + index * (barWidth + gap)
            var y = height
            for verdict in AuditReport.verdictOrder {
                let count = report.byDay[day]?[verdict] ?? 0
                guard count > 0 else { continue }
                let barHeight = max(1, count * height / maximum)
                y -= barHeight
                out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(barHeight)\" fill=\"\(AuditReportHTML.colours[verdict]!)\"><title>\(h(day)): \(count) \(verdict)</title></rect>"
            }
            out += "<text x=\"\(x + barWidth / 2)\" y=\"\(height + 14)\" text-anchor=\"middle\">\(h(String(day.suffix(5))))</text>"
            out += "<text x=\"\(x + barWidth / 2)\" y=\"\(y - 3)\" text-anchor=\"middle\">\(totals[index])</text>"
        }
        out += "</svg>\n<p class=\"note\">" + AuditReport.verdictOrder.map { "<span style=\"color:\(AuditReportHTML.colours[$0]!)\">■</span> \($0)" }.joined(separator: " &nbsp; ") + "</p>\n"
        return out
    }
}
