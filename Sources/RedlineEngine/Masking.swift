import Crypto
import RedlineCore
import RedlineDetectors
import RedlinePolicy

/// How one detector's findings are rewritten in redacted output.
struct RedactionPlan: Sendable {
    let detector: String
    let style: RedactionStyle
    let label: String
    let keepLastDigits: Int

    init(spec: DetectorSpec, kind: DetectorKind) {
        detector = spec.id.value
        // Cards default to the PCI mask; everything else to its label.
        if spec.redactionWasSet {
            style = spec.redaction
        } else {
            style = kind.id == "payment_card" ? .mask : .label
        }
        label = spec.label ?? kind.defaultLabel
        keepLastDigits = kind.maskKeepsLastDigits
    }
}

/// The one place where matched text is turned into something safe to show: masked excerpts for
/// reports and keyed hashes for fingerprints.
enum Masking {
    /// A one-line masked rendering of normalised match bytes: letters and digits become `*`
    /// (except the last `keepLastDigits` digits), other ASCII punctuation stays, line breaks
    /// become spaces, non-ASCII characters become `*`.
    static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, keepLastDigits: Int) -> String {
        var digitsLeft = 0
        if keepLastDigits > 0 {
            for index in range where bytes[index] >= 48 && bytes[index] <= 57 { digitsLeft += 1 }
        }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte >= 0x80 {
                // One `*` per scalar.
                if byte & 0xC0 != 0x80 { out.append(42) }
            } else if byte >= 48 && byte <= 57 {
                out.append(keepLastDigits > 0 && digitsLeft <= keepLastDigits ? byte : 42)
                digitsLeft -= 1
            } else if (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) {
                out.append(42)
            } else if byte == 10 || byte == 13 || byte == 9 {
                if out.last != 32 { out.append(32) }
            } else if byte < 32 || byte == 127 {
                out.append(63)
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// HMAC-SHA256(key, detector ‖ 0 ‖ value), hex, truncated to `length` bytes.
    static func keyedHash(_ key: [UInt8], detector: String, value: [UInt8], length: Int = 16) -> String {
        var message = Array(detector.utf8)
        message.append(0)
        message.append(contentsOf: value)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return Hex.encode(Array(mac).prefix(length))
    }
}

enum Hex {
    static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A position in a text: byte offset, 1-based line and column (Unicode scalars), scalar offset.
public struct TextPosition: Sendable, Hashable {
    public var offset = 0
    public var line = 1
    public var column = 1
    public var scalar = 0
    public init() {}

    /// Moves forward over `bytes[offset ..< target]` (offsets relative to `bytes`, shifted by `base`).
    mutating func advance(over bytes: UnsafeBufferPointer<UInt8>, base: Int, to target: Int) {
        var index = offset - base
        let end = target - base
        // Eight bytes at a time while there is no line break: count the characters (bytes that
        // are not UTF-8 continuation bytes, 10xxxxxx).
        if let pointer = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let high: UInt64 = 0x8080_8080_8080_8080
            let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            while index + 8 <= end {
                let word = UnsafeRawPointer(pointer + index).loadUnaligned(as: UInt64.self)
                let continuation = word & ~(word << 1) & high
                let characters = 8 - continuation.nonzeroBitCount
                scalar += characters
                // High bit set exactly on the bytes equal to "\n".
                let x = word ^ (ones &* 10)
                let newlines = ~(((x & low7) &+ low7) | x | low7)
                if newlines == 0 {
                    column += characters
                } else {
                    line += newlines.nonzeroBitCount
                    // Column restarts after the last line break: 1 + characters after it.
                    let lastByte = (63 - newlines.leadingZeroBitCount) / 8
                    let after: UInt64 = lastByte == 7 ? 0 : ~UInt64(0) << UInt64((lastByte + 1) * 8)
                    column = 1 + (high & after).nonzeroBitCount - (continuation & after).nonzeroBitCount
                }
                index += 8
            }
        }
        while index < end {
            let byte = bytes[index]
            if byte == 10 {
                line += 1
                column = 1
                scalar += 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
                scalar += 1
            }
            index += 1
        }
        offset = target
    }
}
