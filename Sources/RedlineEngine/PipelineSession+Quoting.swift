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
}
