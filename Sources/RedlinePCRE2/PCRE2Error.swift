import CPCRE2

/// An error reported by PCRE2: its numeric code, its message and, for compile errors, the byte
/// offset inside the pattern where compilation stopped.
public struct PCRE2Error: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Int32
    /// Byte offset in the pattern (compile errors only).
    public let offset: Int?
    public let message: String

    public init(code: Int32, offset: Int?) {
        self.code = code
        self.offset = offset
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { ptr in
            pcre2_get_error_message_8(code, ptr.baseAddress, ptr.count)
        }
        self.message = length > 0 ? String(decoding: buffer[0..<Int(length)], as: UTF8.self) : "PCRE2 error \(code)"
    }

    /// True when a match or depth or heap limit stopped the match.
    public var isLimit: Bool {
        code == PCRE2_ERROR_MATCHLIMIT || code == PCRE2_ERROR_DEPTHLIMIT || code == PCRE2_ERROR_HEAPLIMIT
            || code == PCRE2_ERROR_JIT_STACKLIMIT
    }

    public var description: String {
        if let offset { return "\(message) at offset \(offset)" }
        return message
    }
}
