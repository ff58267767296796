import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract

/// `redline redact` of a DOCX, XLSX, PPTX, ODT, ODS or ODP file, or a ZIP or gzip file (input mode
/// `document`): the file is scanned as `check` reads it and written out with its findings
/// redacted inside (``DocumentRewriter``: Office documents in place, text, CSV and JSON Lines
/// members replaced and re-packed); a file with nothing to redact is written out byte-identical.
/// What cannot be redacted inside the file (PDF, a value not stored as text, a file over the
/// bounds) and a block verdict write nothing: the file is reported blocked (exit 3), never
/// passed on with the values in it.
enum DocumentRedaction {
    struct Outcome {
        var blocked = false
        var reason: String?
    }

    static func redact(_ input: InputStream, path: String, session: PipelineSession, channel: String, out: OutputStream) throws -> Outcome {
        let limits = ExtractLimits()
        let bytes = try input.readAll(limit: limits.expandedBytes)
        let data = Data(bytes)
        var masker = NameMask(session: session, channel: channel)
        var documents: [ExtractedDocument] = []
        let name = (path as NSString).lastPathComponent
        let problems = Extractor(limits: limits).extract(data, name: name) { document in
            // A long text member arrives in pieces: one document per member.
            if document.piece > 0, let last = documents.last, last.path == document.path {
                documents[documents.count - 1].text.append(contentsOf: document.text)
            } else {
                documents.append(document)
            }
        }
        if let problem = problems.first {
            let place = ([session.maskedPath(path)] + problem.path.dropFirst().map { masker.mask($0) }).joined(separator: " › ")
            return Outcome(blocked: true, reason: "\(place): not scanned: \(problem.code) \(problem.message); nothing written")
        }
        // Thresholds count over the whole file; each document's offsets are its own.
        var state = DecisionState()
        let results = documents.map { document in
            var position = TextPosition()
            return session.scan(document.text, channel: channel, state: &state, position: &position, commitLimit: document.text.count).result
        }
        let verdict = results.map(\.verdict).max() ?? .allow
        if verdict == .block {
            let rule = results.flatMap(\.findings).first { $0.action == .block }?.rule ?? "fail-closed"
            return Outcome(blocked: true, reason: "\(session.maskedPath(path)): blocked by rule \(rule); nothing written")
        }
        let needing = zip(documents, results).filter { _, result in
            result.failClosed >= .redact || result.findings.contains { $0.action >= .redact }
        }
        guard !needing.isEmpty else {
            try out.write(bytes)
            return Outcome()
        }
        guard needing.allSatisfy({ $0.1.failClosed < .redact }) else {
            return Outcome(blocked: true, reason: "\(session.maskedPath(path)): a detector could not finish, so what needs redaction is not known; nothing written")
        }
        let targets = needing.map { document, result in
            let replacements = groups(result.findings.filter { $0.action >= .redact }).map { group in
                OfficeRewriter.Replacement(range: group.range, text: session.pipeline.redact(Array(document.text[group.range]), findings: group.members,
                                                                                           base: group.range.lowerBound))
            }
            return DocumentRewriter.Target(path: document.path, text: document.text, replacements: replacements)
        }
        let output: Data
        do throws(ExtractProblem) {
            output = try DocumentRewriter.redact(data, name: name, targets: targets, limits: limits) { document throws(ExtractProblem) in
                if session.scan(document.text, channel: channel).findings.contains(where: { $0.action >= .redact }) {
                    throw ExtractProblem(ExtractCode.notRewritable, "a value to redact is still there after rewriting")
                }
            }
        } catch {
            return Outcome(blocked: true, reason: "\(session.maskedPath(path)): cannot be redacted inside the file: \(error.code) \(error.message); nothing written")
        }
        try out.write([UInt8](output))
        return Outcome()
    }

    /// Overlapping or touching findings merged (as the engine's redactor merges them).
    static func groups(_ findings: [Finding]) -> [(range: Range<Int>, members: [Finding])] {
        var groups: [(range: Range<Int>, members: [Finding])] = []
        for finding in findings.sorted(by: { ($0.start, $1.end) < ($1.start, $0.end) }) {
            if let last = groups.last, finding.start <= last.range.upperBound {
                groups[groups.count - 1].range = last.range.lowerBound..<max(last.range.upperBound, finding.end)
                groups[groups.count - 1].members.append(finding)
            } else {
                groups.append((finding.start..<finding.end, [finding]))
            }
        }
        return groups
    }
}
