import Foundation
import RedlineCore
import RedlineFormats

/// Totals over a scan, for every report format. Counts only; no content.
public struct ScanTotals: Sendable {
    public var files = 0
    public var records = 0
    public var messages = 0
    public var bytes = 0
    public var findings = 0
    /// Findings left out because the baseline already has them.
    public var suppressed = 0
    public var skipped = 0
    /// Inputs that could not be scanned: walk errors plus unreadable or malformed inputs.
    public var errors = 0
    /// Roots or folders the walk could not read (all of them; every shard reports them).
    public var walkErrors: [String] = []
    /// Inputs that could not be read or parsed, with their unit's ``ScanUnit/ordinal``; kept
    /// while walk and unit errors together number under ``errorMessageLimit``.
    public var unitErrors: [(unit: Int, message: String)] = []
    public static let errorMessageLimit = 100
    /// The messages reports list: walk errors, then input errors in walk order.
    public var errorMessages: [String] { walkErrors + unitErrors.map(\.message) }
    public var byDetector: [String: Int] = [:]
    public var byChannel: [String: Int] = [:]
    public var byAction: [String: Int] = [:]
    public var bySource: [String: Int] = [:]
    public var byFolder: [String: Int] = [:]
    /// `yyyy-mm` of the message Date → findings (`undated` for inputs without one).
    public var byMonth: [String: Int] = [:]
    public var verdict: Action = .allow
    public var policyName = ""
    public var policySHA256 = ""
    /// The policy file (or `<embedded uk-default>`) and how it was found.
    public var policySource = ""
    public var policyOrigin = ""
    /// When the scan started (UTC ISO 8601; `SOURCE_DATE_EPOCH` when set, for reproducible reports).
    /// A merged report has the earliest of its reports'.
    public var scannedAt = ""
    /// The roots as given, the shard (nil: the whole tree) and how many files (Maildir
    /// messages) the walk found before sharding.
    public var roots: [String] = []
    public var shard: ScanShard?
    public var walked = 0
    /// A merged report: the reports it was made from, in argument order.
    public var mergedFrom: [MergedReportSource] = []
    public init() {}

    mutating func add(_ item: ScanItem) {
        let finding = item.entry.finding
        findings += 1
        byDetector[finding.detector, default: 0] += 1
        byChannel[item.entry.channel, default: 0] += 1
        byAction[finding.action.name, default: 0] += 1
        bySource[item.entry.source, default: 0] += 1
        byFolder[item.folder, default: 0] += 1
        byMonth[item.date.map { String($0.prefix(7)) } ?? "undated", default: 0] += 1
        verdict = max(verdict, finding.action)
    }

    /// The summary check's report formats take.
    var reportSummary: ReportSummary {
        var summary = ReportSummary()
        summary.sources = files
        summary.records = records
        summary.findings = findings
        summary.byDetector = byDetector
        summary.byAction = byAction
        summary.verdict = verdict
        summary.errors = errors
        return summary
    }

    /// The `limit` largest entries, largest first, ties by name (stable output).
    static func top(_ map: [String: Int], _ limit: Int) -> [(key: String, value: Int)] {
        Array(map.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit))
    }
}

/// Receives the findings of a scan in input order, then the totals.
protocol ScanSink: AnyObject {
    func add(_ item: ScanItem)
    func finish(_ totals: ScanTotals)
}

/// JSON, JSONL and SARIF: check's writers, fed scan entries.
final class CheckFormatSink: ScanSink {
    let sink: ReportSink
    init(_ sink: ReportSink) { self.sink = sink }
    func add(_ item: ScanItem) { sink.add(item.entry) }
    func finish(_ totals: ScanTotals) { sink.finish(totals.reportSummary) }
}

/// The terminal summary: totals by detector, channel and action, top sources, errors (and with
/// `--list`, one check-style line per finding first).
final class ScanTextReport: ScanSink {
    let list: Bool
    let write: ([UInt8]) -> Void

    init(list: Bool, write: @escaping ([UInt8]) -> Void) {
        self.list = list
        self.write = write
    }

    func add(_ item: ScanItem) {
        guard list else { return }
        let f = item.entry.finding
        let place = item.entry.record.map { "#\($0)" } ?? "\(f.line)"
        let part = f.part.map { " (\($0))" } ?? ""
        write(Array("\(item.entry.source):\(place):\(f.column): \(f.rule ?? "-") [\(f.action.name)] \(f.detector): \(f.excerpt)\(part)\n".utf8))
    }

    func finish(_ t: ScanTotals) {
        var out = list && t.findings > 0 ? "\n" : ""
        out += "redline scan: \(t.files) files, \(t.messages) messages, \(t.records) records/messages/texts, \(ScanTextReport.size(t.bytes))\n"
        if let shard = t.shard { out += "shard \(shard) of the \(t.walked) files found (merge the \(shard.count) JSON reports with redline report merge)\n" }
        out += "policy \(t.policyName) (sha256 \(t.policySHA256.prefix(12))) from \(t.policySource) (\(t.policyOrigin)); verdict \(t.verdict.name)\n"
        out += "findings: \(t.findings)"
        if t.suppressed > 0 { out += " new (\(t.suppressed) in the baseline not shown)" }
        out += "\n"
        out += ScanTextReport.table("by detector", t.byDetector, limit: 20)
        out += ScanTextReport.table("by channel", t.byChannel, limit: 20)
        out += ScanTextReport.table("by action", t.byAction, limit: 4)
        out += ScanTextReport.table("top sources", t.bySource, limit: 10)
        if t.skipped > 0 { out += "skipped: \(t.skipped) files of an unrecognised kind (use --input or --include)\n" }
        if t.errors > 0 {
            out += "errors: \(t.errors) inputs could not be read or parsed (partial scan)\n"
            for message in t.errorMessages.prefix(10) { out += "  \(message)\n" }
        }
        write(Array(out.utf8))
    }

    static func table(_ title: String, _ map: [String: Int], limit: Int) -> String {
        guard !map.isEmpty else { return "" }
        let rows = ScanTotals.top(map, limit)
        let width = min(60, rows.map(\.key.count).max() ?? 0)
        var out = "\(title):\n"
        for row in rows {
            let name = row.key.count > width ? "…" + row.key.suffix(width - 1) : row.key + String(repeating: " ", count: width - row.key.count)
            out += "  \(name)  \(row.value)\n"
        }
        if map.count > limit { out += "  (\(map.count - limit) more)\n" }
        return out
    }

    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 30 { return String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.1f MB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.1f KB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) B"
    }
}

/// CSV for spreadsheets (RFC 4180, CRLF line ends). The header is fixed and documented:
/// `scanned_at,source,record_id,channel,rule_id,severity,action,line,column,excerpt_masked,fingerprint,policy_version,detector,message_id,date,part,message,tip`.
/// `severity` is info/low/medium/high for allow/flag/redact/block; `record_id` is the record's id
/// field, else its 0-based index (mbox message, JSONL line, CSV row), empty for files;
/// `fingerprint` is the keyed baseline fingerprint (empty without a key); `policy_version` is
/// `name@sha256-prefix`; `detector` is the policy's detector id; for mail, `message_id` is the
/// Message-ID as written (anything a detector finds in it redacted) and `date` the Date header's
/// day as `yyyy-mm-dd`, both empty for other inputs; `part` is where in the input the finding is
/// (a record's field path such as `customer.notes`, a CSV column, a MIME part or header), empty
/// for plain text; `message` is the deciding rule's message to senders (the policy's text, empty
/// when the rule has none). Every text cell goes through the formula-injection guard.
final class CSVScanReport: ScanSink {
    static let header = ["scanned_at", "source", "record_id", "channel", "rule_id", "severity", "action", "line", "column",
                         "excerpt_masked", "fingerprint", "policy_version", "detector", "message_id", "date", "part", "message", "tip"]
    let write: ([UInt8]) -> Void
    let scannedAt: String
    let policyVersion: String
    /// Rule id → the rule's message to senders.
    let ruleMessages: [String: String]
    /// Rule id → the rule's tip.
    let ruleTips: [String: String]

    init(bom: Bool, scannedAt: String, policyVersion: String, ruleMessages: [String: String], ruleTips: [String: String] = [:],
         write: @escaping ([UInt8]) -> Void) {
        self.write = write
        self.scannedAt = scannedAt
        self.policyVersion = policyVersion
        self.ruleMessages = ruleMessages
        self.ruleTips = ruleTips
        write((bom ? [0xEF, 0xBB, 0xBF] : []) + Array((CSVScanReport.header.joined(separator: ",") + "\r\n").utf8))
    }

    static func severity(_ action: Action) -> String {
        switch action {
        case .allow: "info"
        case .flag: "low"
        case .redact: "medium"
        case .block: "high"
        }
    }

    func add(_ item: ScanItem) {
        let f = item.entry.finding
        let record = item.entry.id ?? item.entry.record.map(String.init) ?? ""
        let cells = [scannedAt, item.entry.source, record, item.entry.channel, f.rule ?? "", CSVScanReport.severity(f.action), f.action.name,
                     String(f.line), String(f.column), f.excerpt, item.fingerprint, policyVersion,
                     f.detector, item.messageID ?? "", item.date ?? "", f.part ?? "", f.rule.flatMap { ruleMessages[$0] } ?? "",
                     f.rule.flatMap { ruleTips[$0] } ?? ""]
        write(Array((cells.map(CSVRecord.spreadsheetCell).joined(separator: ",") + "\r\n").utf8))
    }

    func finish(_ totals: ScanTotals) {}
}
