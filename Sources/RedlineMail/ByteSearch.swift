#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding a byte string in a buffer: `memchr` to each occurrence of its first byte, then `memcmp`
/// (what a comparison tried at every offset costs per byte, this costs per occurrence of the
/// first byte).
enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack` at or after `from`; nil when
    /// there is none (or `needle` is empty).
    static func first(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
        guard let base = haystack.baseAddress, !needle.isEmpty, from >= 0 else { return nil }
        let count = haystack.count
        let first = Int32(needle[0])
        return needle.withUnsafeBufferPointer { wanted -> Int? in
            var at = from
            while at + wanted.count <= count {
                guard let found = memchr(base + at, first, count - wanted.count + 1 - at) else { return nil }
                let index = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                if memcmp(base + index, wanted.baseAddress!, wanted.count) == 0 { return index }
                at = index + 1
            }
            return nil
        }
    }
}
