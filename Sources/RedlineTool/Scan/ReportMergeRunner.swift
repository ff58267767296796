import Foundation
import RedlineCore

extension ReportMerger {
    /// `redline report merge`: writes the merged report in any scan format.
    /// Exit, as a scan of the whole tree would: 2 when a report cannot be read, is not a scan
    /// report, the shards do not make one complete set, or the policies differ (without
    /// `allowMixedPolicies`) — and when the merged scan is partial (some input could not be
    /// scanned; the report is still written); else 1 when a finding reaches `failOn`; else 0.
    public static func run(_ options: ReportMergeOptions) -> Int32 {
        let merged: Merged
        do {
            merged = try merge(files: options.files, allowMixedPolicies: options.allowMixedPolicies)
        } catch {
            printError("redline: report merge: \(error.description)")
            return ExitStatus.error
        }
        for warning in merged.warnings { printError("redline: report merge: warning: \(warning)") }

        let out: OutputStream
        var file: Destination?
        do {
            if let path = options.output {
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
        let sink = ScanRunner.makeSink(options.format, context: merged.context, scannedAt: merged.totals.scannedAt, csvBOM: options.csvBOM,
                                       list: options.listFindings, write: write)
        for item in merged.items {
            sink.add(item)
            if writeError != nil { break }
        }
        sink.finish(merged.totals)
        do {
            if let writeError { throw writeError }
            try out.flush()
            try file?.commit()
        } catch IOFailure.brokenPipe {
            return ExitStatus.clean
        } catch {
            file?.abandon()
            printError("redline: \(error)")
            return ExitStatus.error
        }
        if merged.totals.errors > 0 { return ExitStatus.error }
        return merged.totals.verdict >= options.failOn ? ExitStatus.findings : ExitStatus.clean
    }
}
