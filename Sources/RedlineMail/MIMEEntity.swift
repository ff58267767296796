import RedlineCore

/// A message or body part, as byte ranges into the original message. Nothing is copied, so the
/// writer can copy every untouched byte through.
struct MIMEEntity: Sendable {
    indirect enum Body: Sendable {
        case leaf
        case multipart(boundary: String, children: [MIMEEntity], preamble: Range<Int>, epilogue: Range<Int>)
        case message(MIMEEntity)
    }

    /// The part number, IMAP style: "1", "2.1". For a message whose body is multipart it is the
    /// number its body would have; it labels leaves only.
    var label: String
    /// For a message (the top level or a forwarded `message/rfc822`): the prefix of its header
    /// labels ("" → `header:Subject`, "2." → `2.header:Subject`). Nil for body parts.
    var headerPrefix: String?
    var headers: HeaderBlock
    var range: Range<Int>
    /// Lower-cased `type/subtype`.
    var contentType: String
    var parameters: [String: String]
    var dispositionType: String?
    var filename: String?
    var transferEncoding: TransferEncoding
    var bodyRange: Range<Int>
    var body: Body
    /// Content below the nesting limit, scanned as text whatever its type says.
    var forcedText = false
    /// Other readings of the body when the part has several `Content-Type` or
    /// `Content-Transfer-Encoding` fields that disagree: mail clients differ in which one they
    /// obey, so the body is scanned every way.
    var otherReadings: [Reading] = []

    /// One way to read a body: its type, charset and transfer encoding.
    struct Reading: Sendable, Equatable {
        var contentType: String
        var charsetName: String?
        var transferEncoding: TransferEncoding
    }

    var mediaType: String { String(contentType.prefix { $0 != "/" }) }
    var charsetName: String? { parameters["charset"] }

    /// Every entity in document order (depth first).
    func walk(_ visit: (MIMEEntity) -> Void) {
        visit(self)
        switch body {
        case .leaf: break
        case let .multipart(_, children, _, _): for child in children { child.walk(visit) }
        case let .message(inner): inner.walk(visit)
        }
    }

    /// The structure as comparable lines (label, type, encoding), for tests and debugging.
    var outline: [String] {
        var lines: [String] = []
        walk { entity in
            var kind = ""
            switch entity.body {
            case .leaf: kind = "leaf"
            case let .multipart(_, children, _, _): kind = "multipart(\(children.count))"
            case .message: kind = "message"
            }
            lines.append("\(entity.headerPrefix.map { "[\($0)]" } ?? "")\(entity.label) \(entity.contentType) \(entity.transferEncoding) \(kind)")
        }
        return lines
    }
}

/// Reads a message into ``MIMEEntity`` values with bounded work: nesting deeper than
/// ``maxDepth`` is treated as text, parts beyond ``maxEntities`` are read as one text part, a
/// missing closing boundary ends the part at the end of its parent, and every problem becomes a
/// diagnostic. Each nesting level reads its bytes once, so the work is at most
/// ``maxDepth`` + 1 passes over the message, and the memory per part is a fixed size.
struct MIMEParser {
    static let maxDepth = 32
    /// Entities per message (the message and 10,000 parts); the rest of a multipart beyond it is
    /// one text part.
    static let maxEntities = 10_001
    /// Readings of one part when its type and encoding fields disagree.
    static let maxReadings = 4
    let bytes: [UInt8]
    var diagnostics: [Diagnostic] = []
    /// Masks what the diagnostics quote from the message.
    var quote = MailQuote()
    /// Bytes examined (header sections and multipart bodies), for tests of the work bound.
    private(set) var work = 0
    private(set) var entityCount = 0
    private var reportedDepth = false
    private var reportedEntities = false

    init(_ bytes: [UInt8], quote: MailQuote = MailQuote()) {
        self.bytes = bytes
        self.quote = quote
    }

    /// Parses the whole message.
    mutating func parse() -> MIMEEntity {
        parseEntity(0..<bytes.count, label: "1", headerPrefix: "", childPrefix: "", depth: 0, defaultType: "text/plain")
    }

    mutating func parseEntity(_ range: Range<Int>, label: String, headerPrefix: String?, childPrefix: String, depth: Int, defaultType: String) -> MIMEEntity {
        let where_ = headerPrefix.map { $0.isEmpty ? "message" : "message \($0.dropLast())" } ?? "part \(label)"
        entityCount += 1
        let headers = HeaderParser.parse(bytes, range: range, label: where_, diagnostics: &diagnostics)
        work += headers.bodyStart - range.lowerBound
        let typeFields = headers.fields.filter { $0.lowercasedName == "content-type" }
        let encodingFields = headers.fields.filter { $0.lowercasedName == "content-transfer-encoding" }
        let types = typeFields.map { MIMEParser.contentType(HeaderParameters(bytes: $0.unfoldedValue(in: bytes)), default: defaultType) }
        let encodings = encodingFields.map { TransferEncoding(headerValue: $0.value(in: bytes)) }
        let contentType = types.first?.type ?? defaultType
        let parameters = types.first?.parameters ?? [:]
        var disposition: HeaderParameters?
        if let field = headers.first("content-disposition") { disposition = HeaderParameters(bytes: field.unfoldedValue(in: bytes)) }
        let filename = disposition?.parameters["filename"] ?? parameters["name"]
        let encoding = encodings.first ?? .identity
        let bodyRange = min(headers.bodyStart, range.upperBound)..<range.upperBound
        var entity = MIMEEntity(label: label, headerPrefix: headerPrefix, headers: headers, range: range, contentType: contentType,
                                parameters: parameters, dispositionType: disposition?.token, filename: nil,
                                transferEncoding: encoding, bodyRange: bodyRange, body: .leaf)
        if let filename { entity.filename = String(decoding: EncodedWords.decode(Array(filename.utf8)).text, as: UTF8.self) }
        for case let .unknown(name) in encodings {
            diagnostics.append(Diagnostic(.warning, code: MailCode.unknownTransferEncoding,
                "\(where_): unknown Content-Transfer-Encoding '\(quote(name, limit: 40))'; scanned as it is"))
        }
        if types.count > 1 || encodings.count > 1 {
            let primary = MIMEEntity.Reading(contentType: contentType, charsetName: parameters["charset"], transferEncoding: encoding)
            for type in types.isEmpty ? [(contentType, parameters)] : types {
                for other in encodings.isEmpty ? [encoding] : encodings {
                    let reading = MIMEEntity.Reading(contentType: type.0, charsetName: type.1["charset"], transferEncoding: other)
                    if reading != primary, !entity.otherReadings.contains(reading), entity.otherReadings.count < MIMEParser.maxReadings {
                        entity.otherReadings.append(reading)
                    }
                }
            }
            if !entity.otherReadings.isEmpty {
                diagnostics.append(Diagnostic(.warning, code: MailCode.conflictingHeaders,
                    "\(where_): \(typeFields.count) Content-Type and \(encodingFields.count) Content-Transfer-Encoding fields disagree; the body is scanned in each reading"))
            }
        }
        let isMultipart = contentType.hasPrefix("multipart/")
        let isMessage = contentType == "message/rfc822" || contentType == "message/global"
        guard isMultipart || isMessage else { return entity }
        if depth >= MIMEParser.maxDepth {
            if !reportedDepth {
                diagnostics.append(Diagnostic(.warning, code: MailCode.nestingTooDeep,
                    "\(where_): MIME nesting deeper than \(MIMEParser.maxDepth) levels; the rest is scanned as text"))
                reportedDepth = true
            }
            entity.forcedText = true
            return entity
        }
        if isMessage {
            guard encoding == .identity else { return entity } // an encoded message is scanned as text
            let inner = parseEntity(bodyRange, label: label + ".1", headerPrefix: label + ".", childPrefix: label + ".", depth: depth + 1, defaultType: "text/plain")
            entity.body = .message(inner)
            return entity
        }
        guard let boundary = parameters["boundary"], !boundary.isEmpty else {
            diagnostics.append(Diagnostic(.warning, code: MailCode.missingBoundary, "\(where_): \(quote(contentType)) without a boundary; scanned as text"))
            entity.forcedText = true
            return entity
        }
        let split = splitMultipart(bodyRange, boundary: Array(boundary.utf8), maxParts: max(1, MIMEParser.maxEntities - entityCount))
        guard split.found else {
            diagnostics.append(Diagnostic(.warning, code: MailCode.missingBoundary, "\(where_): the boundary never appears in the body; scanned as text"))
            entity.forcedText = true
            return entity
        }
        if split.overflow {
            if !reportedEntities {
                diagnostics.append(Diagnostic(.warning, code: MailCode.tooManyParts,
                    "\(where_): more than \(MIMEParser.maxEntities - 1) parts in the message; the rest is scanned as text"))
                reportedEntities = true
            }
        } else if !split.closed {
            diagnostics.append(Diagnostic(.warning, code: MailCode.missingClosingBoundary,
                "\(where_): the closing boundary is missing; the last part runs to the end"))
        }
        let childDefault = contentType == "multipart/digest" ? "message/rfc822" : "text/plain"
        var children: [MIMEEntity] = []
        for (index, partRange) in split.parts.enumerated() {
            let childLabel = childPrefix + String(index + 1)
            if split.overflow && index == split.parts.count - 1 || entityCount >= MIMEParser.maxEntities {
                children.append(MIMEParser.textRemainder(partRange, label: childLabel, lineEnding: headers.lineEnding))
                entityCount += 1
                if !reportedEntities {
                    diagnostics.append(Diagnostic(.warning, code: MailCode.tooManyParts,
                        "\(where_): more than \(MIMEParser.maxEntities - 1) parts in the message; the rest is scanned as text"))
                    reportedEntities = true
                }
                continue
            }
            children.append(parseEntity(partRange, label: childLabel, headerPrefix: nil, childPrefix: childLabel + ".", depth: depth + 1, defaultType: childDefault))
        }
        entity.body = .multipart(boundary: boundary, children: children, preamble: split.preamble, epilogue: split.epilogue)
        return entity
    }

    /// The type and parameters of a `Content-Type` value (a token without `/` reads as text/plain).
    static func contentType(_ parsed: HeaderParameters, default defaultType: String) -> (type: String, parameters: [String: String]) {
        let type = parsed.token.contains("/") ? parsed.token : parsed.token.isEmpty ? defaultType : "text/plain"
        return (type, parsed.parameters)
    }

    /// The rest of a multipart beyond the part limit: one text part without headers.
    static func textRemainder(_ range: Range<Int>, label: String, lineEnding: [UInt8]) -> MIMEEntity {
        var entity = MIMEEntity(label: label, headerPrefix: nil,
                                headers: HeaderBlock(end: range.lowerBound, bodyStart: range.lowerBound, lineEnding: lineEnding),
                                range: range, contentType: "text/plain", parameters: [:], dispositionType: nil, filename: nil,
                                transferEncoding: .identity, bodyRange: range, body: .leaf)
        entity.forcedText = true
        return entity
    }

    /// Finds the delimiter lines `--boundary` (and the closing `--boundary--`) in `range`. A part
    /// ends before the line break that precedes its delimiter (RFC 2046 section 5.1.1). After
    /// `maxParts` parts the last part runs to the end of `range` (`overflow`).
    mutating func splitMultipart(_ range: Range<Int>, boundary: [UInt8], maxParts: Int = .max)
        -> (preamble: Range<Int>, parts: [Range<Int>], epilogue: Range<Int>, found: Bool, closed: Bool, overflow: Bool) {
        let delimiter = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var parts: [Range<Int>] = []
        var preamble = range.lowerBound..<range.lowerBound
        var partStart: Int?
        var found = false
        var position = range.lowerBound
        while position < range.upperBound {
            let lineEnd = bytes[position..<range.upperBound].firstIndex(of: 10) ?? range.upperBound
            let next = lineEnd < range.upperBound ? lineEnd + 1 : range.upperBound
            work += next - position
            if bytes[position] == UInt8(ascii: "-"), lineEnd - position >= delimiter.count, bytes[position..<lineEnd].starts(with: delimiter) {
                var rest = position + delimiter.count
                let closing = rest + 1 < lineEnd && bytes[rest] == UInt8(ascii: "-") && bytes[rest + 1] == UInt8(ascii: "-")
                if closing { rest += 2 }
                if bytes[rest..<lineEnd].allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                    // The line break before the delimiter belongs to the delimiter.
                    var contentEnd = position
                    if contentEnd > range.lowerBound, bytes[contentEnd - 1] == 10 {
                        contentEnd -= 1
                        if contentEnd > range.lowerBound, bytes[contentEnd - 1] == 13 { contentEnd -= 1 }
                    }
                    if let start = partStart {
                        parts.append(start..<max(start, contentEnd))
                    } else {
                        preamble = range.lowerBound..<contentEnd
                    }
                    found = true
                    if closing { return (preamble, parts, next..<range.upperBound, true, true, false) }
                    if parts.count + 1 >= maxParts {
                        parts.append(next..<range.upperBound)
                        return (preamble, parts, range.upperBound..<range.upperBound, true, false, true)
                    }
                    partStart = next
                }
            }
            position = next
        }
        if let start = partStart { parts.append(start..<range.upperBound) }
        return (preamble, parts, range.upperBound..<range.upperBound, found, false, false)
    }
}

/// Diagnostic codes of the mail reader (all warnings: the message is still checked).
public enum MailCode {
    // M001 missing closing boundary · M002 truncated or invalid base64 · M003 invalid quoted-printable
    // M004 unknown charset (decoded as windows-1252) · M005 nesting deeper than the limit (rest as text)
    // M006 header line over 998 bytes · M007 non-header line in the header section · M008 unknown
    // transfer encoding · M009 multipart without a usable boundary · M010 reserved (recipients)
    // M011 a signed part needs redaction (the message is blocked rather than its signature broken)
    // M012 a part's Content-Type / Content-Transfer-Encoding fields disagree (scanned every way)
    // M013 more parts or header fields than the limit (the rest scanned as text) · M014 a part that is read in more
    // than one way (M012) or an encoded block inside a text (uuencode) needs redaction: blocked
    public static let missingClosingBoundary = "M001"
    public static let badBase64 = "M002"
    public static let badQuotedPrintable = "M003"
    public static let unknownCharset = "M004"
    public static let nestingTooDeep = "M005"
    public static let longHeaderLine = "M006"
    public static let malformedHeader = "M007"
    public static let unknownTransferEncoding = "M008"
    public static let missingBoundary = "M009"
    public static let badRecipients = "M010"
    public static let signedPartNeedsRedaction = "M011"
    public static let conflictingHeaders = "M012"
    public static let tooManyParts = "M013"
    public static let derivedTextNeedsRedaction = "M014"
    /// An `X-Redline-Override` header that is not `RULE-ID; justification`: ignored.
    public static let malformedOverride = "M015"
}
