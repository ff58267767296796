/// A run of characters (digits, or alphanumerics for IBANs) inside a candidate, with the separator
/// that precedes it. A line break counts as a wildcard separator: a number wrapped onto the next
/// line keeps its grouping.
struct Group {
    var range: Range<Int>
    /// The separator before this group (nil for the first group or no separator).
    var separator: UInt8?
    var wrapped: Bool
}

enum Grouping {
    static let newline = UInt8(ascii: "\n")

    /// Splits `text[range]` into groups of characters accepted by `member`, separated by one of
    /// `separators` and/or a line break.
    static func groups(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, member: (UInt8) -> Bool,
                       separators: Set<UInt8> = [32, 45, 46]) -> [Group] {
        var result: [Group] = []
        var index = range.lowerBound
        var pendingSeparator: UInt8?
        var wrapped = false
        while index < range.upperBound {
            let byte = text[index]
            if member(byte) {
                let start = index
                while index < range.upperBound, member(text[index]) { index += 1 }
                result.append(Group(range: start..<index, separator: result.isEmpty ? nil : pendingSeparator, wrapped: wrapped))
                pendingSeparator = nil
                wrapped = false
                continue
            }
            if byte == newline || byte == 13 {
                wrapped = true
            } else if separators.contains(byte) {
                pendingSeparator = byte
            }
            index += 1
        }
        return result
    }

    /// True when every separator between `groups[i...j]` is the same character (line breaks match any).
    static func consistent(_ groups: ArraySlice<Group>) -> Bool {
        var seen: UInt8?
        var sawNone = false
        for group in groups.dropFirst() {
            if let separator = group.separator {
                if let seen, seen != separator { return false }
                seen = separator
            } else if !group.wrapped {
                sawNone = true
            }
        }
        // Mixing "no separator" with a separator (e.g. `4111 11111111 1111`) is allowed only for
        // wrapped lines; otherwise groups without separators would have merged into one group.
        _ = sawNone
        return true
    }

    static func digits(_ text: UnsafeBufferPointer<UInt8>, _ groups: ArraySlice<Group>) -> [UInt8] {
        var out: [UInt8] = []
        for group in groups { out.append(contentsOf: text[group.range]) }
        return out
    }
}
