import Foundation
import ZIPFoundation

/// A ZIP archive read through ZIPFoundation, with the checks an untrusted archive needs: entry
/// count, unsafe (`../`, absolute) and duplicate names, encryption, declared and actual
/// expansion (per-message budget and ratio), CRC. Entries are read into memory or streamed in
/// chunks; nothing is ever written to disk.
final class ZipContainer {
    let archive: Archive
    /// Files (no directories, no symlinks), in archive order.
    let files: [Entry]
    private let budget: ExtractBudget
    private let byPath: [String: Entry]

    /// Opens an archive held in memory.
    convenience init(data: Data, budget: ExtractBudget) throws(ExtractProblem) {
        if ZipContainer.hasEncryptedEntries(data) {
            throw ExtractProblem(ExtractCode.encrypted, "an encrypted archive")
        }
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch {
            throw ExtractProblem(ExtractCode.corrupt, "a corrupt or truncated ZIP archive")
        }
        try self.init(archive: archive, budget: budget)
    }

    /// Opens an archive file (read in chunks, never whole).
    convenience init(path: String, budget: ExtractBudget) throws(ExtractProblem) {
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            if let size = try? handle.seekToEnd(), size > 0 {
                let tail = min(size, 65_557 + 22)
                try? handle.seek(toOffset: size - tail)
                if let end = try? handle.read(upToCount: Int(tail)), let directory = ZipContainer.centralDirectory(inTail: end, fileSize: Int(size)) {
                    try? handle.seek(toOffset: UInt64(directory.offset))
                    if let records = try? handle.read(upToCount: min(directory.size, 64 * 1024 * 1024)),
                       ZipContainer.encryptedFlag(inDirectory: records) {
                        throw ExtractProblem(ExtractCode.encrypted, "an encrypted archive")
                    }
                }
            }
        }
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw ExtractProblem(ExtractCode.corrupt, "a corrupt or truncated ZIP archive")
        }
        try self.init(archive: archive, budget: budget)
    }

    private init(archive: Archive, budget: ExtractBudget) throws(ExtractProblem) {
        self.archive = archive
        self.budget = budget
        var files: [Entry] = []
        var seen = Set<String>()
        var count = 0
        for entry in archive {
            count += 1
            if count > budget.limits.entries {
                throw ExtractProblem(ExtractCode.tooManyEntries, "more than \(budget.limits.entries) entries in one archive")
            }
            let path = entry.path
            if ZipContainer.isUnsafe(path) {
                throw ExtractProblem(ExtractCode.unsafeName, "an entry name climbs out of the archive (../) or is absolute")
            }
            if !seen.insert(path).inserted {
                throw ExtractProblem(ExtractCode.duplicateName, "two entries have the same name")
            }
            if entry.type == .file { files.append(entry) }
        }
        try budget.charge(entries: count)
        self.files = files
        byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var names: Set<String> { Set(byPath.keys) }

    func entry(_ path: String) -> Entry? { byPath[path] }

    /// An entry's bytes, charged to the budget (declared sizes are checked first).
    func read(_ entry: Entry) throws(ExtractProblem) -> Data {
        var data = Data()
        try stream(entry) { chunk in data.append(chunk) }
        return data
    }

    /// Streams an entry's bytes in chunks, checking budget, ratio and time as they come.
    func stream(_ entry: Entry, chunkSize: Int = 64 * 1024, _ consume: (Data) throws(ExtractProblem) -> Void) throws(ExtractProblem) {
        let limits = budget.limits
        let declared = Int(clamping: entry.uncompressedSize)
        let compressed = max(Int(clamping: entry.compressedSize), 1)
        if declared > limits.expandedBytes {
            throw ExtractProblem(ExtractCode.tooLarge, "an entry declares more than \(limits.expandedBytes / (1024 * 1024)) MiB")
        }
        if declared > ZipContainer.ratioFloor && declared / compressed > limits.ratio {
            throw ExtractProblem(ExtractCode.ratio, "an entry expands more than \(limits.ratio):1")
        }
        var produced = 0
        let budget = self.budget
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, bufferSize: chunkSize, skipCRC32: false) { chunk in
                produced += chunk.count
                try budget.charge(expanded: chunk.count)
                if produced > ZipContainer.ratioFloor && produced / compressed > limits.ratio {
                    throw ExtractProblem(ExtractCode.ratio, "an entry expands more than \(limits.ratio):1")
                }
                if produced > declared + chunkSize {
                    throw ExtractProblem(ExtractCode.corrupt, "an entry expands past its declared size")
                }
                try budget.checkTime()
                try consume(chunk)
            }
        } catch let problem as ExtractProblem {
            throw problem
        } catch {
            throw ExtractProblem(ExtractCode.corrupt, "a corrupt or truncated archive entry")
        }
        if checksum != entry.checksum || produced != declared {
            throw ExtractProblem(ExtractCode.corrupt, "an archive entry fails its checksum")
        }
    }

    /// Entries smaller than this expand as they like (a 4 KiB run of spaces is no bomb).
    static let ratioFloor = 1024 * 1024

    /// `../` anywhere, a leading `/` or `\`, or a drive letter (`C:`).
    static func isUnsafe(_ path: String) -> Bool {
        if path.hasPrefix("/") || path.hasPrefix("\\") { return true }
        let bytes = Array(path.utf8)
        if bytes.count >= 2 && bytes[1] == UInt8(ascii: ":") { return true }
        return path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains { $0 == ".." }
    }

    // MARK: The encryption flag (general purpose bit 0) from the central directory.

    static func hasEncryptedEntries(_ data: Data) -> Bool {
        let tail = data.suffix(65_557 + 22)
        guard let directory = centralDirectory(inTail: tail, fileSize: data.count),
              directory.offset + directory.size <= data.count else { return false }
        return encryptedFlag(inDirectory: data[(data.startIndex + directory.offset)..<(data.startIndex + directory.offset + directory.size)])
    }

    /// Offset and size of the central directory from the end-of-central-directory record.
    static func centralDirectory(inTail tail: Data, fileSize: Int) -> (offset: Int, size: Int)? {
        let bytes = [UInt8](tail)
        guard bytes.count >= 22 else { return nil }
        var index = bytes.count - 22
        while index >= 0 {
            if bytes[index] == 0x50 && bytes[index + 1] == 0x4B && bytes[index + 2] == 5 && bytes[index + 3] == 6 {
                let size = Int(le32(bytes, index + 12))
                let offset = Int(le32(bytes, index + 16))
                guard offset != 0xFFFF_FFFF, offset + size <= fileSize else { return nil }
                return (offset, size)
            }
            index -= 1
        }
        return nil
    }

    static func encryptedFlag(inDirectory directory: Data) -> Bool {
        let bytes = [UInt8](directory)
        var index = 0
        while index + 46 <= bytes.count {
            guard bytes[index] == 0x50, bytes[index + 1] == 0x4B, bytes[index + 2] == 1, bytes[index + 3] == 2 else { return false }
            if bytes[index + 8] & 1 != 0 { return true }
            let names = Int(le16(bytes, index + 28)) + Int(le16(bytes, index + 30)) + Int(le16(bytes, index + 32))
            index += 46 + names
        }
        return false
    }

    private static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(le16(bytes, at)) | UInt32(le16(bytes, at + 2)) << 16 }
}
