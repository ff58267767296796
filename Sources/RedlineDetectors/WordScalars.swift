/// Reading whole Unicode scalars out of normalised text (always valid UTF-8), for the places that
/// must not cut a word: where an e-mail address starts and ends when its local part or domain is
/// written in another script (`josé.garcía@…`, `иван@пример.рф`).
enum WordScalars {
    /// The scalar that starts at `index` (a lead byte) and its length in bytes.
    @inline(__always)
    static func scalar(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = text[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
        guard length > 0, index + length <= text.count else { return nil }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            let byte = text[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return Unicode.Scalar(value).map { ($0, length) }
    }

    /// The scalar that ends just before `end` and its length in bytes.
    @inline(__always)
    static func scalar(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> (Unicode.Scalar, Int)? {
        var start = end - 1
        while start > 0, end - start < 4, text[start] & 0xC0 == 0x80 { start -= 1 }
        guard start >= 0, let (scalar, length) = scalar(text, at: start), start + length == end else { return nil }
        return (scalar, length)
    }

    /// A letter, a mark or a digit of any script: part of a word.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return UKFormats.isAlnum(UInt8(scalar.value)) }
        let properties = scalar.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .decimalNumber, .nonspacingMark, .spacingMark, .enclosingMark, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// The non-ASCII scalar starting at `index` is part of a word; its length, or 0 when it is not.
    @inline(__always)
    static func wordLength(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        guard let (scalar, length) = scalar(text, at: index), isWord(scalar) else { return 0 }
        return length
    }

    /// The non-ASCII scalar ending before `end` is part of a word; its length, or 0 when it is not.
    @inline(__always)
    static func wordLength(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> Int {
        guard let (scalar, length) = scalar(text, before: end), isWord(scalar) else { return 0 }
        return length
    }

    /// Every scalar of `bytes` (valid UTF-8) is a letter, and none is ASCII: a top-level label
    /// written in its own script (`рф`, `中国`).
    static func isNonASCIILetters(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        var count = 0
        while index < bytes.count {
            guard bytes[index] >= 0x80, let (scalar, length) = scalar(bytes, at: index),
                  scalar.properties.isAlphabetic || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark
            else { return false }
            index += length
            count += 1
        }
        return count >= 2
    }
}
