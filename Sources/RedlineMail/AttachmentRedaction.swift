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
                targets = try wholeDocuments(targets, segments: sources.map(\.source.segments), isWhole: sources.map(\.source.isWholeDocument),
                                             file: decoded, name: name)
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

    /// A document read in windows (a large worksheet) is several units, and so several targets
    /// with one path (or one target, when only one window needs redaction), none over the
    /// document's whole text; the rewriter takes one target per document, over the text it reads
    /// whole. Such targets become one: the document is read again whole (within the usual limits: one
    /// over them fails closed), and each replacement is carried over by the cell it is in (its
    /// segment's label and its offset there), its bytes checked to be the same. A replacement
    /// outside a labelled segment, or in a label the document shows twice, cannot be placed
    /// for sure: that fails closed too (X012).
    static func wholeDocuments(_ targets: [DocumentRewriter.Target], segments: [[ExtractedDocument.Segment]], isWhole: [Bool],
                               file: [UInt8], name: String) throws(ExtractProblem) -> [DocumentRewriter.Target] {
        var byPath: [[String]: [Int]] = [:]
        var windowed = Set<[String]>()
        for (index, target) in targets.enumerated() {
            byPath[target.path, default: []].append(index)
            if byPath[target.path]!.count > 1 || !isWhole[index] { windowed.insert(target.path) }
        }
        guard !windowed.isEmpty else { return targets }
        let extractor = Extractor()
        extractor.windowedSheetBytes = .max
        var wholes: [[String]: ExtractedDocument] = [:]
        let problems = extractor.extract(Data(file), name: name) { document in
            if windowed.contains(document.path) { wholes[document.path] = document }
        }
        // A problem in the document itself, or one that ended the reading (a bound: the document
        // may not have been reached).
        let bounds = [ExtractCode.tooLarge, ExtractCode.timeLimit, ExtractCode.tooManyEntries, ExtractCode.tooDeep, ExtractCode.ratio]
        if let problem = problems.first(where: { problem in
            bounds.contains(problem.code) || windowed.contains { $0 == Array(problem.path.prefix($0.count)) }
        }) {
            throw ExtractProblem(ExtractCode.notRewritable, "a large document cannot be read whole to be redacted (\(problem.code))")
        }
        var merged: [DocumentRewriter.Target] = []
        for (index, target) in targets.enumerated() {
            guard windowed.contains(target.path), let indexes = byPath[target.path] else {
                merged.append(target)
                continue
            }
            guard index == indexes[0] else { continue }
            guard let whole = wholes[target.path] else {
                throw ExtractProblem(ExtractCode.notRewritable, "a large document does not read back whole")
            }
            var starts: [String: Int] = [:]
            var twice = Set<String>()
            for segment in whole.segments where starts.updateValue(segment.start, forKey: segment.label) != nil { twice.insert(segment.label) }
            func place(_ offset: Int, in piece: Int) throws(ExtractProblem) -> Int {
                let document = ExtractedDocument(path: target.path, kind: whole.kind, text: [], segments: segments[piece])
                guard let segment = document.segment(at: offset), !twice.contains(segment.label), let start = starts[segment.label] else {
                    throw ExtractProblem(ExtractCode.notRewritable, "a value to redact in a large document cannot be placed in it for sure")
                }
                return start + offset - segment.start
            }
            var replacements: [OfficeRewriter.Replacement] = []
            for piece in indexes {
                for replacement in targets[piece].replacements {
                    let range = replacement.range
                    let low = try place(range.lowerBound, in: piece)
                    let high = try place(range.upperBound - 1, in: piece) + 1
                    guard high - low == range.count, high <= whole.text.count,
                          whole.text[low..<high].elementsEqual(targets[piece].text[range]) else {
                        throw ExtractProblem(ExtractCode.notRewritable, "a value to redact in a large document cannot be placed in it for sure")
                    }
                    replacements.append(OfficeRewriter.Replacement(range: low..<high, text: replacement.text))
                }
            }
            merged.append(DocumentRewriter.Target(path: target.path, text: whole.text, replacements: replacements))
        }
        return merged
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
