/// Blocks of uuencoded data inside a text body (`begin 644 name` … `end`, and `begin-base64`),
/// as old mailers and some scripts still send attachments. Each block is decoded so that what it
/// carries is scanned; one pass over the text, at most ``maxBlocks`` blocks.
enum UUEncoded {
    static let maxBlocks = 100

    /// The decoded contents of every block in `text`.
    static func blocks(in text: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var position = 0
        var current: [UInt8]?
        var base64 = false
        var base64Lines: [UInt8] = []
        while position < text.count && result.count < maxBlocks {
            // Outside a block only a line that starts with `begin` matters: go straight to the next one.
            if current == nil {
                guard let next = nextBeginLine(text, from: position) else { break }
                position = next
            }
            let lineEnd = text[position...].firstIndex(of: 10) ?? text.count
            var contentEnd = lineEnd
            if contentEnd > position, text[contentEnd - 1] == 13 { contentEnd -= 1 }
            let line = text[position..<contentEnd]
            if current == nil {
                if isBegin(line, base64: true) {
                    current = []; base64 = true; base64Lines = []
                } else if isBegin(line, base64: false) {
                    current = []; base64 = false
                }
            } else if base64 {
                if line.elementsEqual("====".utf8) || line.starts(with: "end".utf8) && line.count == 3 {
                    var problems = DecodeProblems()
                    result.append(Base64.decode(base64Lines[...], problems: &problems))
                    current = nil
                } else {
                    base64Lines.append(contentsOf: line)
                }
            } else if line.elementsEqual("end".utf8) {
                result.append(current!)
                current = nil
            } else {
                decodeLine(line, into: &current!)
            }
            position = lineEnd + 1
        }
        if let current, !current.isEmpty || !base64Lines.isEmpty {
            // No `end` line: what was decoded is still scanned.
            var problems = DecodeProblems()
            result.append(base64 ? Base64.decode(base64Lines[...], problems: &problems) : current)
        }
        return result
    }

    /// The start of the first line at or after `from` (itself a line start) that begins with
    /// `begin`; nil when no line does.
    static func nextBeginLine(_ text: [UInt8], from: Int) -> Int? {
        text.withUnsafeBufferPointer { buffer -> Int? in
            var from = from
            while let at = ByteSearch.first(beginWord, in: buffer, from: from) {
                if at == 0 || buffer[at - 1] == 10 { return at }
                from = at + 1
            }
            return nil
        }
    }

    private static let beginWord: [UInt8] = Array("begin".utf8)
    private static let beginPrefix: [UInt8] = Array("begin ".utf8)
    private static let beginBase64Prefix: [UInt8] = Array("begin-base64 ".utf8)

    /// `begin 644 name` (three or four octal digits) or `begin-base64 644 name`.
    static func isBegin(_ line: ArraySlice<UInt8>, base64: Bool) -> Bool {
        let prefix = base64 ? beginBase64Prefix : beginPrefix
        guard line.starts(with: prefix) else { return false }
        var i = line.startIndex + prefix.count
        let digitsStart = i
        while i < line.endIndex, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "7") { i += 1 }
        return (3...4).contains(i - digitsStart) && i < line.endIndex && line[i] == 32
    }

    /// One line: a length character, then groups of four characters for three bytes.
    static func decodeLine(_ line: ArraySlice<UInt8>, into out: inout [UInt8]) {
        guard let first = line.first else { return }
        let length = Int((first &- 32) & 63)
        guard length > 0 else { return }
        var produced = 0
        var i = line.startIndex + 1
        while produced < length {
            var group: UInt32 = 0
            for offset in 0..<4 {
                let byte = i + offset < line.endIndex ? line[i + offset] : 32
                group = group << 6 | UInt32((byte &- 32) & 63)
            }
            for shift in [16, 8, 0] where produced < length {
                out.append(UInt8(truncatingIfNeeded: group >> UInt32(shift)))
                produced += 1
            }
            i += 4
            if i >= line.endIndex && produced < length { break }
        }
    }
}
