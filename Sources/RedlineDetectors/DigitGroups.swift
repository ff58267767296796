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
                       separators: ByteSet = [32, 45, 46]) -> [Group] {
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

    /// True when `groups[window]` is glued to a neighbouring group by a hyphen or a dot: then the
    /// window is only part of a longer token (`1234-5678-9012-3456-7890`), not a number of its own.
    /// Spaces and line breaks are also word breaks, so a window may end at a space.
    static func boundToNeighbour(_ groups: [Group], _ window: ClosedRange<Int>) -> Bool {
        let binding: ByteSet = [45, 46]
        if let separator = groups[window.lowerBound].separator, window.lowerBound > 0,
           binding.contains(separator), !groups[window.lowerBound].wrapped {
            return true
        }
        let next = window.upperBound + 1
        if next < groups.count, let separator = groups[next].separator, binding.contains(separator), !groups[next].wrapped {
            return true
        }
        return false
    }

    /// True when a group of the same size as the window's groups follows or precedes it with the
    /// same separator on the same line: the window is a fragment of a longer grouped number
    /// (`6706 7944 8910` inside `6706 7944 8910 9047`).
    static func continues(_ groups: [Group], _ window: ClosedRange<Int>) -> Bool {
        let size = groups[window.lowerBound].range.count
        let separator = window.count > 1 ? groups[window.lowerBound + 1].separator : nil
        func sameKind(_ neighbour: Group, joinedBy joint: Group) -> Bool {
            !joint.wrapped && joint.separator != nil && (separator == nil || joint.separator == separator) && neighbour.range.count == size
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
