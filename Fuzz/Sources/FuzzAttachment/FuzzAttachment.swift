import Foundation
import FuzzSupport
import RedlineCore
import RedlineEngine
import RedlineMail

// The attachment path of the mail rewriter: the input is attached (base64) to a message, which
// is checked and redacted with `unredactable_attachments: strip`. Invariants: an allowed
// message comes back byte-identical; an attachment redacted inside the file or stripped has no
// finding left that needs redaction; check and redact agree on the verdict.

nonisolated(unsafe) var session: PipelineSession?

func attach(_ bytes: [UInt8]) -> [UInt8] {
    var message = Array("From: a@example.co.uk\r\nTo: b@gmail.com\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b\r\nContent-Type: application/octet-stream; name=\"x.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
    message += Array(Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]).utf8)
    message += Array("\r\n--b--\r\n".utf8)
    return message
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAttachment(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if session == nil {
        let text = PolicySource.embeddedDefaultText.replacingOccurrences(of: "unredactable_attachments: block", with: "unredactable_attachments: strip")
        session = (try? Pipeline.compile(yaml: text, file: "fuzz.yaml", key: nil))?.makeSession()
    }
    guard let session else { return 0 }
    let message = attach(bytes)
    let (output, verdict) = MailProcessor.redact(message, session: session)
    if verdict.verdict == .allow { Fuzz.check(output == message, "an allowed message was changed") }
    let checked = MailProcessor.check(message, session: session)
    Fuzz.check(checked.verdict == verdict.verdict, "check and redact disagree")
    if !verdict.redactedAttachments.isEmpty {
        // Redacted inside the file (an Office document, text in a ZIP or gzip): nothing left to redact there.
        let again = MailProcessor.check(output, session: session)
        Fuzz.check(!again.findings.contains { $0.action >= .redact && ($0.part ?? "").hasPrefix("part 2 ›") }, "a redacted attachment still has findings")
        Fuzz.check(again.unscannedAttachments.count <= checked.unscannedAttachments.count, "a redacted attachment does not read back")
    }
    if !verdict.strippedAttachments.isEmpty {
        let again = MailProcessor.check(output, session: session)
        Fuzz.check(!again.findings.contains { $0.action >= .redact && ($0.part ?? "").hasPrefix("part 2 ›") }, "a stripped attachment still has findings")
    }
    return 0
}
