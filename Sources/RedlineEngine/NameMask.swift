/// Names taken from an input (attachment and archive member names, sheet names) shown with
/// the masking findings get: whatever a detector finds in them is replaced by its masked
/// excerpt, so a file called `4111111111111111.xlsx` is printed as `**** **** **** 1111.xlsx`.
/// Names are cut to 200 bytes. One per task (it keeps a cache).
public struct NameMask {
    let session: PipelineSession
    let channel: String
    private var cache: [String: String] = [:]

    public init(session: PipelineSession, channel: String) {
        self.session = session
        self.channel = channel
    }

    public mutating func mask(_ name: String) -> String {
        if let known = cache[name] { return known }
        let bytes = Array(name.utf8.prefix(200))
        var out = bytes
        var floor = Int.max
        for finding in session.scan(bytes, channel: channel).findings.sorted(by: { $0.start > $1.start }) where finding.end <= floor {
            out.replaceSubrange(finding.start..<finding.end, with: Array(finding.excerpt.utf8))
            floor = finding.start
        }
        let masked = String(decoding: out, as: UTF8.self)
        cache[name] = masked
        return masked
    }
}
