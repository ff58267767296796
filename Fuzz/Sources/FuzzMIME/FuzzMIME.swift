import FuzzSupport
import RedlineCore
import RedlineEngine
import RedlineMail

// The MIME reader, decoders and rewriter on arbitrary messages. Invariants: an allowed message
// comes back byte-identical, but for its own X-Redline-Override headers, which are removed (the
// output asks for no override); a redacted message parses again, and its findings that still need
// redaction are none (redacting twice changes nothing but the verdict stamp).

nonisolated(unsafe) var session: PipelineSession?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIME(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let message = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if session == nil { session = Fuzz.stylesPipeline.makeSession() }
    let session = session!
    let (output, verdict) = MailProcessor.redact(message, session: session)
    for finding in verdict.findings {
        Fuzz.check(finding.start >= 0 && finding.start < finding.end, "finding \(finding.start)..<\(finding.end) in part \(finding.part ?? "-")")
    }
    if verdict.verdict == .allow && verdict.sender.overrides.isEmpty && !verdict.diagnostics.contains(where: { $0.code == MailCode.malformedOverride }) {
        Fuzz.check(output == message, "an allowed message was changed")
    }
    if output != message {
        Fuzz.check(MailProcessor.check(output, session: session).sender.overrides.isEmpty, "an X-Redline-Override header went on")
    }
    let checked = MailProcessor.check(message, session: session)
    Fuzz.check(checked.verdict == verdict.verdict, "check and redact disagree: \(checked.verdict) vs \(verdict.verdict)")
    _ = MailProcessor.check(output, session: session)
    return 0
}
