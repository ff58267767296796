import RedlineCore

extension PipelineSession {
    /// Text quoted from an input (a record id, a JSON member name, a CSV column name) as a report
    /// or a diagnostic may show it: unchanged when the policy's detectors find nothing in it, else
    /// with every finding (whatever its action) masked as finding excerpts are (letters and
    /// digits become `*`). When a detector cannot finish on it, all of it is masked (fail-closed).
    public func masked(_ text: String, channel: String? = nil) -> String {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        let result = scan(bytes, channel: channel ?? pipeline.rules.defaultChannel)
        if !result.failures.isEmpty {
            return bytes.withUnsafeBufferPointer { Masking.excerpt($0, 0..<$0.count, keepLastDigits: 0) }
        }
        guard !result.findings.isEmpty else { return text }
        var ranges: [Range<Int>] = []
        for finding in result.findings.sorted(by: { $0.start < $1.start }) {
            let range = finding.start..<finding.end
            if let last = ranges.last, range.lowerBound <= last.upperBound {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                ranges.append(range)
            }
        }
        var out: [UInt8] = []
        var cursor = 0
        bytes.withUnsafeBufferPointer { buffer in
            for range in ranges {
                out.append(contentsOf: buffer[cursor..<range.lowerBound])
                out.append(contentsOf: Masking.excerpt(buffer, range, keepLastDigits: 0).utf8)
                cursor = range.upperBound
            }
            out.append(contentsOf: buffer[cursor...])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
