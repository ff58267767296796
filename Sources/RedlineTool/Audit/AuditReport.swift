import Foundation

/// `redline audit report FILE`: decisions and overrides of an audit log summarised per sender,
/// group and rule, for a compliance officer's weekly review. It reads only what the log holds
/// (no content: detector counts, rule ids, redacted justifications), and says whether the chain
/// was verified.
public struct AuditReport: Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, csv, html }

    /// One override as recorded.
    public struct Override: Sendable, Equatable {
        public var seq: Int
        public var time: String
        public var sender: String
        public var groups: [String]
        public var rule: String
        public var granted: Bool
        public var becomes: String?
        public var refusal: String?
        public var justification: String
        public var channel: String
        public var mode: String
        public var detectors: [String: Int]
    }

    /// Counts for one sender, group or rule.
    public struct Tally: Sendable, Equatable {
        public var decisions = 0
        /// Decisions per verdict (allow, flag, redact, block).
        public var verdicts: [String: Int] = [:]
        public var granted = 0
        public var refused = 0
    }

    public var records = 0
    /// Records before `since`, left out.
    public var skipped = 0
    public var first: String?
    public var last: String?
    public var verdicts: [String: Int] = [:]
    public var bySender: [String: Tally] = [:]
    public var byGroup: [String: Tally] = [:]
    public var byRule: [String: Tally] = [:]
    /// Decisions per day (`YYYY-MM-DD`) and verdict, for the chart.
    public var byDay: [String: [String: Int]] = [:]
    public var overrides: [Override] = []
    /// What `audit verify` found, when the key was given: nil not checked.
    public var chain: String?

    static let unknownSender = "(not recorded)"
    public static let verdictOrder = ["allow", "flag", "redact", "block"]

    /// Reads `data` (an audit log), keeping records whose `time` is at or after `since`
    /// (`YYYY-MM-DD` or a full ISO 8601 UTC time). A line that is not a record is an error.
    public init(log data: Data, since: String? = nil) throws {
        var lineNumber = 0
        for raw in data.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            if raw.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any],
                  let seq = object["seq"] as? Int, let time = object["time"] as? String else {
                throw ToolError("line \(lineNumber): not an audit record")
            }
            if let since, time < since { skipped += 1; continue }
            add(seq: seq, time: time, object)
        }
    }

    private mutating func add(seq: Int, time: String, _ object: [String: Any]) {
        records += 1
        if first == nil || time < first! { first = time }
        if last == nil || time > last! { last = time }
        let verdict = object["verdict"] as? String ?? "allow"
        let sender = object["sender"] as? String ?? AuditReport.unknownSender
        let groups = object["groups"] as? [String] ?? []
        let rules = object["rules"] as? [String] ?? []
        let channel = object["channel"] as? String ?? ""
        let mode = object["mode"] as? String ?? ""
        verdicts[verdict, default: 0] += 1
        byDay[String(time.prefix(10)), default: [:]][verdict, default: 0] += 1
        func count(_ tally: inout Tally) {
            tally.decisions += 1
            tally.verdicts[verdict, default: 0] += 1
        }
        count(&bySender[sender, default: Tally()])
        for group in groups { count(&byGroup[group, default: Tally()]) }
        for rule in rules { count(&byRule[rule, default: Tally()]) }
        for item in object["overrides"] as? [[String: Any]] ?? [] {
            let granted = item["outcome"] as? String == "granted"
            let rule = item["rule"] as? String ?? "?"
            let override = Override(seq: seq, time: time, sender: sender, groups: groups, rule: rule, granted: granted,
                                    becomes: item["becomes"] as? String, refusal: item["refusal"] as? String,
                                    justification: item["justification"] as? String ?? "", channel: channel, mode: mode,
                                    detectors: item["detectors"] as? [String: Int] ?? [:])
            overrides.append(override)
            func note(_ tally: inout Tally) { if granted { tally.granted += 1 } else { tally.refused += 1 } }
            note(&bySender[sender, default: Tally()])
            for group in groups { note(&byGroup[group, default: Tally()]) }
            note(&byRule[rule, default: Tally()])
        }
    }

    /// The report in `format`.
    public func render(_ format: Format, file: String) -> String {
        switch format {
        case .text: text(file: file)
        case .csv: csv()
        case .html: AuditReportHTML(report: self, file: file).render()
        }
    }

    static func verdictSummary(_ counts: [String: Int]) -> String {
        verdictOrder.compactMap { name in counts[name].map { "\(name) \($0)" } }.joined(separator: ", ")
    }

    /// Rows sorted by the most overrides, then decisions, then name.
    static func sorted(_ map: [String: Tally]) -> [(String, Tally)] {
        map.sorted { a, b in
            let ka = (a.value.granted + a.value.refused, a.value.decisions), kb = (b.value.granted + b.value.refused, b.value.decisions)
            return ka != kb ? ka > kb : a.key < b.key
        }
    }

    func text(file: String) -> String {
        var lines: [String] = []
        lines.append("Audit report for \(file)")
        lines.append("Period: \(first ?? "-") to \(last ?? "-"); \(records) decisions" + (skipped > 0 ? " (\(skipped) earlier records left out)" : ""))
        lines.append("Chain: \(chain ?? "not verified (no key: run 'redline audit verify' with the HMAC key)")")
        lines.append("Verdicts: \(AuditReport.verdictSummary(verdicts).isEmpty ? "none" : AuditReport.verdictSummary(verdicts))")
        let granted = overrides.filter(\.granted).count
        lines.append("Overrides: \(granted) granted, \(overrides.count - granted) refused")
        for (title, map) in [("sender", bySender), ("group", byGroup), ("rule", byRule)] {
            lines.append("")
            lines.append("By \(title):")
            for (name, tally) in AuditReport.sorted(map) {
                lines.append("  \(name): \(tally.decisions) decisions (\(AuditReport.verdictSummary(tally.verdicts))); overrides \(tally.granted) granted, \(tally.refused) refused")
            }
        }
        if !overrides.isEmpty {
            lines.append("")
            lines.append("Overrides:")
            for item in overrides {
                let outcome = item.granted ? "granted → \(item.becomes ?? "?")" : "refused (\(item.refusal ?? ""))"
                let counts = item.detectors.keys.sorted().map { "\($0)=\(item.detectors[$0]!)" }.joined(separator: " ")
                lines.append("  #\(item.seq) \(item.time) \(item.sender) [\(item.groups.joined(separator: ","))] rule \(item.rule) on \(item.channel) (\(item.mode)): \(outcome)"
                             + (counts.isEmpty ? "" : "; passed \(counts)"))
                lines.append("      justification: \(item.justification)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per sender, group and rule, then one per override. Cells starting with `=`, `+`,
    /// `-` or `@` are prefixed with `'` so a spreadsheet does not run them as formulas.
    func csv() -> String {
        var rows = [["section", "name", "decisions", "allow", "flag", "redact", "block", "overrides_granted", "overrides_refused",
                     "seq", "time", "groups", "rule", "outcome", "channel", "mode", "justification"]]
        for (section, map) in [("sender", bySender), ("group", byGroup), ("rule", byRule)] {
            for (name, tally) in AuditReport.sorted(map) {
                var row: [String] = [section, name, String(tally.decisions)]
                for verdict in AuditReport.verdictOrder { row.append(String(tally.verdicts[verdict] ?? 0)) }
                row.append(String(tally.granted))
                row.append(String(tally.refused))
                row.append(contentsOf: Array(repeating: "", count: 8))
                rows.append(row)
            }
        }
        for item in overrides {
            rows.append(["override", item.sender, "", "", "", "", "", "", "", String(item.seq), item.time, item.groups.joined(separator: " "),
                         item.rule, item.granted ? "granted:\(item.becomes ?? "")" : "refused", item.channel, item.mode, item.justification])
        }
        return rows.map { $0.map(AuditReport.csvCell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvCell(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
