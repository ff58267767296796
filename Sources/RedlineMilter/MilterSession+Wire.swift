extension MilterSession {
    // MARK: - Wire helpers

    static func frame(for fallback: MilterFallback, reason: String) -> MilterFrame {
        switch MilterDecision.fallback(fallback, reason: reason) {
        case let .reject(reply), let .tempfail(reply): MilterFrame(MilterProtocol.Response.replyCode, Array(reply.utf8) + [0])
        default: MilterFrame(MilterProtocol.Response.accept)
        }
    }

    static func frame(for change: MilterHeaderChange) -> MilterFrame {
        switch change {
        case let .add(name, value):
            MilterFrame(MilterProtocol.Response.addHeader, Array(name.utf8) + [0] + value + [0])
        case let .change(name, index, value):
            MilterFrame(MilterProtocol.Response.changeHeader, bytes(index) + Array(name.utf8) + [0] + value + [0])
        }
    }

    /// NUL-terminated strings up to the end of the data (a last one without NUL included).
    static func strings(_ data: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in data {
            if byte == 0 {
                out.append(current)
                current = []
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// `<a@b>` and `a@b` (Postfix's sendmail path) alike → `a@b`.
    static func address(_ raw: [UInt8]) -> String {
        var text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: [" ", "\t"])
        if text.hasPrefix("<") && text.hasSuffix(">") { text = String(text.dropFirst().dropLast()) }
        return text
    }

    static func uint32(_ data: [UInt8], at offset: Int) -> UInt32 {
        UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16 | UInt32(data[offset + 2]) << 8 | UInt32(data[offset + 3])
    }

    static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
