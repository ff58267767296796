import RedlineCore
import RedlineEngine

/// Text quoted from a message into a diagnostic, a part label or the list of attachments left
/// unscanned (a charset name, a Content-Type or transfer-encoding value, a file name, a header
/// name). Such text is the sender's and may hold a value, so it is shown masked like a finding:
/// every value the policy's detectors find in it becomes its masked excerpt, and every remaining
/// digit becomes `*` (a number a detector does not recognise in a name is still no one's business
/// in a log), and in text holding an `@` every letter too. Control characters become `?`; the
/// result is at most `limit` characters.
struct MailQuote {
    /// The session whose detectors look for values; nil → digits and addresses masked only.
    var session: PipelineSession?

    init(session: PipelineSession? = nil) { self.session = session }

    func callAsFunction(_ value: String, limit: Int = 60) -> String {
        var bytes = Array(value.utf8.prefix(limit * 4))
        if let session, bytes.contains(where: { $0 > 32 }) {
            let findings = session.scan(bytes, channel: session.pipeline.rules.defaultChannel).findings
            for finding in findings.sorted(by: { $0.start > $1.start }) where finding.end <= bytes.count && finding.start < finding.end {
                bytes.replaceSubrange(finding.start..<finding.end, with: Array(finding.excerpt.utf8))
            }
        }
        let looksLikeAddress = bytes.contains(UInt8(ascii: "@"))
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case 48...57: out.append(42)
            case 65...90, 97...122: out.append(looksLikeAddress ? 42 : byte)
            case 0..<32, 127: out.append(63)
            default: out.append(byte)
            }
        }
        let text = String(decoding: out, as: UTF8.self)
        return text.unicodeScalars.count > limit ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit))) + "…" : text
    }
}
