import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract

/// Office, OpenDocument, PDF, ZIP and gzip files for `check` and `scan` (input mode `document`):
/// every document inside is scanned, findings carry where they are in `part`
/// (`Sheet1!C14`, `report.docx › paragraph 12`, `2026/tickets.csv`, `page 3`; names masked),
/// and what cannot be read is reported with its code and decided by
/// `settings.unscannable_attachments`.
enum DocumentInputs {
    /// Extensions read as documents (the content still decides the type).
    static let extensions = [".zip", ".gz", ".tgz", ".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".odt", ".ods", ".odp", ".pdf"]

    static func hasDocumentExtension(_ path: String) -> Bool {
        let lower = path.lowercased()
        return extensions.contains { lower.hasSuffix($0) }
    }

    /// Whether the first bytes are a ZIP, gzip or PDF.
    static func hasDocumentMagic(_ head: [UInt8]) -> Bool {
        switch ContentKind.sniff(head) {
        case .zip, .gzip, .pdf: true
        default: false
        }
    }

    /// Bounds for a file on disk: nesting, entries and ratio as for mail; bytes and time allow
    /// large exports (a 1 GB ZIP of CSVs is streamed, never held).
    static var fileLimits: ExtractLimits {
        var limits = ExtractLimits()
        limits.expandedBytes = 64 << 30
        limits.seconds = 3600
        return limits
    }

    struct Outcome {
        var verdict: Action = .allow
        var documents = 0
        var warnings: [String] = []
    }

    /// Scans the documents in `path`. Documents read whole are decided with one shared state
    /// (thresholds count across the file); long text members stream through a ``TextStream``.
    static func check(path: String, session: PipelineSession, channel: String, limits: ExtractLimits = fileLimits,
                      report: (Finding) -> Void) -> Outcome {
        var outcome = Outcome()
        var masker = NameMask(session: session, channel: channel)
        var state = DecisionState()
        var stream: TextStream?
        var streamPart = ""
        func handle(_ findings: [Finding], part: (Finding) -> String, verdict: Action, failures: [Diagnostic]) {
            outcome.verdict = max(outcome.verdict, verdict)
            for failure in failures { outcome.warnings.append("\(session.maskedPath(path)): \(failure.description)") }
            for var finding in findings {
                finding.part = part(finding)
                report(finding)
            }
        }
        func finishStream() {
            guard let current = stream else { return }
            let part = streamPart
            try? current.finish { chunk in handle(chunk.findings, part: { _ in part }, verdict: chunk.verdict, failures: chunk.failures) }
            stream = nil
        }
        let extractor = Extractor(limits: limits)
        let problems = extractor.extract(path: path, name: (path as NSString).lastPathComponent) { document in
            let inner = document.path.dropFirst().map { masker.mask($0) }
            if document.piece == 0 { finishStream() }
            // A whole document, or a window of a large spreadsheet (its own cells' labels).
            if document.piece == 0 && document.isLastPiece || document.kind != .text {
                outcome.documents += 1
                var position = TextPosition()
                let result = session.scan(document.text, channel: channel, state: &state, position: &position, commitLimit: document.text.count).result
                handle(result.findings, part: { finding in
                    var place = inner
                    if let segment = document.segment(at: finding.start) { place.append(masker.mask(segment.label)) }
                    return place.joined(separator: " › ")
                }, verdict: result.verdict, failures: result.failures)
                return
            }
            if document.piece == 0 {
                outcome.documents += 1
                stream = TextStream(session: session, channel: channel)
                streamPart = inner.joined(separator: " › ")
            }
            let part = streamPart
            try? stream?.feed(document.text[...]) { chunk in handle(chunk.findings, part: { _ in part }, verdict: chunk.verdict, failures: chunk.failures) }
            if document.isLastPiece { finishStream() }
        }
        finishStream()
        for problem in problems {
            let place = ([session.maskedPath(path)] + problem.path.dropFirst().map { masker.mask($0) }).joined(separator: " › ")
            outcome.warnings.append("\(place): not scanned: \(problem.code) \(problem.message)")
            outcome.verdict = max(outcome.verdict, session.pipeline.policy.settings.unscannableAttachments)
        }
        return outcome
    }
}
