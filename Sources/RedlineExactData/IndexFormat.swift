/// The EDM index file format, version 2 (a reader also reads version 1, which has no filters).
/// All integers little-endian; every section starts on an 8-byte boundary. The file holds no cell
/// value in any form: only 64-bit keyed fingerprints and bits derived from them.
///
/// ```
/// offset size  field
///      0    8  magic "RLEDMIX\0"
///      8    4  format version (2); a reader refuses a newer one
///     12    4  header size H in bytes (fixed part + column table + filter table, padded to 8)
///     16   16  key identifier: HMAC-SHA256(key, "redline-edm key-id v1")[0..<16]
///     32    8  row count R
///     40    8  entry count E (indexed cells)
///     48    4  directory bits B (the directory has 2^B + 1 slots)
///     52    4  column count C
///     56    8  checksum over bytes 0..<56 and 64..<end (see ``IndexChecksum``)
///     64       column table, C times: type tag u8, max tokens u8, min length u16, max length u16,
///              name length u16, name (UTF-8)
///              filter table (version 2): 7 × u8, F(t) for the type tags t = 1...7; then zero
///              padding to H
///      H       directory: (2^B + 1) × u32, slot k = first entry whose fingerprint's top B bits ≥ k;
///              zero padding to 8
///              entries: E × 16 bytes, sorted by (fingerprint, row):
///                fingerprint u64 = SipHash-2-4(cell key, type tag ‖ normalised value)
///                column u16, reserved u16 (0), row u32 (as one u64: row << 32 | column)
///              row fingerprints: R × u64 = SipHash-2-4(row key, the row's indexed normalised cells)
///              filters (version 2): for each type tag t = 1...7, 2^F(t) × u64 words: a blocked
///                Bloom filter of the fingerprints of that type (see ``filterWord(_:bits:)``)
/// ```
///
/// The filters let a scan reject most text values that are not in the table with one read of a
/// small table (about 8 to 16 bits per indexed cell of the type) instead of a search of the
/// directory and entries, which are too large for the processor's caches. A filter only says "may
/// be present": every value it passes is still looked up.
///
/// False matches: a text value that is not in the table matches an entry only if its 64-bit
/// fingerprint equals one of the E stored ones, probability E / 2^64 per value looked up (about
/// 3 × 10⁻¹² for a 10-million-row table of 6 columns). A finding also needs a primary value and
/// its corroborating values to fall on the same row, which multiplies such chances.
/// Size: 16 bytes per entry + at most 4 bytes of directory and 2 bytes of filter per entry + 8
/// bytes per row.
public enum IndexFormat {
    public static let magic: [UInt8] = Array("RLEDMIX".utf8) + [0]
    public static let version: UInt32 = 2
    public static let fixedHeader = 64
    public static let entrySize = 16
    public static let checksumOffset = 56
    /// Largest number of columns and rows an index may hold.
    public static let maxColumns = 64
    public static let maxRows = Int(UInt32.max - 1)

    /// Directory bits for `entries` entries: about two entries per slot.
    public static func directoryBits(entries: Int) -> Int {
        var bits = 0
        while bits < 30 && (1 << (bits + 1)) <= entries / 2 { bits += 1 }
        return bits
    }

    @inline(__always)
    public static func slot(_ fingerprint: UInt64, bits: Int) -> Int {
        bits == 0 ? 0 : Int(truncatingIfNeeded: fingerprint >> UInt64(64 - bits))
    }

    /// The types with a filter, by tag (1...7).
    public static let filterTypes = 7
    /// Largest filter: 2^this words.
    public static let maxFilterBits = 30

    /// Filter bits F for `entries` fingerprints of one type: the fewest 64-bit words giving at
    /// least 8 bits per fingerprint (8 to 16 bits: about 3.4 % to 0.6 % of absent values pass, by
    /// simulation of 1,000,000 random fingerprints at 8.4 bits and 600,000 at 14 bits: 3.3 %, 1.1 %).
    public static func filterBits(entries: Int) -> Int {
        var bits = 0
        while bits < maxFilterBits && (64 << bits) < 8 * entries { bits += 1 }
        return bits
    }

    /// The word of a filter of 2^`bits` words that holds `fingerprint`'s bits (its low bits).
    @inline(__always)
    public static func filterWord(_ fingerprint: UInt64, bits: Int) -> Int {
        Int(truncatingIfNeeded: fingerprint & ((1 << UInt64(bits)) - 1))
    }

    /// The three bits of that word set for `fingerprint` (from its bits 40 to 57).
    @inline(__always)
    public static func filterMask(_ fingerprint: UInt64) -> UInt64 {
        1 << ((fingerprint >> 40) & 63) | 1 << ((fingerprint >> 46) & 63) | 1 << ((fingerprint >> 52) & 63)
    }
}

/// A column as an index records it.
public struct IndexColumn: Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    /// Longest indexed value in tokens (name and text columns; 1 for the others).
    public var maxTokens: Int
    /// Shortest and longest normalised value in bytes.
    public var minLength: Int
    public var maxLength: Int

    public init(name: String, type: ColumnType, maxTokens: Int = 1, minLength: Int = 0, maxLength: Int = 0) {
        self.name = name
        self.type = type
        self.maxTokens = maxTokens
        self.minLength = minLength
        self.maxLength = maxLength
    }
}

/// A fast 64-bit checksum over 8-byte words (corruption and truncation detection; the index's
/// secrecy rests on the key, not on this). Four independent lanes take the words in turn (word i
/// goes to lane i mod 4, counted across calls), so a gigabyte is summed at memory speed; the result
/// does not depend on how the input is split, as long as every piece but the last is a multiple of
/// 8 bytes.
public struct IndexChecksum {
    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x5265_646C_696E_6545, 0x4544_4D20_696E_6465, 0x7820_7631_2E30_0001, 0x9E37_79B9_7F4A_7C15)
    private var words = 0
    private var tail: UInt64 = 0

    public init() {}

    @inline(__always)
    private static func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
        var x = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        return x
    }

    @inline(__always)
    private mutating func add(_ word: UInt64) {
        switch words & 3 {
        case 0: lanes.0 = IndexChecksum.mix(lanes.0, word)
        case 1: lanes.1 = IndexChecksum.mix(lanes.1, word)
        case 2: lanes.2 = IndexChecksum.mix(lanes.2, word)
        default: lanes.3 = IndexChecksum.mix(lanes.3, word)
        }
        words += 1
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count / 8
        var index = 0
        while index < count && words & 3 != 0 {
            add(bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            index += 1
        }
        var (a, b, c, d) = lanes
        while index + 4 <= count {
            let base = index * 8
            a = IndexChecksum.mix(a, bytes.loadUnaligned(fromByteOffset: base, as: UInt64.self))
            b = IndexChecksum.mix(b, bytes.loadUnaligned(fromByteOffset: base + 8, as: UInt64.self))
            c = IndexChecksum.mix(c, bytes.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self))
            d = IndexChecksum.mix(d, bytes.loadUnaligned(fromByteOffset: base + 24, as: UInt64.self))
            index += 4
            words += 4
        }
        lanes = (a, b, c, d)
        while index < count {
            add(bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            index += 1
        }
        for offset in (count * 8)..<bytes.count {
            tail = IndexChecksum.mix(tail, UInt64(bytes[offset]) | 0x100)
        }
    }

    public var value: UInt64 {
        var h = IndexChecksum.mix(lanes.0, lanes.1)
        h = IndexChecksum.mix(h, lanes.2)
        h = IndexChecksum.mix(h, lanes.3)
        h = IndexChecksum.mix(h, tail)
        return IndexChecksum.mix(h, UInt64(words))
    }
}
