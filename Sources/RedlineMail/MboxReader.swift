import Foundation
import RedlineCore

/// Reads the messages of an mbox file one at a time, holding only the current message and a
/// 64 KB read buffer.
///
/// A message starts at a plausible `From ` separator line (`From sender Mon Jan  1 00:00:00 2024`):
/// after a blank line (or at the start of the file), or anywhere when the line has the full
/// asctime date that Gmail/Google Takeout exports use without escaping body lines. Lines matching
/// `>+From ` lose one `>` (mboxrd, which also undoes mboxo's `>From ` quoting). The blank line
/// before a separator belongs to the separator. LF and CRLF files both work; line endings are kept.
/// `Content-Length` (mboxcl2) is not used.
public struct MboxReader {
    private let fileHandle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the search for the current line's end goes on from: the bytes before it (from
    /// `position`) hold no line feed, so a long line is searched once, not again after each read.
    private var searched = 0
    private var endOfFile = false
    private var started = false
    private static let chunkSize = 64 * 1024

    /// Reads from `fileHandle` (a file or a pipe) from its current position.
    public init(fileHandle: FileHandle) { self.fileHandle = fileHandle }

    /// The next message (without its `From ` line), or nil at the end of the file.
    public mutating func next() throws -> [UInt8]? {
        var message: [UInt8] = []
        var previousBlank = !started
        var lastLineStart = 0
        var sawAnyLine = false
        while let range = try readLine() {
            sawAnyLine = true
            let first = buffer[range.lowerBound]
            // Only a line starting `From ` can separate messages, and only one starting `>` is unquoted.
            if first == UInt8(ascii: "F"), MboxReader.isSeparator(buffer[range], afterBlank: previousBlank) {
                if !started || message.isEmpty {
                    started = true
                    previousBlank = false
                    message.removeAll(keepingCapacity: true)
                    continue
                }
                // The blank line before the separator is not part of the message.
                if previousBlank { message.removeSubrange(lastLineStart...) }
                return message
            }
            started = true
            lastLineStart = message.count
            if first == UInt8(ascii: ">"), let unescaped = MboxReader.unescape(buffer[range]) {
                message.append(contentsOf: unescaped)
            } else {
                buffer.withUnsafeBufferPointer { message.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            }
            previousBlank = first == 10 || (range.count == 2 && first == 13 && buffer[range.upperBound - 1] == 10)
        }
        guard sawAnyLine, !message.isEmpty else { return nil }
        if previousBlank { message.removeSubrange(lastLineStart...) }
        return message
    }

    /// Where the next line lies in `buffer`, with its line ending (the last line may have none; a
    /// line is never empty), or nil at the end. Valid until the next call.
    private mutating func readLine() throws -> Range<Int>? {
        while true {
            let from = position
            let start = max(from, searched)
            let lf = buffer.withUnsafeBufferPointer { bytes -> Int? in
                guard let base = bytes.baseAddress, start < bytes.count, let found = memchr(base + start, 10, bytes.count - start) else { return nil }
                return UnsafeRawPointer(found) - UnsafeRawPointer(base)
            }
            searched = lf == nil ? buffer.count : 0
            if let lf {
                position = lf + 1
                return from..<(lf + 1)
            }
            if endOfFile {
                guard position < buffer.count else { return nil }
                position = buffer.count
                return from..<buffer.count
            }
            if position > 0 {
                buffer.removeSubrange(0..<position)
                searched -= position
                position = 0
            }
            if let data = try fileHandle.read(upToCount: MboxReader.chunkSize), !data.isEmpty {
                buffer.append(contentsOf: data)
            } else {
                endOfFile = true
            }
        }
    }

    /// `>From ` → `From `, `>>From ` → `>From `: nil when the line is not quoted.
    static func unescape(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        guard line.first == UInt8(ascii: ">") else { return nil }
        let rest = line.drop { $0 == UInt8(ascii: ">") }
        guard rest.starts(with: fromPrefix) else { return nil }
        return Array(line.dropFirst())
    }

    static let fromPrefix = Array("From ".utf8)
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Whether a line separates messages.
    static func isSeparator(_ line: ArraySlice<UInt8>, afterBlank: Bool) -> Bool {
        guard line.starts(with: fromPrefix), line.count < 1000 else { return false }
        // Almost every separator is ASCII: read it as bytes (a String per line and Character
        // tests cost ~47,000 instructions a message); anything else is read as text below.
        if line.allSatisfy({ $0 < 0x80 }) { return isASCIISeparator(line.dropFirst(5), afterBlank: afterBlank) }
        return isSeparatorText(line, afterBlank: afterBlank)
    }

    /// ``isSeparator(_:afterBlank:)`` for an ASCII line after `From `: the same reading on bytes
    /// (an ASCII character is a number exactly when it is a digit).
    static func isASCIISeparator(_ rest: ArraySlice<UInt8>, afterBlank: Bool) -> Bool {
        func space(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 || byte == 10 }
        func digit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
        var text = rest
        while let first = text.first, space(first) { text = text.dropFirst() }
        while let last = text.last, space(last) { text = text.dropLast() }
        let words = text.split(separator: 32, omittingEmptySubsequences: true)
        guard words.count >= 2 else { return false }
        var hasTime = false, hasYear = false, hasWeekday = false, hasMonth = false
        for word in words.dropFirst() {
            let parts = word.split(separator: UInt8(ascii: ":"))
            if parts.count >= 2 && parts.allSatisfy({ $0.count <= 2 && $0.allSatisfy(digit) }) { hasTime = true }
            if word.count == 4 && word.allSatisfy(digit) { hasYear = true }
            if word.count == 3 {
                if weekdayBytes.contains(where: { $0.elementsEqual(word) }) { hasWeekday = true }
                if monthBytes.contains(where: { $0.elementsEqual(word) }) { hasMonth = true }
            }
        }
        if hasWeekday && hasMonth && hasTime && hasYear { return true }
        return afterBlank && (hasTime || hasYear) && !words[0].contains(UInt8(ascii: ","))
    }

    static let weekdayBytes = weekdays.map { Array($0.utf8) }
    static let monthBytes = months.map { Array($0.utf8) }

    /// ``isSeparator(_:afterBlank:)`` read as text (a line with non-ASCII bytes).
    static func isSeparatorText(_ line: ArraySlice<UInt8>, afterBlank: Bool) -> Bool {
        guard line.starts(with: fromPrefix), line.count < 1000 else { return false }
        let text = String(decoding: line.dropFirst(5), as: UTF8.self).trimmingWhitespace()
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2 else { return false }
        let rest = words.dropFirst()
        let hasTime = rest.contains { word in
            let parts = word.split(separator: ":")
            return parts.count >= 2 && parts.allSatisfy { $0.count <= 2 && $0.allSatisfy(\.isNumber) }
        }
        let hasYear = rest.contains { $0.count == 4 && $0.allSatisfy(\.isNumber) }
        let hasNames = rest.contains { weekdays.contains(String($0)) } && rest.contains { months.contains(String($0)) }
        // Full asctime date: a separator even without a blank line before it (Gmail exports).
        if hasNames && hasTime && hasYear { return true }
        return afterBlank && (hasTime || hasYear) && !words[0].contains(",")
    }
}

/// Lists the messages of a Maildir folder.
public enum MaildirReader {
    /// Paths of the message files in `cur/` and `new/` (not `tmp/`, which holds messages still
    /// being delivered), sorted by file name within each; hidden files are skipped. Flags after
    /// `:2,` in the name are left to the caller. Throws a diagnostic when the folder has neither
    /// `cur/` nor `new/`.
    public static func messagePaths(in directory: String) throws -> [String] {
        try messages(in: directory).map(\.path)
    }

    /// ``messagePaths(in:)`` with each file's size when `sizes` is true (else 0: the listing's
    /// file types tell messages from folders without a `stat` per message).
    public static func messages(in directory: String, sizes: Bool = true) throws -> [(path: String, size: Int)] {
        var messages: [(path: String, size: Int)] = []
        var found = false
        for sub in ["cur", "new"] {
            let folder = directory.hasSuffix("/") ? directory + sub : directory + "/" + sub
            guard let entries = listing(folder) else { continue }
            found = true
            for (name, type) in entries.sorted(by: { $0.name < $1.name }) where !name.hasPrefix(".") {
                let path = folder + "/" + name
                if !sizes && type == .file {
                    messages.append((path, 0))
                    continue
                }
                var info = stat()
                guard stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { continue }
                messages.append((path, Int(info.st_size)))
            }
        }
        guard found else {
            throw Diagnostic(.error, code: "E003", "\(directory) is not a Maildir folder (it has no cur/ or new/)")
        }
        return messages
    }

    enum EntryType { case file, other }

    /// The names in a folder with what `readdir` says of their type (`other`: a folder, a link,
    /// or unknown, to be checked with `stat`); nil when it is not a readable folder.
    static func listing(_ folder: String) -> [(name: String, type: EntryType)]? {
        guard let handle = opendir(folder) else { return nil }
        defer { closedir(handle) }
        var entries: [(name: String, type: EntryType)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            entries.append((name, Int32(entry.pointee.d_type) == Int32(DT_REG) ? .file : .other))
        }
        return entries
    }
}
