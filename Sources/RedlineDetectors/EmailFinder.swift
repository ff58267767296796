/// Finds an e-mail address around one `@` without a regex: expanding left over the local part
/// and right over the domain avoids trying a pattern at the start of every word.
enum EmailFinder {
    static let localExtras = ByteSet("!#$%&'*+-/=?^_`{|}~.".utf8)
    /// File extensions that are not in the IANA root zone but follow `@` in file names
    /// (`logo@2x.png`). Real top-level domains such as `.zip` or `.mov` are not listed.
    static let fileExtensions: Set<[UInt8]> = Set(["png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "tif", "tiff",
                                                   "pdf", "txt", "js", "css", "htm", "html", "json", "yml", "yaml"].map { Array($0.utf8) })

    @inline(__always) static func isLocal(_ byte: UInt8) -> Bool {
        UKFormats.isAlnum(byte) || localExtras.contains(byte) || byte >= 0x80
    }

    @inline(__always) static func isDomain(_ byte: UInt8) -> Bool {
        UKFormats.isAlnum(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte >= 0x80
    }

    /// The address containing the `@` at `at`, or nil.
    static let candidate: @Sendable (UnsafeBufferPointer<UInt8>, Int) -> Range<Int>? = { text, at in
        // Local part: up to 64 bytes to the left, no leading or trailing dot, no double dot.
        // RFC 6531 allows any letter in the local part (`josé`, `иван`): a non-ASCII scalar counts
        // when it is a letter, mark or digit, so curly quotes, dashes and symbols end the address.
        var start = at
        while start > 0, at - start < 64 {
            let byte = text[start - 1]
            if byte >= 0x80 {
                let length = WordScalars.wordLength(text, before: start)
                if length == 0 { break }
                start -= length
                continue
            }
            guard isLocal(byte) else { break }
            // A dot-atom never holds two dots in a row: the local part starts after them (so the
            // result does not depend on what stands before, e.g. another address or a label).
            if byte == UInt8(ascii: "."), start < at, text[start] == UInt8(ascii: ".") { break }
            start -= 1
        }
        if start > 0, at - start >= 64, isLocal(text[start - 1]) { return nil }
        while start < at, text[start] == UInt8(ascii: ".") || text[start] == UInt8(ascii: "'") { start += 1 }
        guard start < at, text[at - 1] != UInt8(ascii: ".") else { return nil }
        // Domain: labels of letters, digits, hyphens (and UTF-8), separated by single dots.
        var end = at + 1
        var lastDot = -1
        var labelStart = end
        var labels = 0
        while end < text.count, end - at <= 255, isDomain(text[end]) {
            if text[end] >= 0x80 {
                // Internationalised labels (`пример.рф`): letters, marks and digits only.
                let length = WordScalars.wordLength(text, at: end)
                if length == 0 { break }
                end += length
                continue
            }
            if text[end] == UInt8(ascii: ".") {
                if end == labelStart { break }
                labels += 1
                lastDot = end
                labelStart = end + 1
            }
            end += 1
        }
        // Trim a trailing dot or hyphen (end of sentence).
        while end > at + 1, text[end - 1] == UInt8(ascii: ".") || text[end - 1] == UInt8(ascii: "-") {
            end -= 1
            if end == lastDot + 1 || end == lastDot {
                lastDot = -1
                for index in stride(from: end - 1, to: at, by: -1) where text[index] == UInt8(ascii: ".") {
                    lastDot = index
                    break
                }
            }
        }
        // Top-level label: at least two letters, letters only (or an IDNA xn-- label). When the last
        // label is not one, the next word was glued on after a full stop (`…@example.co.uk.LS6 2AB`):
        // drop labels from the right while two remain, so the address is still found.
        var tld: [UInt8] = []
        while true {
            guard lastDot > at + 1, lastDot < end - 2 else { return nil }
            tld = Array(text[(lastDot + 1)..<end])
            if tld.allSatisfy(UKFormats.isLetter) || tld.starts(with: Array("xn--".utf8))
                || (tld[0] >= 0x80 && WordScalars.isNonASCIILetters(UnsafeBufferPointer(rebasing: text[(lastDot + 1)..<end]))) { break }
            end = lastDot
            lastDot = -1
            for index in stride(from: end - 1, to: at, by: -1) where text[index] == UInt8(ascii: ".") {
                lastDot = index
                break
            }
        }
        // `icon@2x.png`: image and document names, whose extensions are not top-level domains.
        if fileExtensions.contains(tld.map { $0 | 0x20 }) { return nil }
        if end < text.count, text[end] == UInt8(ascii: "@") { return nil }
        if start > 0, text[start - 1] == UInt8(ascii: "@") { return nil }
        _ = labels
        return start..<end
    }
}
