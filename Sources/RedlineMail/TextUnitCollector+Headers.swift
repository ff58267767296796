import RedlineCore

extension TextUnitCollector {
    /// Every header field a person can write: unstructured and structured values (Subject, Date,
    /// Message-ID, References, `X-` headers…) whole, address fields by display name, and
    /// `Content-Type` / `Content-Disposition` by token and parameter (`filename`, `name`, RFC 2231
    /// encoded and continued). Labels are `header:<Name>` after the message's or part's prefix.
    mutating func collectHeaders(_ headers: HeaderBlock, prefix: String) {
        for field in headers.fields {
            let name = field.lowercasedName
            let plain = TextUnitCollector.isPlainName(field.name)
            let label = "\(prefix)header:\(plain ? field.name : quote(field.name))"
            if !plain { units.append(TextUnit(label: label, text: Array(field.name.utf8), kind: .headerName(field))) }
            if unscannedHeaders.contains(name) { continue }
            // The message's own override requests are removed before it goes on; their
            // justification is scanned apart, for the audit log (a forwarded message's are content).
            if prefix.isEmpty && name == OverrideHeaders.name { continue }
            if addressHeaders.contains(name) {
                let unfolded = field.unfoldedValue(in: bytes)
                for mailbox in AddressList.parse(unfolded) {
                    guard let range = mailbox.displayRange else { continue }
                    let (text, decoded) = AddressList.displayText(unfolded[range])
                    guard text.contains(where: { $0 > 32 }) else { continue }
                    noteCharsets(decoded, where_: label)
                    units.append(TextUnit(label: label, text: text, kind: .displayName(field, unfolded: unfolded, range: range, decoded)))
                }
            } else if parameterHeaders.contains(name) {
                collectParameters(field, label: label)
            } else {
                let decoded = EncodedWords.decode(field.unfoldedValue(in: bytes))
                guard decoded.text.contains(where: { $0 > 32 }) else { continue }
                noteCharsets(decoded, where_: label, scanNames: false)
                // Unknown charset names follow the text: a value there is found, and redacting
                // it re-encodes the field without them (MailRewriter).
                let text = decoded.unknownCharsets.isEmpty ? decoded.text   // shared, not copied
                    : decoded.text + [10] + Array(decoded.unknownCharsets.joined(separator: "\n").utf8)
                var unit = TextUnit(label: label, text: text, kind: .header(field, decoded))
                if routingHeaders.contains(name) || name.hasPrefix("list-") {
                    unit.scanText = unit.text.map { $0 == UInt8(ascii: "@") ? 32 : $0 }
                }
                units.append(unit)
            }
        }
        if let overflow = headers.overflow { addRaw(overflow, label: prefix + "header:(more)") }
    }

    /// The token and each parameter of a `Content-Type` or `Content-Disposition` field except the
    /// boundary (rewriting it would break the structure).
    private mutating func collectParameters(_ field: HeaderField, label: String) {
        let unfolded = field.unfoldedValue(in: bytes)
        let parsed = HeaderParameters(bytes: unfolded)
        if parsed.tokenRange.contains(where: { unfolded[$0] > 32 }) {
            let token = EncodedWords.Decoded(text: Array(unfolded[parsed.tokenRange]))
            units.append(TextUnit(label: label, text: token.text,
                                  kind: .parameter(field, unfolded: unfolded, name: "", pieces: [.init(range: parsed.tokenRange, removal: parsed.tokenRange)],
                                                   extended: false, token)))
        }
        for (name, value) in parsed.parameters.sorted(by: { $0.key < $1.key }) where name != "boundary" {
            guard let pieces = parsed.pieces[name], !pieces.isEmpty, value.utf8.contains(where: { $0 > 32 }) else { continue }
            let decoded = EncodedWords.decode(Array(value.utf8))
            noteCharsets(decoded, where_: label)
            units.append(TextUnit(label: "\(label);\(TextUnitCollector.isPlainName(name) ? name : quote(name))", text: decoded.text,
                                  kind: .parameter(field, unfolded: unfolded, name: name, pieces: pieces, extended: parsed.extended.contains(name), decoded)))
        }
    }

    /// Reports unknown encoded-word charsets, and scans their names: a name is written in the
    /// message too, and a value hidden there would otherwise pass (a finding blocks: the name
    /// cannot be redacted apart from its word).
    mutating func noteCharsets(_ decoded: EncodedWords.Decoded, where_: String, scanNames: Bool = true) {
        if scanNames && !decoded.unknownCharsets.isEmpty {
            units.append(TextUnit(label: where_, text: Array(decoded.unknownCharsets.joined(separator: "\n").utf8), kind: .derived))
        }
        for name in decoded.unknownCharsets {
            diagnostics.append(Diagnostic(.warning, code: MailCode.unknownCharset,
                "\(where_): unknown charset '\(quote(name, limit: 40))' in an encoded word; decoded as windows-1252"))
        }
    }

    /// A header or parameter name of letters and hyphens only: shown as it is.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 76 && name.utf8.allSatisfy { HTMLText.isLetter($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
}

extension HeaderParameters {
    /// A parameter written back after redaction: `name="text"` when the text is ASCII (encoded
    /// words kept as encoded words), otherwise RFC 2231 `name*=utf-8''%E2%82%AC…`.
    static func encode(name: String, text: [UInt8], extended: Bool, like decoded: EncodedWords.Decoded) -> [UInt8] {
        let ascii = !text.contains { $0 >= 127 || $0 < 32 }
        if ascii || decoded.firstWord != nil && !extended {
            let value = ascii ? text : EncodedWords.encode(text, charset: decoded.firstWord?.charset ?? .utf8,
                                                           encoding: decoded.firstWord?.encoding ?? UInt8(ascii: "B"), lineEnding: [])
            var out = Array(name.utf8) + Array("=\"".utf8)
            for byte in value {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            return out + [UInt8(ascii: "\"")]
        }
        let hex = Array("0123456789ABCDEF".utf8)
        var out = Array("\(name)*=utf-8''".utf8)
        for byte in text {
            if HTMLText.isLetter(byte) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") {
                out.append(byte)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        return out
    }
}
