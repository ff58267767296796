import NIOConcurrencyHelpers

/// The milter's counters, in Prometheus' text format (0.0.4). Label values come from closed
/// sets only: verdicts, decisions, detector ids of the policy, error kinds. Never addresses,
/// subjects or values.
public final class MilterMetrics: Sendable {
    /// Upper bounds of the scan-duration histogram, in seconds.
    public static let durationBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    public static let sizeBuckets: [Double] = [1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216]

    struct State {
        var messages: [String: Int] = [:]
        var decisions: [String: Int] = [:]
        var findings: [String: Int] = [:]
        var errors: [String: Int] = [:]
        var fallbacks: [String: Int] = [:]
        var reloads: [String: Int] = [:]
        var connections = 0
        var connectionsTotal = 0
        var inProgress = 0
        var durationCounts = [Int](repeating: 0, count: MilterMetrics.durationBuckets.count)
        var durationSum = 0.0
        var durationCount = 0
        var sizeCounts = [Int](repeating: 0, count: MilterMetrics.sizeBuckets.count)
        var sizeSum = 0.0
        var sizeCount = 0
        var policy: (name: String, sha256: String) = ("", "")
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// One decided message: its verdict (allow/flag/redact/block, or `error`), the MTA-side
    /// decision, findings per detector, scan time and size.
    public func recordMessage(verdict: String, decision: String, findings: [String: Int], seconds: Double, size: Int) {
        state.withLockedValue { state in
            state.messages[verdict, default: 0] += 1
            state.decisions[decision, default: 0] += 1
            for (detector, count) in findings { state.findings[detector, default: 0] += count }
            for (index, bound) in Self.durationBuckets.enumerated() where seconds <= bound { state.durationCounts[index] += 1 }
            state.durationSum += seconds
            state.durationCount += 1
            for (index, bound) in Self.sizeBuckets.enumerated() where Double(size) <= bound { state.sizeCounts[index] += 1 }
            state.sizeSum += Double(size)
            state.sizeCount += 1
        }
    }

    /// A message answered at end of message without a scan (a size limit): counted under the
    /// verdict `error` and the answer given, outside the duration and size histograms.
    public func recordUnscannedMessage(decision: String) {
        state.withLockedValue { state in
            state.messages["error", default: 0] += 1
            state.decisions[decision, default: 0] += 1
        }
    }

    /// An error of a closed kind (`protocol`, `timeout`, `limit`, `internal`, `reload`…).
    public func recordError(_ kind: String) { state.withLockedValue { $0.errors[kind, default: 0] += 1 } }
    /// A fallback answer that was applied (tempfail/reject/accept/quarantine).
    public func recordFallback(_ action: MilterFallback) { state.withLockedValue { $0.fallbacks[action.rawValue, default: 0] += 1 } }
    public func recordReload(success: Bool) { state.withLockedValue { $0.reloads[success ? "success" : "failure", default: 0] += 1 } }
    public func setPolicy(name: String, sha256: String) { state.withLockedValue { $0.policy = (name, sha256) } }

    public func connectionOpened() { state.withLockedValue { $0.connections += 1; $0.connectionsTotal += 1 } }
    public func connectionClosed() { state.withLockedValue { $0.connections -= 1 } }
    public func scanStarted() { state.withLockedValue { $0.inProgress += 1 } }
    public func scanFinished() { state.withLockedValue { $0.inProgress -= 1 } }

    /// Open connections (for the session limit and graceful shutdown).
    public var openConnections: Int { state.withLockedValue { $0.connections } }

    /// A counter value, for tests (`messages`, `decisions`, `errors`, `findings`, `reloads`).
    public func value(_ family: String, _ label: String) -> Int {
        state.withLockedValue { state in
            switch family {
            case "messages": state.messages[label] ?? 0
            case "decisions": state.decisions[label] ?? 0
            case "errors": state.errors[label] ?? 0
            case "findings": state.findings[label] ?? 0
            case "reloads": state.reloads[label] ?? 0
            case "fallbacks": state.fallbacks[label] ?? 0
            default: 0
            }
        }
    }

    /// The exposition text.
    public func render() -> String {
        let state = state.withLockedValue { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        func labelled(_ name: String, _ label: String, _ values: [String: Int], defaults: [String] = []) {
            var all = values
            for key in defaults where all[key] == nil { all[key] = 0 }
            for key in all.keys.sorted() { out += "\(name){\(label)=\"\(Self.escape(key))\"} \(all[key]!)\n" }
        }
        family("redline_messages_total", "counter", "Messages decided, by policy verdict (error: not decided by the policy).")
        labelled("redline_messages_total", "verdict", state.messages, defaults: ["allow", "flag", "redact", "block", "error"])
        family("redline_milter_decisions_total", "counter", "Answers given to the MTA at end of message.")
        labelled("redline_milter_decisions_total", "decision", state.decisions, defaults: ["accept", "modify", "reject", "tempfail", "quarantine"])
        family("redline_findings_total", "counter", "Findings that were not allowed, by detector id.")
        labelled("redline_findings_total", "detector", state.findings)
        family("redline_errors_total", "counter", "Errors by kind.")
        labelled("redline_errors_total", "kind", state.errors, defaults: ["protocol", "timeout", "limit", "internal"])
        family("redline_on_error_applied_total", "counter", "Fallback answers applied (limits, timeouts, internal errors).")
        labelled("redline_on_error_applied_total", "action", state.fallbacks)
        family("redline_policy_reloads_total", "counter", "Policy reloads on SIGHUP, by result.")
        labelled("redline_policy_reloads_total", "result", state.reloads, defaults: ["success", "failure"])
        family("redline_milter_connections", "gauge", "Open milter connections.")
        out += "redline_milter_connections \(state.connections)\n"
        family("redline_milter_connections_total", "counter", "Milter connections accepted.")
        out += "redline_milter_connections_total \(state.connectionsTotal)\n"
        family("redline_scans_in_progress", "gauge", "Messages being scanned now.")
        out += "redline_scans_in_progress \(state.inProgress)\n"
        family("redline_scan_duration_seconds", "histogram", "Time from end of message to the decision.")
        histogram("redline_scan_duration_seconds", Self.durationBuckets, state.durationCounts, state.durationSum, state.durationCount, into: &out)
        family("redline_message_size_bytes", "histogram", "Size of decided messages (headers and body).")
        histogram("redline_message_size_bytes", Self.sizeBuckets, state.sizeCounts, state.sizeSum, state.sizeCount, into: &out)
        family("redline_policy_info", "gauge", "The policy in force.")
        out += "redline_policy_info{name=\"\(Self.escape(state.policy.name))\",sha256=\"\(state.policy.sha256)\"} 1\n"
        return out
    }

    private func histogram(_ name: String, _ bounds: [Double], _ counts: [Int], _ sum: Double, _ count: Int, into out: inout String) {
        for (index, bound) in bounds.enumerated() { out += "\(name)_bucket{le=\"\(bound)\"} \(counts[index])\n" }
        out += "\(name)_bucket{le=\"+Inf\"} \(count)\n\(name)_sum \(sum)\n\(name)_count \(count)\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
