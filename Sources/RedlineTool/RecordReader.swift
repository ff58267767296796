#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedlineFormats

/// Splits an input into records (JSON Lines or RFC 4180 CSV) with a size cap, so memory stays
/// bounded. An oversized record is skipped (to its end) and reported, never truncated silently.
/// The buffer is grown with `realloc` (large blocks move by remapping pages, not copying), so a
/// long record costs about its own size, not its size plus a copy.
final class RecordReader {
    enum Kind { case jsonl, csv }

    let input: InputStream
    let kind: Kind
    let maxRecord: Int
    private var storage: UnsafeMutablePointer<UInt8>?
    private var capacity = 0
    private var count = 0
    private var start = 0
    /// JSONL: where the search for the current record's newline resumes (nothing before it is one).
    private var searched = 0
    private var atEnd = false
    private var skipping = false
    private var skipped = 0
    /// 1-based line of the next record's first byte.
    private(set) var line = 1

    init(input: InputStream, kind: Kind, maxRecord: Int = 64 * 1024 * 1024) {
        self.input = input
        self.kind = kind
        self.maxRecord = maxRecord
    }

    deinit { free(storage) }

    private var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage, count: count) }

    private func append(_ chunk: ArraySlice<UInt8>) {
        if count + chunk.count > capacity {
            let wanted = max(count + chunk.count, capacity * 2, 64 * 1024)
            guard let grown = realloc(storage, wanted) else { fatalError("out of memory growing the record buffer to \(wanted) bytes") }
            storage = grown.assumingMemoryBound(to: UInt8.self)
            capacity = wanted
        }
        chunk.withUnsafeBufferPointer { piece in
            if let source = piece.baseAddress { (storage! + count).update(from: source, count: piece.count) }
        }
        count += chunk.count
    }

    /// Where the next record lies in the reader's buffer: valid, through ``withBytes(_:_:)``, until
    /// the next call (nothing is copied).
    enum Slice {
        case record(Range<Int>)
        case tooLarge(Int)
    }

    /// The next record in place (see ``Slice``). `beforeRead` is called before each read from
    /// the input (which may block until more arrives).
    func nextSlice(beforeRead: () throws -> Void = {}) throws -> Slice? {
        // The previous record is no longer in use: its bytes may go.
        compact()
        while true {
            if let extent = recordExtent() {
                if extent.unterminated {
                    throw ToolError("line \(line): a quoted field is never closed (a stray quote runs to the end of the input); nothing after it was read")
                }
                let length = extent.length
                let range = start..<(start + length)
                start += length
                searched = start
                line += extent.lineBreaks
                if skipping {
                    skipping = false
                    let total = skipped + length
                    skipped = 0
                    return .tooLarge(total)
                }
                return .record(range)
            }
            if atEnd { return nil }
            if count - start > maxRecord {
                // Drop what we have of the oversized record and keep reading to its end.
                skipped += count - start
                line += bytes[start...].reduce(0) { $1 == 10 ? $0 + 1 : $0 }
                skipping = true
                count = 0
                start = 0
                searched = 0
            }
            try beforeRead()
            let chunk = try input.read()
            if chunk.isEmpty { atEnd = true } else { append(chunk) }
        }
    }

    /// Calls `body` with the bytes of a range from ``nextSlice()``.
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(rebasing: bytes[range]))
    }

    private func recordExtent() -> CSVRecord.Extent? {
        guard start < count, let base = storage else { return nil }
        switch kind {
        case .jsonl:
            let from = max(searched, start)
            if let newline = memchr(base + from, 10, count - from) {
                return CSVRecord.Extent(length: UnsafeRawPointer(newline) - UnsafeRawPointer(base + start) + 1, lineBreaks: 1, unterminated: false)
            }
            searched = count
            return atEnd ? CSVRecord.Extent(length: count - start, lineBreaks: 0, unterminated: false) : nil
        case .csv:
            return CSVRecord.nextRecord(in: bytes, from: start, atEnd: atEnd)
        }
    }

    private func compact() {
        guard start > 1 << 20 || (start > 0 && start == count), let base = storage else { return }
        let remaining = count - start
        if remaining > 0 { memmove(base, base + start, remaining) }
        searched -= start
        count = remaining
        start = 0
    }
}

