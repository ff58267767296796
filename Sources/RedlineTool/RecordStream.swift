#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedlineCore
import RedlineEngine
import RedlineFormats

/// The outcome of one record.
struct RecordOutcome {
    /// What to write for the record; nil: the record exactly as it was read (or `writer`).
    var output: [UInt8]?
    /// Writes the rewritten record piece by piece (a long value), while the record's bytes are
    /// still valid: during the call that received the outcome.
    var writer: ((([UInt8]) throws -> Void) throws -> Void)?
    var findings: [Finding] = []
    var verdict: Action = .allow
    var failures: [Diagnostic] = []
    /// The record's id as reports show it: masked where a detector finds something in it
    /// (``PipelineSession/masked(_:channel:)``). Set for records with findings or a verdict, and
    /// for every record when ``RecordProcessor/masksEveryID`` is set.
    var id: String?
    var channel: String
    var malformed: String?
    /// The record names a channel the policy does not have: what was done (no value echoed), and
    /// whether it counts as an input problem (`settings.unknown_channel: strictest`).
    var unknownChannel: (message: String, isError: Bool)?
    /// With ``RecordFields/conversation``: the record's conversation (the field's value as read;
    /// never echoed) and the first and last scanned values (decoded), which a value begun in the
    /// previous record of the conversation continues, and a value continued in the next begins.
    var conversation: String?
    var conversationText: (head: [UInt8], tail: [UInt8])?
    /// Values begun in an earlier record of the conversation that had already been written.
    var lateCompletions: [RecordLateCompletion] = []
}

/// Findings added to a record from outside it: parts of values split with the previous record of
/// its conversation (`head`, in its first scanned value) or the next (`tail`, in its last).
struct AddedFindings {
    var head: [Finding] = []
    var tail: [Finding] = []
    var isEmpty: Bool { head.isEmpty && tail.isEmpty }
}

extension RecordScan {
    /// Adds `added` to the first (head) and last (tail) value's results and to the merged one,
    /// naming the field each is in (`paths`: the first and last value's, as findings show them).
    /// A tail part goes into the value's own result twice: a mask of a group of findings keeps no
    /// digits, and the digits a mask would keep at the end of a value's first part are not the
    /// value's last ones.
    mutating func add(_ added: AddedFindings, paths: (head: String, tail: String)) {
        guard !added.isEmpty, !values.isEmpty else { return }
        for (parts, index, copies, path) in [(added.head, 0, 1, paths.head), (added.tail, values.count - 1, 2, paths.tail)] {
            for var finding in parts {
                finding.part = path
                for _ in 0..<copies { values[index].findings.append(finding) }
                values[index].verdict = max(values[index].verdict, finding.action)
                merged.findings.append(finding)
                merged.verdict = max(merged.verdict, finding.action)
            }
        }
    }
}

/// Scans and rewrites single records. Which values are scanned: every top-level member (JSONL)
/// or column (CSV) named ``RecordFields/text`` — each occurrence of a duplicated name, and every
/// string and number inside a member that is an array or object — or, with
/// ``RecordFields/allFields``, every string and number of the record. Findings name their field
/// path in ``Finding/part`` (`text`, `customer.notes`, `items[2].text`, a column name); a path
/// taken from the input is masked like an id.
struct RecordProcessor {
    let session: PipelineSession
    let defaultChannel: String
    let fields: RecordFields
    let redact: Bool
    let onBlock: OnBlock
    let passMalformed: Bool
    /// Every record's id is needed (scan keys its decisions on it), not only those with findings.
    var masksEveryID = false
    /// Field paths from the input, masked once each.
    let names = QuotedNames()

    /// The channel a record names (nil or empty: the default). A name the policy does not have is
    /// decided on the policy's strictest channel and reported as an input problem, unless the
    /// policy says `settings.unknown_channel: default` (then the default channel, with a warning).
    /// The name itself is never echoed: a channel field can hold anything, PII included.
    func channel(for name: String?, record: Int) -> (channel: String, unknown: (message: String, isError: Bool)?) {
        guard let name, !name.isEmpty else { return (defaultChannel, nil) }
        if let resolved = try? session.resolveChannel(name) { return (resolved, nil) }
        let field = fields.channel ?? ""
        switch session.pipeline.policy.settings.unknownChannel {
        case .strictest:
            let strictest = session.pipeline.rules.strictestChannel
            return (strictest, ("unknown channel in field '\(field)'; decided on the policy's strictest channel \(strictest) "
                                + "(an input problem; settings.unknown_channel: default uses the default channel)", true))
        case .default:
            return (defaultChannel, ("unknown channel in field '\(field)'; decided on the default channel \(defaultChannel) (settings.unknown_channel: default)", false))
        }
    }

    /// One JSONL record, parsed from a copy: the general path, which reads every value asked for,
    /// and the one ``jsonl(inPlace:record:names:text:)`` is tested against (`output` is always set).
    func jsonl(_ raw: [UInt8], record: Int, added: AddedFindings = AddedFindings()) -> RecordOutcome {
        var outcome = raw.withUnsafeBufferPointer { jsonl(general: $0, record: record, added: added, windowed: false) }
        if outcome.output == nil { outcome.output = raw }
        return outcome
    }

    /// The general path on a record where it lies (`output` nil: write it as read). With
    /// `windowed` (the record stays valid until the outcome is written, and no conversation is
    /// followed), a string value of ``longValue`` raw bytes or more is decoded and scanned window by
    /// window and rewritten piece by piece (``RecordOutcome/writer``), never decoded whole.
    func jsonl(general raw: UnsafeBufferPointer<UInt8>, record: Int, added: AddedFindings = AddedFindings(), windowed: Bool) -> RecordOutcome {
        let body = UnsafeBufferPointer(rebasing: raw[..<RecordProcessor.bodyEnd(raw)])
        if body.allSatisfy({ $0 == 32 || $0 == 9 }) { return RecordOutcome(channel: defaultChannel) }
        let line: JSONLineView
        do {
            line = try JSONLineView(body)
        } catch {
            return malformed(error, raw: Array(raw), record: record)
        }
        let rawID = line.text(fields.id)
        let (channel, unknown) = channel(for: fields.channel.flatMap { line.text($0) }, record: record)
        let scalars = fields.allFields ? line.allScalars : line.scalars(named: fields.text)
        guard !scalars.isEmpty else { return RecordOutcome(id: displayID(rawID, channel: channel, found: false), channel: channel, unknownChannel: unknown) }
        let windows = windowed && fields.conversation == nil
        var long: [Int: UnsafeBufferPointer<UInt8>] = [:]
        var values: [(path: String, text: [UInt8])] = []
        values.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            if windows, scalar.isString, scalar.range.count >= RecordProcessor.longValue {
                long[index] = UnsafeBufferPointer(rebasing: body[scalar.range])
                values.append((scalar.path, []))
            } else {
                values.append((scalar.path, line.text(of: scalar)))
            }
        }
        var scanned = scan(values, channel: channel, long: long)
        if !added.isEmpty { scanned.add(added, paths: (label(values[0].path, channel: channel), label(values[values.count - 1].path, channel: channel))) }
        var outcome = RecordOutcome(findings: scanned.merged.findings, verdict: scanned.merged.verdict, failures: scanned.merged.failures,
                                    channel: channel, unknownChannel: unknown)
        if let field = fields.conversation {
            outcome.conversation = line.text(field)
            outcome.conversationText = (values[0].text, values[values.count - 1].text)
        }
        outcome.id = displayID(rawID, channel: channel, found: outcome.verdict != .allow || !outcome.findings.isEmpty)
        if redact, rewrites(scanned.merged) {
            rewrite(&outcome, raw: raw, line: line, scalars: scalars, values: values, long: long, scanned: scanned, record: record)
        }
        return outcome
    }

    /// The member names a JSONL record is read for: text, id and (when set) channel.
    var jsonlNames: [[UInt8]] {
        [Array(fields.text.utf8), Array(fields.id.utf8)] + (fields.channel.map { [Array($0.utf8)] } ?? [])
    }

    /// ``jsonl(_:record:)`` reading the record in place: member names are compared where they lie
    /// and the text is decoded into `text`, a buffer reused from record to record, so a record
    /// that stays as it is costs no copy of itself (its `output` is nil: write it as read). Only a
    /// record that redaction rewrites is copied and parsed, and so is a record whose text member
    /// is repeated or not a string (the general path reads every occurrence). `names` is
    /// ``jsonlNames``.
    func jsonl(inPlace raw: UnsafeBufferPointer<UInt8>, record: Int, names: [[UInt8]], text: inout [UInt8]) -> RecordOutcome {
        if fields.conversation != nil { return jsonl(Array(raw), record: record) }
        if fields.allFields { return jsonl(general: raw, record: record, windowed: true) }
        let bodyEnd = RecordProcessor.bodyEnd(raw)
        let body = UnsafeBufferPointer(rebasing: raw[..<bodyEnd])
        if body.allSatisfy({ $0 == 32 || $0 == 9 }) { return RecordOutcome(channel: defaultChannel) }
        let located: JSONLine.Located
        do {
            located = try JSONLine.locate(names, in: body)
        } catch {
            return malformed(error, raw: Array(raw), record: record)
        }
        if located.firstRepeats { return jsonl(general: raw, record: record, windowed: true) }
        if let textRange = located[0], body[textRange.lowerBound] != UInt8(ascii: "\"") { return jsonl(general: raw, record: record, windowed: true) }
        func display(_ range: Range<Int>) -> String {
            guard body[range.lowerBound] == UInt8(ascii: "\"") else { return String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self) }
            var decoded: [UInt8] = []
            JSONString.decode(UnsafeBufferPointer(rebasing: body[range]), into: &decoded)
            return String(decoding: decoded, as: UTF8.self)
        }
        let (channel, unknown) = channel(for: names.count > 2 ? located[2].map(display) : nil, record: record)
        guard let textRange = located[0] else {
            return RecordOutcome(id: masksEveryID ? displayID(located[1].map(display), channel: channel, found: false) : nil,
                                 channel: channel, unknownChannel: unknown)
        }
        // A long value: read in windows by the general path (nothing decoded whole).
        if textRange.count >= RecordProcessor.longValue { return jsonl(general: raw, record: record, windowed: true) }
        text.removeAll(keepingCapacity: true)
        JSONString.decode(UnsafeBufferPointer(rebasing: body[textRange]), into: &text)
        let result = session.scan(text, channel: channel, part: fields.text)
        // The id is read only when a report shows it (displayID is nil otherwise).
        let found = result.verdict != .allow || !result.findings.isEmpty
        let id = found || masksEveryID ? displayID(located[1].map(display), channel: channel, found: found) : nil
        guard redact && rewrites(result) else {
            return RecordOutcome(findings: result.findings, verdict: result.verdict, failures: result.failures, id: id, channel: channel, unknownChannel: unknown)
        }
        // Parse the record where it lies (the same members `locate` found) and rewrite it.
        guard let line = try? JSONLineView(body) else { return jsonl(general: raw, record: record, windowed: true) }
        var outcome = RecordOutcome(findings: result.findings, verdict: result.verdict, failures: result.failures, id: id, channel: channel, unknownChannel: unknown)
        let scalar = JSONScalar(path: fields.text, range: textRange, isString: true)
        rewrite(&outcome, raw: raw, line: line, scalars: [scalar], values: [(fields.text, text)], long: [:],
                scanned: RecordScan(merged: result, values: [result]), record: record)
        return outcome
    }

    /// The id as reports show it (masked where a detector finds something), or nil when the record
    /// has no findings and ids are not needed for every record.
    func displayID(_ raw: String?, channel: String, found: Bool) -> String? {
        guard let raw, found || masksEveryID else { return nil }
        return session.masked(raw, channel: channel)
    }

    /// Whether redaction changes a record with this result.
    func rewrites(_ result: ScanResult) -> Bool {
        (result.verdict == .block && onBlock == .marker) || result.failClosed >= .redact || result.findings.contains { $0.action >= .redact }
    }

    /// Sets the redacted record (its line terminator kept) on `outcome`: `output`, or `writer` when a
    /// long value (``longValue``, scanned in windows) is rewritten, piece by piece from the record
    /// where it lies. Each scanned value is rewritten on its own; every other byte is kept. Nothing
    /// is set when redaction leaves the record as it is.
    private func rewrite(_ outcome: inout RecordOutcome, raw: UnsafeBufferPointer<UInt8>, line: JSONLineView, scalars: [JSONScalar],
                         values: [(path: String, text: [UInt8])], long: [Int: UnsafeBufferPointer<UInt8>], scanned: RecordScan, record: Int) {
        let terminator = raw[line.bytes.count...]
        if scanned.merged.verdict == .block && onBlock == .marker {
            let rule = scanned.merged.decidingRule ?? "fail-closed"
            outcome.output = Array("{\"redline\":\"blocked\",\"rule\":\(JSONString.encode(rule)),\"record\":\(record),\"id\":\(outcome.id.map(JSONString.encode) ?? "null")}".utf8) + terminator
            return
        }
        var replacements: [(range: Range<Int>, text: [UInt8])] = []
        var longPieces: [LongPiece] = []
        for index in scalars.indices {
            if let quoted = long[index] {
                if let piece = LongPiece(range: scalars[index].range, quoted: quoted, result: scanned.values[index]) { longPieces.append(piece) }
            } else if let text = replacement(values[index].text, scanned.values[index]) {
                replacements.append((scalars[index].range, text))
            }
        }
        if longPieces.isEmpty {
            if !replacements.isEmpty { outcome.output = line.replacing(replacements) + terminator }
            return
        }
        outcome.writer = writer(raw, replacements: replacements, long: longPieces)
    }

    /// What a scanned value becomes: the withheld marker when a detector could not finish on it and
    /// its rules redact or block (fail-closed), else its redacted text; nil when it stays as it is.
    func replacement(_ text: [UInt8], _ result: ScanResult) -> [UInt8]? {
        if result.failClosed >= .redact { return RecordProcessor.withheld(result) }
        return redactedText(text, result)
    }

    private func malformed(_ error: JSONLine.ParseError, raw: [UInt8], record: Int) -> RecordOutcome {
        let reason = "malformed JSON (\(error.reason) at byte \(error.offset))"
        let terminator = raw[RecordProcessor.bodyEnd(raw)...]
        let output = passMalformed ? raw : Array("{\"redline_error\":\"malformed JSON record\",\"record\":\(record)}".utf8) + terminator
        return RecordOutcome(output: output, channel: defaultChannel, malformed: reason)
    }

    /// One CSV record: every column named the text column (or every column with `allFields`).
    func csv(_ raw: [UInt8], record: Int, columns: CSVColumns, added: AddedFindings = AddedFindings()) -> RecordOutcome {
        let row = CSVRecord(raw[...])
        let rawID = columns.first(fields.id).flatMap { row.value($0) }.map { String(decoding: $0, as: UTF8.self) }
        let channelName = fields.channel.flatMap { columns.first($0) }.flatMap { row.value($0) }.map { String(decoding: $0, as: UTF8.self) }
        let (channel, unknown) = channel(for: channelName, record: record)
        let targets = fields.allFields ? Array(row.fields.indices) : columns.indices(fields.text)
        var scanned: [(index: Int, path: String, text: [UInt8])] = []
        for index in targets {
            guard let value = row.value(index) else { continue }
            scanned.append((index, fields.allFields ? columns.name(index) : fields.text, value))
        }
        guard !scanned.isEmpty else { return RecordOutcome(output: raw, id: displayID(rawID, channel: channel, found: false), channel: channel, unknownChannel: unknown) }
        var results = scan(scanned.map { ($0.path, $0.text) }, channel: channel)
        if !added.isEmpty { results.add(added, paths: (label(scanned[0].path, channel: channel), label(scanned[scanned.count - 1].path, channel: channel))) }
        var outcome = RecordOutcome(output: raw, findings: results.merged.findings, verdict: results.merged.verdict, failures: results.merged.failures,
                                    channel: channel, unknownChannel: unknown)
        if let field = fields.conversation {
            outcome.conversation = columns.first(field).flatMap { row.value($0) }.map { String(decoding: $0, as: UTF8.self) }
            outcome.conversationText = (scanned[0].text, scanned[scanned.count - 1].text)
        }
        outcome.id = displayID(rawID, channel: channel, found: outcome.verdict != .allow || !outcome.findings.isEmpty)
        guard redact, rewrites(results.merged) else { return outcome }
        if let rewritten = rewritten(row, values: scanned.map { ($0.index, $0.text) }, scanned: results) { outcome.output = rewritten }
        return outcome
    }

    /// The CSV record redacted (each scanned column on its own, `values` parallel to
    /// `scanned.values`; every other byte kept), or nil when redaction leaves it as it is.
    func rewritten(_ row: CSVRecord, values: [(index: Int, text: [UInt8])], scanned: RecordScan) -> [UInt8]? {
        var replacements: [(index: Int, value: [UInt8])] = []
        if scanned.merged.verdict == .block && onBlock == .marker {
            let marker = Array("[redline: record blocked by rule \(scanned.merged.decidingRule ?? "fail-closed")]".utf8)
            replacements = values.map { ($0.index, marker) }
        } else {
            for (position, value) in values.enumerated() {
                if let text = replacement(value.text, scanned.values[position]) { replacements.append((value.index, text)) }
            }
        }
        return replacements.isEmpty ? nil : row.replacing(replacements)
    }

    /// The text that replaces a record's text when a detector could not finish on it and its rules
    /// redact or block (fail-closed: what it would have found is unknown).
    static func withheld(_ result: ScanResult) -> [UInt8] {
        Array("[redline: withheld: detector '\(result.failedDetector ?? "-")' could not finish]".utf8)
    }

    /// The redacted text, or nil when nothing in it is redacted (so the record stays byte-identical).
    func redactedText(_ text: [UInt8], _ result: ScanResult) -> [UInt8]? {
        let targets = result.findings.filter { $0.action >= .redact }
        guard !targets.isEmpty else { return nil }
        return session.pipeline.redact(text, findings: targets)
    }

    /// Where a record's line terminator (LF or CRLF) starts; the record's length when it has none.
    static func bodyEnd<Bytes: RandomAccessCollection<UInt8>>(_ raw: Bytes) -> Int where Bytes.Index == Int {
        var end = raw.count
        if end > 0, raw[end - 1] == 10 {
            end -= 1
            if end > 0, raw[end - 1] == 13 { end -= 1 }
        }
        return end
    }
}

extension RecordProcessor {
    /// Reads `input` record by record and calls `body` with each record's index, outcome and bytes
    /// as read (valid during the call). JSON Lines records are read in place; a CSV header row is
    /// read for the column names and handed to `header` (it is not a record). With
    /// ``RecordFields/conversation`` the records of a conversation are read like consecutive
    /// lines (``ConversationHold``, `holdMs` the hold time): `body` and `tooLarge` are still called
    /// once per record, in input order, a held record when it is released.
    func forEachRecord(_ input: InputStream, mode: InputMode, holdMs: Int = 0, header: ([UInt8]) throws -> Void = { _ in },
                       body: (Int, RecordOutcome, UnsafeBufferPointer<UInt8>) throws -> Void,
                       tooLarge: (Int, Int) throws -> Void) throws {
        let reader = RecordReader(input: input, kind: mode == .csv ? .csv : .jsonl)
        var columns: CSVColumns?
        var plan: CSVPlan?
        var scratch = RecordScratch()
        var index = 0
        let names = jsonlNames
        var text: [UInt8] = []
        let hold = fields.conversation == nil ? nil : ConversationHold(session: session, holdMs: holdMs) { raw, record, added in
            mode == .csv ? csv(raw, record: record, columns: columns!, added: added) : jsonl(raw, record: record, added: added)
        }
        func emit(_ item: ConversationHold.Item) throws {
            switch item {
            case let .record(index, raw, outcome): try raw.withUnsafeBufferPointer { try body(index, outcome, $0) }
            case let .tooLarge(index, size): try tooLarge(index, size)
            }
        }
        while let item = try reader.nextSlice(beforeRead: { try hold?.wait(for: input, emit: emit) }) {
            switch item {
            case let .record(range):
                if mode == .csv, columns == nil {
                    let raw = reader.withBytes(range) { Array($0) }
                    let parsed = CSVColumns(header: raw)
                    if !fields.allFields, parsed.indices(fields.text).isEmpty {
                        throw ToolError("CSV header has no column '\(fields.text)' (use --text-column, or --all-fields)")
                    }
                    if let field = fields.conversation, parsed.first(field) == nil {
                        throw ToolError("CSV header has no column '\(field)' (--conversation-field)")
                    }
                    columns = parsed
                    plan = CSVPlan(parsed, fields: fields)
                    try header(raw)
                    continue
                }
                try reader.withBytes(range) { raw in
                    if let hold {
                        let copy = Array(raw)
                        let outcome = mode == .csv ? csv(copy, record: index, columns: columns!) : jsonl(copy, record: index)
                        try hold.add(index: index, raw: copy, outcome: outcome, emit: emit)
                        return
                    }
                    let outcome = mode == .csv ? csv(inPlace: raw, record: index, columns: columns!, plan: plan!, scratch: &scratch)
                                               : jsonl(inPlace: raw, record: index, names: names, text: &text)
                    try body(index, outcome, raw)
                }
            case let .tooLarge(size):
                if let hold { try hold.addTooLarge(index: index, size: size, emit: emit) } else { try tooLarge(index, size) }
            }
            index += 1
        }
        try hold?.finish(emit: emit)
    }
}
