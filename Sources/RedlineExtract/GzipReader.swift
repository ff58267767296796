import Foundation
import ZIPFoundation

/// A gzip member (RFC 1952): the header is read here, the deflate stream is inflated by zlib
/// through ZIPFoundation's `Data.decompress`, and the trailer's CRC-32 and size are checked.
/// Only the first member is read. Output is streamed in chunks and charged to the budget.
enum GzipReader {
    struct Header {
        var dataStart: Int
        /// FNAME, when present (raw: mask before printing).
        var name: String?
    }

    static func header(_ data: Data) throws(ExtractProblem) -> Header {
        let bytes = [UInt8](data.prefix(64 * 1024))
        guard bytes.count >= 18, bytes[0] == 0x1F, bytes[1] == 0x8B else { throw corrupt }
        guard bytes[2] == 8 else { throw ExtractProblem(ExtractCode.unsupported, "a gzip file with an unknown compression method") }
        let flags = bytes[3]
        if flags & 0xE0 != 0 { throw corrupt }
        var index = 10
        if flags & 0x04 != 0 {   // FEXTRA
            guard index + 2 <= bytes.count else { throw corrupt }
            index += 2 + Int(bytes[index]) | Int(bytes[index + 1]) << 8
        }
        var name: String?
        if flags & 0x08 != 0 {   // FNAME, zero-terminated
            guard let end = bytes[min(index, bytes.count)...].firstIndex(of: 0) else { throw corrupt }
            name = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end + 1
        }
        if flags & 0x10 != 0 {   // FCOMMENT
            guard let end = bytes[min(index, bytes.count)...].firstIndex(of: 0) else { throw corrupt }
            index = end + 1
        }
        if flags & 0x02 != 0 { index += 2 }   // FHCRC
        guard index + 8 <= data.count else { throw corrupt }
        return Header(dataStart: index, name: name)
    }

    /// Inflates the member, handing out chunks of at most `chunkSize` bytes.
    static func inflate(_ data: Data, budget: ExtractBudget, chunkSize: Int = 64 * 1024,
                        _ consume: (Data) throws(ExtractProblem) -> Void) throws(ExtractProblem) {
        let head = try header(data)
        let start = data.startIndex + head.dataStart
        let compressedEnd = data.endIndex - 8
        let compressed = max(compressedEnd - start, 1)
        let limits = budget.limits
        var produced = 0
        let checksum: CRC32
        do {
            checksum = try Data.decompress(size: Int64(compressed), bufferSize: chunkSize, skipCRC32: false, provider: { position, size in
                let from = start + Int(position)
                // zlib asks for more until the stream ends: running out first is a truncated file
                // (and ZIPFoundation's loop would spin on an empty chunk).
                guard from < data.endIndex else { throw ExtractProblem(ExtractCode.corrupt, "a truncated gzip file") }
                // ZIPFoundation sets zlib's avail_in to the requested size whatever the chunk holds:
                // always return that many bytes (zero-padded past the end) so zlib never reads past it.
                var chunk = Data(data[from..<min(from + size, data.endIndex)])
                if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                return chunk
            }, consumer: { chunk in
                produced += chunk.count
                try budget.charge(expanded: chunk.count)
                if produced > ZipContainer.ratioFloor && produced / compressed > limits.ratio {
                    throw ExtractProblem(ExtractCode.ratio, "a gzip file expands more than \(limits.ratio):1")
                }
                try budget.checkTime()
                try consume(chunk)
            })
        } catch let problem as ExtractProblem {
            throw problem
        } catch {
            throw corrupt
        }
        let trailer = [UInt8](data.suffix(8))
        let crc = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        let size = UInt32(trailer[4]) | UInt32(trailer[5]) << 8 | UInt32(trailer[6]) << 16 | UInt32(trailer[7]) << 24
        // The last 8 bytes are the trailer of a single-member file (a multi-member file fails here: unscannable).
        if crc != checksum || size != UInt32(truncatingIfNeeded: produced) {
            throw ExtractProblem(ExtractCode.corrupt, "a gzip file fails its checksum (or holds several members)")
        }
    }

    /// The name of what a gzip file holds: its own name without `.gz` (`.tgz` → `.tar`), else the
    /// header's FNAME, else its own name.
    static func innerName(outer: String, header: Header) -> String {
        var inner = outer
        if inner.lowercased().hasSuffix(".gz") { inner.removeLast(3) } else if inner.lowercased().hasSuffix(".tgz") {
            inner.removeLast(4)
            inner += ".tar"
        } else if let name = header.name { inner = name }
        return inner
    }

    /// `original` (a gzip file) holding `content` instead: the original header kept byte for byte
    /// (name, time, flags), the content deflated by zlib, a new trailer.
    static func replacingContent(of original: Data, with content: Data) throws(ExtractProblem) -> Data {
        let head = try header(original)
        var out = Data(original.prefix(head.dataStart))
        let crc: UInt32
        do {
            crc = try Data.compress(size: Int64(content.count), bufferSize: 64 * 1024, provider: { position, size in
                content.subdata(in: (content.startIndex + Int(position))..<(content.startIndex + Int(position) + size))
            }, consumer: { out.append($0) })
        } catch {
            throw ExtractProblem(ExtractCode.notRewritable, "the gzip file cannot be compressed again")
        }
        for value in [crc, UInt32(truncatingIfNeeded: content.count)] {
            out.append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)])
        }
        return out
    }

    static var corrupt: ExtractProblem { ExtractProblem(ExtractCode.corrupt, "a corrupt or truncated gzip file") }
}
