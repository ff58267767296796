import Crypto
import Foundation
import RedlineCore
import RedlineEngine
import RedlineFormats
import RedlineMail

/// A finding as a scan reports it: where it came from, the identity baselines and audit records
/// use, and the message date for reports over time.
public struct ScanItem: Sendable {
    public var entry: ReportEntry
    /// Message-ID for mail, else the path without Maildir flags (and `#id` for records with an id).
    public var identity: String
    /// `yyyy-mm-dd` from the message's Date header; nil for non-mail inputs.
    public var date: String?
    /// The message's Message-ID as written (angle brackets kept), with anything the policy finds
    /// in it redacted (``PipelineSession/maskedMessageID(_:channel:)``); nil for non-mail inputs.
    public var messageID: String? = nil
    public var folder: String
    /// HMAC-SHA256(key, detector ‖ value ‖ identity), hex; empty without a key.
    public var fingerprint: String
    /// The ``ScanUnit/ordinal`` of the file (Maildir message) it was found in.
    public var unit = 0
}

/// One decision (a message, a record, a text file), for the audit trail and the verdict.
struct ScanDecision: Sendable {
    var identity: String
    var channel: String
    var verdict: Action
    /// Its findings: `items[range]` of the unit.
    var items: Range<Int>
    /// The identity as the audit record shows it: a Message-ID or a path with what the policy
    /// finds in it redacted (``PipelineSession/maskedMessageID(_:channel:)``,
    /// ``PipelineSession/masked(_:channel:counts:)``; record ids are masked already).
    var shown: String? = nil

    /// What the audit record names as its source.
    var auditSource: String { shown ?? identity }
}

/// Everything one unit produced, handed to the emitter in unit order.
struct UnitResult: Sendable {
    var items: [ScanItem] = []
    var decisions: [ScanDecision] = []
    var records = 0
    var messages = 0
    var bytes = 0
    /// Unreadable or malformed input: the scan is partial.
    var errors: [String] = []
    /// Diagnostics that do not make the scan partial (MIME oddities, unscanned attachments).
    var warnings: [String] = []
}

/// Scans units with its own session (one per worker thread; the pipeline is shared).
final class ScanWorker {
    let session: PipelineSession
    let defaultChannel: String
    let explicitChannel: String?
    let fields: RecordFields
    let key: SymmetricKey?
    private let records: InputScanner
    /// The unit's path and folder as reports and diagnostics show them: what the policy finds in
    /// them redacted (a file may be named after a card number). Baselines and audit identities
    /// stay keyed on the path itself.
    private var shownPath = ""
    private var shownFolder = ""
    private var folderCache = (folder: "", shown: "")

    init(pipeline: Pipeline, defaultChannel: String, explicitChannel: String?, fields: RecordFields, key: [UInt8]?) {
        session = pipeline.makeSession()
        self.defaultChannel = defaultChannel
        self.explicitChannel = explicitChannel
        self.fields = fields
        self.key = key.map { SymmetricKey(data: $0) }
        records = InputScanner(session: session, defaultChannel: defaultChannel, fields: fields, recipients: [], explicitChannel: explicitChannel)
    }

    func run(_ unit: ScanUnit) -> UnitResult {
        var result = UnitResult()
        result.bytes = unit.size
        // Units come in walk order: a folder's name is masked once for all its files.
        if unit.folder != folderCache.folder { folderCache = (unit.folder, session.maskedPath(unit.folder)) }
        shownFolder = folderCache.shown
        shownPath = unit.path.hasPrefix(unit.folder + "/")
            ? session.maskedPath(String(unit.path.dropFirst(unit.folder.count + 1)), under: shownFolder)
            : session.maskedPath(unit.path)
        do {
            switch unit.mode {
            case .text: try text(unit, into: &result)
            case .jsonl, .csv: try records(unit, into: &result)
            case .eml: try eml(unit, into: &result)
            case .mbox: try mbox(unit, into: &result)
            case .maildir: result.errors.append("\(shownPath): a Maildir is a folder")
            case .document: document(unit, into: &result)
            }
        } catch {
            result.errors.append("\(shownPath): \(shownError(error, path: unit.path, shown: shownPath))")
        }
        return result
    }

    /// The channel a unit is scanned on: `--channel`, else its `--channel-map`/`paths:` channel, else the default.
    private func channel(_ unit: ScanUnit) -> String { explicitChannel != nil ? defaultChannel : (unit.channel ?? defaultChannel) }

    private func text(_ unit: ScanUnit, into result: inout UnitResult) throws {
        let input = try InputStream.open(unit.path)
        try input.detectUTF16()
        let defaultChannel = channel(unit)
        let stream = TextStream(session: session, channel: defaultChannel)
        let start = result.items.count
        var verdict = Action.allow
        var warnings: [String] = []
        var items: [ScanItem] = []
        let handle: (TextStream.Chunk) throws -> Void = { chunk in
            for failure in chunk.failures { warnings.append("\(self.shownPath): \(failure.description)") }
            verdict = max(verdict, chunk.verdict)
            for finding in chunk.findings {
                items.append(self.item(ReportEntry(source: self.shownPath, channel: defaultChannel, finding: finding), identity: unit.path, date: nil, unit: unit))
            }
        }
        while true {
            let piece = try input.read()
            if piece.isEmpty { break }
            try stream.feed(piece, emit: handle)
        }
        try stream.finish(emit: handle)
        result.items.append(contentsOf: items)
        result.warnings.append(contentsOf: warnings)
        result.records += 1
        result.decisions.append(ScanDecision(identity: unit.path, channel: defaultChannel, verdict: verdict, items: start..<result.items.count,
                                             shown: shownPath))
    }

    /// An Office, PDF or archive file: one decision for the whole file; members and cells in `part`.
    private func document(_ unit: ScanUnit, into result: inout UnitResult) {
        let channel = explicitChannel ?? defaultChannel
        let start = result.items.count
        var items: [ScanItem] = []
        let outcome = DocumentInputs.check(path: unit.path, session: session, channel: channel) { finding in
            items.append(self.item(ReportEntry(source: self.shownPath, channel: channel, finding: finding), identity: unit.path, date: nil, unit: unit))
        }
        result.items.append(contentsOf: items)
        result.warnings.append(contentsOf: outcome.warnings)
        result.records += 1
        result.decisions.append(ScanDecision(identity: unit.path, channel: channel, verdict: outcome.verdict, items: start..<result.items.count,
                                             shown: shownPath))
    }

    private func records(_ unit: ScanUnit, into result: inout UnitResult) throws {
        let input = try InputStream.open(unit.path)
        try input.detectUTF16()
        // Every record's decision is keyed on its id (audit, baselines): each id is masked.
        let processor = RecordProcessor(session: session, defaultChannel: channel(unit), fields: fields, redact: false, onBlock: .redact,
                                        passMalformed: false, masksEveryID: true)
        var local = result
        defer { result = local }
        let shownPath = self.shownPath
        try records.forEachRecord(input, mode: unit.mode, processor: processor, path: unit.path) { index, outcome in
            local.records += 1
            if let malformed = outcome.malformed {
                local.errors.append("\(shownPath): record \(index): \(malformed)")
                return
            }
            for failure in outcome.failures { local.warnings.append("\(shownPath): record \(index): \(failure.description)") }
            if let unknown = outcome.unknownChannel {
                if unknown.isError { local.errors.append("\(shownPath): record \(index): \(unknown.message)") } else { local.warnings.append("\(shownPath): record \(index): \(unknown.message)") }
            }
            let identity = outcome.id.map { "\(unit.path)#\($0)" } ?? unit.path
            let start = local.items.count
            // Reports show the id as the data has it, except what a detector finds in it (RecordProcessor redacts that).
            let shownID = outcome.id
            for finding in outcome.findings {
                let entry = ReportEntry(source: self.shownPath, record: index, id: shownID, channel: outcome.channel, finding: finding)
                local.items.append(item(entry, identity: identity, date: nil, unit: unit))
            }
            local.decisions.append(ScanDecision(identity: "\(unit.path)#\(outcome.id ?? String(index))", channel: outcome.channel,
                                                verdict: outcome.verdict, items: start..<local.items.count,
                                                shown: "\(shownPath)#\(outcome.id ?? String(index))"))
        } tooLarge: { index, size in
            local.records += 1
            local.errors.append("\(shownPath): record \(index): \(size) bytes is over the record size limit; not scanned")
        }
    }

    private func eml(_ unit: ScanUnit, into result: inout UnitResult) throws {
        let message = try InputStream.open(unit.path).readAll(limit: MailInputs.maxMessage)
        let fallback = unit.inMaildir ? ScanWorker.maildirIdentity(unit.path) : unit.path
        mail(message, source: unit.path, record: nil, fallbackIdentity: fallback, unit: unit, into: &result)
    }

    private func mbox(_ unit: ScanUnit, into result: inout UnitResult) throws {
        guard let handle = FileHandle(forReadingAtPath: unit.path) else { throw IOFailure.open(unit.path, errno) }
        defer { try? handle.close() }
        var reader = MboxReader(fileHandle: handle)
        var index = 0
        while let message = try reader.next() {
            mail(message, source: unit.path, record: index, fallbackIdentity: "\(unit.path)#\(index)", unit: unit, into: &result)
            index += 1
        }
    }

    private func mail(_ message: [UInt8], source: String, record: Int?, fallbackIdentity: String, unit: ScanUnit, into result: inout UnitResult) {
        let verdict = MailProcessor.check(message, session: session, recipients: nil, channel: explicitChannel ?? unit.channel)
        let header = MessageIdentity(message)
        let identity = header.messageID ?? fallbackIdentity
        // The file's name as diagnostics and the audit record show it (a name can hold a value).
        let shownSource = source == unit.path ? shownPath : session.maskedPath(source)
        let label = record.map { "\(shownSource) message \($0)" } ?? shownSource
        for diagnostic in verdict.diagnostics { result.warnings.append("\(label): \(diagnostic.description)") }
        for attachment in verdict.unscannedAttachments { result.warnings.append("\(label): not scanned: \(attachment)") }
        result.records += 1
        result.messages += 1
        let start = result.items.count
        let shownID = verdict.findings.isEmpty ? nil : header.messageID.map { session.maskedMessageID($0, channel: verdict.channel) }
        for finding in verdict.findings {
            let entry = ReportEntry(source: shownSource, record: record, id: nil, channel: verdict.channel, finding: finding)
            var scanned = item(entry, identity: identity, date: header.date, unit: unit)
            scanned.messageID = shownID
            result.items.append(scanned)
        }
        result.decisions.append(ScanDecision(identity: identity, channel: verdict.channel, verdict: verdict.verdict, items: start..<result.items.count,
                                             shown: header.messageID.map { session.maskedMessageID($0, channel: verdict.channel) }
                                                ?? session.maskedPath(fallbackIdentity)))
    }

    private func item(_ entry: ReportEntry, identity: String, date: String?, unit: ScanUnit) -> ScanItem {
        ScanItem(entry: entry, identity: identity, date: date, folder: shownFolder,
                 fingerprint: key.map { ScanWorker.fingerprint(key: $0, finding: entry.finding, identity: identity) } ?? "", unit: unit.ordinal)
    }

    /// HMAC-SHA256(key, "redline.baseline/1" ‖ detector ‖ keyed value hash ‖ identity), hex.
    /// The value enters only through the finding's keyed hash: nothing here is reversible without the key.
    static func fingerprint(key: SymmetricKey, finding: Finding, identity: String) -> String {
        var message = Array("redline.baseline/1".utf8)
        for part in [finding.detector, finding.valueHash, identity] {
            message.append(0)
            message.append(contentsOf: part.utf8)
        }
        return HMAC<SHA256>.authenticationCode(for: message, using: key).map { String(format: "%02x", $0) }.joined()
    }

    /// `Maildir/cur/1700000000.M1P2.host:2,S` → `Maildir/1700000000.M1P2.host`: stable when the
    /// message is read (flags change, `new/` → `cur/`).
    static func maildirIdentity(_ path: String) -> String {
        // `folder/cur/name:2,flags` → `folder/name`, on the path's bytes (no Foundation paths).
        func split(_ bytes: ArraySlice<UInt8>) -> (folder: ArraySlice<UInt8>, name: ArraySlice<UInt8>) {
            guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return (bytes[bytes.startIndex..<bytes.startIndex], bytes) }
            let folder = slash == bytes.startIndex ? bytes[slash...slash] : bytes[bytes.startIndex..<slash]
            return (folder, bytes[(slash + 1)...])
        }
        func firstRange(of marker: String, in bytes: ArraySlice<UInt8>) -> Int? {
            let pattern = Array(marker.utf8)
            guard bytes.count >= pattern.count else { return nil }
            return (bytes.startIndex...(bytes.endIndex - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
        }
        let bytes = Array(path.utf8)
        var (folder, name) = split(bytes[...])
        if let flags = firstRange(of: ":2,", in: name) ?? firstRange(of: "!2,", in: name) { name = name[..<flags] }
        let (grand, last) = split(folder)
        if last.elementsEqual("cur".utf8) || last.elementsEqual("new".utf8) { folder = grand }
        return ScanPlan.join(folder.isEmpty ? "." : String(decoding: folder, as: UTF8.self), String(decoding: name, as: UTF8.self))
    }
}
