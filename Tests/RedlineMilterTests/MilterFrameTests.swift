import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
@testable import RedlineMilter

@Suite("MilterFrame codec")
struct MilterFrameTests {
    static let frames: [MilterFrame] = [
        Postfix.optneg(),
        Postfix.macros("C", [("j", "mx.test"), ("{daemon_name}", "smtpd"), ("v", "Postfix 3.7.11")]),
        Postfix.connect(),
        MilterFrame("N"),
        MilterFrame("B", [UInt8](repeating: 0x41, count: 65_535)),
        MilterFrame("B", Array("a\r\n.b\r\n".utf8)),
        MilterFrame("E"),
        MilterFrame("A"),
        MilterFrame("A"),
        MilterFrame("Q"),
    ]

    @Test("encodes length (command byte + data) big-endian, then the command")
    func encoding() {
        #expect(MilterFrame("c").bytes == [0, 0, 0, 1, 0x63])
        #expect(MilterFrame("y", Array("550\0".utf8)).bytes == [0, 0, 0, 5, 0x79, 0x35, 0x35, 0x30, 0])
        var buffer = ByteBuffer()
        MilterFrame("B", [1, 2, 3]).write(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0, 0, 0, 4, 0x42, 1, 2, 3])
    }

    @Test("decodes the same frames whatever pieces the bytes arrive in", arguments: [1 as UInt64, 2, 3, 4, 5, 6, 7, 8])
    func randomPieces(seed: UInt64) throws {
        var generator = Fixtures.SeededGenerator(seed: seed)
        let stream = Self.frames.flatMap(\.bytes)
        var decoder = MilterFrameDecoder()
        var decoded: [MilterFrame] = []
        var offset = 0
        while offset < stream.count {
            let piece = Int.random(in: 1...(seed.isMultiple(of: 2) ? 7 : 70_000), using: &generator)
            let end = min(offset + piece, stream.count)
            decoder.append(stream[offset..<end])
            offset = end
            while let frame = try decoder.next() { decoded.append(frame) }
        }
        #expect(decoded == Self.frames)
        #expect(decoder.bufferedCount == 0)
    }

    @Test("one byte at a time")
    func byteByByte() throws {
        var decoder = MilterFrameDecoder()
        var decoded: [MilterFrame] = []
        for byte in Self.frames.flatMap(\.bytes) {
            decoder.append([byte])
            while let frame = try decoder.next() { decoded.append(frame) }
        }
        #expect(decoded == Self.frames)
    }

    @Test("rejects a zero length and a length over the limit before buffering the data")
    func bogusLengths() {
        var decoder = MilterFrameDecoder(maximumLength: 1_000)
        decoder.append([0, 0, 0, 0])
        #expect(throws: MilterFrameError(code: .emptyFrame, length: 0)) { try decoder.next() }
        var big = MilterFrameDecoder(maximumLength: 1_000)
        big.append([0xFF, 0xFF, 0xFF, 0xFF, 0x42])
        #expect(throws: MilterFrameError(code: .oversizeFrame, length: 0xFFFF_FFFF)) { try big.next() }
        var justOver = MilterFrameDecoder(maximumLength: 1_000)
        justOver.append([0, 0, 0x03, 0xE9])
        #expect(throws: MilterFrameError.self) { try justOver.next() }
    }

    @Test("incomplete input yields nothing and keeps the bytes")
    func incomplete() throws {
        var decoder = MilterFrameDecoder()
        decoder.append([0, 0, 0])
        #expect(try decoder.next() == nil)
        decoder.append([5, 0x42, 1, 2])
        #expect(try decoder.next() == nil)
        decoder.append([3, 4])
        #expect(try decoder.next() == MilterFrame("B", [1, 2, 3, 4]))
    }

    @Test("the NIO decoder passes NIO's ByteToMessageDecoderVerifier (drip-fed and whole)")
    func nioVerifier() throws {
        let inputs: [(ByteBuffer, [MilterFrame])] = Self.frames.map { frame in (ByteBuffer(bytes: frame.bytes), [frame]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: inputs) { MilterFrameByteDecoder() }
    }

    @Test("the NIO decoder reports an oversize length as an error")
    func nioOversize() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MilterFrameByteDecoder(maximumLength: 100)))
        #expect(throws: MilterFrameError.self) { try channel.writeInbound(ByteBuffer(bytes: [0, 0, 1, 0, 0x42])) }
        _ = try? channel.finish()
    }
}
