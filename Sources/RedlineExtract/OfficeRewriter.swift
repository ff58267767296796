import Foundation
import ZIPFoundation

/// Redacts text inside an Office Open XML or OpenDocument file, so a document can be sent on
/// without the values instead of being blocked or stripped.
///
/// The caller gives the file, the document text its findings were made on (as ``Extractor``
/// produced it) and, for each redaction, the range of that text and what replaces it. The
/// rewriter maps the text back to the XML (``OfficeTextMap``), refuses to go on unless its text
/// is byte for byte the caller's (so a redaction can never land anywhere else), rewrites only
/// the character data the ranges cover, and re-packs the file with ``ZipSplicer``:
///
/// - only the parts that hold a redaction are written again (deflated by zlib); every other
///   entry is copied byte for byte, headers, compressed data and metadata included;
/// - a value split over several runs (`<w:t>`, `<a:t>`, rich-text `<t>`) is replaced where it
///   starts and removed from the other runs; the runs and their formatting stay;
/// - an XLSX shared string is rewritten in `xl/sharedStrings.xml`, so every cell that shows the
///   same string shows the redacted text: the value is stored once, and keeping it for the other
///   cells would send it anyway.
///
/// It fails closed with an ``ExtractProblem`` — never a half-written file — when the file is over
/// a bound (the reader's limits: entries, expansion, ratio, bytes, time), when a value is not
/// stored as text (a number cell, an ODS typed value, PDF), when the texts differ, or when the
/// rewritten file does not read back. The caller then blocks or strips the attachment.
public enum OfficeRewriter {
    /// One redaction: bytes `range` of the document text become `text`.
    public struct Replacement: Sendable {
        public var range: Range<Int>
        public var text: [UInt8]
        public init(range: Range<Int>, text: [UInt8]) {
            self.range = range
            self.text = text
        }
    }

    /// Whether a file of this kind can be redacted in place at all.
    public static func canRewrite(_ kind: ContentKind) -> Bool {
        switch kind {
        case .docx, .xlsx, .pptx, .odt, .ods, .odp: true
        default: false
        }
    }

    /// The redacted file. `text` is the document text the replacements refer to.
    public static func redact(_ data: Data, text: [UInt8], replacements: [Replacement],
                              limits: ExtractLimits = ExtractLimits()) throws(ExtractProblem) -> Data {
        let budget = ExtractBudget(limits: limits)
        guard ContentKind.sniff(data.prefix(8192)) == .zip else {
            throw ExtractProblem(ExtractCode.notRewritable, "not an Office or OpenDocument file")
        }
        let container = try ZipContainer(data: data, budget: budget)
        var mimetype: String?
        if let entry = container.entry("mimetype"), entry.uncompressedSize < 256 {
            mimetype = String(decoding: try container.read(entry), as: UTF8.self)
        }
        let kind = ContentKind.refine(zipEntries: container.names, mimetype: mimetype)
        guard canRewrite(kind) else {
            throw ExtractProblem(ExtractCode.notRewritable, "a file of a kind that cannot be redacted in place")
        }
        let map = try OfficeTextMap(container, kind: kind, budget: budget)
        guard map.text == text else {
            throw ExtractProblem(ExtractCode.notRewritable, "the rewriter reads the document differently from the scanner")
        }
        var edits = Set<OfficeTextMap.Edit>()
        for replacement in replacements {
            for edit in try map.edits(replacing: replacement.range, with: replacement.text) { edits.insert(edit) }
        }
        let changed = try rewriteParts(map: map, edits: edits)
        let output = try ZipSplicer.splice(data, entries: Array(container.archive), replacing: changed)
        try verify(output, kind: kind, limits: limits)
        return output
    }

    /// The new bytes of each part that holds an edit.
    static func rewriteParts(map: OfficeTextMap, edits: Set<OfficeTextMap.Edit>) throws(ExtractProblem) -> [String: Data] {
        var byNode: [Int: [OfficeTextMap.Edit]] = [:]
        for edit in edits { byNode[edit.node, default: []].append(edit) }
        var byPart: [String: [(source: Range<Int>, bytes: [UInt8])]] = [:]
        for (node, nodeEdits) in byNode {
            let original = map.nodes[node]
            var text = original.characters.text
            // Right to left so earlier ranges stay valid; an edit overlapping one already applied
            // (the same shared string reached from two cells) is the same value: skipped.
            var applied: [Range<Int>] = []
            for edit in nodeEdits.sorted(by: { ($0.range.lowerBound, $0.text.count) > ($1.range.lowerBound, $1.text.count) }) {
                if applied.contains(where: { $0.overlaps(edit.range) }) { continue }
                guard edit.range.upperBound <= text.count else {
                    throw ExtractProblem(ExtractCode.notRewritable, "a redaction lies outside its text")
                }
                text.replaceSubrange(edit.range, with: edit.text)
                applied.append(edit.range)
            }
            byPart[original.part, default: []].append((original.characters.source, XMLTokenizer.escape(text)))
        }
        var changed: [String: Data] = [:]
        for (part, patches) in byPart {
            guard let bytes = map.parts[part] else { continue }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var cursor = 0
            for patch in patches.sorted(by: { $0.source.lowerBound < $1.source.lowerBound }) {
                out.append(contentsOf: bytes[cursor..<patch.source.lowerBound])
                out.append(contentsOf: patch.bytes)
                cursor = patch.source.upperBound
            }
            out.append(contentsOf: bytes[cursor...])
            changed[part] = Data(out)
        }
        return changed
    }

    /// The rewritten file must read back as the same kind of document (well-formed XML, a sound
    /// archive) before it replaces the original.
    static func verify(_ output: Data, kind: ContentKind, limits: ExtractLimits) throws(ExtractProblem) {
        do throws(ExtractProblem) {
            let budget = ExtractBudget(limits: limits)
            let container = try ZipContainer(data: output, budget: budget)
            _ = try OfficeText.extract(container, kind: kind, budget: budget)
        } catch {
            throw ExtractProblem(ExtractCode.notRewritable, "the redacted file does not read back (\(error.code))")
        }
    }
}
