import Foundation
import RedlineAudit
import RedlineCore
import RedlineEngine
import RedlineFormats

/// `redline scan`: walks files and folders (e-mail, mbox, Maildir, text, JSONL, CSV), scans them
/// on `jobs` threads and writes one report in input order (the same for 1 and N jobs).
/// Exit: 2 when an input could not be read or parsed (partial scan, even with findings) or on a
/// usage or policy error; else 1 when a reported finding reaches `failOn`; else 0.
public enum ScanRunner {
    public static func run(_ options: ScanOptions) -> Int32 {
        guard !options.paths.isEmpty else {
            printError("redline: scan needs at least one file or folder")
            return ExitStatus.error
        }
        guard options.jobs >= 1 else {
            printError("redline: --jobs must be at least 1")
            return ExitStatus.error
        }
        let key: [UInt8]?
        do {
            key = try KeySource.load(keyFile: options.policy.keyFile, environment: options.policy.environment)
        } catch {
            printError("redline: \(error.description)")
            return ExitStatus.error
        }
        if key == nil && (options.baseline != nil || options.writeBaseline != nil || options.audit != nil) {
            printError("redline: --baseline, --write-baseline and --audit need the HMAC key: --key-file FILE or REDLINE_KEY "
                + "(fingerprints are keyed so that they cannot be reversed by enumeration)")
            return ExitStatus.error
        }
        guard let pipeline = options.policy.loadPipeline() else { return ExitStatus.error }
        let defaultChannel: String
        do {
            defaultChannel = try pipeline.makeSession().resolveChannel(options.policy.channel)
        } catch {
            printError("redline: \(error.description)")
            return ExitStatus.error
        }
        // Folder → channel: the command line's mappings first, then the policy's `paths:`.
        let channelMap = options.channelMap + pipeline.policy.paths.map { ChannelMapping(pattern: $0.pattern.value, channel: $0.channel.value) }
        for mapping in options.channelMap where pipeline.rules.channels[mapping.channel] == nil {
            let hint = OptionChoice.suggestion(mapping.channel, in: pipeline.rules.channelOrder).map { "; did you mean '\($0)'?" } ?? ""
            printError("redline: --channel-map \(mapping.pattern)=\(mapping.channel): policy '\(pipeline.policy.name)' has no channel "
                + "'\(mapping.channel)'\(hint) (channels: \(pipeline.rules.channelOrder.joined(separator: ", ")))")
            return ExitStatus.error
        }
        var baseline: Baseline?
        var audit: AuditTrail?
        do {
            if let path = options.baseline, let key { baseline = try Baseline.load(path, key: key) }
            if let path = options.audit, let key { audit = try AuditTrail(path: path, key: key) }
        } catch {
            printError("redline: \(error)")
            return ExitStatus.error
        }

        let wantsProgress = ScanProgress.wanted(options.progress, quiet: options.quiet, environment: options.policy.environment)
        // Message sizes cost a stat each: measured only for the progress bar's total.
        let plan = ScanPlan(roots: options.paths, include: options.include, exclude: options.exclude, input: options.input,
                            measuresMessages: wantsProgress, channelMap: channelMap, shard: options.shard)
        var totals = ScanTotals()
        totals.policyName = pipeline.policy.name
        totals.policySHA256 = pipeline.policySHA256
        totals.policySource = pipeline.policy.file
        totals.policyOrigin = options.policy.origin.description
        totals.scannedAt = scanTime(options.policy.environment)
        totals.skipped = plan.skipped
        totals.roots = options.paths
        totals.shard = options.shard
        totals.walked = plan.walked
        let limiter = StderrLimiter()
        // A folder the walk could not read is named masked (its name may hold a value).
        let walkSession = plan.errors.isEmpty ? nil : pipeline.makeSession()
        for error in plan.errors {
            let shown = walkSession?.maskedPath(error) ?? error
            totals.errors += 1
            totals.walkErrors.append(shown)
            limiter.report("redline: \(shown)")
        }

        // Output.
        let out: OutputStream
        var file: Destination?
        do {
            if let path = options.output {
                // Reports hold masked excerpts and keyed fingerprints only: created like any file of the user's.
                file = try Destination(path: path, readableByUmask: true)
                out = file!.stream
            } else {
                out = OutputStream(fd: 1, name: "standard output")
            }
        } catch {
            printError("redline: \(error)")
            return ExitStatus.error
        }
        var writeError: Error?
        let write: ([UInt8]) -> Void = { bytes in
            guard writeError == nil else { return }
            do { try out.write(bytes) } catch { writeError = error }
        }
        let sink = makeSink(options, pipeline: pipeline, totals: totals, write: write)

        // Workers.
        let units = plan.units
        let work = OrderedWork<UnitResult>(count: units.count, window: options.jobs * 4)
        let fields = options.fields
        let explicit = options.policy.channel
        // This thread emits and scans too: `jobs - 1` more threads make `jobs` in all.
        let threads = min(options.jobs, max(units.count, 1)) - 1
        for _ in 0..<threads {
            let thread = Thread {
                let worker = ScanWorker(pipeline: pipeline, defaultChannel: defaultChannel, explicitChannel: explicit, fields: fields, key: key)
                while let index = work.take() { work.put(index, worker.run(units[index])) }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        let ownWorker = ScanWorker(pipeline: pipeline, defaultChannel: defaultChannel, explicitChannel: explicit, fields: fields, key: key)

        let progress = wantsProgress ? ScanProgress(totalFiles: units.count, totalBytes: plan.totalBytes) : nil
        var known: Set<String> = []
        var pendingAudit: [AuditEvent] = []
        var auditError: Error?
        func flushAudit() {
            guard let audit, !pendingAudit.isEmpty, auditError == nil else { return }
            do { try audit.append(pendingAudit) } catch { auditError = error }
            pendingAudit.removeAll(keepingCapacity: true)
        }
        for index in 0..<units.count {
            let result = work.result(index) { ownWorker.run(units[$0]) }
            totals.files += 1
            totals.bytes += result.bytes
            totals.records += result.records
            totals.messages += result.messages
            for error in result.errors {
                totals.errors += 1
                if totals.walkErrors.count + totals.unitErrors.count < ScanTotals.errorMessageLimit {
                    totals.unitErrors.append((units[index].ordinal, error))
                }
                limiter.report("redline: \(error)")
            }
            for warning in result.warnings { limiter.report("redline: \(warning)") }
            for item in result.items {
                if options.writeBaseline != nil { known.insert(item.fingerprint) }
                if let baseline, baseline.fingerprints.contains(item.fingerprint) {
                    totals.suppressed += 1
                    continue
                }
                totals.add(item)
                sink.add(item)
            }
            for decision in result.decisions {
                let items = result.items[decision.items]
                // A verdict no finding explains (a detector stopped: fail-closed) still counts.
                if decision.verdict > (items.map(\.entry.finding.action).max() ?? .allow) { totals.verdict = max(totals.verdict, decision.verdict) }
                if audit != nil {
                    var counts: [String: Int] = [:]
                    for item in items { counts[item.entry.finding.detector, default: 0] += 1 }
                    pendingAudit.append(AuditEvent(mode: "scan", source: decision.auditSource, channel: decision.channel, verdict: decision.verdict.name,
                                                   rules: items.compactMap(\.entry.finding.rule), detectors: counts,
                                                   fingerprints: items.map(\.fingerprint), policySHA256: pipeline.policySHA256))
                }
            }
            if pendingAudit.count >= 1024 { flushAudit() }
            progress?.update(files: totals.files, bytes: totals.bytes, findings: totals.findings)
            if writeError != nil {
                work.cancel()
                break
            }
        }
        flushAudit()
        progress?.finish()
        limiter.finish()
        sink.finish(totals)

        var status = ExitStatus.clean
        if let auditError {
            printError("redline: \(auditError)")
            status = ExitStatus.error
        }
        if let path = options.writeBaseline, let key {
            let written = Baseline(fingerprints: known, key: key, policySHA256: pipeline.policySHA256)
            do {
                let destination = try Destination(path: path)
                try destination.stream.write(written.encoded())
                try destination.commit()
            } catch {
                printError("redline: cannot write baseline \(path): \(error)")
                status = ExitStatus.error
            }
        }
        do {
            if let writeError { throw writeError }
            try out.flush()
            try file?.commit()
        } catch IOFailure.brokenPipe {
            return status
        } catch {
            file?.abandon()
            printError("redline: \(error)")
            return ExitStatus.error
        }
        if status != ExitStatus.clean || totals.errors > 0 { return ExitStatus.error }
        return totals.verdict >= options.failOn ? ExitStatus.findings : ExitStatus.clean
    }

    static func makeSink(_ options: ScanOptions, pipeline: Pipeline, totals: ScanTotals, write: @escaping ([UInt8]) -> Void) -> ScanSink {
        var context = Checker.reportContext(pipeline)
        // A scan has no sender and takes no override: its reports carry each rule's own tip.
        context.ruleTips = [:]
        for rule in pipeline.rules.rules { if let tip = rule.tip, !tip.isEmpty { context.ruleTips[rule.id] = tip } }
        return makeSink(options.format, context: context, scannedAt: totals.scannedAt, csvBOM: options.csvBOM,
                 list: options.listFindings, write: write)
    }

    /// The writer of a scan report format (`scan` and `report merge`).
    static func makeSink(_ format: ScanFormat, context: ReportContext, scannedAt: String, csvBOM: Bool, list: Bool,
                         write: @escaping ([UInt8]) -> Void) -> ScanSink {
        switch format {
        case .text: return ScanTextReport(list: list, write: write)
        case .json: return ScanJSONReport(context: context, write: write)
        case .jsonl: return CheckFormatSink(ReportFormat.jsonl.makeSink(context: context, color: false, write: write))
        case .sarif: return CheckFormatSink(ReportFormat.sarif.makeSink(context: context, color: false, write: write))
        case .csv:
            return CSVScanReport(bom: csvBOM, scannedAt: scannedAt, policyVersion: "\(context.policyName)@\(context.policySHA256.prefix(12))",
                                 ruleMessages: context.ruleMessages, ruleTips: context.ruleTips, write: write)
        case .html: return HTMLScanReport(context: context, write: write)
        }
    }

    /// Now, or `SOURCE_DATE_EPOCH` (reproducible reports), as UTC ISO 8601.
    static func scanTime(_ environment: [String: String]) -> String {
        var seconds = time_t(Date().timeIntervalSince1970)
        if let epoch = environment["SOURCE_DATE_EPOCH"].flatMap({ Int($0) }) { seconds = time_t(epoch) }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
