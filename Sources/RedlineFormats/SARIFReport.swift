import Crypto
import RedlineCore

/// SARIF 2.1.0 with what GitHub code scanning requires: a driver with rules (one per policy
/// detector: id, short and full description, help), results with message, physical location,
/// region, level, and `partialFingerprints`. Fingerprints never hash PII: with a key they are the
/// finding's keyed HMAC; without one, a SHA-256 of detector, source, line and column only.
final class SARIFReport: ReportSink {
    let context: ReportContext
    let write: ([UInt8]) -> Void
    var results: [String] = []

    init(context: ReportContext, write: @escaping ([UInt8]) -> Void) {
        self.context = context
        self.write = write
    }

    static func level(_ action: Action) -> String {
        switch action {
        case .block, .redact: "error"
        case .flag: "warning"
        case .allow: "note"
        }
    }

    static func severity(_ action: Action) -> String {
        switch action {
        case .block: "9.0"
        case .redact: "7.0"
        case .flag: "4.0"
        case .allow: "1.0"
        }
    }

    func add(_ entry: ReportEntry) {
        let f = entry.finding
        let ruleText = f.rule.map { "rule '\($0)'" } ?? "no rule"
        let place = f.part.map { " in \($0)" } ?? ""
        let ruleMessage = f.rule.flatMap { context.ruleMessages[$0] }
        let tip = f.rule.flatMap { context.ruleTips[$0] }
        let overridden = f.overriddenRule.map { " (overridden: rule '\($0)' would \(f.overriddenAction?.name ?? "decide"))" } ?? ""
        let message = "\(f.detector) (\(f.kind)) found\(place): \(f.excerpt) — \(f.action.name) by \(ruleText) on channel \(entry.channel)"
            + overridden + (ruleMessage.map { ". \($0)" } ?? "") + (tip.map { ". \($0)" } ?? "")
        let fingerprint: String
        if !f.valueHash.isEmpty {
            fingerprint = f.valueHash
        } else {
            let material = "\(f.detector)\u{0}\(entry.source)\u{0}\(entry.record ?? -1)\u{0}\(f.line)\u{0}\(f.column)"
            fingerprint = SHA256.hash(data: Array(material.utf8)).prefix(16).map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            }.joined()
        }
        let uri = entry.source == "-" ? "stdin" : entry.source
        let endColumn = max(f.column + 1, f.column + (f.scalarEnd - f.scalarStart))
        var result = "{\"ruleId\":\(JSONString.encode(f.detector)),\"level\":\"\(SARIFReport.level(f.action))\","
        result += "\"message\":{\"text\":\(JSONString.encode(message))},"
        result += "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\(JSONString.encode(uri))},"
        result += "\"region\":{\"startLine\":\(f.line),\"startColumn\":\(f.column),\"endLine\":\(f.line),\"endColumn\":\(endColumn),"
        result += "\"byteOffset\":\(f.start),\"byteLength\":\(f.end - f.start)}}"
        // Where inside the file: a record's field path, a MIME part or header.
        if let part = f.part { result += ",\"logicalLocations\":[{\"fullyQualifiedName\":\(JSONString.encode(part)),\"kind\":\"member\"}]" }
        result += "}],"
        result += "\"partialFingerprints\":{\"redlineFinding/v1\":\"\(fingerprint)\"},"
        result += "\"properties\":{\"action\":\"\(f.action.name)\",\"policyRule\":\(f.rule.map(JSONString.encode) ?? "null"),"
        result += "\"confidence\":\"\(f.confidence.name)\",\"record\":\(entry.record.map(String.init) ?? "null"),\"id\":\(entry.id.map(JSONString.encode) ?? "null"),"
        result += "\"part\":\(f.part.map(JSONString.encode) ?? "null"),\"channel\":\(JSONString.encode(entry.channel)),"
        result += "\"message\":\(ruleMessage.map(JSONString.encode) ?? "null")"
        if let tip { result += ",\"tip\":\(JSONString.encode(tip))" }
        if let rule = f.overriddenRule {
            result += ",\"overridden\":{\"rule\":\(JSONString.encode(rule)),\"action\":\"\(f.overriddenAction?.name ?? "")\"}"
        }
        result += "}}"
        results.append(result)
    }

    func finish(_ summary: ReportSummary) {
        let rules = context.detectors.map { detector -> String in
            let short = "\(detector.id): \(detector.kind)"
            return "{\"id\":\(JSONString.encode(detector.id)),\"name\":\(JSONString.encode(detector.id)),"
                + "\"shortDescription\":{\"text\":\(JSONString.encode(short))},"
                + "\"fullDescription\":{\"text\":\(JSONString.encode(detector.summary))},"
                + "\"help\":{\"text\":\(JSONString.encode("Remove or redact this data before sending. Detector kind \(detector.kind): \(detector.summary)"))},"
                + "\"properties\":{\"tags\":[\"security\",\"pii\"],\"security-severity\":\"7.0\",\"precision\":\"high\"}}"
        }
        var text = "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
        text += "\"tool\":{\"driver\":{\"name\":\"redline\",\"version\":\(JSONString.encode(context.toolVersion)),"
        text += "\"informationUri\":\"https://example.invalid/redline\",\"rules\":[" + rules.joined(separator: ",") + "]}},"
        text += "\"automationDetails\":{\"id\":\(JSONString.encode("redline/\(context.policyName)/"))},"
        text += "\"properties\":{\"policy\":\(JSONString.encode(context.policyName)),\"policySha256\":\"\(context.policySHA256)\"},"
        text += "\"results\":[" + results.joined(separator: ",") + "]}]}\n"
        write(Array(text.utf8))
    }
}
