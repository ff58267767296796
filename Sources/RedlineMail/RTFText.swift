/// The text of an RTF document (a `text/rtf` or `application/rtf` part, a `.rtf` attachment), with
/// a ``TextMap`` back to the RTF so that a finding is redacted where it stands.
///
/// One pass, no recursion, bounded: control words are at most 32 letters with a parameter of at
/// most 10 digits, group nesting is counted (not stacked) past ``maxDepth``, `\bin` data is skipped
/// by its length (clamped to the input). Text, `\'hh` bytes (decoded in the document's code page,
/// `\ansicpg`), `\uN` characters (their fallback characters skipped), and `\par`, `\line`, `\tab`,
/// `\cell`, `\row` as line breaks and tabs are read, in every group: what a reader sees and what
/// the document's properties carry (`\info` title, author). Only groups of binary or hex data
/// (pictures, embedded objects, theme data) are skipped.
struct RTFText: Sendable {
    var map: TextMap
    var text: [UInt8] { map.text }

    static let maxDepth = 10_000
    /// Destinations that hold binary or hex data, not text.
    static let dataDestinations: Set<String> = ["pict", "objdata", "themedata", "colorschememapping", "datastore", "blipuid",
                                                "panose", "passwordhash"]

    /// Whether bytes look like RTF (`{\rtf`).
    static func isRTF(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count, i < 64, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        return bytes[i...].starts(with: Array("{\\rtf".utf8))
    }

    init(rtf: [UInt8]) {
        map = TextMap(capacity: rtf.count / 2)
        var codePage = Charset.windows1252
        // Per group: skipped (data) and the \uc fallback count; a stack of small values, capped.
        var skipStack: [Bool] = [false]
        var ucStack: [Int] = [1]
        var overflowDepth = 0
        var pendingBytes: [UInt8] = []
        var pendingRange = 0..<0
        var skipFallback = 0
        var i = 0
        let count = rtf.count

        func flushBytes() {
            guard !pendingBytes.isEmpty else { return }
            map.emit(codePage.decode(pendingBytes), pendingRange.lowerBound, pendingRange.upperBound)
            pendingBytes = []
        }

        while i < count {
            let byte = rtf[i]
            let skipping = skipStack[skipStack.count - 1]
            if byte == UInt8(ascii: "{") {
                flushBytes()
                if skipStack.count < RTFText.maxDepth { skipStack.append(skipping); ucStack.append(ucStack[ucStack.count - 1]) } else { overflowDepth += 1 }
                i += 1
                continue
            }
            if byte == UInt8(ascii: "}") {
                flushBytes()
                if overflowDepth > 0 { overflowDepth -= 1 } else if skipStack.count > 1 { skipStack.removeLast(); ucStack.removeLast() }
                i += 1
                continue
            }
            if byte == 10 || byte == 13 { i += 1; continue }
            if byte != UInt8(ascii: "\\") {
                if skipFallback > 0 { skipFallback -= 1; i += 1; continue }
                flushBytes()
                if !skipping { map.copy(byte, at: i) }
                i += 1
                continue
            }
            // A control word or symbol.
            let start = i
            i += 1
            guard i < count else { break }
            let next = rtf[i]
            if HTMLText.isLetter(next) {
                let wordStart = i
                while i < count, i - wordStart < 32, HTMLText.isLetter(rtf[i]) { i += 1 }
                let word = String(decoding: rtf[wordStart..<i], as: UTF8.self)
                var parameter: Int?
                let numberStart = i
                if i < count, rtf[i] == UInt8(ascii: "-") { i += 1 }
                let digitsStart = i
                while i < count, i - digitsStart < 10, rtf[i] >= 48, rtf[i] <= 57 { i += 1 }
                if i > digitsStart { parameter = Int(String(decoding: rtf[numberStart..<i], as: UTF8.self)) } else { i = numberStart }
                if i < count, rtf[i] == 32 { i += 1 }
                if word != "u" && !pendingBytes.isEmpty { flushBytes() }
                if skipFallback > 0 { skipFallback -= 1; continue }
                switch word {
                case "bin":
                    i = min(count, i + max(0, parameter ?? 0))
                case "ansicpg":
                    if let page = parameter, let charset = Charset.named("CP\(page)") { codePage = charset }
                case "uc":
                    ucStack[ucStack.count - 1] = max(0, min(parameter ?? 1, 10))
                case "u":
                    flushBytes()
                    var value = parameter ?? 0xFFFD
                    if value < 0 { value += 65_536 }
                    var utf8: [UInt8] = []
                    appendUTF8((1...0x10FFFF).contains(value) ? UInt32(value) : 0xFFFD, to: &utf8)
                    if !skipping { map.emit(utf8, start, i) }
                    skipFallback = ucStack[ucStack.count - 1]
                case "par", "line", "sect", "page", "row":
                    if !skipping { map.emit([10], start, i, tag: true) }
                case "tab", "cell":
                    if !skipping { map.emit([9], start, i, tag: true) }
                case "emdash": if !skipping { map.emit([0xE2, 0x80, 0x94], start, i) }
                case "endash": if !skipping { map.emit([0xE2, 0x80, 0x93], start, i) }
                case "lquote", "rquote": if !skipping { map.emit([0x27], start, i) }
                case "ldblquote", "rdblquote": if !skipping { map.emit([0x22], start, i) }
                case "bullet": if !skipping { map.emit([0xE2, 0x80, 0xA2], start, i) }
                default:
                    if RTFText.dataDestinations.contains(word) { skipStack[skipStack.count - 1] = true }
                }
                continue
            }
            i += 1
            switch next {
            case UInt8(ascii: "'"):
                // \'hh: one byte in the code page; consecutive ones decode together (double-byte pages).
                if i + 1 < count, let high = QuotedPrintable.hexValue(rtf[i]), let low = QuotedPrintable.hexValue(rtf[i + 1]) {
                    i += 2
                    if skipFallback > 0 { skipFallback -= 1; continue }
                    if skipping { continue }
                    if pendingBytes.isEmpty { pendingRange = start..<i } else { pendingRange = pendingRange.lowerBound..<i }
                    pendingBytes.append(high << 4 | low)
                }
            case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"):
                if skipFallback > 0 { skipFallback -= 1; continue }
                flushBytes()
                if !skipping { map.emit([next], start, i) }
            case UInt8(ascii: "~"):
                flushBytes()
                if !skipping { map.emit([0xC2, 0xA0], start, i) }
            case UInt8(ascii: "_"):
                flushBytes()
                if !skipping { map.emit([UInt8(ascii: "-")], start, i) }
            case 10, 13:
                flushBytes()
                if !skipping { map.emit([10], start, i, tag: true) }
            default:
                // \* (an optional destination), \- (optional hyphen), \| \: …: no text.
                flushBytes()
            }
        }
        flushBytes()
    }

    /// Text written back into RTF: `\`, `{`, `}` escaped, non-ASCII as `\uN?`, line breaks as `\line`.
    static func escape(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\\", "{", "}": out.append(UInt8(ascii: "\\")); out.append(UInt8(scalar.value))
            case "\n": out.append(contentsOf: Array("\\line ".utf8))
            default:
                if scalar.value < 128 {
                    out.append(UInt8(scalar.value))
                } else {
                    let value = scalar.value > 0xFFFF ? 0x3F : Int(scalar.value) > 32_767 ? Int(scalar.value) - 65_536 : Int(scalar.value)
                    out.append(contentsOf: Array("\\u\(value)?".utf8))
                }
            }
        }
        return out
    }
}
