import RedlineCore
import RedlineExtract

/// One piece of a message that is scanned on its own: a decoded body part, a preamble, a header
/// value, a display name. It knows how to write itself back after redaction.
struct TextUnit {
    enum Kind {
        /// A body part: transfer-decoded and charset-decoded to UTF-8 (`markup` when it is HTML or RTF).
        case body(MIMEEntity, Charset, markup: Markup?)
        /// Bytes scanned as they are (a preamble or an epilogue).
        case raw(Range<Int>)
        /// An unstructured header (Subject…), encoded words decoded.
        case header(HeaderField, EncodedWords.Decoded)
        /// One display name inside an address header.
        case displayName(HeaderField, unfolded: [UInt8], range: Range<Int>, EncodedWords.Decoded)
        /// One parameter of a `Content-Type` or `Content-Disposition` field (`filename`, `name`…;
        /// RFC 2231 continuations joined), or the field's token when `name` is empty.
        case parameter(HeaderField, unfolded: [UInt8], name: String, pieces: [HeaderParameters.Piece], extended: Bool, EncodedWords.Decoded)
        /// Text read another way than the message says it is written (another reading of a part
        /// whose type or encoding fields disagree, a uuencoded block): scanned, but it cannot be
        /// rewritten in place, so a finding that needs redaction blocks the message.
        case derived
        /// A header field's name that is not plain letters (it may hold a value itself).
        case headerName(HeaderField)
        /// Text extracted from a binary attachment (Office, PDF, archive member): not rewritten in place.
        case attachment(AttachmentSource)
    }

    var label: String
    /// The UTF-8 text handed to the engine (for HTML: the visible text).
    var text: [UInt8]
    var kind: Kind
    /// What the engine reads when it differs from `text` (same length, so offsets hold): in
    /// message ids and routing headers an `@` is read as a space, so that the address-like ids
    /// every message carries are not taken for e-mail addresses.
    var scanText: [UInt8]?
    /// Covered by a signature (inside `multipart/signed`, or an inline PGP-signed text): rewriting
    /// it would break the signature.
    var signed = false

    /// Whether the unit is text read another way than it is written (``Kind/derived``).
    var isDerived: Bool {
        if case .derived = kind { return true }
        return false
    }
}

/// The markup a body's text was extracted from, to write a redaction back into it.
struct Markup {
    var map: TextMap
    /// The decoded body the text was read from (for an HTML body in UTF-8 without a transfer
    /// encoding, the body inside the message, not a copy).
    var source: ArraySlice<UInt8>
    var isRTF: Bool

    func rewrite(replacements: [(range: Range<Int>, text: [UInt8])]) -> [UInt8] {
        map.rewrite(source, replacements: replacements, escape: isRTF ? RTFText.escape : HTMLText.escape)
    }

    /// The edits ``rewrite(replacements:)`` makes to `source` (offsets from its start), sorted.
    func edits(replacements: [(range: Range<Int>, text: [UInt8])]) -> [(Range<Int>, [UInt8])] {
        map.edits(replacements, escape: isRTF ? RTFText.escape : HTMLText.escape)
    }
}

/// Headers not scanned: signatures and keys a server computes, and Redline's own verdict.
/// Every other field is scanned (address fields by display name, `Content-Type` and
/// `Content-Disposition` by parameter, the rest as a whole value, encoded words decoded).
let unscannedHeaders: Set<String> = ["dkim-signature", "arc-seal", "arc-message-signature", "x-google-dkim-signature",
                                     "autocrypt", "x-redline-verdict", "x-redline-findings"]
/// Headers whose values are message ids or routing (addresses a server wrote): read with `@` as
/// a space (``TextUnit/scanText``); a card or an NI number in them is still found.
let routingHeaders: Set<String> = ["message-id", "references", "in-reply-to", "content-id", "resent-message-id", "received",
                                   "return-path", "delivered-to", "x-original-to", "envelope-to", "x-envelope-from", "x-envelope-to",
                                   "x-forwarded-to", "x-forwarded-for", "authentication-results", "received-spf",
                                   "arc-authentication-results", "errors-to", "disposition-notification-to", "list-id",
                                   "list-unsubscribe", "list-subscribe", "list-post", "list-help", "list-owner", "list-archive",
                                   "x-beenthere", "x-original-sender", "x-ms-exchange-organization-originalsender"]
/// Headers read as a token and parameters.
let parameterHeaders: Set<String> = ["content-type", "content-disposition"]
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
    /// Masks what diagnostics and labels quote from the message.
    var quote = MailQuote()
    /// Attachments, or members inside them, that could not be read (see AttachmentUnits.swift).
    var attachmentProblems: [AttachmentProblem] = []
    /// Reads binary attachments; one per message, so its bounds hold for the whole message.
    let extractor: Extractor
    /// Scans a large attachment's windows while the next are read (nil: units are only collected).
    var scanAhead: ScanAhead?
    /// Units handed to ``scanAhead``: unit index → its token there.
    var aheadTokens: [Int: Int] = [:]

    init(bytes: [UInt8], quote: MailQuote = MailQuote(), limits: ExtractLimits = ExtractLimits()) {
        self.bytes = bytes
        self.quote = quote
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
        collectHeaders(entity.headers, prefix: entity.headerPrefix ?? (entity.label + "."))
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
        for reading in entity.otherReadings where TextUnitCollector.isScannable(type: reading.contentType, filename: entity.filename) {
            let (text, _) = decodeBody(entity.bodyRange, encoding: reading.transferEncoding, charsetName: reading.charsetName, label: entity.label)
            let html = TextUnitCollector.isHTML(type: reading.contentType, filename: nil)
            units.append(TextUnit(label: entity.label, text: html ? HTMLText(html: text).text : text, kind: .derived))
        }
    }

    mutating func addRaw(_ range: Range<Int>, label: String) {
        guard bytes[range].contains(where: { $0 > 32 }) else { return }
        units.append(TextUnit(label: label, text: Array(bytes[range]), kind: .raw(range)))
    }

    /// Whether a leaf is text the engine can read.
    static func isScannable(_ entity: MIMEEntity) -> Bool {
        entity.forcedText || isScannable(type: entity.contentType, filename: entity.filename)
    }

    static func isScannable(type: String, filename: String?) -> Bool {
        if type.hasPrefix("text/") || type.hasPrefix("message/") { return true }
        if ["application/json", "application/xml", "application/csv", "application/x-csv", "application/x-sh",
            "application/javascript", "application/x-yaml", "application/yaml", "application/mbox",
            "application/xhtml+xml", "application/rtf", "application/x-rtf"].contains(type) { return true }
        let name = (filename ?? "").lowercased()
        return [".txt", ".csv", ".tsv", ".log", ".md", ".json", ".xml", ".eml", ".htm", ".html", ".xhtml", ".yaml", ".yml", ".ics", ".vcf", ".rtf"]
            .contains { name.hasSuffix($0) }
    }

    /// RTF (by type or by name, when it starts `{\rtf`) is read as the text it shows.
    static func isRTF(type: String, filename: String?, text: [UInt8]) -> Bool {
        ["text/rtf", "application/rtf", "application/x-rtf", "text/richtext"].contains(type) && RTFText.isRTF(text)
            || (filename ?? "").lowercased().hasSuffix(".rtf") && RTFText.isRTF(text)
    }

    /// HTML (and XHTML) is read as the text a reader sees.
    static func isHTML(type: String, filename: String?) -> Bool {
        let name = (filename ?? "").lowercased()
        return type == "text/html" || type == "application/xhtml+xml" || name.hasSuffix(".html") || name.hasSuffix(".htm") || name.hasSuffix(".xhtml")
    }

    private mutating func collectLeaf(_ entity: MIMEEntity) {
        let label = entity.label
        if insideSignature && TextUnitCollector.signatureTypes.contains(entity.contentType) { return }
        guard TextUnitCollector.isScannable(entity) else {
            collectAttachment(entity)
            return
        }
        let isHTML = !entity.forcedText && TextUnitCollector.isHTML(type: entity.contentType, filename: entity.filename)
        if isHTML, entity.transferEncoding == .identity, entity.charsetName.map({ Charset.named($0) == .utf8 }) ?? true {
            // UTF-8 HTML as it stands in the message: read in place (a large body or attribute
            // costs its text, not a copy of the body too).
            let source = bytes[entity.bodyRange]
            let html = HTMLText(html: source)
            units.append(TextUnit(label: label, text: html.text, kind: .body(entity, .utf8, markup: Markup(map: html.map, source: source, isRTF: false))))
            if TextUnitCollector.isCleartextSigned(source) { units[units.count - 1].signed = true }
            return
        }
        let (text, charset) = decodeBody(entity.bodyRange, encoding: entity.transferEncoding, charsetName: entity.charsetName, label: label)
        let bodyIndex = units.count
        if isHTML {
            let html = HTMLText(html: text)
            units.append(TextUnit(label: label, text: html.text, kind: .body(entity, charset, markup: Markup(map: html.map, source: text[...], isRTF: false))))
        } else if !entity.forcedText && TextUnitCollector.isRTF(type: entity.contentType, filename: entity.filename, text: text) {
            let rtf = RTFText(rtf: text)
            units.append(TextUnit(label: label, text: rtf.text, kind: .body(entity, charset, markup: Markup(map: rtf.map, source: text[...], isRTF: true))))
        } else {
            units.append(TextUnit(label: label, text: text, kind: .body(entity, charset, markup: nil)))
            for block in UUEncoded.blocks(in: text) {
                units.append(TextUnit(label: label, text: block, kind: .derived))
            }
        }
        // Inline PGP (RFC 4880 cleartext signature): the text itself carries the signature.
        if TextUnitCollector.isCleartextSigned(text) { units[bodyIndex].signed = true }
    }

    /// A body transfer-decoded and charset-decoded to UTF-8, problems reported as diagnostics.
    mutating func decodeBody(_ range: Range<Int>, encoding: TransferEncoding, charsetName: String?, label: String) -> (text: [UInt8], charset: Charset) {
        let raw = bytes[range]
        var problems = DecodeProblems()
        let decoded: [UInt8]
        switch encoding {
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
        if let name = charsetName {
            if let known = Charset.named(name) {
                charset = known
            } else {
                charset = .windows1252
                diagnostics.append(Diagnostic(.warning, code: MailCode.unknownCharset,
                    "part \(label): unknown charset '\(quote(name, limit: 40))'; decoded as windows-1252"))
            }
        }
        return (charset.decode(decoded), charset)
    }

    static let cleartextSignatureMarker = Array("-----BEGIN PGP SIGNED MESSAGE-----".utf8)

    static func isCleartextSigned(_ text: [UInt8]) -> Bool { isCleartextSigned(text[...]) }

    static func isCleartextSigned(_ text: ArraySlice<UInt8>) -> Bool {
        let marker = cleartextSignatureMarker
        guard text.count >= marker.count else { return false }
        // Not a comparison tried at every offset: this runs on every text part.
        return text.withUnsafeBufferPointer { ByteSearch.first(marker, in: $0) != nil }
    }
}
