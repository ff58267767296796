import Foundation
import RedlineDetectors

/// Normalisation of cell values, the same when an index is built and when text is scanned: the
/// builder normalises a whole cell, the scanner the candidates it cuts out of text, and both go
/// through the functions here, so a value written either way has one canonical form.
///
/// - `name`: split on whitespace; each token case-folded, diacritics removed, everything but
///   letters and digits removed (`O'Neil` → `oneil`); leading titles (Mr, Mrs, Ms, Miss, Mx, Dr,
///   Prof, Sir, Dame, Rev, Lord, Lady) dropped; tokens joined by one space.
/// - `text`: split on whitespace; each token case-folded with ASCII punctuation trimmed from its
///   ends (`Street,` → `street`); tokens joined by one space.
/// - `email`: case-folded (`Jane.Doe@Example.COM` → `jane.doe@example.com`).
/// - `phone`: the digits; `+44`, `0044` and `44` followed by ten digits become a leading `0`
///   (`+44 (0)7700 900123` → `07700900123`); other international numbers keep a `+`.
/// - `postcode`: upper case, one space before the inward code (`ls11aa` → `LS1 1AA`).
/// - `date`: `YYYYMMDD`, from `12/03/1985`, `12-03-1985`, `12.03.1985` (day first), `1985-03-12`,
///   `12 March 1985`, `12th Mar 1985`, `March 12, 1985`, `12-Mar-1985` (four-digit years).
/// - `digits`: the digits only (`12-34 56` → `123456`).
public enum Normaliser {
    /// A whole cell → its canonical bytes; nil when the cell is empty or not a value of the type
    /// (a phone cell without enough digits, a date that does not parse).
    public static func normalise(_ cell: String, as type: ColumnType) -> [UInt8]? {
        // The scanner matches against ``ScanText`` (Unicode spaces, dashes and digits folded,
        // invisible characters removed); a cell goes through the same folding first.
        let bytes = ScanText(Array(cell.utf8)).bytes
        let tokens = splitTokens(bytes)
        if tokens.isEmpty { return nil }
        switch type {
        case .name, .text:
            var out: [UInt8] = []
            var started = false
            for token in tokens {
                let normal = type == .name ? nameToken(token[...]) : textToken(token[...])
                if normal.isEmpty { continue }
                if type == .name && !started && isTitle(normal) { continue }
                if started { out.append(32) }
                out.append(contentsOf: normal)
                started = true
            }
            return out.isEmpty ? nil : out
        case .email:
            let joined = tokens.joined(separator: [32])
            let lower = lowercase(Array(joined)[...])
            return lower.contains(UInt8(ascii: "@")) ? lower : nil
        case .phone:
            let plus = bytes.first { !isSpace($0) } == UInt8(ascii: "+")
            return phone(digits: bytes.filter(isDigit), plus: plus)
        case .postcode:
            return postcode(tokens.joined().map(upper))
        case .date:
            let parts = tokens.map { textToken($0[...]) }.filter { !$0.isEmpty }
            return date(parts)
        case .digits:
            let digits = bytes.filter(isDigit)
            return digits.isEmpty ? nil : digits
        }
    }

    // MARK: - Bytes

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 97 && (b | 0x20) <= 122 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    @inline(__always) static func upper(_ b: UInt8) -> UInt8 { b >= 97 && b <= 122 ? b - 32 : b }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
    /// A byte that is kept by token trimming: ASCII letters and digits, and any non-ASCII byte.
    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool { b >= 0x80 || isAlnum(b) }

    static func splitTokens(_ bytes: [UInt8]) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in bytes {
            if isSpace(byte) {
                if !current.isEmpty { tokens.append(current); current = [] }
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    static func lowercase(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        if bytes.allSatisfy({ $0 < 0x80 }) { return bytes.map(lower) }
        return Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
    }

    // MARK: - Tokens

    /// One name token: case-folded, diacritics removed, only letters and digits kept.
    public static func nameToken(_ token: ArraySlice<UInt8>) -> [UInt8] {
        if token.allSatisfy({ $0 < 0x80 }) {
            var out: [UInt8] = []
            out.reserveCapacity(token.count)
            for byte in token where isAlnum(byte) { out.append(lower(byte)) }
            return out
        }
        let folded = String(decoding: token, as: UTF8.self)
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        for scalar in folded.unicodeScalars where scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
            out.unicodeScalars.append(scalar)
        }
        return Array(out.lowercased().utf8)
    }

    /// One text token: ASCII punctuation trimmed from both ends, case-folded.
    public static func textToken(_ token: ArraySlice<UInt8>) -> [UInt8] {
        var lo = token.startIndex, hi = token.endIndex
        while lo < hi, !isWordByte(token[lo]) { lo += 1 }
        while hi > lo, !isWordByte(token[hi - 1]) { hi -= 1 }
        return lowercase(token[lo..<hi])
    }

    static let titles: Set<[UInt8]> = Set(["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lord", "lady"].map { Array($0.utf8) })

    /// A normalised name token that is a title (dropped at the start of a name).
    public static func isTitle(_ normal: [UInt8]) -> Bool { normal.count <= 4 && titles.contains(normal) }

    // MARK: - Phone, postcode

    /// Canonical phone number from its digits and whether a `+` led it; nil below 7 or above 15 digits.
    public static func phone(digits: [UInt8], plus: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        return phone(digits: digits, plus: plus, into: &out) ? out : nil
    }

    /// ``phone(digits:plus:)`` into a reused buffer (the scanner's path: no allocation).
    static func phone(digits: [UInt8], plus: Bool, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var start = 0
        var international = plus
        if !plus && digits.count >= 2 && digits[0] == 48 && digits[1] == 48 {
            start = 2
            international = true
        } else if !plus && digits.count == 12 && digits[0] == 52 && digits[1] == 52 {
            international = true
        }
        if international && digits.count - start >= 2 && digits[start] == 52 && digits[start + 1] == 52 {
            var national = start + 2
            if national < digits.count && digits[national] == 48 { national += 1 }
            out.append(48)
            out.append(contentsOf: digits[national...])
        } else if international {
            out.append(UInt8(ascii: "+"))
            out.append(contentsOf: digits[start...])
        } else {
            out.append(contentsOf: digits)
        }
        let count = out.first == UInt8(ascii: "+") ? out.count - 1 : out.count
        return count >= 7 && count <= 15
    }

    /// Canonical UK postcode from its characters without spaces (upper case); nil when the shape is
    /// not outward code (2-4, starting with a letter) + inward code (digit, letter, letter).
    public static func postcode(_ compact: [UInt8]) -> [UInt8]? {
        guard compact.count >= 5, compact.count <= 7, compact.allSatisfy(isAlnum), isLetter(compact[0]) else { return nil }
        let n = compact.count
        guard isDigit(compact[n - 3]), isLetter(compact[n - 2]), isLetter(compact[n - 1]) else { return nil }
        return Array(compact[..<(n - 3)]) + [32] + Array(compact[(n - 3)...])
    }
}
