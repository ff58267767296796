import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An EDM index, memory-mapped and read in place (see ``IndexFormat``): loading checks the header,
/// the key identifier and the checksum, and parses only the column table. Immutable and shared
/// between threads.
public final class ExactDataIndex: @unchecked Sendable {
    public let path: String
    public let columns: [IndexColumn]
    public let rowCount: Int
    public let entryCount: Int
    public let byteCount: Int
    private let base: UnsafeRawPointer
    private let mapped: Bool
    private let directoryBits: Int
    private let directory: UnsafePointer<UInt32>
    private let entries: UnsafeRawPointer
    private let rowFingerprints: UnsafeRawPointer
    /// Per type tag (index 1...7): the type's filter, nil in a version 1 index.
    private let filters: [(words: UnsafeRawPointer, bits: Int)?]

    /// Maps and checks the index at `path` for `keys`. Errors: unreadable, not an index, a newer
    /// format version, corrupt or truncated (sizes or checksum), or built with another key.
    public convenience init(path: String, keys: EDMKeys) throws(EDMError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "index file not found" : "cannot open the index: \(String(cString: strerror(errno)))"
            throw EDMError(.unreadable, reason, file: path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw EDMError(.unreadable, "the index is not a regular file", file: path)
        }
        let size = Int(info.st_size)
        guard size >= IndexFormat.fixedHeader else { throw EDMError(.corrupt, "the index is truncated (\(size) bytes)", file: path) }
        // Every page is read at load (the checksum): map them all in one call where the system can.
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let pointer = mmap(nil, size, PROT_READ, flags, fd, 0), pointer != MAP_FAILED else {
            throw EDMError(.unreadable, "cannot map the index: \(String(cString: strerror(errno)))", file: path)
        }
        do {
            try self.init(path: path, base: UnsafeRawPointer(pointer), count: size, mapped: true, keys: keys)
        } catch {
            munmap(pointer, size)
            throw error
        }
    }

    /// Reads an index held in memory (tests, fuzzing). The bytes are copied.
    public convenience init(bytes: [UInt8], keys: EDMKeys, path: String = "<memory>") throws(EDMError) {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 8), alignment: 8)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(copy), byteCount: bytes.count) }
        do {
            try self.init(path: path, base: UnsafeRawPointer(copy), count: bytes.count, mapped: false, keys: keys)
        } catch {
            copy.deallocate()
            throw error
        }
    }

    private init(path: String, base: UnsafeRawPointer, count: Int, mapped: Bool, keys: EDMKeys) throws(EDMError) {
        func fail(_ code: EDMError.Code, _ message: String) -> EDMError { EDMError(code, message, file: path) }
        let raw = UnsafeRawBufferPointer(start: base, count: count)
        guard count >= IndexFormat.fixedHeader, raw.prefix(8).elementsEqual(IndexFormat.magic) else {
            throw fail(.notAnIndex, "not a redline EDM index (build one with 'redline edm build')")
        }
        func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let version = u32(8)
        guard version <= Int(IndexFormat.version) else {
            throw fail(.newerVersion, "the index has format version \(version); this redline reads version \(IndexFormat.version) and older: upgrade redline or rebuild the index")
        }
        guard version >= 1 else { throw fail(.corrupt, "the index has format version 0") }
        let headerSize = u32(12)
        let rows = u64(32), entryCount = u64(40)
        let bits = u32(48), columnCount = u32(52)
        guard headerSize >= IndexFormat.fixedHeader, headerSize % 8 == 0, headerSize <= count, bits <= 30,
              columnCount >= 1, columnCount <= IndexFormat.maxColumns, rows <= UInt64(IndexFormat.maxRows), entryCount <= UInt64(1) << 40 else {
            throw fail(.corrupt, "the index header is corrupt")
        }
        let slots = (1 << bits) + 1
        let directoryBytes = (slots + slots % 2) * 4
        // The filter table follows the column table (version 2); read once the columns are.
        var filterBits = [Int](repeating: -1, count: IndexFormat.filterTypes + 1)
        var filterWords = 0
        if version >= 2 {
            var offset = IndexFormat.fixedHeader
            for _ in 0..<columnCount {
                guard offset + 8 <= headerSize else { throw fail(.corrupt, "the index's column table is corrupt") }
                offset += 8 + (Int(raw[offset + 6]) | Int(raw[offset + 7]) << 8)
            }
            guard offset + IndexFormat.filterTypes <= headerSize else { throw fail(.corrupt, "the index's filter table is corrupt") }
            for tag in 1...IndexFormat.filterTypes {
                let value = Int(raw[offset + tag - 1])
                guard value <= IndexFormat.maxFilterBits else { throw fail(.corrupt, "the index's filter table is corrupt") }
                filterBits[tag] = value
                filterWords += 1 << value
            }
        }
        let expected = headerSize + directoryBytes + Int(entryCount) * IndexFormat.entrySize + Int(rows) * 8 + filterWords * 8
        guard expected == count else {
            throw fail(.corrupt, expected > count ? "the index is truncated (\(count) of \(expected) bytes)" : "the index has \(count - expected) bytes too many")
        }
        guard raw[16..<32].elementsEqual(keys.keyID) else {
            throw fail(.wrongKey, "the index was built with a different key (its key identifier does not match REDLINE_KEY / --key-file)")
        }
        var checksum = IndexChecksum()
        checksum.update(UnsafeRawBufferPointer(rebasing: raw[0..<IndexFormat.checksumOffset]))
        checksum.update(UnsafeRawBufferPointer(rebasing: raw[IndexFormat.fixedHeader...]))
        guard checksum.value == u64(IndexFormat.checksumOffset) else { throw fail(.corrupt, "the index is corrupt (checksum mismatch)") }
        var columns: [IndexColumn] = []
        var offset = IndexFormat.fixedHeader
        for _ in 0..<columnCount {
            guard offset + 8 <= headerSize else { throw fail(.corrupt, "the index's column table is corrupt") }
            let tag = raw[offset], maxTokens = Int(raw[offset + 1])
            func u16(_ at: Int) -> Int { Int(raw[at]) | Int(raw[at + 1]) << 8 }
            let minLength = u16(offset + 2), maxLength = u16(offset + 4), nameLength = u16(offset + 6)
            guard let type = ColumnType(tag: tag), offset + 8 + nameLength <= headerSize,
                  let name = String(validating: raw[(offset + 8)..<(offset + 8 + nameLength)], as: UTF8.self) else {
                throw fail(.corrupt, "the index's column table is corrupt")
            }
            columns.append(IndexColumn(name: name, type: type, maxTokens: maxTokens, minLength: minLength, maxLength: maxLength))
            offset += 8 + nameLength
        }
        let directory = (base + headerSize).assumingMemoryBound(to: UInt32.self)
        var previous: UInt32 = 0
        for slot in 0..<slots {
            let value = UInt32(littleEndian: directory[slot])
            guard value >= previous, value <= UInt32(truncatingIfNeeded: entryCount) else { throw fail(.corrupt, "the index's directory is corrupt") }
            previous = value
        }
        guard Int(previous) == Int(entryCount) else { throw fail(.corrupt, "the index's directory is corrupt") }
        self.path = path
        self.columns = columns
        self.rowCount = Int(rows)
        self.entryCount = Int(entryCount)
        self.byteCount = count
        self.base = base
        self.mapped = mapped
        self.directoryBits = bits
        self.directory = directory
        self.entries = base + headerSize + directoryBytes
        self.rowFingerprints = base + headerSize + directoryBytes + Int(entryCount) * IndexFormat.entrySize
        let filters = base + headerSize + directoryBytes + Int(entryCount) * IndexFormat.entrySize + Int(rows) * 8
        var start = 0
        var table: [(words: UnsafeRawPointer, bits: Int)?] = [nil]
        for tag in 1...IndexFormat.filterTypes {
            guard filterBits[tag] >= 0 else { table.append(nil); continue }
            table.append((filters + start * 8, filterBits[tag]))
            start += 1 << filterBits[tag]
        }
        self.filters = table
    }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), byteCount) } else { UnsafeMutableRawPointer(mutating: base).deallocate() }
    }

    /// Whether a value of `type` with this fingerprint may be in the index (false: it is not).
    /// One read of the type's filter; always true for an index without filters.
    @inline(__always)
    public func mayContain(_ fingerprint: UInt64, type: ColumnType) -> Bool {
        guard let filter = filters[Int(type.tag)] else { return true }
        let word = UInt64(littleEndian: filter.words.loadUnaligned(fromByteOffset: IndexFormat.filterWord(fingerprint, bits: filter.bits) * 8, as: UInt64.self))
        let mask = IndexFormat.filterMask(fingerprint)
        return word & mask == mask
    }

    /// Indices of the entries of a value of `type` with this fingerprint: its filter first, then
    /// the directory and entries.
    @inline(__always)
    public func entries(for fingerprint: UInt64, type: ColumnType) -> Range<Int> {
        mayContain(fingerprint, type: type) ? entries(for: fingerprint) : 0..<0
    }

    /// Indices of the entries with this fingerprint (sorted by row).
    @inline(__always)
    public func entries(for fingerprint: UInt64) -> Range<Int> {
        let slot = IndexFormat.slot(fingerprint, bits: directoryBits)
        var lo = Int(directory[slot]), hi = Int(directory[slot + 1])
        // Lower bound, then upper bound, of `fingerprint` in the slot.
        var first = lo
        var count = hi - lo
        while count > 0 {
            let step = count / 2
            if self.fingerprint(first + step) < fingerprint { first += step + 1; count -= step + 1 } else { count = step }
        }
        lo = first
        while hi > lo && self.fingerprint(hi - 1) > fingerprint { hi -= 1 }
        return lo..<max(lo, hi)
    }

    @inline(__always)
    public func fingerprint(_ entry: Int) -> UInt64 { entries.loadUnaligned(fromByteOffset: entry * 16, as: UInt64.self) }

    @inline(__always)
    public func row(_ entry: Int) -> UInt32 { UInt32(truncatingIfNeeded: entries.loadUnaligned(fromByteOffset: entry * 16 + 8, as: UInt64.self) >> 32) }

    @inline(__always)
    public func column(_ entry: Int) -> Int { Int(truncatingIfNeeded: entries.loadUnaligned(fromByteOffset: entry * 16 + 8, as: UInt64.self) & 0xFFFF) }

    /// The entry of `row` within `range` (entries of one fingerprint), if any.
    public func entry(row: UInt32, in range: Range<Int>) -> Range<Int> {
        var first = range.lowerBound, count = range.count
        while count > 0 {
            let step = count / 2
            if self.row(first + step) < row { first += step + 1; count -= step + 1 } else { count = step }
        }
        var end = first
        while end < range.upperBound && self.row(end) == row { end += 1 }
        return first..<end
    }

    /// The keyed fingerprint of a row (see ``IndexFormat``).
    public func rowFingerprint(_ row: UInt32) -> UInt64 {
        guard Int(row) < rowCount else { return 0 }
        return rowFingerprints.loadUnaligned(fromByteOffset: Int(row) * 8, as: UInt64.self)
    }
}
