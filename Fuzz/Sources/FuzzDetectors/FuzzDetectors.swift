import FuzzSupport
import RedlineCore
import RedlineEngine
import RedlineTool

// The detector pipeline on arbitrary bytes. The first byte picks the policy; the rest is the text.
// Invariants: findings lie inside the text, on UTF-8 boundaries when the text is valid UTF-8;
// redaction keeps valid UTF-8 valid; redacting the redacted text again changes nothing (for the
// detectors that need no keyword context); the
// windowed stream scanner emits every input byte exactly once, in order.

nonisolated(unsafe) var sessions: [PipelineSession] = []

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDetectors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    if sessions.isEmpty { sessions = [Fuzz.defaultPipeline.makeSession(), Fuzz.stylesPipeline.makeSession()] }
    let selector = data[0]
    let text = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let session = sessions[Int(selector & 1)]
    let pipeline = session.pipeline
    let channels = pipeline.rules.channelOrder
    let channel = channels[Int(selector >> 1) % channels.count]
    let valid = Fuzz.isValidUTF8(text)

    let result = session.scan(text, channel: channel)
    for finding in result.findings {
        Fuzz.check(finding.start >= 0 && finding.start < finding.end && finding.end <= text.count,
                   "finding \(finding.detector) \(finding.start)..<\(finding.end) outside a text of \(text.count) bytes")
        Fuzz.check(finding.scalarStart <= finding.scalarEnd, "scalar offsets reversed")
        Fuzz.check(finding.line >= 1 && finding.column >= 1, "line/column not 1-based")
        if valid {
            Fuzz.check(Fuzz.isBoundary(text, finding.start) && Fuzz.isBoundary(text, finding.end),
                       "finding \(finding.detector) \(finding.start)..<\(finding.end) not on UTF-8 boundaries")
        }
    }
    Fuzz.check(result.verdict >= (result.findings.map(\.action).max() ?? .allow), "verdict below a finding's action")

    let targets = result.findings.filter { $0.action >= .redact }
    let once = pipeline.redact(text, findings: targets)
    if targets.isEmpty { Fuzz.check(once == text, "redaction without findings changed the text") }
    if valid { Fuzz.check(Fuzz.isValidUTF8(once), "redaction produced invalid UTF-8 from valid input") }
    // Detectors that need a keyword within `window` characters are left out of the second pass:
    // a label shorter than the value it replaces can bring a keyword inside the window of a
    // number that was just outside it (documented in the README's security section).
    let contextFree = Set(pipeline.detectors.filter { !$0.requiresContext }.map(\.id))
    let again = session.scan(once, channel: channel)
    // The card detector's documented exception (README, Security): a window that a same-size digit
    // group continued was a fragment in the first pass; with that neighbour masked or labelled it
    // stands alone. Only a second-pass card right beside a redaction is let through.
    func besideRedaction(_ finding: Finding) -> Bool {
        guard finding.kind == "payment_card" else { return false }
        var after = finding.end
        while after < once.count, after - finding.end < 3, [32, 45, 46, 10, 13].contains(once[after]) { after += 1 }
        var before = finding.start
        while before > 0, finding.start - before < 3, [32, 45, 46, 10, 13].contains(once[before - 1]) { before -= 1 }
        return (after < once.count && (once[after] == 42 || once[after] == 91)) || (before > 0 && (once[before - 1] == 42 || once[before - 1] == 93))
    }
    let twice = pipeline.redact(once, findings: again.findings.filter { $0.action >= .redact && contextFree.contains($0.detector) && !besideRedaction($0) })
    Fuzz.check(twice == once, "redacting twice changed the text again: "
        + again.findings.filter { $0.action >= .redact && contextFree.contains($0.detector) && !besideRedaction($0) }.map { f in
            "\(f.detector) \(f.start)..<\(f.end) in \(String(decoding: once[max(0, f.start - 20)..<min(once.count, f.end + 20)], as: UTF8.self).debugDescription)"
        }.joined(separator: "; "))

    // Windowed scanning (small windows so the fuzzer reaches the boundaries): nothing lost.
    let stream = TextStream(session: pipeline.makeSession(), channel: channel, windowSize: 64, overlap: 16)
    var emitted: [UInt8] = []
    var cursor = 0
    let emit: (TextStream.Chunk) throws -> Void = { chunk in
        Fuzz.check(chunk.offset == cursor, "chunk at \(chunk.offset), expected \(cursor)")
        for finding in chunk.findings {
            Fuzz.check(finding.start >= chunk.offset && finding.end <= chunk.offset + chunk.bytes.count && finding.start < finding.end,
                       "stream finding \(finding.start)..<\(finding.end) outside its chunk \(chunk.offset)+\(chunk.bytes.count)")
        }
        cursor += chunk.bytes.count
        emitted.append(contentsOf: chunk.bytes)
    }
    var index = 0
    let piece = Int(selector % 7) * 13 + 1
    do {
        while index < text.count {
            let end = min(index + piece, text.count)
            try stream.feed(text[index..<end], emit: emit)
            index = end
        }
        try stream.finish(emit: emit)
    } catch {
        Fuzz.check(false, "stream threw \(error)")
    }
    Fuzz.check(emitted == text, "the stream did not emit every byte once, in order")
    return 0
}
