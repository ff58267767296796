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
        // Every input byte gives at most one output byte: the string is written in place, with no
        // intermediate array.
        return String(unsafeUninitializedCapacity: range.count) { out in
            var count = 0
            var index = range.lowerBound
            while index < range.upperBound {
                let byte = bytes[index]
                var written: UInt8?
                if byte >= 0x80 {
                    // One `*` per scalar.
                    if byte & 0xC0 != 0x80 { written = 42 }
                } else if byte >= 48 && byte <= 57 {
                    written = keepLastDigits > 0 && digitsLeft <= keepLastDigits ? byte : 42
                    digitsLeft -= 1
                } else if (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) {
                    written = 42
                } else if byte == 10 || byte == 13 || byte == 9 {
                    if count == 0 || out[count - 1] != 32 { written = 32 }
                } else if byte < 32 || byte == 127 {
                    written = 63
                } else {
                    written = byte
                }
                if let written {
                    out[count] = written
                    count += 1
                }
                index += 1
            }
            return count
        }
    }

    /// HMAC-SHA256(key, detector ‖ 0 ‖ value), hex, truncated to `length` bytes. One-off form of
    /// ``FingerprintKeys``, which the scan uses.
    static func keyedHash(_ key: [UInt8], detector: String, value: [UInt8], length: Int = 16) -> String {
        var message = Array(detector.utf8)
        message.append(0)
        message.append(contentsOf: value)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return Hex.encode(Array(mac).prefix(length))
    }
}

/// The keyed fingerprint of a finding, HMAC-SHA256(key, detector ‖ 0 ‖ value) as 32 hex digits
/// (``Masking/keyedHash(_:detector:value:length:)``), with the keyed state made once per detector
/// (key and `detector ‖ 0` already absorbed): a finding's fingerprint copies that state, adds its
/// value and finalises, with no key setup and no message buffer.
struct FingerprintKeys: @unchecked Sendable {
    /// Per detector index. Immutable; each use copies the value.
    private let states: [HMAC<SHA256>]

    init(key: [UInt8], detectorIDs: [String]) {
        let symmetric = SymmetricKey(data: key)
        states = detectorIDs.map { id in
            var state = HMAC<SHA256>(key: symmetric)
            state.update(data: Array(id.utf8) + [0])
            return state
        }
    }

    func fingerprint(detector: Int, value: [UInt8]) -> String {
        var state = states[detector]
        state.update(data: value)
        let mac = state.finalize()
        return mac.withUnsafeBytes { Hex.encode(UnsafeRawBufferPointer(rebasing: $0.prefix(16))) }
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
        let start = offset - base
        let end = target - base
        guard start < end, let pointer = bytes.baseAddress else {
            offset = target
            return
        }
        // Characters are the bytes that are not UTF-8 continuation bytes (10xxxxxx). Eight bytes at
        // a time, line breaks and continuation bytes are counted in per-byte lanes (no population
        // count: the baseline x86-64 target has no POPCNT instruction) and summed every 255 words.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var newlines = 0
        var continuations = 0
        var index = start
        // Sixteen bytes at a time in vector lanes first (byte compares), at most 255 blocks per sum.
        let lineFeed = SIMD16<UInt8>(repeating: 10)
        let topTwo = SIMD16<UInt8>(repeating: 0xC0)
        let continuation = SIMD16<UInt8>(repeating: 0x80)
        while index + 16 <= end {
            var newlineLanes = SIMD16<UInt8>()
            var continuationLanes = SIMD16<UInt8>()
            var blocks = 0
            while blocks < 255 && index + 16 <= end {
                let block = UnsafeRawPointer(pointer + index).loadUnaligned(as: SIMD16<UInt8>.self)
                newlineLanes = newlineLanes.replacing(with: newlineLanes &+ 1, where: block .== lineFeed)
                continuationLanes = continuationLanes.replacing(with: continuationLanes &+ 1, where: (block & topTwo) .== continuation)
                index += 16
                blocks += 1
            }
            newlines += TextPosition.laneSum(newlineLanes)
            continuations += TextPosition.laneSum(continuationLanes)
        }
        while index + 8 <= end {
            var newlineLanes: UInt64 = 0
            var continuationLanes: UInt64 = 0
            var words = 0
            while words < 255 && index + 8 <= end {
                let word = UnsafeRawPointer(pointer + index).loadUnaligned(as: UInt64.self)
                continuationLanes &+= (word & ~(word << 1) & high) >> 7
                // High bit set exactly on the bytes equal to "\n".
                let x = word ^ (ones &* 10)
                newlineLanes &+= (~(((x & low7) &+ low7) | x | low7)) >> 7
                index += 8
                words += 1
            }
            newlines += TextPosition.laneSum(newlineLanes)
            continuations += TextPosition.laneSum(continuationLanes)
        }
        while index < end {
            let byte = pointer[index]
            if byte == 10 { newlines += 1 }
            if byte & 0xC0 == 0x80 { continuations += 1 }
            index += 1
        }
        scalar += (end - start) - continuations
        if newlines == 0 {
            column += (end - start) - continuations
        } else {
            line += newlines
            // The column restarts after the last line break in the range, looked for eight bytes
            // at a time from the end (lines are long next to the words read).
            var tail = end
            var found = false
            while tail - 8 >= start {
                let x = UnsafeRawPointer(pointer + tail - 8).loadUnaligned(as: UInt64.self) ^ (ones &* 10)
                let breaks = ~(((x & low7) &+ low7) | x | low7)
                if breaks != 0 {
                    // The highest lane is the last byte (little-endian).
                    tail = tail - 8 + (63 - breaks.leadingZeroBitCount) / 8 + 1
                    found = true
                    break
                }
                tail -= 8
            }
            if !found {
                while pointer[tail - 1] != 10 { tail -= 1 }
            }
            column = 1 + (end - tail) - TextPosition.continuations(pointer, from: tail, to: end)
        }
        offset = target
    }

    /// The UTF-8 continuation bytes (10xxxxxx) of `pointer[from..<to]`, eight bytes at a time.
    static func continuations(_ pointer: UnsafePointer<UInt8>, from: Int, to end: Int) -> Int {
        let high: UInt64 = 0x8080_8080_8080_8080
        var count = 0
        var index = from
        while index + 8 <= end {
            var lanes: UInt64 = 0
            var words = 0
            while words < 255 && index + 8 <= end {
                let word = UnsafeRawPointer(pointer + index).loadUnaligned(as: UInt64.self)
                lanes &+= (word & ~(word << 1) & high) >> 7
                index += 8
                words += 1
            }
            count += laneSum(lanes)
        }
        while index < end {
            if pointer[index] & 0xC0 == 0x80 { count += 1 }
            index += 1
        }
        return count
    }

    /// The sum of the sixteen byte lanes of `lanes`.
    @inline(__always) static func laneSum(_ lanes: SIMD16<UInt8>) -> Int {
        let halves = unsafeBitCast(lanes, to: (UInt64, UInt64).self)
        return laneSum(halves.0) + laneSum(halves.1)
    }

    /// The sum of the eight byte lanes of `lanes`.
    @inline(__always) static func laneSum(_ lanes: UInt64) -> Int {
        let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
        return Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) >> 48)
    }
}
