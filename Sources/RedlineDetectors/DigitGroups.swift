/// A run of characters (digits, or alphanumerics for IBANs) inside a candidate, with the gap that
/// precedes it. A line break counts as a wildcard separator: a number wrapped onto the next line
/// keeps its grouping.
struct Group {
    var range: Range<Int>
    /// The separator before this group: its one punctuation character, a space when the gap holds
    /// only blanks (spaces, tabs), nil for the first group, no gap, or a bare line break.
    var separator: UInt8?
    var wrapped: Bool
    /// The gap is exactly one punctuation character (`1234-5678`): the groups form one token.
    var tight: Bool = false
    /// The gap holds more than one punctuation character (`12 -- 34`, `12./34`): it separates two
    /// values rather than the groups of one.
    var broken: Bool = false
}

enum Grouping {
    static let newline = UInt8(ascii: "\n")

    /// Splits `text[range]` into groups of characters accepted by `member`. Between two groups,
    /// blanks (space, tab), line breaks and the punctuation in `separators` may stand.
    static func groups(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, member: (UInt8) -> Bool,
                       separators: ByteSet = [45, 46, 47, 95]) -> [Group] {
        var result: [Group] = []
        // One allocation for the usual candidate (a card has four groups, a phone two or three),
        // not one per doubling.
        result.reserveCapacity(8)
        var index = range.lowerBound
        var punctuation: UInt8?
        var punctuationCount = 0
        var blanks = false
        var wrapped = false
        while index < range.upperBound {
            let byte = text[index]
            if member(byte) {
                let start = index
                while index < range.upperBound, member(text[index]) { index += 1 }
                var group = Group(range: start..<index, separator: nil, wrapped: wrapped)
                if !result.isEmpty {
                    group.separator = punctuationCount == 1 ? punctuation : blanks || punctuationCount > 1 ? 32 : nil
                    group.tight = punctuationCount == 1 && !blanks && !wrapped
                    group.broken = punctuationCount > 1
                }
                result.append(group)
                punctuation = nil
                punctuationCount = 0
                blanks = false
                wrapped = false
                continue
            }
            if byte == newline || byte == 13 {
                wrapped = true
            } else if byte == 32 || byte == 9 {
                blanks = true
            } else if separators.contains(byte) {
                punctuation = byte
                punctuationCount += 1
            }
            index += 1
        }
        return result
    }

    /// True when the groups are written one way: every separator between them is the same
    /// character. A line break stands for any separator (a wrapped line), and on its own for none.
    static func consistent(_ groups: ArraySlice<Group>) -> Bool {
        var seen: UInt8?
        for group in groups.dropFirst() {
            guard let separator = group.separator else { continue }
            if let seen, seen != separator { return false }
            seen = separator
        }
        return true
    }

    /// True when no gap inside the groups holds two punctuation characters.
    static func unbroken(_ groups: ArraySlice<Group>) -> Bool {
        !groups.dropFirst().contains { $0.broken }
    }

    /// True when `groups[window]` is glued to a neighbouring group by a single hyphen, dot, slash
    /// or underscore: then the window is only part of a longer token (`1234-5678-9012-3456-7890`),
    /// not a number of its own. Blanks and line breaks are also word breaks, so a window may end there.
    /// A slash is also how people join two values (`card/expiry`, one card or another): it binds
    /// the window only when the window itself is written with slashes between its groups
    /// (`12/4539/1488/0343/6467` is one token; `5555555555554444/4111111111111111` is two cards).
    static func boundToNeighbour(_ groups: [Group], _ window: ClosedRange<Int>) -> Bool {
        let slash = UInt8(ascii: "/")
        let slashInside = groups[window].dropFirst().contains { $0.separator == slash }
        func binds(_ joint: Group) -> Bool { joint.tight && (joint.separator != slash || slashInside) }
        if window.lowerBound > 0, binds(groups[window.lowerBound]) { return true }
        let next = window.upperBound + 1
        return next < groups.count && binds(groups[next])
    }

    /// True when a group of the same size as the window's groups follows or precedes it with the
    /// same separator on the same line: the window is a fragment of a longer grouped number
    /// (`6706 7944 8910` inside `6706 7944 8910 9047`).
    static func continues(_ groups: [Group], _ window: ClosedRange<Int>) -> Bool {
        let size = groups[window.lowerBound].range.count
        let separator = window.count > 1 ? groups[window.lowerBound + 1].separator : nil
        func sameKind(_ neighbour: Group, joinedBy joint: Group) -> Bool {
            !joint.wrapped && !joint.broken && joint.separator != nil && (separator == nil || joint.separator == separator)
                && neighbour.range.count == size
        }
        if window.lowerBound > 0, sameKind(groups[window.lowerBound - 1], joinedBy: groups[window.lowerBound]) { return true }
        let next = window.upperBound + 1
        if next < groups.count, sameKind(groups[next], joinedBy: groups[next]) { return true }
        return false
    }

    static func digits(_ text: UnsafeBufferPointer<UInt8>, _ groups: ArraySlice<Group>) -> [UInt8] {
        var out: [UInt8] = []
        for group in groups { out.append(contentsOf: text[group.range]) }
        return out
    }
}
