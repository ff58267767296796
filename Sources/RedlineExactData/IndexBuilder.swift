import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A column to index: its header name and how its values are normalised.
public struct ColumnSpec: Sendable, Hashable {
    public var name: String
    public var type: ColumnType

    public init(name: String, type: ColumnType) {
        self.name = name
        self.type = type
    }

    /// Parses `NAME:TYPE,NAME:TYPE,…` (the `--columns` option).
    public static func parseList(_ text: String) throws(EDMError) -> [ColumnSpec] {
        var specs: [ColumnSpec] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            let types = ColumnType.allCases.map(\.rawValue).joined(separator: ", ")
            guard parts.count == 2, !parts[0].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw EDMError(.badColumns, "--columns takes NAME:TYPE,… (types: \(types)); '\(item)' is not of that form")
            }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard let type = ColumnType(rawValue: parts[1].trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw EDMError(.badColumns, "unknown column type '\(parts[1])' for '\(name)'; types are \(types)")
            }
            guard !specs.contains(where: { $0.name == name }) else { throw EDMError(.badColumns, "column '\(name)' is listed twice in --columns") }
            specs.append(ColumnSpec(name: name, type: type))
        }
        guard !specs.isEmpty, specs.count <= IndexFormat.maxColumns else {
            throw EDMError(.badColumns, "--columns needs between 1 and \(IndexFormat.maxColumns) columns")
        }
        return specs
    }
}

/// What a build did, for the user (counts and line numbers only, never a value).
public struct BuildReport: Sendable {
    public var rows = 0
    public var cells = 0
    public var emptyCells = 0
    /// Non-empty cells that are not a value of their column's type (per column name).
    public var invalidCells: [String: Int] = [:]
    /// Lines of records with the wrong number of fields (the first 100), and how many in all.
    public var badRowLines: [Int] = []
    public var badRows = 0
    public var expectedFields = 0
    public var indexBytes = 0
}

/// What a cell held: nothing, a value of its column's type, or something else.
enum CellOutcome { case empty, value, invalid }

/// One index entry in memory (the same 16 bytes as on disk).
struct IndexEntry {
    var fingerprint: UInt64
    /// row << 32 | column
    var meta: UInt64
}

/// Builds an index from CSV bytes. The work: read each record, normalise and fingerprint the listed
/// columns, sort the fingerprints, write header, directory, entries and row fingerprints.
public enum IndexBuilder {
    /// Builds the index bytes' parts from `csv` (see ``IndexFormat``) and writes them to `output`
    /// through a temporary file in the same directory that is renamed into place, so a failed build
    /// never leaves a partial index. `file` names the CSV in errors.
    public static func build(csv: UnsafeBufferPointer<UInt8>, file: String, columns specs: [ColumnSpec], strict: Bool,
                             keys: EDMKeys, output: String,
                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws(EDMError) -> BuildReport {
        let built = try index(csv: csv, file: file, columns: specs, strict: strict, keys: keys, progress: progress)
        var report = built.report
        report.indexBytes = try write(built, keys: keys, to: output)
        return report
    }

    /// The index as bytes, without writing a file (tests, fuzzing).
    public static func buildInMemory(csv: UnsafeBufferPointer<UInt8>, file: String, columns specs: [ColumnSpec], strict: Bool,
                                     keys: EDMKeys) throws(EDMError) -> (bytes: [UInt8], report: BuildReport) {
        let built = try index(csv: csv, file: file, columns: specs, strict: strict, keys: keys, progress: nil)
        let (header, directory, filters) = layout(built, keys: keys)
        var bytes = header
        directory.withUnsafeBytes { bytes.append(contentsOf: $0) }
        built.entries.withUnsafeBytes { bytes.append(contentsOf: $0) }
        built.rowFingerprints.withUnsafeBytes { bytes.append(contentsOf: $0) }
        filters.withUnsafeBytes { bytes.append(contentsOf: $0) }
        var report = built.report
        report.indexBytes = bytes.count
        return (bytes, report)
    }

    struct Built {
        var columns: [IndexColumn]
        var entries: [IndexEntry]
        var rowFingerprints: [UInt64]
        var report: BuildReport
    }

    static func index(csv: UnsafeBufferPointer<UInt8>, file: String, columns specs: [ColumnSpec], strict: Bool, keys: EDMKeys,
                      progress: ((Int, Int) -> Void)?) throws(EDMError) -> Built {
        var table = CSVTable(csv)
        func located(_ error: EDMError) -> EDMError { var e = error; e.file = file; return e }
        var header: [String] = []
        do {
            while try table.next() {
                if table.isBlank { continue }
                header = table.fields.indices.map { table.string($0).trimmingCharacters(in: .whitespaces) }
                break
            }
        } catch { throw located(error) }
        guard !header.isEmpty else { throw EDMError(.noHeader, "no header row (the first line must name the columns)", file: file, line: 1) }
        let headerLine = table.recordLine
        var seen = Set<String>()
        for name in header where !name.isEmpty {
            if !seen.insert(name).inserted {
                throw EDMError(.duplicateHeader, "the header names column '\(name)' twice", file: file, line: headerLine)
            }
        }
        var positions: [Int] = []
        for spec in specs {
            guard let position = header.firstIndex(of: spec.name) else {
                let known = header.filter { !$0.isEmpty }.map { "'\($0)'" }.joined(separator: ", ")
                throw EDMError(.unknownColumn, "column '\(spec.name)' is not in the header (it has \(known))", file: file, line: headerLine)
            }
            positions.append(position)
        }
        var columns = specs.map { IndexColumn(name: $0.name, type: $0.type, maxTokens: 0, minLength: Int.max, maxLength: 0) }
        var report = BuildReport()
        report.expectedFields = header.count
        var entries: [IndexEntry] = []
        entries.reserveCapacity(min(csv.count / 8, 1 << 26))
        var rowFingerprints: [UInt64] = []
        var rowBytes: [UInt8] = []
        var normal: [UInt8] = []
        var scratch: [UInt8] = []
        var lastProgress = 0
        while true {
            do {
                guard try table.next() else { break }
            } catch { throw located(error) }
            if let progress, table.offset - lastProgress >= 1 << 20 {
                progress(table.offset, csv.count)
                lastProgress = table.offset
            }
            if table.isBlank { continue }
            guard table.fields.count == header.count else {
                if strict {
                    throw EDMError(.fieldCount, "record has \(table.fields.count) fields; the header has \(header.count)", file: file, line: table.recordLine)
                }
                report.badRows += 1
                if report.badRowLines.count < 100 { report.badRowLines.append(table.recordLine) }
                continue
            }
            guard rowFingerprints.count < IndexFormat.maxRows else {
                throw EDMError(.tooLarge, "more than \(IndexFormat.maxRows) rows", file: file, line: table.recordLine)
            }
            let row = UInt64(rowFingerprints.count)
            rowBytes.removeAll(keepingCapacity: true)
            let before = entries.count
            for (column, position) in positions.enumerated() {
                let type = specs[column].type
                let outcome = table.withField(position) { cell -> CellOutcome in
                    let blank = Normaliser.isASCII(cell) ? Normaliser.isBlankASCII(cell)
                                                        : String(decoding: cell, as: UTF8.self).allSatisfy(\.isWhitespace)
                    if blank { return .empty }
                    return Normaliser.normalise(cell, as: type, into: &normal, scratch: &scratch) ? .value : .invalid
                }
                switch outcome {
                case .empty:
                    report.emptyCells += 1
                    continue
                case .invalid:
                    report.invalidCells[specs[column].name, default: 0] += 1
                    continue
                case .value:
                    break
                }
                let tokens = specs[column].type.isTokenSequence ? normal.reduce(1) { $1 == 32 ? $0 + 1 : $0 } : 1
                columns[column].maxTokens = max(columns[column].maxTokens, tokens)
                columns[column].minLength = min(columns[column].minLength, normal.count)
                columns[column].maxLength = max(columns[column].maxLength, normal.count)
                entries.append(IndexEntry(fingerprint: keys.fingerprint(type, normal), meta: row << 32 | UInt64(column)))
                rowBytes.append(UInt8(column))
                rowBytes.append(UInt8(truncatingIfNeeded: normal.count))
                rowBytes.append(UInt8(truncatingIfNeeded: normal.count >> 8))
                rowBytes.append(contentsOf: normal)
            }
            if entries.count == before { continue }
            report.cells += entries.count - before
            rowFingerprints.append(keys.rows.hash(tag: 0, rowBytes))
        }
        report.rows = rowFingerprints.count
        for index in columns.indices where columns[index].minLength == Int.max {
            columns[index].minLength = 0
            columns[index].maxTokens = 0
        }
        sortEntries(&entries)
        progress?(csv.count, csv.count)
        return Built(columns: columns, entries: entries, rowFingerprints: rowFingerprints, report: report)
    }

    /// Sorts entries by (fingerprint, meta) in place: the entries are first distributed by the top
    /// 16 bits of their fingerprint (American flag sort: one counting pass, one permutation pass,
    /// no second buffer), then each bucket (a few dozen entries of uniformly random keys) is
    /// sorted on its own.
    static func sortEntries(_ entries: inout [IndexEntry]) {
        func less(_ a: IndexEntry, _ b: IndexEntry) -> Bool { (a.fingerprint, a.meta) < (b.fingerprint, b.meta) }
        guard entries.count > 1 << 12 else { entries.sort(by: less); return }
        let buckets = 1 << 16
        @inline(__always) func bucket(_ entry: IndexEntry) -> Int { Int(truncatingIfNeeded: entry.fingerprint >> 48) }
        entries.withUnsafeMutableBufferPointer { all in
            var starts = [Int](repeating: 0, count: buckets + 1)
            for entry in all { starts[bucket(entry) + 1] += 1 }
            for index in 0..<buckets { starts[index + 1] += starts[index] }
            var next = Array(starts[0..<buckets])
            for home in 0..<buckets {
                let end = starts[home + 1]
                while next[home] < end {
                    // Carry the entry at the first unplaced slot of `home` to its bucket, picking up
                    // the one there, until one belongs in `home`.
                    var carried = all[next[home]]
                    var target = bucket(carried)
                    while target != home {
                        swap(&carried, &all[next[target]])
                        next[target] += 1
                        target = bucket(carried)
                    }
                    all[next[home]] = carried
                    next[home] += 1
                }
            }
            for home in 0..<buckets where starts[home + 1] - starts[home] > 1 {
                var part = UnsafeMutableBufferPointer(rebasing: all[starts[home]..<starts[home + 1]])
                part.sort(by: less)
            }
        }
    }

    /// Writes the index; returns its size in bytes.
    static func write(_ built: Built, keys: EDMKeys, to output: String) throws(EDMError) -> Int {
        let sections = layout(built, keys: keys)
        let directory = (output as NSString).deletingLastPathComponent.isEmpty ? "." : (output as NSString).deletingLastPathComponent
        let temp = "\(directory)/.\((output as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw EDMError(.writeFailed, "cannot create \(temp): \(String(cString: strerror(errno)))", file: output) }
        var ok = true
        func put(_ raw: UnsafeRawBufferPointer) {
            var offset = 0
            while ok && offset < raw.count {
                let written = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 { if errno == EINTR { continue }; ok = false; return }
                offset += written
            }
        }
        sections.header.withUnsafeBytes(put)
        sections.directory.withUnsafeBytes(put)
        built.entries.withUnsafeBytes(put)
        built.rowFingerprints.withUnsafeBytes(put)
        sections.filters.withUnsafeBytes(put)
        if ok && fsync(fd) != 0 { ok = false }
        let error = errno
        close(fd)
        guard ok, rename(temp, output) == 0 else {
            let reason = String(cString: strerror(ok ? errno : error))
            unlink(temp)
            throw EDMError(.writeFailed, "cannot write the index: \(reason)", file: output)
        }
        return sections.header.count + sections.directory.count * 4 + built.entries.count * 16 + built.rowFingerprints.count * 8
            + sections.filters.count * 8
    }

    /// The filter of each type tag 1...7 (see ``IndexFormat``): its bits F, and all filters' words
    /// one after the other.
    static func filters(_ built: Built) -> (bits: [UInt8], words: [UInt64]) {
        var counts = [Int](repeating: 0, count: IndexFormat.filterTypes + 1)
        let tags = built.columns.map { Int($0.type.tag) }
        for entry in built.entries { counts[tags[Int(truncatingIfNeeded: entry.meta & 0xFFFF)]] += 1 }
        var bits: [UInt8] = []
        var words: [UInt64] = []
        var starts = [Int](repeating: 0, count: IndexFormat.filterTypes + 1)
        for tag in 1...IndexFormat.filterTypes {
            let b = IndexFormat.filterBits(entries: counts[tag])
            bits.append(UInt8(b))
            starts[tag] = words.count
            words.append(contentsOf: repeatElement(0, count: 1 << b))
        }
        words.withUnsafeMutableBufferPointer { all in
            for entry in built.entries {
                let tag = tags[Int(truncatingIfNeeded: entry.meta & 0xFFFF)]
                let b = Int(bits[tag - 1])
                all[starts[tag] + IndexFormat.filterWord(entry.fingerprint, bits: b)] |= IndexFormat.filterMask(entry.fingerprint)
            }
        }
        return (bits, words.map { $0.littleEndian })
    }

    /// Header (with checksum) and directory (padded to 8 bytes) for `built`.
    static func layout(_ built: Built, keys: EDMKeys) -> (header: [UInt8], directory: [UInt32], filters: [UInt64]) {
        let bits = IndexFormat.directoryBits(entries: built.entries.count)
        let slots = 1 << bits
        var directory = [UInt32](repeating: 0, count: slots + 1 + ((slots + 1) % 2))
        var entryIndex = 0
        for slot in 0...slots {
            while entryIndex < built.entries.count && IndexFormat.slot(built.entries[entryIndex].fingerprint, bits: bits) < slot { entryIndex += 1 }
            directory[slot] = UInt32(entryIndex)
        }
        if directory.count > slots + 1 { directory[slots + 1] = 0 }
        var header = [UInt8](repeating: 0, count: IndexFormat.fixedHeader)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { header[offset + i] = b } }
        }
        header.replaceSubrange(0..<8, with: IndexFormat.magic)
        put(IndexFormat.version, at: 8)
        header.replaceSubrange(16..<32, with: keys.keyID)
        put(UInt64(built.rowFingerprints.count), at: 32)
        put(UInt64(built.entries.count), at: 40)
        put(UInt32(bits), at: 48)
        put(UInt32(built.columns.count), at: 52)
        for column in built.columns {
            let name = Array(column.name.utf8.prefix(Int(UInt16.max)))
            header.append(column.type.tag)
            header.append(UInt8(min(column.maxTokens, 255)))
            for value in [column.minLength, column.maxLength, name.count] {
                let v = UInt16(min(value, Int(UInt16.max)))
                header.append(UInt8(v & 0xFF))
                header.append(UInt8(v >> 8))
            }
            header.append(contentsOf: name)
        }
        let filters = IndexBuilder.filters(built)
        header.append(contentsOf: filters.bits)
        while header.count % 8 != 0 { header.append(0) }
        put(UInt32(header.count), at: 12)
        var checksum = IndexChecksum()
        header.withUnsafeBytes { raw in
            checksum.update(UnsafeRawBufferPointer(rebasing: raw[0..<IndexFormat.checksumOffset]))
            checksum.update(UnsafeRawBufferPointer(rebasing: raw[IndexFormat.fixedHeader...]))
        }
        directory.withUnsafeBytes { checksum.update($0) }
        built.entries.withUnsafeBytes { checksum.update($0) }
        built.rowFingerprints.withUnsafeBytes { checksum.update($0) }
        filters.words.withUnsafeBytes { checksum.update($0) }
        put(checksum.value, at: IndexFormat.checksumOffset)
        return (header, directory, filters.words)
    }
}

@inline(__always)
func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
