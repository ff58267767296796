import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract

extension MailCode {
    /// M020 an attachment needs redaction that cannot be done inside the file (blocked or stripped).
    public static let attachmentNeedsRedaction = "M020"
}

/// Where an attachment unit's text came from: its MIME part, the container chain inside it
/// (raw names: masked before they are shown) and the labelled ranges of the text.
struct AttachmentSource: Sendable {
    var entity: MIMEEntity
    var path: [String]
    var segments: [ExtractedDocument.Segment]
    /// What the document is (an Office document at the top of a part can be redacted in place).
    var kind: ContentKind = .text
    /// False for one window of a large worksheet (``SheetWindows``): its text is not the
    /// document's, so a redaction in it is placed by reading the document again whole.
    var isWholeDocument = true

    func segment(at offset: Int) -> ExtractedDocument.Segment? {
        ExtractedDocument(path: path, kind: .text, text: [], segments: segments).segment(at: offset)
    }
}

/// An attachment (or a member inside it) that could not be read to the end.
struct AttachmentProblem {
    var entity: MIMEEntity
    var problem: ExtractProblem
}

extension TextUnitCollector {
    /// A binary attachment: its content decides its type (Office, OpenDocument, PDF, ZIP, gzip,
    /// text). Every document inside becomes a unit labelled `part 2`; what cannot be read is an
    /// attachment problem (unscannable).
    mutating func collectAttachment(_ entity: MIMEEntity) {
        let raw = bytes[entity.bodyRange]
        var problems = DecodeProblems()
        let decoded: [UInt8] = switch entity.transferEncoding {
        case .identity, .unknown: Array(raw)
        case .quotedPrintable: QuotedPrintable.decode(raw, problems: &problems)
        case .base64: Base64.decode(raw, problems: &problems)
        }
        if problems.truncated || problems.invalidCharacters > 0 || problems.invalidEscapes > 0 {
            attachmentProblems.append(AttachmentProblem(entity: entity, problem: ExtractProblem(ExtractCode.corrupt,
                "its transfer encoding is damaged", path: [entity.filename ?? "(no name)"])))
            return
        }
        let name = entity.filename ?? "(no name)"
        var pieces: [ExtractedDocument] = []
        // Windows handed to the scanning thread: piece index → token.
        var tokens: [Int: Int] = [:]
        let ahead = scanAhead
        let label = "part \(entity.label)"
        let found = extractor.extract(Data(decoded), name: name) { document in
            // Long text members arrive in pieces: one unit per member. A large spreadsheet's
            // windows (labelled cells, cut between rows) stay units of their own, scanned ahead
            // while the next ones are read.
            if document.piece > 0, document.kind == .text, let last = pieces.last, last.path == document.path {
                pieces[pieces.count - 1].text.append(contentsOf: document.text)
            } else {
                pieces.append(document)
                if let ahead, !document.isLastPiece, document.kind != .text, document.text.contains(where: { $0 > 32 }) {
                    tokens[pieces.count - 1] = ahead.enqueue(document.text, label: label,
                                                             source: AttachmentSource(entity: entity, path: document.path, segments: document.segments,
                                                                                      kind: document.kind, isWholeDocument: false))
                }
            }
        }
        for (index, document) in pieces.enumerated() where document.text.contains(where: { $0 > 32 }) {
            if let token = tokens[index] { aheadTokens[units.count] = token }
            units.append(TextUnit(label: label, text: document.text,
                                  kind: .attachment(AttachmentSource(entity: entity, path: document.path, segments: document.segments,
                                                                     kind: document.kind,
                                                                     isWholeDocument: document.kind == .text
                                                                         || (document.piece == 0 && document.isLastPiece)))))
        }
        for problem in found { attachmentProblems.append(AttachmentProblem(entity: entity, problem: problem)) }
    }
}

extension NameMask {
    /// `part 2 › customers.xlsx › Sheet1!C14`, names masked.
    mutating func label(_ source: AttachmentSource, offset: Int?) -> String {
        var label = "part \(source.entity.label)"
        for name in source.path { label += " › " + mask(name) }
        if let offset, let segment = source.segment(at: offset) { label += " › " + mask(segment.label) }
        return label
    }
}

extension MailProcessor {
    /// Labels an attachment unit's findings with where they are (``NameMask/label(_:offset:)``):
    /// the part and the names above the document are masked once for the unit, and consecutive
    /// findings in one cell share its label.
    static func label(_ findings: inout [Finding], source: AttachmentSource, masker: inout NameMask) {
        let above = masker.label(source, offset: nil)
        var previous: (segment: ExtractedDocument.Segment, label: String)?
        for finding in findings.indices {
            guard let segment = source.segment(at: findings[finding].start) else {
                findings[finding].part = above
                continue
            }
            if let previous, previous.segment.start == segment.start, previous.segment.end == segment.end {
                findings[finding].part = previous.label
                continue
            }
            let label = above + " › " + masker.mask(segment.label)
            findings[finding].part = label
            previous = (segment, label)
        }
    }

    /// Relabels attachment findings (but those of units already `labelled`) with where they are, names masked; turns attachment problems
    /// into diagnostics and unscanned-attachment entries; and lists the attachment units whose
    /// findings need redaction (``rewriteAttachments`` then redacts what it can inside the file).
    static func placeAttachments(units: [TextUnit], results: inout [ScanResult], labelled: [Bool], problems: [AttachmentProblem],
                                 session: PipelineSession, channel: String)
        -> (diagnostics: [Diagnostic], unscanned: [String], unredactable: [(unit: Int, rule: String)]) {
        var masker = NameMask(session: session, channel: channel)
        var unredactable: [(unit: Int, rule: String)] = []
        for (index, unit) in units.enumerated() {
            guard case let .attachment(source) = unit.kind else { continue }
            if !labelled[index] { label(&results[index].findings, source: source, masker: &masker) }
            if let needing = results[index].findings.first(where: { $0.action >= .redact }) {
                unredactable.append((index, needing.rule ?? "-"))
            } else if results[index].failClosed >= .redact {
                unredactable.append((index, "fail-closed"))
            }
        }
        var diagnostics: [Diagnostic] = []
        var unscanned: [String] = []
        for item in problems {
            let place = "part \(item.entity.label)" + item.problem.path.map { " › " + masker.mask($0) }.joined()
            diagnostics.append(item.problem.diagnostic(where: place))
            unscanned.append("\(place) (\(item.problem.code): \(item.problem.message))")
        }
        return (diagnostics, unscanned, unredactable)
    }
}

extension MailRewriter {
    /// Replaces an attachment part (headers and body) by a short text/plain note.
    mutating func strip(_ entity: MIMEEntity, note: String) {
        let eol = entity.headers.lineEnding
        var part = Array("Content-Type: text/plain; charset=utf-8".utf8) + eol
        part += Array("Content-Disposition: inline".utf8) + eol
        part += Array("Content-Transfer-Encoding: 8bit".utf8) + eol + eol
        part += Array(note.utf8) + eol
        replace(entity.range, with: part)
    }
}

extension MailProcessor {
    /// Attachments whose findings need redaction that cannot be done inside the file (PDF,
    /// archives, what the Office rewriter refuses): each follows
    /// `settings.unredactable_attachments` — `block` blocks the
    /// message (with the reason), `strip` replaces the attachment by a note and says so in
    /// `X-Redline-Stripped`. A `block` finding blocks the message either way.
    static func decideUnredactable(_ unredactable: [(unit: Int, rule: String)], units: [TextUnit], verdict: inout MailVerdict,
                                   diagnostics: inout [Diagnostic], strip: Bool) -> [(entity: MIMEEntity, note: String)] {
        var parts: [(entity: MIMEEntity, rule: String)] = []
        for item in unredactable {
            guard case let .attachment(source) = units[item.unit].kind,
                  !parts.contains(where: { $0.entity.label == source.entity.label }) else { continue }
            parts.append((source.entity, item.rule))
        }
        guard !parts.isEmpty else { return [] }
        let where_ = parts.map { "part \($0.entity.label)" }.joined(separator: ", ")
        switch strip {
        case false:
            if verdict.verdict < .block {
                verdict.verdict = .block
                verdict.reason = "an attachment needs redaction that cannot be done inside the file (\(where_)); send it without the data"
            }
            diagnostics.append(Diagnostic(.warning, code: MailCode.attachmentNeedsRedaction,
                "\(where_): an attachment needs redaction that cannot be done inside the file: the message is blocked (settings.unredactable_attachments)"))
            return []
        case true:
            if verdict.verdict == .block { return [] }
            var notes: [(entity: MIMEEntity, note: String)] = []
            for (entity, rule) in parts {
                verdict.strippedAttachments.append("part \(entity.label) (rule \(rule))")
                notes.append((entity, "[redline: an attachment was removed (part \(entity.label)): it held data that rule \(rule) redacts, which cannot be redacted inside the file]"))
            }
            diagnostics.append(Diagnostic(.warning, code: MailCode.attachmentNeedsRedaction,
                "\(where_): an attachment needs redaction that cannot be done inside the file: it is replaced by a note (settings.unredactable_attachments)"))
            return notes
        }
    }
}
