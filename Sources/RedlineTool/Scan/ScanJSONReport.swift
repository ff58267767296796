import RedlineCore
import RedlineFormats

/// `scan --format json`: check's JSON document (schema `redline.findings/1`) with what is needed
/// to rebuild every scan report from it — `redline report merge` reads exactly this.
///
/// Wire format (additions to check's, which stay as they are):
/// - `policy`: also `origin` (how the policy was found), `detectors` (`[{id, kind, summary}]`, as
///   SARIF's rules and the HTML report list them), `rule_messages` (`{rule id: message to senders}`)
///   and `rule_tips` (`{rule id: the rule's tip}`; absent in reports of older versions).
/// - `summary`: also `messages`, `bytes`, `suppressed` (findings left out by `--baseline`),
///   `skipped` (files of an unrecognised kind), `by_channel`, `by_source`, `by_folder`,
///   `by_month` (`yyyy-mm` of the message Date, or `undated`) and `scanned_at`. `sources` counts files.
/// - `scan`: `roots` (as given), `shard` (`"K/N"`, or null for the whole tree), `walked` (files and
///   Maildir messages the walk found before sharding), `walk_errors` (roots or folders that could
///   not be read), `errors` (`[{unit, message}]`: inputs that could not be read or parsed, the
///   first 100 with the walk errors) and `merged_from` (for a merged report, `[{file, shard,
///   policy_sha256, scanned_at, findings}]` in argument order; else empty).
/// - each finding: `tip` (the deciding rule's tip) when it has one, as in check's JSON; also `unit` (the 0-based position of its file or Maildir message in the walk
///   of all roots before sharding: a merge orders by it), `folder`, `message_id` (mail: the
///   Message-ID with anything found in it redacted; else null), `date` (mail: `yyyy-mm-dd`; else
///   null) and `baseline_fingerprint` (the keyed fingerprint baselines and the CSV use; empty
///   without a key).
///
/// No field holds raw content: excerpts are masked, fingerprints keyed.
final class ScanJSONReport: ScanSink {
    let context: ReportContext
    let write: ([UInt8]) -> Void
    /// The findings so far, comma-separated JSON objects.
    private var findings: [UInt8] = []

    init(context: ReportContext, write: @escaping ([UInt8]) -> Void) {
        self.context = context
        self.write = write
    }

    func add(_ item: ScanItem) {
        if !findings.isEmpty { findings.append(UInt8(ascii: ",")) }
        let message = item.entry.finding.rule.flatMap { context.ruleMessages[$0] }
        let tip = item.entry.finding.rule.flatMap { context.ruleTips[$0] }
        ReportJSON.appendFinding(item.entry, type: false, message: message, tip: tip, to: &findings)
        findings.removeLast()   // the closing brace: the scan fields follow
        findings.append(contentsOf: ",\"unit\":".utf8)
        JSONText.appendDecimal(item.unit, to: &findings)
        findings.append(contentsOf: ",\"folder\":".utf8)
        JSONText.appendQuoted(item.folder, to: &findings)
        findings.append(contentsOf: ",\"message_id\":".utf8)
        optional(item.messageID)
        findings.append(contentsOf: ",\"date\":".utf8)
        optional(item.date)
        findings.append(contentsOf: ",\"baseline_fingerprint\":".utf8)
        JSONText.appendQuoted(item.fingerprint, to: &findings)
        findings.append(UInt8(ascii: "}"))
    }

    private func optional(_ value: String?) {
        if let value { JSONText.appendQuoted(value, to: &findings) } else { findings.append(contentsOf: "null".utf8) }
    }

    func finish(_ t: ScanTotals) {
        let q: (String) -> String = JSONString.encode
        var text = "{\"schema\":\"redline.findings/1\",\"tool\":{\"name\":\"redline\",\"version\":\(q(context.toolVersion))},"
        text += "\"policy\":{\"name\":\(q(context.policyName)),\"sha256\":\"\(context.policySHA256)\",\"source\":\(q(context.policySource)),"
        text += "\"origin\":\(q(t.policyOrigin)),\"detectors\":["
        text += context.detectors.map { "{\"id\":\(q($0.id)),\"kind\":\(q($0.kind)),\"summary\":\(q($0.summary))}" }.joined(separator: ",")
        text += "],\"rule_messages\":{"
        text += context.ruleMessages.keys.sorted().map { "\(q($0)):\(q(context.ruleMessages[$0]!))" }.joined(separator: ",")
        text += "},\"rule_tips\":{"
        text += context.ruleTips.keys.sorted().map { "\(q($0)):\(q(context.ruleTips[$0]!))" }.joined(separator: ",")
        text += "}},"
        text += "\"summary\":{" + ReportJSON.summaryFields(t.reportSummary, context)
        text += ",\"messages\":\(t.messages),\"bytes\":\(t.bytes),\"suppressed\":\(t.suppressed),\"skipped\":\(t.skipped)"
        text += ",\"by_channel\":\(ReportJSON.counts(t.byChannel)),\"by_source\":\(ReportJSON.counts(t.bySource))"
        text += ",\"by_folder\":\(ReportJSON.counts(t.byFolder)),\"by_month\":\(ReportJSON.counts(t.byMonth)),\"scanned_at\":\(q(t.scannedAt))},"
        text += "\"scan\":{\"roots\":[" + t.roots.map(q).joined(separator: ",") + "],"
        text += "\"shard\":\(t.shard.map { "\"\($0)\"" } ?? "null"),\"walked\":\(t.walked),"
        text += "\"walk_errors\":[" + t.walkErrors.map(q).joined(separator: ",") + "],"
        text += "\"errors\":[" + t.unitErrors.map { "{\"unit\":\($0.unit),\"message\":\(q($0.message))}" }.joined(separator: ",") + "],"
        text += "\"merged_from\":[" + t.mergedFrom.map { source in
            "{\"file\":\(q(source.file)),\"shard\":\(source.shard.map { "\"\($0)\"" } ?? "null"),"
                + "\"policy_sha256\":\"\(source.policySHA256)\",\"scanned_at\":\(q(source.scannedAt)),\"findings\":\(source.findings)}"
        }.joined(separator: ",") + "]},"
        text += "\"findings\":["
        write(Array(text.utf8) + findings + Array("]}\n".utf8))
    }
}

/// One report a merged report was made from.
public struct MergedReportSource: Sendable, Equatable {
    public var file: String
    public var shard: ScanShard?
    public var policySHA256: String
    public var scannedAt: String
    public var findings: Int
}
