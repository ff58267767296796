import FuzzSupport
import RedlineCore
import RedlineEngine
import RedlineMail
import RedlineMilter

// The milter frame codec and session state machine on arbitrary bytes from the MTA. The first
// byte sets how the stream is cut into reads and which decision an evaluation gets. Invariants:
// frames decode the same whatever the read sizes; no frame is longer than the limit; the session
// never crashes (protocol errors are values) and every evaluation it asks for can be completed.

nonisolated(unsafe) var session: PipelineSession?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMilter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    if session == nil { session = Fuzz.stylesPipeline.makeSession() }
    let control = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limit = 4096

    var whole = MilterFrameDecoder(maximumLength: limit)
    whole.append(bytes)
    var expected: [MilterFrame] = []
    var expectedError: MilterFrameError?
    do {
        while let frame = try whole.next() { expected.append(frame) }
    } catch {
        expectedError = error
    }

    var pieces = MilterFrameDecoder(maximumLength: limit)
    var frames: [MilterFrame] = []
    var error: MilterFrameError?
    let step = Int(control % 9) + 1
    var index = 0
    reading: while index < bytes.count {
        let end = min(index + step, bytes.count)
        pieces.append(bytes[index..<end])
        index = end
        do {
            while let frame = try pieces.next() {
                Fuzz.check(frame.data.count < limit, "a frame of \(frame.data.count) bytes over the limit")
                frames.append(frame)
            }
        } catch let caught {
            error = caught
            break reading
        }
    }
    Fuzz.check(frames == expected, "frames depend on read sizes")
    Fuzz.check(error == expectedError, "errors depend on read sizes")

    var machine = MilterSession()
    for frame in frames {
        let action: MilterSessionAction
        do { action = try machine.receive(frame) } catch { break }
        switch action {
        case let .evaluate(message, ticket):
            let assembled = message.assembled()
            let (_, verdict) = MailProcessor.redact(assembled, session: session!)
            let decision: MilterDecision = control & 0x80 == 0
                ? (verdict.verdict == .block ? .reject(reply: "550 5.7.1 blocked") : .accept)
                : .tempfail(reply: "451 4.7.1 later")
            _ = machine.complete(ticket: ticket, with: decision)
        case .close:
            return 0
        case .none, .reply:
            break
        }
    }
    return 0
}
