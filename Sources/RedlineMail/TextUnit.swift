import RedlineCore
import RedlineExtract

/// One piece of a message that is scanned on its own: a decoded body part, a preamble, a header
/// value, a display name. It knows how to write itself back after redaction.
struct TextUnit {
    enum Kind {
        /// A body part: transfer-decoded and charset-decoded to UTF-8 (`html` when it is text/html).
        case body(MIMEEntity, Charset, html: (map: HTMLText, source: [UInt8])?)
        /// Bytes scanned as they are (a preamble or an epilogue).
        case raw(Range<Int>)
        /// An unstructured header (Subject…), encoded words decoded.
        case header(HeaderField, EncodedWords.Decoded)
        /// One display name inside an address header.
        case displayName(HeaderField, unfolded: [UInt8], range: Range<Int>, EncodedWords.Decoded)
        /// Text extracted from a binary attachment (Office, PDF, archive member): not rewritten in place.
        case attachment(AttachmentSource)
    }

    var label: String
    /// The UTF-8 text handed to the engine (for HTML: the visible text).
    var text: [UInt8]
    var kind: Kind
    /// Covered by a signature (inside `multipart/signed`, or an inline PGP-signed text): rewriting
    /// it would break the signature.
    var signed = false
}

/// Headers whose whole value is text a person wrote.
let unstructuredHeaders: Set<String> = ["subject", "comments", "keywords", "thread-topic", "content-description"]
/// Headers with addresses, whose display names are scanned.
let addressHeaders: Set<String> = ["from", "to", "cc", "bcc", "reply-to", "sender", "resent-to", "resent-cc", "resent-from"]
/// Headers that name recipients, for the channel.
let recipientHeaders: Set<String> = ["to", "cc", "bcc"]

/// Walks a parsed message and produces its text units, its diagnostics and the attachments that
/// cannot be scanned.
struct TextUnitCollector {
    let bytes: [UInt8]
    var units: [TextUnit] = []
    var diagnostics: [Diagnostic] = []
    var unscanned: [String] = []
    /// Attachments, or members inside them, that could not be read (see AttachmentUnits.swift).
    var attachmentProblems: [AttachmentProblem] = []
    /// Reads binary attachments; one per message, so its bounds hold for the whole message.
    let extractor: Extractor

    init(bytes: [UInt8], limits: ExtractLimits = ExtractLimits()) {
        self.bytes = bytes
        extractor = Extractor(limits: limits)
    }

    /// Above the parts being collected: a `multipart/signed` (RFC 1847).
    private var insideSignature = false

    /// Signature parts of `multipart/signed`: no customer content (a signature and certificates),
    /// so they are not listed as attachments left unscanned.
    static let signatureTypes: Set<String> = ["application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"]

    mutating func collect(_ entity: MIMEEntity) {
        let first = units.count
        defer {
            if insideSignature {
                for index in first..<units.count { units[index].signed = true }
            }
        }
        if let prefix = entity.headerPrefix { collectHeaders(entity.headers, prefix: prefix) }
        switch entity.body {
        case let .multipart(_, children, preamble, epilogue):
            let prefix = entity.headerPrefix ?? (entity.label + ".")
            addRaw(preamble, label: prefix + "preamble")
            let outer = insideSignature
            if entity.contentType == "multipart/signed" { insideSignature = true }
            for child in children { collect(child) }
            insideSignature = outer
            addRaw(epilogue, label: prefix + "epilogue")
        case let .message(inner):
            collect(inner)
        case .leaf:
            collectLeaf(entity)
        }
    }

    private mutating func addRaw(_ range: Range<Int>, label: String) {
        guard bytes[range].contains(where: { $0 > 32 }) else { return }
        units.append(TextUnit(label: label, text: Array(bytes[range]), kind: .raw(range)))
    }

    private mutating func collectHeaders(_ headers: HeaderBlock, prefix: String) {
        for field in headers.fields {
            let name = field.lowercasedName
            if unstructuredHeaders.contains(name) {
                let decoded = EncodedWords.decode(field.unfoldedValue(in: bytes))
                noteCharsets(decoded, where_: "\(prefix)header:\(field.name)")
                units.append(TextUnit(label: "\(prefix)header:\(field.name)", text: decoded.text, kind: .header(field, decoded)))
            } else if addressHeaders.contains(name) {
                let unfolded = field.unfoldedValue(in: bytes)
                for mailbox in AddressList.parse(unfolded) {
                    guard let range = mailbox.displayRange else { continue }
                    let (text, decoded) = AddressList.displayText(unfolded[range])
                    guard text.contains(where: { $0 > 32 }) else { continue }
                    noteCharsets(decoded, where_: "\(prefix)header:\(field.name)")
                    units.append(TextUnit(label: "\(prefix)header:\(field.name)", text: text,
                                          kind: .displayName(field, unfolded: unfolded, range: range, decoded)))
                }
            }
        }
    }

    private mutating func noteCharsets(_ decoded: EncodedWords.Decoded, where_: String) {
        for name in decoded.unknownCharsets {
            diagnostics.append(Diagnostic(.warning, code: MailCode.unknownCharset,
                "\(where_): unknown charset '\(name.prefix(40))' in an encoded word; decoded as windows-1252"))
        }
    }

    /// Whether a leaf is text the engine can read.
    static func isScannable(_ entity: MIMEEntity) -> Bool {
        if entity.forcedText { return true }
        let type = entity.contentType
        if type.hasPrefix("text/") || type.hasPrefix("message/") { return true }
        if ["application/json", "application/xml", "application/csv", "application/x-csv", "application/x-sh",
            "application/javascript", "application/x-yaml", "application/yaml", "application/mbox"].contains(type) { return true }
        let name = (entity.filename ?? "").lowercased()
        return [".txt", ".csv", ".tsv", ".log", ".md", ".json", ".xml", ".eml", ".htm", ".html", ".yaml", ".yml", ".ics", ".vcf"]
            .contains { name.hasSuffix($0) }
    }

    private mutating func collectLeaf(_ entity: MIMEEntity) {
        let label = entity.label
        if insideSignature && TextUnitCollector.signatureTypes.contains(entity.contentType) { return }
        guard TextUnitCollector.isScannable(entity) else {
            collectAttachment(entity)
            return
        }
        let raw = bytes[entity.bodyRange]
        var problems = DecodeProblems()
        let decoded: [UInt8]
        switch entity.transferEncoding {
        case .identity, .unknown: decoded = Array(raw)
        case .quotedPrintable:
            decoded = QuotedPrintable.decode(raw, problems: &problems)
            if problems.invalidEscapes > 0 {
                diagnostics.append(Diagnostic(.warning, code: MailCode.badQuotedPrintable,
                    "part \(label): \(problems.invalidEscapes) invalid quoted-printable escape(s); kept as they are"))
            }
        case .base64:
            decoded = Base64.decode(raw, problems: &problems)
            if problems.truncated || problems.invalidCharacters > 0 {
                let what = problems.truncated ? "truncated base64" : "\(problems.invalidCharacters) invalid base64 character(s)"
                diagnostics.append(Diagnostic(.warning, code: MailCode.badBase64, "part \(label): \(what); decoded as far as possible"))
            }
        }
        var charset = Charset.utf8
        if let name = entity.charsetName {
            if let known = Charset.named(name) {
                charset = known
            } else {
                charset = .windows1252
                diagnostics.append(Diagnostic(.warning, code: MailCode.unknownCharset,
                    "part \(label): unknown charset '\(name.prefix(40))'; decoded as windows-1252"))
            }
        }
        let text = charset.decode(decoded)
        let isHTML = !entity.forcedText && (entity.contentType == "text/html"
            || (entity.filename ?? "").lowercased().hasSuffix(".html") || (entity.filename ?? "").lowercased().hasSuffix(".htm"))
        if isHTML {
            let html = HTMLText(html: text)
            units.append(TextUnit(label: label, text: html.text, kind: .body(entity, charset, html: (html, text))))
        } else {
            units.append(TextUnit(label: label, text: text, kind: .body(entity, charset, html: nil)))
        }
        // Inline PGP (RFC 4880 cleartext signature): the text itself carries the signature.
        if TextUnitCollector.isCleartextSigned(text) { units[units.count - 1].signed = true }
    }

    static let cleartextSignatureMarker = Array("-----BEGIN PGP SIGNED MESSAGE-----".utf8)

    static func isCleartextSigned(_ text: [UInt8]) -> Bool {
        let marker = cleartextSignatureMarker
        guard text.count >= marker.count else { return false }
        return (0...(text.count - marker.count)).contains { start in
            text[start] == 45 && text[start..<(start + marker.count)].elementsEqual(marker)
        }
    }
}
