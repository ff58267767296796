/// SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit pseudo-random function, fast on the short
/// inputs EDM hashes (a name, a phone number). The 128-bit key is derived from the user's key
/// with HMAC-SHA256 (``EDMKeys``), so the fingerprints are keyed: without the key nobody can test
/// a guessed value against an index.
public struct SipHash24: Sendable {
    public let k0: UInt64
    public let k1: UInt64

    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 &- b)) }

    @inline(__always)
    private static func round(_ v0: inout UInt64, _ v1: inout UInt64, _ v2: inout UInt64, _ v3: inout UInt64) {
        v0 = v0 &+ v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
        v2 = v2 &+ v3; v3 = rotl(v3, 16); v3 ^= v2
        v0 = v0 &+ v3; v3 = rotl(v3, 21); v3 ^= v0
        v2 = v2 &+ v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
    }

    /// The hash of `tag` followed by `bytes` (the tag separates the column types' value spaces).
    public func hash(tag: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        let total = bytes.count + 1
        var word: UInt64 = UInt64(tag)
        var filled = 1
        for byte in bytes {
            word |= UInt64(byte) << UInt64(8 * filled)
            filled += 1
            if filled == 8 {
                v3 ^= word
                SipHash24.round(&v0, &v1, &v2, &v3)
                SipHash24.round(&v0, &v1, &v2, &v3)
                v0 ^= word
                word = 0
                filled = 0
            }
        }
        word |= UInt64(total & 0xFF) << 56
        v3 ^= word
        SipHash24.round(&v0, &v1, &v2, &v3)
        SipHash24.round(&v0, &v1, &v2, &v3)
        v0 ^= word
        v2 ^= 0xFF
        for _ in 0..<4 { SipHash24.round(&v0, &v1, &v2, &v3) }
        return v0 ^ v1 ^ v2 ^ v3
    }

    public func hash(tag: UInt8, _ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { hash(tag: tag, $0) }
    }

    /// Plain SipHash-2-4 of `bytes` (no tag), for the published test vectors.
    public func hashPlain(_ bytes: [UInt8]) -> UInt64 { SipHash24.plain(k0: k0, k1: k1, bytes) }

    static func plain(k0: UInt64, k1: UInt64, _ bytes: [UInt8]) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        var index = 0
        while index + 8 <= bytes.count {
            var m: UInt64 = 0
            for j in 0..<8 { m |= UInt64(bytes[index + j]) << UInt64(8 * j) }
            v3 ^= m
            round(&v0, &v1, &v2, &v3); round(&v0, &v1, &v2, &v3)
            v0 ^= m
            index += 8
        }
        var last = UInt64(bytes.count & 0xFF) << 56
        for j in 0..<(bytes.count - index) { last |= UInt64(bytes[index + j]) << UInt64(8 * j) }
        v3 ^= last
        round(&v0, &v1, &v2, &v3); round(&v0, &v1, &v2, &v3)
        v0 ^= last
        v2 ^= 0xFF
        for _ in 0..<4 { round(&v0, &v1, &v2, &v3) }
        return v0 ^ v1 ^ v2 ^ v3
    }
}
