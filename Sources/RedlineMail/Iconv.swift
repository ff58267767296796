#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Charset conversion through the C library's iconv (glibc's gconv modules: GB18030, GBK, Big5,
/// UTF-7, KOI8-R, ISO-2022-JP, Shift_JIS…). Invalid input never stops a conversion: when decoding,
/// a byte that is not part of a valid sequence becomes U+FFFD; when encoding, a character the
/// charset cannot hold becomes `?`. The output buffer grows as needed; the work is linear.
enum Iconv {
    /// Whether iconv can convert between `charset` and UTF-8.
    static func supports(_ charset: String) -> Bool {
        guard let cd = open(to: "UTF-8", from: charset) else { return false }
        iconv_close(cd)
        guard let back = open(to: charset, from: "UTF-8") else { return false }
        iconv_close(back)
        return true
    }

    static func decode(_ bytes: [UInt8], from charset: String) -> [UInt8]? {
        convert(bytes, to: "UTF-8", from: charset, replacement: [0xEF, 0xBF, 0xBD], skip: { _ in 1 })
    }

    static func encode(_ utf8: [UInt8], to charset: String) -> [UInt8]? {
        // Skip one whole UTF-8 character the charset cannot hold.
        convert(utf8, to: charset, from: "UTF-8", replacement: [UInt8(ascii: "?")], skip: { lead in
            lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        })
    }

    private static func open(to: String, from: String) -> iconv_t? {
        let cd = iconv_open(to, from)
        return cd == iconv_t(bitPattern: -1) ? nil : cd
    }

    private static func convert(_ input: [UInt8], to: String, from: String, replacement: [UInt8], skip: (UInt8) -> Int) -> [UInt8]? {
        guard let cd = open(to: to, from: from) else { return nil }
        defer { iconv_close(cd) }
        var source = input
        var output = [UInt8](repeating: 0, count: input.count * 2 + 64)
        var written = 0
        var consumed = 0
        while true {
            let flushing = consumed >= source.count
            var inLeft = flushing ? 0 : source.count - consumed
            var outLeft = output.count - written
            let result: Int = source.withUnsafeMutableBytes { inBuffer in
                output.withUnsafeMutableBytes { outBuffer in
                    var outPointer = outBuffer.baseAddress.map { ($0 + written).assumingMemoryBound(to: CChar.self) }
                    // At the end, a null input writes out any shift state (UTF-7, ISO-2022).
                    if flushing { return iconv(cd, nil, nil, &outPointer, &outLeft) }
                    var inPointer = inBuffer.baseAddress.map { ($0 + consumed).assumingMemoryBound(to: CChar.self) }
                    return iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
                }
            }
            let error = result == -1 ? errno : 0
            if !flushing { consumed = source.count - inLeft }
            written = output.count - outLeft
            if result != -1 {
                if flushing { break }
                continue
            }
            switch error {
            case E2BIG:
                output.append(contentsOf: repeatElement(0, count: max(64, output.count / 2)))
            case EILSEQ where !flushing, EINVAL where !flushing:
                // An invalid sequence (or one cut off at the end): replace it and go on.
                if output.count - written < replacement.count { output.append(contentsOf: repeatElement(0, count: 64)) }
                output.replaceSubrange(written..<(written + replacement.count), with: replacement)
                written += replacement.count
                consumed = min(source.count, consumed + max(1, skip(source[consumed])))
            default:
                if !flushing { return nil }
            }
            if flushing && error != E2BIG { break }
        }
        output.removeSubrange(written...)
        return output
    }
}
