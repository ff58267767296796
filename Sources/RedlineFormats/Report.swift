import RedlineCore

/// A finding with where it came from, as reports show it.
public struct ReportEntry: Sendable {
    /// File path, or `-` for standard input.
    public var source: String
    /// 0-based record index (JSONL line, CSV data row, mbox message); nil for plain text.
    public var record: Int?
    /// The record's id field, when it has one.
    public var id: String?
    public var channel: String
    public var finding: Finding

    public init(source: String, record: Int? = nil, id: String? = nil, channel: String, finding: Finding) {
        self.source = source
        self.record = record
        self.id = id
        self.channel = channel
        self.finding = finding
    }
}

/// Totals for a run.
public struct ReportSummary: Sendable {
    public var sources = 0
    public var records = 0
    public var findings = 0
    /// Findings per detector id.
    public var byDetector: [String: Int] {
        get { Dictionary(detectorCounts.map { ($0.detector, $0.count) }, uniquingKeysWith: +) }
        set { detectorCounts = newValue.map { (detector: $0.key, count: $0.value) } }
    }
    /// Findings per action name (only actions that occurred).
    public var byAction: [String: Int] {
        get {
            var counts: [String: Int] = [:]
            for action in Action.allCases where actionCounts[action.rawValue] > 0 { counts[action.name] = actionCounts[action.rawValue] }
            return counts
        }
        set {
            actionCounts = [0, 0, 0, 0]
            for (name, count) in newValue {
                if let action = Action(name: name) { actionCounts[action.rawValue] = count }
            }
        }
    }
    /// The strictest action over everything scanned.
    public var verdict: Action = .allow
    /// Inputs that could not be read or parsed.
    public var errors = 0
    // Counted per finding without hashing: a policy has a handful of detectors, found in a short list.
    private var detectorCounts: [(detector: String, count: Int)] = []
    private var actionCounts = [0, 0, 0, 0]
    public init() {}

    public mutating func add(_ finding: Finding) {
        findings += 1
        if let index = detectorCounts.firstIndex(where: { $0.detector == finding.detector }) {
            detectorCounts[index].count += 1
        } else {
            detectorCounts.append((finding.detector, 1))
        }
        actionCounts[finding.action.rawValue] += 1
    }
}

/// What every report names: the tool and the policy.
public struct ReportContext: Sendable {
    public var toolVersion: String
    public var policyName: String
    public var policySHA256: String
    public var policySource: String
    /// Detector id → (kind, description), for SARIF rules.
    public var detectors: [(id: String, kind: String, summary: String)]
    /// Rule id → sender message, for SARIF help texts.
    public var ruleMessages: [String: String]
    /// How the policy was found (`from --policy`, `.redline.yaml found walking up…`), for the text report.
    public var policyOrigin = ""
    /// Rule id → what the sender can do instead: the rule's `tip:`, then how to ask for an
    /// override when the rule allows one (shown after the rule's message).
    public var ruleTips: [String: String] = [:]

    public init(toolVersion: String, policyName: String, policySHA256: String, policySource: String,
                detectors: [(id: String, kind: String, summary: String)], ruleMessages: [String: String]) {
        self.toolVersion = toolVersion
        self.policyName = policyName
        self.policySHA256 = policySHA256
        self.policySource = policySource
        self.detectors = detectors
        self.ruleMessages = ruleMessages
    }
}

/// The report formats of `check`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, jsonl, sarif
}

/// Receives findings as they are produced and writes a report. Streaming formats (text, JSONL)
/// write each entry at once; JSON and SARIF collect and write at the end.
public protocol ReportSink: AnyObject {
    func add(_ entry: ReportEntry)
    func finish(_ summary: ReportSummary)
}

extension ReportFormat {
    /// A sink writing this format through `write`.
    public func makeSink(context: ReportContext, color: Bool, write: @escaping ([UInt8]) -> Void) -> ReportSink {
        switch self {
        case .text: TextReport(color: color, context: context, write: write)
        case .jsonl: JSONLReport(context: context, write: write)
        case .json: JSONReport(context: context, write: write)
        case .sarif: SARIFReport(context: context, write: write)
        }
    }
}

/// `path:line:col: rule-id [action] detector: masked-excerpt` (`detector[column]` for exact_data), one line per finding; records use
/// `path:#record:col`. When the deciding rule has a `message`, it follows as ` — message` (what
/// the sender is told). Colour only when asked (the caller checks the TTY and NO_COLOR).
final class TextReport: ReportSink {
    let color: Bool
    let context: ReportContext?
    let write: ([UInt8]) -> Void

    init(color: Bool, context: ReportContext? = nil, write: @escaping ([UInt8]) -> Void) {
        self.color = color
        self.context = context
        self.write = write
    }

    /// What a line is built with, taken out of the object while a line is built (one exclusivity
    /// check in and one out per finding, not one per field).
    private struct Scratch {
        /// One line, rebuilt for every finding (its storage is reused).
        var line: [UInt8] = []
        /// The parts of a line that depend only on rule, action and detector, kept once made.
        var pieces: [Piece] = []
        /// The piece the last finding used (findings of one rule and detector come in runs).
        var last = -1
    }

    /// ` rule-id [action] detector` (before the column of exact_data and `: excerpt`) and the rule's
    /// ` — message tip` (after the excerpt), as bytes.
    private struct Piece {
        var rule: String?
        var detector: String
        var action: Action
        var head: [UInt8]
        var suffix: [UInt8]
    }

    private var scratch = Scratch()
    /// Pieces kept at most (a policy has a handful of rules and detectors); past that, made per finding.
    private static let keptPieces = 64

    func add(_ entry: ReportEntry) {
        // Built byte by byte: string interpolation of integers costs a dynamic cast per value.
        var scratch = Scratch()
        swap(&scratch, &self.scratch)
        defer { swap(&scratch, &self.scratch) }
        let f = entry.finding
        let piece = Self.piece(rule: f.rule, detector: f.detector, action: f.action, in: &scratch, color: color, context: context)
        var line: [UInt8] = []
        swap(&line, &scratch.line)
        line.removeAll(keepingCapacity: true)
        line.appendUTF8(entry.source)
        line.append(UInt8(ascii: ":"))
        if let record = entry.record {
            line.append(UInt8(ascii: "#"))
            JSONText.appendDecimal(record, to: &line)
        } else {
            JSONText.appendDecimal(f.line, to: &line)
        }
        line.append(UInt8(ascii: ":"))
        JSONText.appendDecimal(f.column, to: &line)
        line.append(UInt8(ascii: ":"))
        if let piece {
            line.append(contentsOf: scratch.pieces[piece].head)
        } else {
            line.append(contentsOf: Self.makePiece(rule: f.rule, detector: f.detector, action: f.action, color: color, context: context).head)
        }
        if let column = f.dataColumn {
            // exact_data: the index column matched (`customer[full_name]`).
            line.append(UInt8(ascii: "["))
            line.appendUTF8(column)
            line.append(UInt8(ascii: "]"))
        }
        line.append(UInt8(ascii: ":"))
        line.append(UInt8(ascii: " "))
        line.appendUTF8(f.excerpt)
        if let part = f.part {
            line.appendUTF8(" (")
            line.appendUTF8(part)
            line.append(UInt8(ascii: ")"))
        }
        if let piece {
            line.append(contentsOf: scratch.pieces[piece].suffix)
        } else {
            line.append(contentsOf: Self.makePiece(rule: f.rule, detector: f.detector, action: f.action, color: color, context: context).suffix)
        }
        if let overridden = f.overriddenRule {
            line.appendUTF8(" [overridden: rule '\(overridden)' would \(f.overriddenAction?.name ?? "decide")]")
        }
        line.append(10)
        write(line)
        swap(&line, &scratch.line)
    }

    /// The index of the piece for this rule, detector and action in `scratch.pieces`, made on first
    /// use; nil when too many are kept already.
    private static func piece(rule: String?, detector: String, action: Action, in scratch: inout Scratch,
                              color: Bool, context: ReportContext?) -> Int? {
        func matches(_ piece: Piece) -> Bool {
            piece.action == action && piece.detector == detector && piece.rule == rule
        }
        if scratch.last >= 0, matches(scratch.pieces[scratch.last]) { return scratch.last }
        if let known = scratch.pieces.firstIndex(where: matches) {
            scratch.last = known
            return known
        }
        guard scratch.pieces.count < keptPieces else { return nil }
        scratch.pieces.append(makePiece(rule: rule, detector: detector, action: action, color: color, context: context))
        scratch.last = scratch.pieces.count - 1
        return scratch.last
    }

    private static func makePiece(rule: String?, detector: String, action: Action, color: Bool, context: ReportContext?) -> Piece {
        var head: [UInt8] = []
        head.append(UInt8(ascii: " "))
        head.appendUTF8(rule ?? "-")
        head.append(UInt8(ascii: " "))
        if color {
            let code = switch action { case .block: "31;1"; case .redact: "35"; case .flag: "33"; case .allow: "2" }
            head.appendUTF8("\u{1B}[\(code)m")
        }
        head.append(UInt8(ascii: "["))
        head.appendUTF8(action.name)
        head.append(UInt8(ascii: "]"))
        if color { head.appendUTF8("\u{1B}[0m") }
        head.append(UInt8(ascii: " "))
        head.appendUTF8(detector)
        var suffix: [UInt8] = []
        if let rule {
            if let message = context?.ruleMessages[rule] {
                suffix.appendUTF8(" — ")
                suffix.appendUTF8(message)
            }
            if let tip = context?.ruleTips[rule] {
                suffix.appendUTF8(context?.ruleMessages[rule] == nil ? " — " : " ")
                suffix.appendUTF8(tip)
            }
        }
        return Piece(rule: rule, detector: detector, action: action, head: head, suffix: suffix)
    }

    /// After the findings (none: nothing at all, so a clean check stays silent), one line naming
    /// the policy that decided them and how it was found.
    func finish(_ summary: ReportSummary) {
        guard summary.findings > 0, let context else { return }
        let plural = summary.findings == 1 ? "finding" : "findings"
        let origin = context.policyOrigin.isEmpty ? "" : ", \(context.policyOrigin)"
        write(Array("-- \(summary.findings) \(plural); policy '\(context.policyName)' (\(context.policySource)\(origin))\n".utf8))
    }
}

/// One JSON object per finding, then one summary object (`"type": "summary"`).
final class JSONLReport: ReportSink {
    let context: ReportContext
    let write: ([UInt8]) -> Void

    init(context: ReportContext, write: @escaping ([UInt8]) -> Void) {
        self.context = context
        self.write = write
    }

    /// One line, rebuilt for every finding (its storage is reused).
    private var line: [UInt8] = []

    func add(_ entry: ReportEntry) {
        line.removeAll(keepingCapacity: true)
        ReportJSON.appendFinding(entry, type: true, message: entry.finding.rule.flatMap { context.ruleMessages[$0] },
                                 tip: entry.finding.rule.flatMap { context.ruleTips[$0] }, to: &line)
        line.append(10)
        write(line)
    }

    func finish(_ summary: ReportSummary) {
        write(Array(("{\"type\":\"summary\"," + ReportJSON.summaryFields(summary, context) + "}\n").utf8))
    }
}

/// One document: `schema`, tool, policy, summary, findings.
final class JSONReport: ReportSink {
    let context: ReportContext
    let write: ([UInt8]) -> Void
    /// The findings so far, comma-separated JSON objects.
    var findings: [UInt8] = []

    init(context: ReportContext, write: @escaping ([UInt8]) -> Void) {
        self.context = context
        self.write = write
    }

    func add(_ entry: ReportEntry) {
        if !findings.isEmpty { findings.append(UInt8(ascii: ",")) }
        ReportJSON.appendFinding(entry, type: false, message: entry.finding.rule.flatMap { context.ruleMessages[$0] },
                                 tip: entry.finding.rule.flatMap { context.ruleTips[$0] }, to: &findings)
    }

    func finish(_ summary: ReportSummary) {
        var text = "{\"schema\":\"redline.findings/1\",\"tool\":{\"name\":\"redline\",\"version\":\(JSONString.encode(context.toolVersion))},"
        text += "\"policy\":{\"name\":\(JSONString.encode(context.policyName)),\"sha256\":\"\(context.policySHA256)\",\"source\":\(JSONString.encode(context.policySource))},"
        text += "\"summary\":{" + ReportJSON.summaryFields(summary, context) + "},"
        text += "\"findings\":["
        write(Array(text.utf8) + findings + Array("]}\n".utf8))
    }
}

/// JSON fragments shared by the JSON, JSONL and SARIF reports. Wire format of a finding:
/// `source, record, id, channel, part, detector, kind, rule, action, confidence, test_value,
/// start, end, scalar_start, scalar_end, line, column, excerpt, fingerprint, message` (`message`:
/// the deciding rule's message for the sender, null when it has none), and for `exact_data`
/// findings `data_column` (the index column matched; `fingerprint` is then the row's keyed fingerprint);
/// `tip` when the deciding rule has a tip or may be overridden (what the sender can do instead), and
/// `overridden` (`{"rule","action"}`: the rule an allowed override lowered, and what it would have done).
public enum ReportJSON {
    static func finding(_ entry: ReportEntry, type: Bool, message: String? = nil, tip: String? = nil) -> String {
        var out: [UInt8] = []
        appendFinding(entry, type: type, message: message, tip: tip, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one finding object, written byte by byte (no `String` building or joining).
    public static func appendFinding(_ entry: ReportEntry, type: Bool, message: String?, tip: String? = nil, to out: inout [UInt8]) {
        let f = entry.finding
        func key(_ name: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        func string(_ value: String?) {
            if let value { JSONText.appendQuoted(value, to: &out) } else { key("null") }
        }
        func number(_ value: Int?) {
            if let value { JSONText.appendDecimal(value, to: &out) } else { key("null") }
        }
        key(type ? "{\"type\":\"finding\",\"source\":" : "{\"source\":")
        string(entry.source)
        key(",\"record\":"); number(entry.record)
        key(",\"id\":"); string(entry.id)
        key(",\"channel\":"); string(entry.channel)
        key(",\"part\":"); string(f.part)
        key(",\"detector\":"); string(f.detector)
        key(",\"kind\":"); string(f.kind)
        key(",\"rule\":"); string(f.rule)
        key(",\"action\":"); string(f.action.name)
        key(",\"confidence\":"); string(f.confidence.name)
        key(f.isTestValue ? ",\"test_value\":true" : ",\"test_value\":false")
        key(",\"start\":"); number(f.start)
        key(",\"end\":"); number(f.end)
        key(",\"scalar_start\":"); number(f.scalarStart)
        key(",\"scalar_end\":"); number(f.scalarEnd)
        key(",\"line\":"); number(f.line)
        key(",\"column\":"); number(f.column)
        key(",\"excerpt\":"); string(f.excerpt)
        key(",\"fingerprint\":"); string(f.valueHash.isEmpty ? nil : f.valueHash)
        key(",\"message\":"); string(message)
        // exact_data only: the index column matched (its name; the fingerprint is the row's).
        if let column = f.dataColumn { key(",\"data_column\":"); string(column) }
        if let tip { key(",\"tip\":"); string(tip) }
        if let overridden = f.overriddenRule {
            key(",\"overridden\":{\"rule\":"); string(overridden)
            key(",\"action\":"); string(f.overriddenAction?.name)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `{"a":1,"b":2}`, keys sorted.
    public static func counts(_ map: [String: Int]) -> String {
        "{" + map.keys.sorted().map { "\(JSONString.encode($0)):\(map[$0]!)" }.joined(separator: ",") + "}"
    }

    /// The fields of check's summary object, without braces.
    public static func summaryFields(_ s: ReportSummary, _ context: ReportContext) -> String {
        "\"verdict\":\"\(s.verdict.name)\",\"sources\":\(s.sources),\"records\":\(s.records),\"findings\":\(s.findings),"
            + "\"errors\":\(s.errors),\"by_detector\":\(counts(s.byDetector)),\"by_action\":\(counts(s.byAction)),"
            + "\"policy\":\(JSONString.encode(context.policyName)),\"policy_sha256\":\"\(context.policySHA256)\""
    }
}

extension Array where Element == UInt8 {
    /// Appends a string's UTF-8 bytes in one copy (`append(contentsOf: string.utf8)` goes through
    /// the generic sequence path, a few hundred instructions per call).
    @inline(__always) mutating func appendUTF8(_ string: String) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if copied == nil { append(contentsOf: string.utf8) }
    }
}
