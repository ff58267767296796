import RedlineCore
import RedlineEngine

/// Writes a redacted message as patches over the original bytes: a redacted part's body, a
/// rebuilt header field, the verdict headers. Everything else is copied through unchanged, so
/// the MIME structure (boundaries, part headers, untouched parts) is exactly the original's.
struct MailRewriter {
    let bytes: [UInt8]
    let pipeline: Pipeline
    let lineEnding: [UInt8]
    private var patches: [Patch] = []
    private var names: [Int: (field: HeaderField, name: [UInt8])] = [:]

    init(bytes: [UInt8], pipeline: Pipeline, lineEnding: [UInt8]) {
        self.bytes = bytes
        self.pipeline = pipeline
        self.lineEnding = lineEnding
    }

    /// Redacts the findings of each unit (`unitFindings` parallel to `units`).
    mutating func redact(units: [TextUnit], unitFindings: [[Finding]]) {
        // Header names that hold a value, redacted, by the field's start: used when the field is
        // rebuilt, or patched alone.
        for (index, unit) in units.enumerated() {
            guard case let .headerName(field) = unit.kind else { continue }
            let redactable = unitFindings[index].filter { $0.action >= .redact }
            guard !redactable.isEmpty else { continue }
            let name = pipeline.redact(unit.text, findings: redactable).map { $0 <= 32 || $0 >= 127 || $0 == UInt8(ascii: ":") ? UInt8(ascii: "-") : $0 }
            names[field.range.lowerBound] = (field, name)
        }
        var displayEdits: [Int: (field: HeaderField, unfolded: [UInt8], edits: [(Range<Int>, [UInt8])])] = [:]
        for (index, unit) in units.enumerated() {
            // An attachment is decided by MailProcessor (rewritten inside the file, blocked or
            // stripped): its findings, many in a large export, are not looked through here.
            if case .attachment = unit.kind { continue }
            let redactable = unitFindings[index].filter { $0.action >= .redact }
            guard !redactable.isEmpty else { continue }
            switch unit.kind {
            case let .body(entity, charset, markup):
                let newText: [UInt8]
                if let markup {
                    let replacements = MailRewriter.groups(redactable).map { group in
                        (range: group.range, text: pipeline.redact(Array(unit.text[group.range]), findings: group.members, base: group.range.lowerBound))
                    }
                    if markup.source.startIndex == entity.bodyRange.lowerBound, markup.source.endIndex == entity.bodyRange.upperBound,
                       charset == .utf8, entity.transferEncoding == .identity {
                        // Markup read in place from the message and written back as it is (UTF-8,
                        // no transfer encoding): kept as edits, so no copy of the body is built.
                        patches.append(Patch(range: entity.bodyRange, edits: markup.edits(replacements: replacements)))
                        continue
                    }
                    newText = markup.rewrite(replacements: replacements)
                } else {
                    newText = pipeline.redact(unit.text, findings: redactable)
                }
                patches.append(Patch(range: entity.bodyRange, bytes: encodeBody(newText, entity: entity, charset: charset)))
            case let .raw(range):
                patches.append(Patch(range: range, bytes: pipeline.redact(unit.text, findings: redactable)))
            case let .header(field, decoded):
                // Only the decoded text is written back (unknown charset names after it are dropped).
                let visible = decoded.text.count
                let inside = redactable.filter { $0.start < visible }.map { finding in
                    var clamped = finding
                    clamped.end = min(finding.end, visible)
                    return clamped
                }
                let text = pipeline.redact(Array(unit.text.prefix(visible)), findings: inside)
                let value = EncodedWords.encode(text, charset: decoded.firstWord?.charset ?? .utf8,
                                                encoding: decoded.firstWord?.encoding ?? UInt8(ascii: "B"), lineEnding: fieldLineEnding(field))
                patches.append(Patch(range: field.range, bytes: rebuiltField(field, value: value)))
            case let .displayName(field, unfolded, range, decoded):
                let text = pipeline.redact(unit.text, findings: redactable)
                let encoded = AddressList.encodeDisplay(text, like: decoded, lineEnding: fieldLineEnding(field))
                displayEdits[field.range.lowerBound, default: (field, unfolded, [])].edits.append((range, encoded))
            case let .parameter(field, unfolded, name, pieces, extended, decoded):
                let text = pipeline.redact(unit.text, findings: redactable)
                let first = pieces[0].range
                let value = name.isEmpty ? text : HeaderParameters.encode(name: name, text: text, extended: extended, like: decoded)
                displayEdits[field.range.lowerBound, default: (field, unfolded, [])].edits.append((first, value))
                for piece in pieces.dropFirst() {
                    displayEdits[field.range.lowerBound, default: (field, unfolded, [])].edits.append((piece.removal, []))
                }
            case .headerName:
                continue
            case .derived:
                // Scanned only: MailProcessor blocks a message whose derived text needs redaction.
                continue
            case .attachment:
                continue   // decided by MailProcessor: blocked or stripped (settings.unredactable_attachments)
            }
        }
        for (_, entry) in displayEdits {
            var value = entry.unfolded
            for (range, replacement) in entry.edits.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
                value.replaceSubrange(range, with: replacement)
            }
            patches.append(Patch(range: entry.field.range, bytes: rebuiltField(entry.field, value: value)))
        }
        // A field whose name alone changes: the name is patched, the rest kept byte for byte.
        for (start, entry) in names {
            patches.append(Patch(range: start..<(start + entry.field.name.utf8.count), bytes: entry.name))
        }
        names = [:]
    }

    /// Adds `X-Redline-Verdict` (and `X-Redline-Findings`) at the end of the top-level header,
    /// replacing any already there.
    mutating func stampVerdict(_ verdict: MailVerdict, headers: HeaderBlock, findingsHeader: Bool) {
        for field in headers.fields where ["x-redline-verdict", "x-redline-findings", "x-redline-overridden"].contains(field.lowercasedName) {
            patches.append(Patch(range: field.range, bytes: []))
        }
        var stamp: [UInt8] = []
        if headers.end > 0, bytes[headers.end - 1] != 10 { stamp.append(contentsOf: lineEnding) }
        stamp.append(contentsOf: Array("X-Redline-Verdict: \(verdict.verdict.name)".utf8) + lineEnding)
        let summary = verdict.findingsSummary
        if findingsHeader && !summary.isEmpty {
            stamp.append(contentsOf: Array("X-Redline-Findings: \(summary)".utf8) + lineEnding)
        }
        // Rule ids only: the justification is in the audit log, never in the message.
        for rule in verdict.overriddenRules {
            let was = verdict.findings.first { $0.overriddenRule == rule }?.overriddenAction?.name ?? "decided"
            stamp.append(contentsOf: Array("X-Redline-Overridden: \(rule) (would \(was); the sender's justification is recorded)".utf8) + lineEnding)
        }
        for note in verdict.strippedAttachments {
            stamp.append(contentsOf: Array("X-Redline-Stripped: \(note)".utf8) + lineEnding)
        }
        for note in verdict.redactedAttachments {
            stamp.append(contentsOf: Array("X-Redline-Redacted: ".utf8) + foldedNote(note) + lineEnding)
        }
        patches.append(Patch(range: headers.end..<headers.end, bytes: stamp))
    }

    /// A note as a header value: folded after `; ` when ASCII, encoded words otherwise.
    func foldedNote(_ note: String) -> [UInt8] {
        let bytes = Array(note.utf8)
        if bytes.contains(where: { $0 >= 127 || $0 < 32 }) {
            return EncodedWords.encode(bytes, lineEnding: lineEnding)
        }
        var out: [UInt8] = []
        var column = "X-Redline-Redacted: ".count
        for (index, piece) in note.components(separatedBy: "; ").enumerated() {
            let text = Array(((index > 0 ? ";" : "") + (index > 0 ? " " : "") + piece).utf8)
            if index > 0 && column + text.count > 76 {
                out.append(UInt8(ascii: ";"))
                out.append(contentsOf: lineEnding + [32])
                out.append(contentsOf: Array(piece.utf8))
                column = 1 + piece.utf8.count
            } else {
                out.append(contentsOf: text)
                column += text.count
            }
        }
        return out
    }

    /// Replaces `range` of the original message with `replacement`.
    mutating func replace(_ range: Range<Int>, with replacement: [UInt8]) {
        patches.append(Patch(range: range, bytes: replacement))
    }

    /// A change to the original message: `range` replaced by `bytes`, or, with `edits`, the
    /// original bytes of `range` written with those edits (offsets from the range's start).
    struct Patch {
        var range: Range<Int>
        var bytes: [UInt8] = []
        var edits: [(Range<Int>, [UInt8])]?
    }

    /// The message with every patch applied, in order.
    func output() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        write { out.append(contentsOf: $0) }
        return out
    }

    /// Writes the message with every patch applied, in order, piece by piece: the unchanged runs
    /// as slices of the original, so nothing the size of the message is built.
    func write(_ sink: (ArraySlice<UInt8>) throws -> Void) rethrows {
        let sorted = patches.sorted { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var cursor = 0
        for patch in sorted where patch.range.lowerBound >= cursor {
            if patch.range.lowerBound > cursor { try sink(bytes[cursor..<patch.range.lowerBound]) }
            if let edits = patch.edits {
                try TextMap.apply(edits, to: bytes[patch.range], sink)
            } else if !patch.bytes.isEmpty {
                try sink(patch.bytes[...])
            }
            cursor = patch.range.upperBound
        }
        if cursor < bytes.count { try sink(bytes[cursor...]) }
    }

    /// Merges overlapping or touching findings, as the engine's redactor does.
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

    private func fieldLineEnding(_ field: HeaderField) -> [UInt8] {
        let end = field.range.upperBound
        if end >= 2, bytes[end - 1] == 10, bytes[end - 2] == 13 { return [13, 10] }
        if end >= 1, bytes[end - 1] == 10 { return [10] }
        return lineEnding
    }

    private mutating func rebuiltField(_ field: HeaderField, value: [UInt8]) -> [UInt8] {
        let hasLineEnding = field.range.upperBound > field.range.lowerBound && bytes[field.range.upperBound - 1] == 10
        let name = names.removeValue(forKey: field.range.lowerBound)?.name ?? Array(field.name.utf8)
        return name + Array(": ".utf8) + value + (hasLineEnding ? fieldLineEnding(field) : [])
    }

    /// Re-encodes a redacted body in the part's charset and transfer encoding, with its line
    /// endings and (for base64) its line length.
    func encodeBody(_ text: [UInt8], entity: MIMEEntity, charset: Charset) -> [UInt8] {
        let original = bytes[entity.bodyRange]
        var eol = entity.headers.lineEnding
        if let lf = original.firstIndex(of: 10) { eol = lf > original.startIndex && bytes[lf - 1] == 13 ? [13, 10] : [10] }
        let encoded = charset.encode(text)
        switch entity.transferEncoding {
        case .identity, .unknown:
            return encoded
        case .quotedPrintable:
            return QuotedPrintable.encode(encoded, lineEnding: eol)
        case .base64:
            let firstLine = (original.firstIndex(of: 10) ?? original.endIndex) - original.startIndex
            var lineLength = firstLine
            if lineLength > 0, original[original.startIndex + lineLength - 1] == 13 { lineLength -= 1 }
            if lineLength < 4 || lineLength > 76 { lineLength = 76 }
            lineLength -= lineLength % 4
            let endsWithBreak = original.last == 10
            return Base64.encode(encoded, lineLength: lineLength, lineEnding: eol) + (endsWithBreak ? eol : [])
        }
    }
}
