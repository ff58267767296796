import RedlineCore
import RedlineEngine

/// The outcome of checking one e-mail message.
public struct MailVerdict: Sendable {
    /// Every finding, each labelled with its `part` (`"1.2"`, `"header:Subject"`,
    /// `"2.header:Subject"` for a forwarded message's header). Offsets are relative to the decoded
    /// text of that part. Masked excerpts only.
    public var findings: [Finding]
    /// The most restrictive action: findings, detectors that failed (fail-closed) and attachments
    /// that could not be scanned (`settings.unscannable_attachments`).
    public var verdict: Action
    /// The channel the message was decided on.
    public var channel: String
    /// Problems in the message (malformed MIME, unknown charsets…) and engine failures. The
    /// message is still checked as far as it can be read.
    public var diagnostics: [Diagnostic]
    /// Attachments that were not scanned, e.g. `part 2 application/pdf "invoice.pdf"`.
    public var unscannedAttachments: [String]
    /// Why the message is blocked when no rule's finding blocks it (a signed part that needs
    /// redaction), for the sender; nil otherwise.
    public var reason: String?
    /// Attachments replaced by a text/plain note (`settings.unredactable_attachments: strip`),
    /// as in `X-Redline-Stripped: part 2 (rule card_redact)`. Names masked.
    public var strippedAttachments: [String] = []
    /// Office and OpenDocument attachments redacted inside the file, as in
    /// `X-Redline-Redacted: part 2 "letter.docx": card in paragraph 4` (detector ids and
    /// locations, names masked, no values).
    public var redactedAttachments: [String] = []
    /// The sender as decided: groups, and every override asked for (command line, API, the
    /// message's `X-Redline-Override` headers), each granted or refused with the reason.
    public var sender: SenderContext = .anonymous

    /// Rule ids an allowed override lowered for some finding, sorted.
    public var overriddenRules: [String] { Array(Set(findings.compactMap(\.overriddenRule))).sorted() }

    public init(findings: [Finding] = [], verdict: Action = .allow, channel: String, diagnostics: [Diagnostic] = [], unscannedAttachments: [String] = []) {
        self.findings = findings
        self.verdict = verdict
        self.channel = channel
        self.diagnostics = diagnostics
        self.unscannedAttachments = unscannedAttachments
    }

    /// The rule behind the verdict (the first finding with the verdict's action), if any.
    public var decidingRule: String? { findings.first { $0.action == verdict }?.rule }

    /// Counts per detector of the findings that are not allowed, as in `X-Redline-Findings`:
    /// `card=1; nino=2` (detector ids sorted). No values.
    public var findingsSummary: String {
        var counts: [String: Int] = [:]
        for finding in findings where finding.action > .allow { counts[finding.detector, default: 0] += 1 }
        return counts.keys.sorted().map { "\($0)=\(counts[$0]!)" }.joined(separator: "; ")
    }
}

/// A redacted message not yet written out: the original and the patches over it.
public struct RedactedMessage {
    public let verdict: MailVerdict
    let original: [UInt8]
    let rewriter: MailRewriter?

    /// Writes the redacted message piece by piece (slices of the original between the patches).
    public func write(_ sink: (ArraySlice<UInt8>) throws -> Void) rethrows {
        if let rewriter { try rewriter.write(sink) } else { try sink(original[...]) }
    }

    /// The redacted message as one array.
    public var bytes: [UInt8] { rewriter?.output() ?? original }
}

/// Checks and redacts RFC 5322 / MIME messages with a compiled policy.
///
/// Headers (Subject and other text headers, display names; RFC 2047 decoded), every text part
/// (quoted-printable and base64 decoded, charset converted, HTML reduced to its visible text),
/// text attachments, preambles and epilogues are scanned. Findings are decided together, so
/// thresholds such as "five NI numbers in one message" count across parts.
public enum MailProcessor {
    /// Checks a message. `recipients` (envelope addresses) decide the channel; when nil they are
    /// read from To, Cc and Bcc. An explicit `channel` wins over both.
    public static func check(_ message: [UInt8], session: PipelineSession, recipients: [String]? = nil, channel: String? = nil) -> MailVerdict {
        analyse(message, session: session, recipients: recipients, channel: channel).verdict
    }

    /// Checks a message and rewrites it. An allowed message comes back byte-identical. Otherwise
    /// findings whose action is `redact` or `block` are redacted in place (only the parts and
    /// headers they are in change, re-encoded in their charset and transfer encoding), and
    /// `X-Redline-Verdict: <verdict>` is added at the end of the header (with
    /// `X-Redline-Findings: card=1; nino=2` when `findingsHeader` is true), replacing any such
    /// headers already present. The message's `X-Redline-Override` headers are removed (the rest
    /// byte-identical); when an override lowered a rule, `X-Redline-Overridden` names it.
    public static func redact(_ message: [UInt8], session: PipelineSession, recipients: [String]? = nil, channel: String? = nil,
                              findingsHeader: Bool = true) -> (output: [UInt8], verdict: MailVerdict) {
        let redacted = redacted(message, session: session, recipients: recipients, channel: channel, findingsHeader: findingsHeader)
        return (redacted.bytes, redacted.verdict)
    }

    /// ``redact(_:session:recipients:channel:findingsHeader:)`` without building the output:
    /// the message and its patches, written piece by piece with ``RedactedMessage/write(_:)``
    /// (a large part costs no copy of itself; the texts read from the message are freed first).
    public static func redacted(_ message: [UInt8], session: PipelineSession, recipients: [String]? = nil, channel: String? = nil,
                                findingsHeader: Bool = true) -> RedactedMessage {
        let analysis = analyse(message, session: session, recipients: recipients, channel: channel)
        let overridden = !analysis.verdict.overriddenRules.isEmpty
        guard analysis.verdict.verdict > .allow || overridden || !analysis.overrideFields.isEmpty else {
            return RedactedMessage(verdict: analysis.verdict, original: message, rewriter: nil)
        }
        var writer = MailRewriter(bytes: message, pipeline: session.pipeline, lineEnding: analysis.root.headers.lineEnding)
        // The sender's override requests do not go on (their justification is in the audit log).
        for field in analysis.overrideFields { writer.replace(field.range, with: []) }
        guard analysis.verdict.verdict > .allow || overridden else { return RedactedMessage(verdict: analysis.verdict, original: message, rewriter: writer) }
        // A part a detector could not finish on, decided redact or block, is redacted whole with
        // that detector's style (fail-closed: what it would have found is unknown).
        var unitFindings = analysis.unitFindings
        for (index, withheld) in analysis.withheld.enumerated() {
            if let withheld { unitFindings[index] = [withheld] }
        }
        writer.redact(units: analysis.units, unitFindings: unitFindings)
        for (entity, note) in analysis.stripped { writer.strip(entity, note: note) }
        // An attachment both stripped and rewritten cannot happen (a rewritten part is not
        // unredactable); a blocked message still carries its redacted attachments.
        for attachment in analysis.rewritten { writer.replaceAttachment(attachment.entity, with: attachment.bytes) }
        writer.stampVerdict(analysis.verdict, headers: analysis.root.headers, findingsHeader: findingsHeader)
        return RedactedMessage(verdict: analysis.verdict, original: message, rewriter: writer)
    }

    /// The recipients named in To, Cc and Bcc (groups and display names resolved).
    public static func headerRecipients(_ message: [UInt8]) -> [String] {
        var diagnostics: [Diagnostic] = []
        let headers = HeaderParser.parse(message, range: 0..<message.count, label: "message", diagnostics: &diagnostics)
        return headerRecipients(message, headers: headers)
    }

    /// ``headerRecipients(_:)`` from the message's top-level header block as already parsed.
    static func headerRecipients(_ message: [UInt8], headers: HeaderBlock) -> [String] {
        headers.fields.filter { recipientHeaders.contains($0.lowercasedName) }
            .flatMap { AddressList.parse($0.unfoldedValue(in: message)) }.map(\.address).filter { !$0.isEmpty }
    }

    /// The address of the first `From` header, if any (the sender of `redline sendmail`).
    public static func fromAddress(_ message: [UInt8]) -> String? {
        var diagnostics: [Diagnostic] = []
        let headers = HeaderParser.parse(message, range: 0..<message.count, label: "message", diagnostics: &diagnostics)
        guard let from = headers.first("from") else { return nil }
        return AddressList.parse(from.unfoldedValue(in: message)).map(\.address).first { !$0.isEmpty }
    }

    /// The channel for a set of recipients: each domain mapped through `email.domains`
    /// (`*.example.co.uk` matches sub-domains), unmatched ones to `email.other_domains` (or the
    /// default channel); several channels → the strictest. No recipients → the default channel.
    public static func channel(for recipients: [String], pipeline: Pipeline) -> String {
        let routing = pipeline.policy.email
        let fallback = routing.otherwise?.value ?? pipeline.rules.defaultChannel
        var chosen: String?
        for recipient in recipients {
            let addresses = AddressList.parse(Array(recipient.utf8))
            for address in addresses.isEmpty ? [MailboxAddress(address: recipient)] : addresses {
                var channel = fallback
                if let domain = address.domain {
                    for (pattern, target) in routing.domains where matches(domain: domain, pattern: pattern) {
                        channel = target.value
                        break
                    }
                }
                chosen = chosen.map { pipeline.rules.stricter($0, channel) } ?? channel
            }
        }
        return chosen ?? pipeline.rules.defaultChannel
    }

    static func matches(domain: String, pattern: String) -> Bool {
        // Lower-cased only when it has something to lower-case (it is looked up per recipient).
        let pattern = pattern.utf8.allSatisfy({ $0 < 0x80 && !($0 >= 65 && $0 <= 90) }) ? pattern : pattern.lowercased()
        if pattern.hasPrefix("*.") { return domain.hasSuffix(String(pattern.dropFirst(1))) }
        return domain == pattern
    }

    struct Analysis {
        var root: MIMEEntity
        var units: [TextUnit]
        var unitFindings: [[Finding]]
        var verdict: MailVerdict
        /// Per unit: a finding covering the whole unit when a detector could not finish on it and
        /// its rules redact or block.
        var withheld: [Finding?] = []
        /// Attachments to replace by a note (unredactable, `strip`): the part and the note.
        var stripped: [(entity: MIMEEntity, note: String)] = []
        /// Office attachments redacted inside the file.
        var rewritten: [RewrittenAttachment] = []
        /// The top-level `X-Redline-Override` fields, removed from the output.
        var overrideFields: [HeaderField] = []
    }

    static func analyse(_ message: [UInt8], session: PipelineSession, recipients: [String]?, channel explicit: String?) -> Analysis {
        let quote = MailQuote(session: session)
        var parser = MIMEParser(message, quote: quote)
        let root = parser.parse()
        var diagnostics = parser.diagnostics
        let pipeline = session.pipeline
        // Override requests in the message's own header join the caller's, judged for the
        // sender the caller established (never for anything the header claims).
        let overrides = OverrideHeaders.read(message, headers: root.headers)
        let callerSender = session.sender
        if !overrides.requests.isEmpty {
            session.sender = pipeline.senderContext(callerSender.identity, overrides: callerSender.overrides.map(\.request) + overrides.requests)
        }
        defer { session.sender = callerSender }

        var channel = pipeline.rules.defaultChannel
        var channelProblem: Diagnostic?
        if let explicit {
            do { channel = try session.resolveChannel(explicit) } catch { channelProblem = error }
        } else {
            // The top-level header block the MIME parser read is the one `headerRecipients(_:)` would parse again.
            channel = MailProcessor.channel(for: recipients ?? headerRecipients(message, headers: root.headers), pipeline: pipeline)
        }

        // The sender and the channel are known before the message is read: a large attachment's
        // windows are scanned while the next are read.
        var collector = TextUnitCollector(bytes: message, quote: quote)
        let ahead = ScanAhead(like: session, channel: channel)
        collector.scanAhead = ahead
        collector.collect(root)
        diagnostics.append(contentsOf: collector.diagnostics)
        diagnostics.append(contentsOf: overrides.diagnostics)
        if let channelProblem { diagnostics.append(channelProblem) }

        var (scannedAhead, state) = ahead.finish()
        // The units are read in place by index here and below: a `TextUnit` copied per loop costs
        // a dozen retains and releases (a message has dozens of units).
        let units = collector.units
        // Units whose findings the scanning thread labelled already.
        var labelled = [Bool](repeating: false, count: units.count)
        var results: [ScanResult] = units.indices.map { index in
            if let token = collector.aheadTokens[index], let scanned = scannedAhead.removeValue(forKey: token), scanned.length == units[index].text.count {
                labelled[index] = true
                return scanned.result
            }
            var position = TextPosition()
            return session.scan(units[index].scanText ?? units[index].text, channel: channel, state: &state, position: &position,
                                commitLimit: units[index].text.count, part: units[index].label).result
        }
        // Thresholds (min_instances) count over the whole message: decide again the units with
        // findings once every unit has been seen, unless no threshold was reached after they were
        // decided (their decisions stand; a large attachment's windows are not scanned twice).
        if pipeline.rules.rules.contains(where: { $0.minInstances > 1 }) {
            for index in units.indices where !results[index].findings.isEmpty && !state.isFinal(results[index]) {
                var position = TextPosition()
                results[index] = session.scan(units[index].scanText ?? units[index].text, channel: channel, state: &state, position: &position,
                                              commitLimit: units[index].text.count, part: units[index].label).result
                labelled[index] = false
            }
        }
        let attachments = placeAttachments(units: collector.units, results: &results, labelled: labelled, problems: collector.attachmentProblems,
                                           session: session, channel: channel)
        diagnostics.append(contentsOf: attachments.diagnostics)
        var verdict = MailVerdict(channel: channel, unscannedAttachments: collector.unscanned + attachments.unscanned)
        verdict.sender = session.sender
        for result in results {
            verdict.findings.append(contentsOf: result.findings)
            verdict.verdict = max(verdict.verdict, result.verdict)
            diagnostics.append(contentsOf: result.failures)
        }
        if !verdict.unscannedAttachments.isEmpty {
            verdict.verdict = max(verdict.verdict, pipeline.policy.settings.unscannableAttachments)
        }
        // A message already blocked by its findings is not sent: its attachments are not rewritten.
        let inPlace = verdict.verdict == .block ? (rewritten: [], unredactable: attachments.unredactable)
            : rewriteAttachments(attachments.unredactable, units: collector.units, results: results, message: message,
                                 session: session, channel: channel, diagnostics: &diagnostics)
        verdict.redactedAttachments = inPlace.rewritten.map(\.note)
        let stripped = decideUnredactable(inPlace.unredactable, units: collector.units, verdict: &verdict,
                                          diagnostics: &diagnostics, strip: pipeline.policy.settings.unredactableAttachments == .strip)
        // Redacting inside a signed part would break its signature: the recipient would see a
        // tampered message. Fail closed: block it, unchanged, and say why.
        let signedNeedsRedaction = units.indices.contains { index in
            units[index].signed && (results[index].failClosed >= .redact || results[index].findings.contains { $0.action >= .redact })
        }
        if signedNeedsRedaction && verdict.verdict < .block {
            verdict.verdict = .block
            verdict.reason = "a signed part needs redaction, which would break its signature; send it without the data (or unsigned)"
            diagnostics.append(Diagnostic(.warning, code: MailCode.signedPartNeedsRedaction,
                "a signed part (multipart/signed or inline PGP) needs redaction, which would break its signature: the message is blocked"))
        }
        // Text read another way than it is written (a part whose type or encoding fields disagree,
        // a uuencoded block) cannot be redacted in place: fail closed.
        let derivedNeedsRedaction = units.indices.contains { index in
            units[index].isDerived && (results[index].failClosed >= .redact || results[index].findings.contains { $0.action >= .redact })
        }
        if derivedNeedsRedaction && verdict.verdict < .block {
            verdict.verdict = .block
            verdict.reason = verdict.reason ?? "a part that mail programs read in more than one way (or an encoded block inside it) needs redaction, which cannot be done in place; send it without the data"
            diagnostics.append(Diagnostic(.warning, code: MailCode.derivedTextNeedsRedaction,
                "a part read in more than one way, or a uuencoded block, needs redaction that cannot be done in place: the message is blocked"))
        }
        verdict.diagnostics = diagnostics
        let withheld: [Finding?] = units.indices.map { position in
            let result = results[position]
            guard result.failClosed >= .redact, let detector = result.failedDetector,
                  let index = pipeline.detectorIndex(detector), !units[position].text.isEmpty else { return nil }
            return Finding(detector: detector, kind: pipeline.detectors[index].kind.id, start: 0, end: units[position].text.count,
                           confidence: .high, excerpt: "[not scanned]", action: result.failClosed, part: units[position].label)
        }
        return Analysis(root: root, units: collector.units, unitFindings: results.map(\.findings), verdict: verdict, withheld: withheld,
                        stripped: stripped, rewritten: inPlace.rewritten, overrideFields: overrides.fields)
    }
}
