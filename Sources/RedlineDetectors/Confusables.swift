/// Cyrillic and Greek letters drawn like Latin ones (`А` U+0410 for `A`, `о` U+043E for `o`, `Ι`
/// U+0399 for `I`): a sender can type them to hide a NI number, a licence number or a postcode
/// from a detector that expects ASCII. ``ScanText`` folds them to their Latin letter, but only in
/// a word that holds nothing else than such letters, ASCII letters, digits and invisible
/// characters (`АВ123456С`, `NІ`); a word of real Cyrillic or Greek (`Москва`, `Αθήνα`) keeps its
/// letters, so the folding costs nothing on text in those scripts and invents no Latin words.
enum Confusables {
    /// The Latin letter a Cyrillic or Greek scalar looks like, or nil.
    static func latin(for value: UInt32) -> UInt8? {
        guard value >= 0x370, value < 0x530 else { return nil }
        let letter: Character?
        switch value {
        // Greek capitals.
        case 0x391: letter = "A"
        case 0x392: letter = "B"
        case 0x395: letter = "E"
        case 0x396: letter = "Z"
        case 0x397: letter = "H"
        case 0x399: letter = "I"
        case 0x39A: letter = "K"
        case 0x39C: letter = "M"
        case 0x39D: letter = "N"
        case 0x39F: letter = "O"
        case 0x3A1: letter = "P"
        case 0x3A4: letter = "T"
        case 0x3A5: letter = "Y"
        case 0x3A7: letter = "X"
        // Greek small letters.
        case 0x3B1: letter = "a"
        case 0x3B9: letter = "i"
        case 0x3BA: letter = "k"
        case 0x3BD: letter = "v"
        case 0x3BF: letter = "o"
        case 0x3C1: letter = "p"
        case 0x3C5: letter = "u"
        case 0x3C7: letter = "x"
        // Cyrillic capitals.
        case 0x405: letter = "S"
        case 0x406: letter = "I"
        case 0x408: letter = "J"
        case 0x410: letter = "A"
        case 0x412: letter = "B"
        case 0x415: letter = "E"
        case 0x41A: letter = "K"
        case 0x41C: letter = "M"
        case 0x41D: letter = "H"
        case 0x41E: letter = "O"
        case 0x420: letter = "P"
        case 0x421: letter = "C"
        case 0x422: letter = "T"
        case 0x423: letter = "Y"
        case 0x425: letter = "X"
        case 0x4AE: letter = "Y"
        case 0x4BA: letter = "H"
        case 0x4C0: letter = "I"
        case 0x51A: letter = "Q"
        case 0x51C: letter = "W"
        // Cyrillic small letters.
        case 0x430: letter = "a"
        case 0x435: letter = "e"
        case 0x43E: letter = "o"
        case 0x440: letter = "p"
        case 0x441: letter = "c"
        case 0x443: letter = "y"
        case 0x445: letter = "x"
        case 0x455: letter = "s"
        case 0x456: letter = "i"
        case 0x458: letter = "j"
        case 0x4BB: letter = "h"
        case 0x4CF: letter = "l"
        case 0x501: letter = "d"
        case 0x51B: letter = "q"
        case 0x51D: letter = "w"
        default: letter = nil
        }
        return letter?.asciiValue
    }

    /// Words longer than this many bytes on either side of a look-alike are left alone.
    static let reach = 64

    /// The end of the word around `index` (a look-alike letter), and whether the word mixes
    /// look-alikes only with ASCII letters, digits and invisible characters. A word runs over
    /// letters, digits, marks and format characters of any script.
    static func word(_ text: UnsafeBufferPointer<UInt8>, around index: Int) -> (end: Int, mixed: Bool) {
        var mixed = true
        // Backwards to the word's start.
        var position = index
        while position > 0 {
            var start = position - 1
            while start > 0, text[start] & 0xC0 == 0x80, position - start < 4 { start -= 1 }
            let (scalar, length) = ScanText.decode(text, at: start)
            guard let scalar, start + length == position, let foreign = classify(scalar) else { break }
            if foreign { mixed = false }
            if index - start > reach { mixed = false; break }
            position = start
        }
        // Forwards to its end.
        position = index
        while position < text.count {
            let (scalar, length) = ScanText.decode(text, at: position)
            guard let scalar, let foreign = classify(scalar) else { break }
            if foreign { mixed = false }
            position += length
            if position - index > reach { mixed = false; break }
        }
        return (position, mixed)
    }

    /// nil when the scalar ends a word; otherwise whether it is a letter foreign to the folding (a
    /// non-ASCII letter that is not a look-alike).
    private static func classify(_ scalar: Unicode.Scalar) -> Bool? {
        let value = scalar.value
        if value < 0x80 { return UKFormats.isAlnum(UInt8(value)) ? false : nil }
        if latin(for: value) != nil { return false }
        switch scalar.properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .spacingMark, .decimalNumber: return false
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return nil
        }
    }
}
