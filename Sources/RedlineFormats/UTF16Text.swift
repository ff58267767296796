/// UTF-16 text files (announced by a byte-order mark) read as UTF-8 and written back as UTF-16,
/// byte for byte: an unpaired surrogate is carried through UTF-8 as its own three-byte form
/// (`ED A0 80`…`ED BF BF`, as WTF-8 does), so what is decoded and encoded again is the input
/// exactly. Both directions work chunk by chunk (a code unit or a UTF-8 sequence may be split
/// between chunks).
public enum UTF16Text {
    public enum Order: Sendable, Equatable {
        case littleEndian, bigEndian

        /// The byte-order mark.
        public var mark: [UInt8] { self == .littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF] }
    }

    /// The order announced by a byte-order mark at the start of `bytes`, nil without one.
    /// (`FF FE 00 00` is UTF-32LE, not UTF-16: nil.)
    public static func order(ofMarkIn bytes: some Collection<UInt8>) -> Order? {
        let head = Array(bytes.prefix(4))
        guard head.count >= 2 else { return nil }
        if head[0] == 0xFE && head[1] == 0xFF { return .bigEndian }
        if head[0] == 0xFF && head[1] == 0xFE {
            if head.count == 4 && head[2] == 0 && head[3] == 0 { return nil }
            return .littleEndian
        }
        return nil
    }

    /// UTF-16 (no mark) → UTF-8.
    public struct Decoder: Sendable {
        public let order: Order
        private var odd: UInt8?
        private var high: UInt16?

        public init(order: Order) { self.order = order }

        /// Appends the UTF-8 for `bytes` to `out`; a trailing half code unit or high surrogate
        /// waits for the next chunk.
        public mutating func decode(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) {
            out.reserveCapacity(out.count + bytes.count * 3 / 2)
            var iterator = bytes.makeIterator()
            while true {
                let first: UInt8
                if let pending = odd {
                    first = pending
                    odd = nil
                } else {
                    guard let next = iterator.next() else { return }
                    first = next
                }
                guard let second = iterator.next() else {
                    odd = first
                    return
                }
                let unit = order == .littleEndian ? UInt16(first) | UInt16(second) << 8 : UInt16(first) << 8 | UInt16(second)
                take(unit, into: &out)
            }
        }

        private mutating func take(_ unit: UInt16, into out: inout [UInt8]) {
            if let lead = high {
                high = nil
                if (0xDC00...0xDFFF).contains(unit) {
                    let scalar = 0x10000 + ((UInt32(lead) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                    UTF16Text.appendUTF8(scalar, to: &out)
                    return
                }
                UTF16Text.appendUTF8(UInt32(lead), to: &out)
            }
            if (0xD800...0xDBFF).contains(unit) {
                high = unit
            } else {
                UTF16Text.appendUTF8(UInt32(unit), to: &out)
            }
        }

        /// Ends the input: a pending high surrogate is written as itself. False when half a code
        /// unit is left over (the input has an odd number of bytes).
        public mutating func finish(into out: inout [UInt8]) -> Bool {
            if let lead = high {
                UTF16Text.appendUTF8(UInt32(lead), to: &out)
                high = nil
            }
            defer { odd = nil }
            return odd == nil
        }
    }

    /// UTF-8 (as ``Decoder`` writes it, or any UTF-8) → UTF-16 in `order` (no mark). Bytes that
    /// are not UTF-8 become U+FFFD.
    public struct Encoder: Sendable {
        public let order: Order
        private var pending: [UInt8] = []

        public init(order: Order) { self.order = order }

        public mutating func encode(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) {
            out.reserveCapacity(out.count + bytes.count * 2)
            var input = pending
            pending.removeAll()
            input.append(contentsOf: bytes)
            var index = 0
            while index < input.count {
                let lead = input[index]
                let length = lead < 0x80 ? 1 : lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0
                if length == 0 {
                    unit(0xFFFD, into: &out)
                    index += 1
                    continue
                }
                if index + length > input.count {
                    // A sequence split between chunks: wait for the rest when what is here fits.
                    if input[(index + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 }) {
                        pending = Array(input[index...])
                        return
                    }
                    unit(0xFFFD, into: &out)
                    index += 1
                    continue
                }
                var scalar = UInt32(lead) & (length == 1 ? 0x7F : length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                var valid = true
                for offset in 1..<max(length, 1) {
                    let byte = input[index + offset]
                    if byte & 0xC0 != 0x80 { valid = false; break }
                    scalar = scalar << 6 | UInt32(byte & 0x3F)
                }
                let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : length == 4 ? 0x10000 : 0
                if !valid || scalar < minimum || scalar > 0x10FFFF {
                    unit(0xFFFD, into: &out)
                    index += 1
                    continue
                }
                if scalar >= 0x10000 {
                    let value = scalar - 0x10000
                    unit(UInt16(0xD800 + (value >> 10)), into: &out)
                    unit(UInt16(0xDC00 + (value & 0x3FF)), into: &out)
                } else {
                    // Surrogates (from an unpaired one in the input) are written back as they were.
                    unit(UInt16(scalar), into: &out)
                }
                index += length
            }
        }

        /// Ends the output: an incomplete sequence left over becomes U+FFFD.
        public mutating func finish(into out: inout [UInt8]) {
            if !pending.isEmpty { unit(0xFFFD, into: &out) }
            pending.removeAll()
        }

        private func unit(_ value: UInt16, into out: inout [UInt8]) {
            if order == .littleEndian {
                out.append(UInt8(value & 0xFF))
                out.append(UInt8(value >> 8))
            } else {
                out.append(UInt8(value >> 8))
                out.append(UInt8(value & 0xFF))
            }
        }
    }

    /// Appends `scalar` (surrogates included, as three bytes) as UTF-8.
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            out.append(UInt8(scalar))
        case ..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            out.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
