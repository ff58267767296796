import RedlineCore

extension PipelineSession {
    /// Text quoted from an input (a record id, a JSON member name, a CSV column name) as a report
    /// or a diagnostic may show it: unchanged when the policy's detectors find nothing in it, else
    /// with every finding (whatever its action) redacted the policy's way, as in redacted output
    /// (`AB123456C` → `[NI NUMBER]`). When a detector cannot finish on it, every letter and digit
    /// is masked (fail-closed). `counts` can leave a finding out (a Message-ID's own `left@right`
    /// form is not an e-mail address).
    public func masked(_ text: String, channel: String? = nil, counts: (Finding) -> Bool = { _ in true }) -> String {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        let result = scan(bytes, channel: channel ?? pipeline.rules.defaultChannel)
        if !result.failures.isEmpty {
            return bytes.withUnsafeBufferPointer { Masking.excerpt($0, 0..<$0.count, keepLastDigits: 0) }
        }
        let findings = result.findings.filter(counts)
        guard !findings.isEmpty else { return text }
        return String(decoding: pipeline.redact(bytes, findings: findings), as: UTF8.self)
    }

    /// A Message-ID as a report, an audit record or a log may show it: as written, except what the
    /// policy's detectors find in it (`<order-4111111111111111@shop.example>`), redacted the
    /// policy's way. It is read as the mail reader reads message ids, with `@` as a space, so its
    /// own `left@right` form is not taken for an e-mail address and whatever a scan of the message
    /// finds in it is masked here too. When a detector cannot finish on it, every letter and digit
    /// is masked (fail-closed).
    public func maskedMessageID(_ value: String, channel: String? = nil) -> String {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { return value }
        let read = bytes.map { $0 == UInt8(ascii: "@") ? 32 : $0 }
        let result = scan(read, channel: channel ?? pipeline.rules.defaultChannel)
        if !result.failures.isEmpty {
            return bytes.withUnsafeBufferPointer { Masking.excerpt($0, 0..<$0.count, keepLastDigits: 0) }
        }
        guard !result.findings.isEmpty else { return value }
        return String(decoding: pipeline.redact(bytes, findings: result.findings), as: UTF8.self)
    }
}
