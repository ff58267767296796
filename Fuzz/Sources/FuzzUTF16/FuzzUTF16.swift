import FuzzSupport
import RedlineFormats

// The UTF-16 decoder and encoder behind UTF-16 text files. Invariants: decoding is the same
// whatever the chunk sizes; encoding the decoded UTF-8 gives the input back byte for byte (an
// input with an odd number of bytes is reported, not guessed at); the encoder's output is always
// whole code units, whatever UTF-8 (valid or not) it is given.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUTF16(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard !bytes.isEmpty else { return 0 }
    let order: UTF16Text.Order = bytes[0] & 1 == 0 ? .littleEndian : .bigEndian
    let body = Array(bytes.dropFirst())
    var whole = UTF16Text.Decoder(order: order)
    var decoded: [UInt8] = []
    whole.decode(body, into: &decoded)
    let even = whole.finish(into: &decoded)
    Fuzz.check(even == (body.count % 2 == 0), "odd byte count not reported")
    // Chunked: split at sizes taken from the input itself.
    var chunked = UTF16Text.Decoder(order: order)
    var pieces: [UInt8] = []
    var index = 0
    var step = 1
    while index < body.count {
        let end = min(body.count, index + step)
        chunked.decode(body[index..<end], into: &pieces)
        step = Int(body[index] % 7) + 1
        index = end
    }
    _ = chunked.finish(into: &pieces)
    Fuzz.check(pieces == decoded, "decoding depends on chunk sizes")
    if even {
        var encoder = UTF16Text.Encoder(order: order)
        var back: [UInt8] = []
        var at = 0
        var size = 3
        while at < decoded.count {
            let end = min(decoded.count, at + size)
            encoder.encode(decoded[at..<end], into: &back)
            size = size % 5 + 1
            at = end
        }
        encoder.finish(into: &back)
        Fuzz.check(back == body, "decode then encode changed the bytes")
    }
    // Any bytes as UTF-8: whole code units out.
    var encoder = UTF16Text.Encoder(order: order)
    var units: [UInt8] = []
    encoder.encode(body, into: &units)
    encoder.finish(into: &units)
    Fuzz.check(units.count % 2 == 0, "the encoder wrote half a code unit")
    return 0
}
