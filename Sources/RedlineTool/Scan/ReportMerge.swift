import Foundation
import RedlineCore
import RedlineFormats

/// `redline report merge` settings.
public struct ReportMergeOptions: Sendable {
    /// JSON reports written by `redline scan --format json` (shards, or scans of other trees).
    public var files: [String] = []
    public var format: ScanFormat = .text
    public var output: String?
    /// Merge reports whose policies differ (sha256); the merged report names the first one's.
    public var allowMixedPolicies = false
    public var failOn: Action = .flag
    public var csvBOM = false
    /// Text format: list every finding before the summary.
    public var listFindings = false
    public init() {}
}

/// Merges scan reports into the report a single scan of the whole tree would have written.
///
/// Shard reports (`scan --shard K/N`) must be a complete set — one report for each of 1/N … N/N,
/// N the same — and merge into exactly the single scan's totals, tables, charts and findings:
/// counts add up, the verdict is the strictest, findings are put back in walk order (each
/// finding's `unit`), walk errors (which every shard reports) are listed once, and the merged
/// report's `scanned_at` is the earliest. Reports without a shard (scans of different trees)
/// are appended in argument order. Reports of different policies (sha256) are refused unless
/// allowed; a report that is not a complete scan report is refused with the file named.
public enum ReportMerger {
    public struct Merged {
        public var totals: ScanTotals
        var context: ReportContext
        var items: [ScanItem]
        /// Things the user should know that do not stop the merge (different trees walked, mixed policies).
        public var warnings: [String]
    }

    /// Reads, checks and merges the reports.
    static func merge(files: [String], allowMixedPolicies: Bool) throws(ToolError) -> Merged {
        guard !files.isEmpty else { throw ToolError("report merge needs at least one JSON report (redline scan --format json)") }
        var reports: [ScanReportFile] = []
        for file in files { reports.append(try ScanReportFile.read(file)) }
        return try merge(reports, allowMixedPolicies: allowMixedPolicies)
    }

    /// The report `data` (a `scan --format json` report, untrusted) merged with `copies - 1` more
    /// copies of itself as whole scans, written in `format`; or the error a merge prints.
    /// (The fuzz target's entry point: nothing here may crash on any bytes.)
    public static func render(reportData data: Data, name: String, copies: Int = 1, format: ScanFormat) -> Result<(totals: ScanTotals, output: [UInt8]), ToolMessage> {
        do {
            var report = try ScanReportFile.parse(data, path: name)
            report.totals.shard = nil
            let merged = try merge(Array(repeating: report, count: max(1, copies)), allowMixedPolicies: false)
            var output: [UInt8] = []
            let sink = ScanRunner.makeSink(format, context: merged.context, scannedAt: merged.totals.scannedAt, csvBOM: false, list: true) {
                output += $0
            }
            for item in merged.items { sink.add(item) }
            sink.finish(merged.totals)
            return .success((merged.totals, output))
        } catch {
            return .failure(ToolMessage(error.description))
        }
    }

    static func merge(_ reports: [ScanReportFile], allowMixedPolicies: Bool) throws(ToolError) -> Merged {
        var warnings: [String] = []
        let first = reports[0]
        let policies = Dictionary(grouping: reports, by: \.totals.policySHA256)
        if policies.count > 1 {
            let list = reports.map { "\($0.path): \($0.totals.policyName) sha256 \($0.totals.policySHA256.prefix(12))" }.joined(separator: "; ")
            guard allowMixedPolicies else {
                throw ToolError("the reports were written with different policies (\(list)); their findings were decided differently. "
                    + "Scan again with one policy, or pass --allow-mixed-policies to merge them anyway")
            }
            warnings.append("merging reports of different policies (\(list)); the merged report names \(first.path)'s policy")
        }

        let sharded = reports.filter { $0.totals.shard != nil }
        if !sharded.isEmpty {
            try checkShardSet(reports, warnings: &warnings)
        }

        var totals = ScanTotals()
        totals.policyName = first.totals.policyName
        totals.policySHA256 = first.totals.policySHA256
        totals.policySource = first.totals.policySource
        totals.policyOrigin = first.totals.policyOrigin
        totals.scannedAt = reports.map(\.totals.scannedAt).filter { !$0.isEmpty }.min() ?? ""
        var items: [ScanItem] = []
        var unitErrors: [(unit: Int, message: String)] = []
        var walkErrors: [String] = []
        var inputErrors = 0
        // Without shards, each report's units follow the previous reports' (argument order).
        var offset = 0
        for report in reports {
            let t = report.totals
            let shift = sharded.isEmpty ? offset : 0
            totals.files += t.files
            totals.records += t.records
            totals.messages += t.messages
            totals.bytes += t.bytes
            totals.findings += t.findings
            totals.suppressed += t.suppressed
            totals.skipped += t.skipped
            inputErrors += t.errors - t.walkErrors.count
            for error in t.walkErrors where sharded.isEmpty || !walkErrors.contains(error) { walkErrors.append(error) }
            unitErrors += t.unitErrors.map { ($0.unit + shift, $0.message) }
            add(t.byDetector, to: &totals.byDetector)
            add(t.byChannel, to: &totals.byChannel)
            add(t.byAction, to: &totals.byAction)
            add(t.bySource, to: &totals.bySource)
            add(t.byFolder, to: &totals.byFolder)
            add(t.byMonth, to: &totals.byMonth)
            totals.verdict = max(totals.verdict, t.verdict)
            for var item in report.items {
                item.unit += shift
                items.append(item)
            }
            if sharded.isEmpty { totals.roots += t.roots }
            offset += t.walked
            totals.mergedFrom.append(MergedReportSource(file: report.path, shard: t.shard, policySHA256: t.policySHA256,
                                                        scannedAt: t.scannedAt, findings: t.findings))
        }
        totals.roots = sharded.isEmpty ? totals.roots : first.totals.roots
        totals.walked = sharded.isEmpty ? offset : first.totals.walked
        totals.walkErrors = walkErrors
        totals.errors = walkErrors.count + inputErrors
        // Walk order: each file is in one shard, and a report lists its findings in walk order.
        if !sharded.isEmpty {
            items = stableSorted(items) { $0.unit < $1.unit }
            unitErrors = stableSorted(unitErrors) { $0.unit < $1.unit }
        }
        totals.unitErrors = Array(unitErrors.prefix(max(0, ScanTotals.errorMessageLimit - walkErrors.count)))

        var context = first.context
        context.toolVersion = Checker.version
        for report in reports.dropFirst() {
            context.ruleMessages.merge(report.context.ruleMessages) { mine, _ in mine }
            context.ruleTips.merge(report.context.ruleTips) { mine, _ in mine }
            for detector in report.context.detectors where !context.detectors.contains(where: { $0.id == detector.id }) {
                context.detectors.append(detector)
            }
        }
        return Merged(totals: totals, context: context, items: items, warnings: warnings)
    }

    /// Shard reports must be one complete set: the same N, each K once, none missing.
    static func checkShardSet(_ reports: [ScanReportFile], warnings: inout [String]) throws(ToolError) {
        if let whole = reports.first(where: { $0.totals.shard == nil }) {
            throw ToolError("\(whole.path) is not a shard but the other reports are (--shard K/N): merge the shards of one scan, "
                + "or whole scans, not both")
        }
        let count = reports[0].totals.shard!.count
        if let other = reports.first(where: { $0.totals.shard!.count != count }) {
            throw ToolError("\(reports[0].path) is shard \(reports[0].totals.shard!) but \(other.path) is shard \(other.totals.shard!): "
                + "the shards of one scan all have the same N")
        }
        var seen: [Int: String] = [:]
        for report in reports {
            let index = report.totals.shard!.index
            if let earlier = seen[index] { throw ToolError("\(earlier) and \(report.path) are both shard \(index)/\(count)") }
            seen[index] = report.path
        }
        let missing = (1...count).filter { seen[$0] == nil }
        if !missing.isEmpty {
            let names = missing.prefix(10).map { "\($0)/\(count)" }.joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
            throw ToolError("shard\(missing.count == 1 ? "" : "s") \(names) missing (\(missing.count) of \(count) not given): "
                + "the merged report would not cover the whole tree")
        }
        let walked = Set(reports.map(\.totals.walked)), roots = Set(reports.map(\.totals.roots))
        if walked.count > 1 || roots.count > 1 {
            warnings.append("the shards did not walk the same tree (roots \(roots.map { $0.joined(separator: " ") }.sorted().joined(separator: " | ")); "
                + "files found: \(walked.sorted().map(String.init).joined(separator: ", "))): files added or removed between the shards' runs "
                + "may be counted twice or not at all")
        }
    }

    static func add(_ counts: [String: Int], to total: inout [String: Int]) {
        for (key, value) in counts { total[key, default: 0] += value }
    }

    static func stableSorted<T>(_ values: [T], by less: (T, T) -> Bool) -> [T] {
        values.enumerated().sorted { less($0.element, $1.element) || (!less($1.element, $0.element) && $0.offset < $1.offset) }.map(\.element)
    }
}
