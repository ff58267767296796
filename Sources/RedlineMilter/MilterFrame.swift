import NIOCore

/// One milter packet: a command (or response) byte and its data.
///
/// Wire format, both directions: `uint32 length` (big-endian; counts the command byte plus the
/// data), the command byte, then `length - 1` data bytes. Strings inside the data are
/// NUL-terminated; integers are big-endian.
public struct MilterFrame: Equatable, Sendable, CustomStringConvertible {
    public var command: UInt8
    public var data: [UInt8]

    public init(_ command: UInt8, _ data: [UInt8] = []) {
        self.command = command
        self.data = data
    }

    public init(_ command: Character, _ data: [UInt8] = []) {
        self.init(command.asciiValue!, data)
    }

    /// The whole packet as it goes on the wire.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 5)
        let length = UInt32(data.count + 1)
        out.append(UInt8(truncatingIfNeeded: length >> 24))
        out.append(UInt8(truncatingIfNeeded: length >> 16))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        out.append(UInt8(truncatingIfNeeded: length))
        out.append(command)
        out.append(contentsOf: data)
        return out
    }

    /// Writes the packet into `buffer`.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(data.count + 1))
        buffer.writeInteger(command)
        buffer.writeBytes(data)
    }

    /// The command as a printable character (for logs and test failures; never the data).
    public var commandName: String {
        (32..<127).contains(command) ? String(UnicodeScalar(command)) : "0x" + String(command, radix: 16)
    }

    public var description: String { "MilterFrame(\(commandName), \(data.count) bytes)" }
}

/// A malformed packet stream. The connection cannot continue after one.
public struct MilterFrameError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A length of 0: there is not even a command byte.
        case emptyFrame = "empty-frame"
        /// A length above the configured maximum.
        case oversizeFrame = "oversize-frame"
    }
    public var code: Code
    public var length: UInt32

    public var description: String {
        switch code {
        case .emptyFrame: "milter packet with length 0"
        case .oversizeFrame: "milter packet of \(length) bytes exceeds the limit"
        }
    }
}

/// Splits a byte stream into ``MilterFrame``s, whatever pieces the bytes arrive in.
///
/// Pure (no I/O): the NIO handler and the in-test client wrap it. A bogus length (0, or above
/// `maximumLength`) is an error, so a peer cannot make the server buffer gigabytes.
public struct MilterFrameDecoder: Sendable {
    /// Postfix never sends more than 65,535 data bytes; the default leaves room for OPTNEG macro
    /// lists and other MTAs.
    public static let defaultMaximumLength = 1 << 20

    public let maximumLength: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumLength: Int = MilterFrameDecoder.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws(MilterFrameError) -> MilterFrame? {
        guard buffer.count - start >= 4 else { return nil }
        let length = UInt32(buffer[start]) << 24 | UInt32(buffer[start + 1]) << 16 | UInt32(buffer[start + 2]) << 8 | UInt32(buffer[start + 3])
        if length == 0 { throw MilterFrameError(code: .emptyFrame, length: length) }
        if length > UInt32(maximumLength) { throw MilterFrameError(code: .oversizeFrame, length: length) }
        guard buffer.count - start >= 4 + Int(length) else { return nil }
        let frame = MilterFrame(buffer[start + 4], Array(buffer[(start + 5)..<(start + 4 + Int(length))]))
        start += 4 + Int(length)
        if start > 65_536 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return frame
    }
}

/// NIO adapter for ``MilterFrameDecoder``'s format, reading straight from the channel's buffer.
public struct MilterFrameByteDecoder: ByteToMessageDecoder {
    public typealias InboundOut = MilterFrame
    public let maximumLength: Int

    public init(maximumLength: Int = MilterFrameDecoder.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.readFrame(from: &buffer, maximumLength: maximumLength) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    /// Reads one frame if the buffer holds a whole one; leaves the buffer untouched otherwise.
    public static func readFrame(from buffer: inout ByteBuffer, maximumLength: Int) throws(MilterFrameError) -> MilterFrame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        if length == 0 { throw MilterFrameError(code: .emptyFrame, length: length) }
        if length > UInt32(maximumLength) { throw MilterFrameError(code: .oversizeFrame, length: length) }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        let command: UInt8 = buffer.readInteger()!
        let data = buffer.readBytes(length: Int(length) - 1)!
        return MilterFrame(command, data)
    }
}

/// Writes ``MilterFrame``s.
public struct MilterFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = MilterFrame
    public init() {}
    public func encode(data: MilterFrame, out: inout ByteBuffer) throws {
        data.write(into: &out)
    }
}
