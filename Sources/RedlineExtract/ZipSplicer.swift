import Foundation
import ZIPFoundation

/// Writes a ZIP archive again with some entries' contents replaced, copying every other entry
/// byte for byte: its local header (name, date, extra fields, flags), its compressed data and
/// its data descriptor, and its central-directory record (comment and attributes included).
/// Only the offsets move. A replaced entry keeps its header fields except what its new content
/// changes (CRC-32, sizes; a data descriptor is no longer used), and its compression method
/// (deflate, by zlib through ZIPFoundation, or stored). The archive comment is kept.
///
/// The central directory is read here (ZIPFoundation does not expose record offsets); its
/// records are paired with ZIPFoundation's entries in order, so a replaced entry is named as the
/// reader names it. ZIP64 archives, archives spanning disks and entries whose records disagree
/// are refused (X012): the caller then blocks or strips the file.
enum ZipSplicer {
    struct Record {
        /// The central-directory record's bytes (46 bytes, name, extra field, comment).
        var central: [UInt8]
        var localOffset: Int
        var compressedSize: Int
        var flags: UInt16
    }

    /// `data` with the entries named in `replacing` (ZIPFoundation's `Entry.path`) holding new
    /// contents.
    static func splice(_ data: Data, entries: [Entry], replacing: [String: Data]) throws(ExtractProblem) -> Data {
        let bytes = [UInt8](data)
        let (records, endRecord) = try directory(bytes)
        guard records.count == entries.count else { throw refuse("its central directory and its entries disagree") }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var central: [UInt8] = []
        var used = Set<String>()
        for (record, entry) in zip(records, entries) {
            let offset = record.localOffset
            guard offset + 30 <= bytes.count, le32(bytes, offset) == 0x0403_4B50 else { throw refuse("a local header is missing") }
            let headerLength = 30 + Int(le16(bytes, offset + 26)) + Int(le16(bytes, offset + 28))
            var centralRecord = record.central
            let newOffset = out.count
            guard newOffset <= 0xFFFF_FFF0 else { throw refuse("the archive would need ZIP64") }
            if let replacement = replacing[entry.path], entry.type == .file {
                used.insert(entry.path)
                let method = le16(bytes, offset + 8)
                let (compressed, crc) = try encode(replacement, method: method)
                guard compressed.count < 0xFFFF_FFFF, replacement.count < 0xFFFF_FFFF else { throw refuse("an entry would need ZIP64") }
                var header = Array(bytes[offset..<(offset + headerLength)])
                let flags = record.flags & ~UInt16(0x0008)
                put16(&header, 6, flags)
                put32(&header, 14, crc)
                put32(&header, 18, UInt32(compressed.count))
                put32(&header, 22, UInt32(replacement.count))
                out += header
                out += compressed
                put16(&centralRecord, 8, flags)
                put32(&centralRecord, 16, crc)
                put32(&centralRecord, 20, UInt32(compressed.count))
                put32(&centralRecord, 24, UInt32(replacement.count))
            } else {
                var end = offset + headerLength + record.compressedSize
                if record.flags & 0x0008 != 0 {
                    // A data descriptor follows: CRC-32 and sizes, with or without its signature.
                    end += end + 4 <= bytes.count && le32(bytes, end) == 0x0807_4B50 ? 16 : 12
                }
                guard end <= bytes.count else { throw refuse("an entry runs past the end of the archive") }
                out += bytes[offset..<end]
            }
            put32(&centralRecord, 42, UInt32(newOffset))
            central += centralRecord
        }
        guard used.count == replacing.count else { throw refuse("an entry to replace is not in the archive") }
        guard out.count <= 0xFFFF_FFF0 else { throw refuse("the archive would need ZIP64") }
        var end = endRecord
        put32(&end, 12, UInt32(central.count))
        put32(&end, 16, UInt32(out.count))
        return Data(out + central + end)
    }

    /// Deflated (method 8) or stored (0) bytes of `data`, and its CRC-32.
    static func encode(_ data: Data, method: UInt16) throws(ExtractProblem) -> (bytes: [UInt8], crc: UInt32) {
        switch method {
        case 0: return ([UInt8](data), data.crc32(checksum: 0))
        case 8:
            var compressed = Data()
            do {
                let crc = try Data.compress(size: Int64(data.count), bufferSize: 64 * 1024, provider: { position, size in
                    data.subdata(in: (data.startIndex + Int(position))..<(data.startIndex + Int(position) + size))
                }, consumer: { compressed.append($0) })
                return ([UInt8](compressed), crc)
            } catch {
                throw refuse("an entry cannot be compressed")
            }
        default: throw refuse("an entry uses a compression method that cannot be written")
        }
    }

    /// The central-directory records and the end-of-central-directory record (with its comment).
    static func directory(_ bytes: [UInt8]) throws(ExtractProblem) -> (records: [Record], end: [UInt8]) {
        guard bytes.count >= 22 else { throw refuse("no end of central directory") }
        var index = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while index >= lowest, le32(bytes, index) != 0x0605_4B50 { index -= 1 }
        guard index >= lowest else { throw refuse("no end of central directory") }
        let commentLength = Int(le16(bytes, index + 20))
        guard index + 22 + commentLength <= bytes.count else { throw refuse("a truncated end of central directory") }
        let end = Array(bytes[index..<(index + 22 + commentLength)])
        if le16(end, 4) != 0 || le16(end, 6) != 0 { throw refuse("an archive spanning several disks") }
        let count = Int(le16(end, 10))
        let size = Int(le32(end, 12))
        let start = Int(le32(end, 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || start == 0xFFFF_FFFF { throw refuse("a ZIP64 archive") }
        guard start + size <= index else { throw refuse("a central directory out of place") }
        var records: [Record] = []
        var at = start
        for _ in 0..<count {
            guard at + 46 <= start + size, le32(bytes, at) == 0x0201_4B50 else { throw refuse("a damaged central directory") }
            let length = 46 + Int(le16(bytes, at + 28)) + Int(le16(bytes, at + 30)) + Int(le16(bytes, at + 32))
            guard at + length <= start + size else { throw refuse("a damaged central directory") }
            let compressed = le32(bytes, at + 20)
            let uncompressed = le32(bytes, at + 24)
            let offset = le32(bytes, at + 42)
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF { throw refuse("a ZIP64 entry") }
            records.append(Record(central: Array(bytes[at..<(at + length)]), localOffset: Int(offset),
                                  compressedSize: Int(compressed), flags: le16(bytes, at + 8)))
            at += length
        }
        return (records, end)
    }

    static func refuse(_ why: String) -> ExtractProblem {
        ExtractProblem(ExtractCode.notRewritable, "the archive cannot be rewritten: \(why)")
    }

    static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(le16(bytes, at)) | UInt32(le16(bytes, at + 2)) << 16 }
    static func put16(_ bytes: inout [UInt8], _ at: Int, _ value: UInt16) {
        bytes[at] = UInt8(value & 0xFF)
        bytes[at + 1] = UInt8(value >> 8)
    }
    static func put32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        put16(&bytes, at, UInt16(value & 0xFFFF))
        put16(&bytes, at + 2, UInt16(value >> 16))
    }
}
