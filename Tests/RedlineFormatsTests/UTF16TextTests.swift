import Testing
@testable import RedlineFormats

/// Issue 15 group 2: UTF-16 files are decoded for scanning and written back byte for byte.
@Suite("UTF-16 text")
struct UTF16TextTests {
    static func utf16(_ text: String, _ order: UTF16Text.Order) -> [UInt8] {
        text.utf16.flatMap { order == .littleEndian ? [UInt8($0 & 0xFF), UInt8($0 >> 8)] : [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    @Test("the byte-order mark decides the order; UTF-32LE and UTF-8 are not UTF-16")
    func marks() {
        #expect(UTF16Text.order(ofMarkIn: [0xFF, 0xFE, 0x41, 0x00]) == .littleEndian)
        #expect(UTF16Text.order(ofMarkIn: [0xFE, 0xFF, 0x00, 0x41]) == .bigEndian)
        #expect(UTF16Text.order(ofMarkIn: [0xFF, 0xFE, 0x00, 0x00]) == nil)
        #expect(UTF16Text.order(ofMarkIn: [0xEF, 0xBB, 0xBF, 0x41]) == nil)
        #expect(UTF16Text.order(ofMarkIn: [0xFF]) == nil)
    }

    @Test("issue15_utf16: decoding gives the UTF-8 text whatever the chunk sizes, and encoding gives the bytes back",
          arguments: [UTF16Text.Order.littleEndian, .bigEndian])
    func roundTrip(_ order: UTF16Text.Order) {
        let text = "NI JG 10 37 55 A — Zoë 😀 card 4111 1111 1111 1111\r\n"
        let bytes = Self.utf16(text, order)
        for chunk in [1, 2, 3, 5, 7, bytes.count] {
            var decoder = UTF16Text.Decoder(order: order)
            var out: [UInt8] = []
            var index = 0
            while index < bytes.count {
                decoder.decode(bytes[index..<min(index + chunk, bytes.count)], into: &out)
                index += chunk
            }
            let even = decoder.finish(into: &out)
            #expect(even)
            #expect(out == Array(text.utf8), "chunk \(chunk)")
            var encoder = UTF16Text.Encoder(order: order)
            var back: [UInt8] = []
            var at = 0
            while at < out.count {
                encoder.encode(out[at..<min(at + chunk, out.count)], into: &back)
                at += chunk
            }
            encoder.finish(into: &back)
            #expect(back == bytes, "chunk \(chunk)")
        }
    }

    @Test("unpaired surrogates survive the round trip; an odd byte count is reported")
    func unpaired() {
        // A lone high surrogate, a lone low surrogate, a high surrogate at the very end.
        let bytes: [UInt8] = [0x41, 0x00, 0x00, 0xD8, 0x42, 0x00, 0x00, 0xDC, 0x3D, 0xD8]
        var decoder = UTF16Text.Decoder(order: .littleEndian)
        var out: [UInt8] = []
        decoder.decode(bytes, into: &out)
        let even = decoder.finish(into: &out)
        #expect(even)
        var encoder = UTF16Text.Encoder(order: .littleEndian)
        var back: [UInt8] = []
        encoder.encode(out, into: &back)
        #expect(back == bytes)
        var odd = UTF16Text.Decoder(order: .littleEndian)
        var ignored: [UInt8] = []
        odd.decode([0x41, 0x00, 0x42], into: &ignored)
        let finished = odd.finish(into: &ignored)
        #expect(!finished)
    }
}
