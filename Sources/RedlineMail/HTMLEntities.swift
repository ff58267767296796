/// HTML character references: the named ones mail bodies use (typography, spaces, invisible
/// characters, punctuation written as names), numeric ones, and the legacy names browsers accept
/// without a semicolon (`&nbsp`, `&amp`…).
enum HTMLEntities {
    static let named: [String: UInt32] = [
        "nbsp": 0xA0, "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "pound": 0xA3, "euro": 0x20AC,
        "copy": 0xA9, "reg": 0xAE, "trade": 0x2122, "ndash": 0x2013, "mdash": 0x2014, "hellip": 0x2026, "lsquo": 0x2018,
        "rsquo": 0x2019, "ldquo": 0x201C, "rdquo": 0x201D, "bull": 0x2022, "middot": 0xB7, "shy": 0xAD, "zwj": 0x200D,
        "zwnj": 0x200C, "thinsp": 0x2009, "ensp": 0x2002, "emsp": 0x2003, "times": 0xD7, "commat": 0x40, "period": 0x2E,
        "hyphen": 0x2010, "dash": 0x2010, "minus": 0x2212, "num": 0x23, "colon": 0x3A, "lpar": 0x28, "rpar": 0x29,
        // Invisible characters and spaces: a value written with them between its digits is still the value.
        "ZeroWidthSpace": 0x200B, "NegativeVeryThinSpace": 0x200B, "NegativeThinSpace": 0x200B,
        "NegativeMediumSpace": 0x200B, "NegativeThickSpace": 0x200B, "NoBreak": 0x2060, "lrm": 0x200E, "rlm": 0x200F,
        "ApplyFunction": 0x2061, "af": 0x2061, "InvisibleTimes": 0x2062, "it": 0x2062, "InvisibleComma": 0x2063, "ic": 0x2063,
        "NonBreakingSpace": 0xA0, "ThinSpace": 0x2009, "VeryThinSpace": 0x200A, "hairsp": 0x200A, "MediumSpace": 0x205F,
        "puncsp": 0x2008, "numsp": 0x2007, "emsp13": 0x2004, "emsp14": 0x2005, "ensp13": 0x2004, "Tab": 0x09, "NewLine": 0x0A,
        // Punctuation written as names.
        "sol": 0x2F, "bsol": 0x5C, "plus": 0x2B, "equals": 0x3D, "excl": 0x21, "quest": 0x3F, "comma": 0x2C, "semi": 0x3B,
        "lowbar": 0x5F, "verbar": 0x7C, "dollar": 0x24, "percnt": 0x25, "ast": 0x2A, "lsqb": 0x5B, "rsqb": 0x5D,
        "lcub": 0x7B, "rcub": 0x7D, "grave": 0x60, "Hat": 0x5E, "DotDot": 0x20DC, "sup1": 0xB9, "sup2": 0xB2, "sup3": 0xB3,
    ]

    /// Names HTML still reads without a semicolon (a subset of the HTML standard's legacy list:
    /// those that matter for what a value can be written with).
    static let legacy: [String] = ["nbsp", "amp", "lt", "gt", "quot", "copy", "reg", "shy", "times", "middot", "pound",
                                   "sup1", "sup2", "sup3", "NBSP", "AMP", "LT", "GT", "QUOT", "COPY", "REG"]

    /// `&#52;`, `&#x34;`, `&nbsp;`, `&nbsp` at `start` within `limit`: the scalar and the end of the reference.
    static func reference(_ html: UnsafeBufferPointer<UInt8>, at start: Int, limit end: Int) -> (UInt32, Int)? {
        var i = start + 1
        let limit = min(end, start + 34)
        if i < limit, html[i] == UInt8(ascii: "#") {
            i += 1
            var hex = false
            if i < limit, html[i] | 0x20 == UInt8(ascii: "x") { hex = true; i += 1 }
            var value: UInt32 = 0
            let digitsStart = i
            while i < limit {
                let byte = html[i]
                let digit: UInt32?
                if let d = QuotedPrintable.hexValue(byte), hex || byte <= UInt8(ascii: "9") { digit = UInt32(d) } else { digit = nil }
                guard let digit else { break }
                value = min(value * (hex ? 16 : 10) + digit, 0x10FFFF + 1)
                i += 1
            }
            guard i > digitsStart else { return nil }
            if i < end, html[i] == UInt8(ascii: ";") { i += 1 }
            if value == 0 || value > 0x10FFFF || (value >= 0xD800 && value < 0xE000) { value = 0xFFFD }
            return (value, i)
        }
        let nameStart = i
        while i < limit, HTMLText.isLetter(html[i]) || (html[i] >= 48 && html[i] <= 57) { i += 1 }
        guard i > nameStart else { return nil }
        let name = String(decoding: html[nameStart..<i], as: UTF8.self)
        if i < end, html[i] == UInt8(ascii: ";"), let scalar = named[name] ?? named[name.lowercased()] {
            return (scalar, i + 1)
        }
        // Legacy: the longest legacy name the letters start with (`&nbsp1234` is a no-break space and 1234).
        var best: (UInt32, Int)?
        for candidate in legacy where name.hasPrefix(candidate) && candidate.utf8.count > (best.map { $0.1 - nameStart } ?? 0) {
            if let scalar = named[candidate] ?? named[candidate.lowercased()] { best = (scalar, nameStart + candidate.utf8.count) }
        }
        return best
    }
}
