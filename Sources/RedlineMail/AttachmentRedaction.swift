import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract

/// An attachment redacted inside the file: its part, the new file and the note
/// for `X-Redline-Redacted` (detector ids and locations, names masked, never a value).
struct RewrittenAttachment {
    var entity: MIMEEntity
    var bytes: [UInt8]
    var note: String
}

extension MailProcessor {
    /// Attachment units whose findings need redaction, redacted inside their file
    /// (``DocumentRewriter``): a DOCX, XLSX, PPTX, ODT, ODS or ODP in place; text, CSV and JSON
    /// Lines inside a ZIP or gzip attachment (nested as the reader allows) replaced and re-packed,
    /// every other ZIP entry copied byte for byte. The file is read back and scanned again before
    /// it replaces the original. The rest (PDF, a value the rewriter cannot write, a detector that
    /// could not finish, a signed part, a file that does not read back whole) stays unredactable
    /// and follows `settings.unredactable_attachments`.
    static func rewriteAttachments(_ needing: [(unit: Int, rule: String)], units: [TextUnit], results: [ScanResult], message: [UInt8],
                                   session: PipelineSession, channel: String, diagnostics: inout [Diagnostic])
        -> (rewritten: [RewrittenAttachment], unredactable: [(unit: Int, rule: String)]) {
        var masker = NameMask(session: session, channel: channel)
        var rewritten: [RewrittenAttachment] = []
        var unredactable: [(unit: Int, rule: String)] = []
        // The units needing redaction, per MIME part, in message order.
        var parts: [(entity: MIMEEntity, items: [(unit: Int, rule: String)])] = []
        for item in needing {
            guard case let .attachment(source) = units[item.unit].kind else { continue }
            if let index = parts.firstIndex(where: { $0.entity.label == source.entity.label }) {
                parts[index].items.append(item)
            } else {
                parts.append((source.entity, [item]))
            }
        }
        for (entity, items) in parts {
            let place = "part \(entity.label)"
            let sources = items.compactMap { item -> (unit: Int, source: AttachmentSource)? in
                guard case let .attachment(source) = units[item.unit].kind else { return nil }
                return (item.unit, source)
            }
            guard let name = sources.first?.source.path.first,
                  items.allSatisfy({ results[$0.unit].failClosed < .redact && !units[$0.unit].signed }),
                  let decoded = decodedAttachment(entity, in: message) else {
                unredactable.append(contentsOf: items)
                continue
            }
            var targets: [DocumentRewriter.Target] = []
            var locations: [String] = []
            for (index, source) in sources {
                let unit = units[index]
                let redactable = results[index].findings.filter { $0.action >= .redact }
                let replacements = MailRewriter.groups(redactable).map { group in
                    OfficeRewriter.Replacement(range: group.range, text: session.pipeline.redact(Array(unit.text[group.range]), findings: group.members,
                                                                                               base: group.range.lowerBound))
                }
                targets.append(DocumentRewriter.Target(path: source.path, text: unit.text, replacements: replacements))
                locations += places(redactable, in: unit.text, source: source, masker: &masker)
            }
            do throws(ExtractProblem) {
                let output = try DocumentRewriter.redact(Data(decoded), name: name, targets: targets) { document throws(ExtractProblem) in
                    if session.scan(document.text, channel: channel).findings.contains(where: { $0.action >= .redact }) {
                        throw ExtractProblem(ExtractCode.notRewritable, "a value to redact is still there after rewriting")
                    }
                }
                rewritten.append(RewrittenAttachment(entity: entity, bytes: [UInt8](output),
                                                     note: "\(place) \"\(masker.mask(name))\": " + summary(locations)))
            } catch {
                diagnostics.append(Diagnostic(.warning, code: error.code, "\(place): cannot be redacted inside the file: \(error.message)"))
                unredactable.append(contentsOf: items)
            }
        }
        return (rewritten, unredactable)
    }

    /// `nino in paragraph 2`, `nino in 2026/tickets.csv line 14`: the detector, the members inside
    /// the attachment and the place in the document (a labelled segment, else the line), names
    /// masked, never a value.
    static func places(_ findings: [Finding], in text: [UInt8], source: AttachmentSource, masker: inout NameMask) -> [String] {
        var line = 1
        var counted = 0
        var out: [String] = []
        for finding in findings.sorted(by: { $0.start < $1.start }) {
            var place = source.path.dropFirst().map { masker.mask($0) }
            if let segment = source.segment(at: finding.start) {
                place.append(masker.mask(segment.label))
            } else if source.segments.isEmpty {
                let end = min(finding.start, text.count)
                if end > counted {
                    line += text[counted..<end].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                    counted = end
                }
                if place.isEmpty { place.append("line \(line)") } else { place[place.count - 1] += " line \(line)" }
            }
            out.append("\(finding.detector) in " + (place.isEmpty ? "the text" : place.joined(separator: " › ")))
        }
        return out
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
