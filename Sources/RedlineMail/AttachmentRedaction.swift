import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract

/// An Office or OpenDocument attachment redacted in place: its part, the new file and the note
/// for `X-Redline-Redacted` (detector ids and locations, names masked, never a value).
struct RewrittenAttachment {
    var entity: MIMEEntity
    var bytes: [UInt8]
    var note: String
}

extension MailProcessor {
    /// Attachment units whose findings need redaction: each DOCX, XLSX, PPTX, ODT, ODS or ODP sent as
    /// an attachment of its own is redacted inside the file (``OfficeRewriter``) and checked by
    /// reading it back and scanning it again; the rest (PDF, archives and what is inside them, a
    /// value the rewriter cannot write, a detector that could not finish) stays unredactable and
    /// follows `settings.unredactable_attachments`.
    static func rewriteAttachments(_ needing: [(unit: Int, rule: String)], units: [TextUnit], results: [ScanResult], message: [UInt8],
                                   session: PipelineSession, channel: String, diagnostics: inout [Diagnostic])
        -> (rewritten: [RewrittenAttachment], unredactable: [(unit: Int, rule: String)]) {
        var masker = NameMask(session: session, channel: channel)
        var rewritten: [RewrittenAttachment] = []
        var unredactable: [(unit: Int, rule: String)] = []
        // Units per MIME part: a part is rewritten only when it is one document.
        var unitsPerPart: [String: Int] = [:]
        for unit in units {
            if case let .attachment(source) = unit.kind { unitsPerPart[source.entity.label, default: 0] += 1 }
        }
        for item in needing {
            guard case let .attachment(source) = units[item.unit].kind else { continue }
            let place = "part \(source.entity.label)"
            guard source.path.count == 1, OfficeRewriter.canRewrite(source.kind), unitsPerPart[source.entity.label] == 1,
                  results[item.unit].failClosed < .redact, !units[item.unit].signed,
                  let decoded = decodedAttachment(source.entity, in: message) else {
                unredactable.append(item)
                continue
            }
            let unit = units[item.unit]
            let redactable = results[item.unit].findings.filter { $0.action >= .redact }
            let replacements = MailRewriter.groups(redactable).map { group in
                OfficeRewriter.Replacement(range: group.range, text: session.pipeline.redact(Array(unit.text[group.range]), findings: group.members,
                                                                                           base: group.range.lowerBound))
            }
            do throws(ExtractProblem) {
                let output = try OfficeRewriter.redact(Data(decoded), text: unit.text, replacements: replacements)
                try rescan(output, session: session, channel: channel)
                let locations = redactable.map { finding in
                    "\(finding.detector) in " + (source.segment(at: finding.start).map { masker.mask($0.label) } ?? "the text")
                }
                let name = source.path.first.map { masker.mask($0) } ?? "(no name)"
                rewritten.append(RewrittenAttachment(entity: source.entity, bytes: [UInt8](output),
                                                     note: "\(place) \"\(name)\": " + summary(locations)))
            } catch {
                diagnostics.append(Diagnostic(.warning, code: error.code, "\(place): cannot be redacted inside the file: \(error.message)"))
                unredactable.append(item)
            }
        }
        return (rewritten, unredactable)
    }

    /// The redacted file must read back whole, and nothing in it may still need redaction.
    static func rescan(_ output: Data, session: PipelineSession, channel: String) throws(ExtractProblem) {
        var documents: [ExtractedDocument] = []
        let problems = Extractor().extract(output, name: "redacted") { documents.append($0) }
        if let problem = problems.first {
            throw ExtractProblem(ExtractCode.notRewritable, "the redacted file does not read back (\(problem.code))")
        }
        for document in documents where session.scan(document.text, channel: channel).findings.contains(where: { $0.action >= .redact }) {
            throw ExtractProblem(ExtractCode.notRewritable, "a value to redact is still there after rewriting")
        }
    }

    /// Distinct locations in order, at most 20 named.
    static func summary(_ locations: [String]) -> String {
        var seen = Set<String>()
        let distinct = locations.filter { seen.insert($0).inserted }
        let shown = distinct.prefix(20).joined(separator: "; ")
        return distinct.count > 20 ? shown + "; and \(distinct.count - 20) more" : shown
    }

    /// An attachment's bytes, its transfer encoding undone; nil when the encoding is damaged.
    static func decodedAttachment(_ entity: MIMEEntity, in message: [UInt8]) -> [UInt8]? {
        let raw = message[entity.bodyRange]
        var problems = DecodeProblems()
        let decoded: [UInt8] = switch entity.transferEncoding {
        case .identity, .unknown: Array(raw)
        case .quotedPrintable: QuotedPrintable.decode(raw, problems: &problems)
        case .base64: Base64.decode(raw, problems: &problems)
        }
        if problems.truncated || problems.invalidCharacters > 0 || problems.invalidEscapes > 0 { return nil }
        return decoded
    }
}

extension MailRewriter {
    /// Replaces an attachment's body by `file`, in the part's transfer encoding (base64 with the
    /// original's line length and line ending). The part's headers (Content-Type, file name)
    /// are kept as they are.
    mutating func replaceAttachment(_ entity: MIMEEntity, with file: [UInt8]) {
        let original = bytes[entity.bodyRange]
        var eol = entity.headers.lineEnding
        if let lf = original.firstIndex(of: 10) { eol = lf > original.startIndex && bytes[lf - 1] == 13 ? [13, 10] : [10] }
        let body: [UInt8] = switch entity.transferEncoding {
        case .identity, .unknown: file
        case .quotedPrintable: QuotedPrintable.encode(file, lineEnding: eol)
        case .base64: Base64.encode(file, lineLength: base64LineLength(original), lineEnding: eol) + (original.last == 10 ? eol : [])
        }
        replace(entity.bodyRange, with: body)
    }

    /// The line length of a base64 body (a multiple of 4, 76 when it cannot be told).
    func base64LineLength(_ original: ArraySlice<UInt8>) -> Int {
        // One line only (a small file): the usual 76.
        guard let lf = original.firstIndex(of: 10), original[(lf + 1)...].contains(where: { $0 != 10 && $0 != 13 }) else { return 76 }
        var lineLength = lf - original.startIndex
        if lineLength > 0, original[original.startIndex + lineLength - 1] == 13 { lineLength -= 1 }
        if lineLength < 4 || lineLength > 76 { lineLength = 76 }
        return lineLength - lineLength % 4
    }
}
