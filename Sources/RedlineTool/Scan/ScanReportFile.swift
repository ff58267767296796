import Foundation
import RedlineCore
import RedlineFormats

/// A `scan --format json` report read back (the wire format of ``ScanJSONReport``), turned into
/// the totals, context and findings the scan report writers take. Untrusted input: every field
/// is type-checked, counts are cross-checked, and errors name the file and the field.
struct ScanReportFile {
    var path: String
    var totals: ScanTotals
    var context: ReportContext
    /// In the report's order (walk order of its scan).
    var items: [ScanItem]

    /// Reads and checks one report.
    static func read(_ path: String) throws(ToolError) -> ScanReportFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError("\(path): cannot read the report (\(FileManager.default.fileExists(atPath: path) ? "permission denied or a folder" : "no such file"))")
        }
        return try parse(data, path: path)
    }

    /// Checks one report's bytes; `path` names it in errors.
    static func parse(_ data: Data, path: String) throws(ToolError) -> ScanReportFile {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let error as ToolError {
            throw ToolError("\(path): \(error.description)")
        } catch let error as DecodingError {
            throw ToolError("\(path): \(describe(error))")
        } catch {
            throw ToolError("\(path): not a redline scan report: \(error)")
        }
        return try document.report(path: path)
    }

    static func describe(_ error: DecodingError) -> String {
        func place(_ path: [CodingKey]) -> String {
            let text = path.reduce("") { text, key in key.intValue.map { "\(text)[\($0)]" } ?? (text.isEmpty ? key.stringValue : "\(text).\(key.stringValue)") }
            return text.isEmpty ? "the document" : text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not valid JSON (a truncated or damaged file?); write it again with redline scan --format json"
        case .dataCorrupted(let context):
            return "\(place(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(place(context.codingPath + [key])) is missing (a truncated or edited report?)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(place(context.codingPath)) has the wrong type (\(context.debugDescription))"
        @unknown default:
            return "\(error)"
        }
    }

    // MARK: - The document as decoded

    struct Document: Decodable {
        var schema: String
        var tool: Tool
        var policy: Policy
        var summary: Summary
        var scan: Scan
        var findings: [FindingRecord]

        enum CodingKeys: String, CodingKey { case schema, tool, policy, summary, scan, findings }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            schema = try container.decode(String.self, forKey: .schema)
            guard schema == "redline.findings/1" else {
                throw ToolError("not a redline scan report: schema '\(schema)', expected redline.findings/1 (redline scan --format json)")
            }
            // check's JSON report has the same schema but not what a scan report adds.
            guard container.contains(.scan) else {
                throw ToolError("not a scan report: it has no \"scan\" section (written by redline check, or by a redline "
                    + "older than report merge); write it with redline scan --format json")
            }
            tool = try container.decode(Tool.self, forKey: .tool)
            policy = try container.decode(Policy.self, forKey: .policy)
            summary = try container.decode(Summary.self, forKey: .summary)
            scan = try container.decode(Scan.self, forKey: .scan)
            findings = try container.decode([FindingRecord].self, forKey: .findings)
        }
    }

    struct Tool: Decodable { var version: String }

    struct Policy: Decodable {
        var name: String
        var sha256: String
        var source: String
        var origin: String
        var detectors: [Detector]
        var rule_messages: [String: String]
        var rule_tips: [String: String]?
    }

    struct Detector: Decodable { var id: String, kind: String, summary: String }

    struct Summary: Decodable {
        var verdict: String
        var sources: Int
        var records: Int
        var findings: Int
        var errors: Int
        var by_detector: [String: Int]
        var by_action: [String: Int]
        var messages: Int
        var bytes: Int
        var suppressed: Int
        var skipped: Int
        var by_channel: [String: Int]
        var by_source: [String: Int]
        var by_folder: [String: Int]
        var by_month: [String: Int]
        var scanned_at: String
    }

    struct Scan: Decodable {
        var roots: [String]
        var shard: String?
        var walked: Int
        var walk_errors: [String]
        var errors: [UnitError]
        var merged_from: [Source]
    }

    struct UnitError: Decodable { var unit: Int, message: String }

    struct Source: Decodable {
        var file: String
        var shard: String?
        var policy_sha256: String
        var scanned_at: String
        var findings: Int
    }

    struct FindingRecord: Decodable {
        var source: String
        var record: Int?
        var id: String?
        var channel: String
        var part: String?
        var detector: String
        var kind: String
        var rule: String?
        var action: String
        var confidence: String
        var test_value: Bool
        var start: Int
        var end: Int
        var scalar_start: Int
        var scalar_end: Int
        var line: Int
        var column: Int
        var excerpt: String
        var fingerprint: String?
        var message: String?
        var data_column: String?
        var unit: Int
        var folder: String
        var message_id: String?
        var date: String?
        var baseline_fingerprint: String
    }
}

extension ScanReportFile.Document {
    /// The checked report: values parsed, counts consistent.
    func report(path: String) throws(ToolError) -> ScanReportFile {
        func action(_ name: String, _ place: String) throws(ToolError) -> Action {
            guard let action = Action(name: name) else { throw ToolError("\(path): \(place): unknown action '\(name)'") }
            return action
        }
        func shard(_ text: String?, _ place: String) throws(ToolError) -> ScanShard? {
            guard let text else { return nil }
            guard case .success(let shard) = ScanShard.parse(text) else { throw ToolError("\(path): \(place): '\(text)' is not a shard K/N") }
            return shard
        }
        // Counts and offsets are added and subtracted by the merge and the writers: bounded, so no sum overflows.
        let limit = 1 << 48
        func count(_ value: Int, _ place: String) throws(ToolError) {
            guard value >= 0 && value <= limit else { throw ToolError("\(path): \(place): \(value) is not a count (0 to \(limit))") }
        }
        for (value, place) in [(summary.sources, "sources"), (summary.records, "records"), (summary.findings, "findings"), (summary.errors, "errors"),
                               (summary.messages, "messages"), (summary.bytes, "bytes"), (summary.suppressed, "suppressed"),
                               (summary.skipped, "skipped")] {
            try count(value, "summary.\(place)")
        }
        for (map, place) in [(summary.by_detector, "by_detector"), (summary.by_action, "by_action"), (summary.by_channel, "by_channel"),
                             (summary.by_source, "by_source"), (summary.by_folder, "by_folder"), (summary.by_month, "by_month")] {
            for (key, value) in map { try count(value, "summary.\(place).\(key)") }
        }
        try count(scan.walked, "scan.walked")
        for (index, error) in scan.errors.enumerated() { try count(error.unit, "scan.errors[\(index)].unit") }
        for (index, record) in findings.enumerated() {
            for (value, place) in [(record.record ?? 0, "record"), (record.start, "start"), (record.end, "end"), (record.scalar_start, "scalar_start"),
                                   (record.scalar_end, "scalar_end"), (record.line, "line"), (record.column, "column"), (record.unit, "unit")] {
                try count(value, "findings[\(index)].\(place)")
            }
        }
        var totals = ScanTotals()
        totals.files = summary.sources
        totals.records = summary.records
        totals.messages = summary.messages
        totals.bytes = summary.bytes
        totals.findings = summary.findings
        totals.suppressed = summary.suppressed
        totals.skipped = summary.skipped
        totals.errors = summary.errors
        totals.walkErrors = scan.walk_errors
        totals.unitErrors = scan.errors.map { ($0.unit, $0.message) }
        totals.byDetector = summary.by_detector
        totals.byChannel = summary.by_channel
        totals.byAction = summary.by_action
        totals.bySource = summary.by_source
        totals.byFolder = summary.by_folder
        totals.byMonth = summary.by_month
        totals.verdict = try action(summary.verdict, "summary.verdict")
        totals.policyName = policy.name
        totals.policySHA256 = policy.sha256
        totals.policySource = policy.source
        totals.policyOrigin = policy.origin
        totals.scannedAt = summary.scanned_at
        totals.roots = scan.roots
        totals.shard = try shard(scan.shard, "scan.shard")
        totals.walked = scan.walked
        for (index, source) in scan.merged_from.enumerated() {
            totals.mergedFrom.append(MergedReportSource(file: source.file, shard: try shard(source.shard, "scan.merged_from[\(index)].shard"),
                                                        policySHA256: source.policy_sha256, scannedAt: source.scanned_at, findings: source.findings))
        }
        guard findings.count == summary.findings else {
            throw ToolError("\(path): the summary counts \(summary.findings) findings but the report lists \(findings.count) (an edited or damaged report)")
        }
        guard summary.errors >= scan.walk_errors.count + scan.errors.count else {
            throw ToolError("\(path): the summary counts \(summary.errors) errors but the report lists \(scan.walk_errors.count + scan.errors.count)")
        }
        var items: [ScanItem] = []
        items.reserveCapacity(findings.count)
        for (index, record) in findings.enumerated() {
            let place = "findings[\(index)]"
            guard let confidence = Confidence(name: record.confidence) else {
                throw ToolError("\(path): \(place).confidence: unknown confidence '\(record.confidence)'")
            }
            let finding = Finding(detector: record.detector, kind: record.kind, start: record.start, end: record.end, line: record.line,
                                  column: record.column, scalarStart: record.scalar_start, scalarEnd: record.scalar_end, confidence: confidence,
                                  isTestValue: record.test_value, excerpt: record.excerpt, valueHash: record.fingerprint ?? "", rule: record.rule,
                                  action: try action(record.action, "\(place).action"), part: record.part, dataColumn: record.data_column)
            let entry = ReportEntry(source: record.source, record: record.record, id: record.id, channel: record.channel, finding: finding)
            items.append(ScanItem(entry: entry, identity: "", date: record.date, messageID: record.message_id, folder: record.folder,
                                  fingerprint: record.baseline_fingerprint, unit: record.unit))
        }
        var context = ReportContext(toolVersion: tool.version, policyName: policy.name, policySHA256: policy.sha256, policySource: policy.source,
                                    detectors: policy.detectors.map { ($0.id, $0.kind, $0.summary) }, ruleMessages: policy.rule_messages)
        context.ruleTips = policy.rule_tips ?? [:]
        return ScanReportFile(path: path, totals: totals, context: context, items: items)
    }
}
