import Metrics
import NIOConcurrencyHelpers
import RedlineService

/// The milter's metrics, through swift-metrics into its own swift-prometheus registry
/// (``ServiceMetrics``, shared with `redline serve`), served at `--metrics-listen`'s `/metrics`.
/// Label values come from closed sets only: verdicts, decisions, detector ids of the policy, error
/// kinds, fallback actions. Never addresses, subjects or values.
public final class MilterMetrics: Sendable {
    public let service: ServiceMetrics
    private let connections: Gauge
    private let connectionsTotal: Metrics.Counter
    private let inProgress: Gauge
    private let scanDuration: Metrics.Timer
    private let messageSize: Recorder
    /// Open connections and scans in progress, kept here too: the session limit and shutdown read them.
    private let counts = NIOLockedValueBox((connections: 0, scans: 0))
    private let policyInfo = NIOLockedValueBox<Gauge?>(nil)

    /// Counter families: test name → (metric name, label, labels shown at 0 before anything happens).
    static let families: [String: (name: String, label: String, defaults: [String])] = [
        "messages": ("messages_total", "verdict", ["allow", "flag", "redact", "block", "error"]),
        "decisions": ("milter_decisions_total", "decision", ["accept", "modify", "reject", "tempfail", "quarantine"]),
        "findings": ("findings_total", "detector", []),
        "errors": ("errors_total", "kind", ["protocol", "timeout", "limit", "internal"]),
        "fallbacks": ("on_error_applied_total", "action", []),
        "reloads": ("policy_reloads_total", "result", ["success", "failure"]),
    ]

    public init(service: ServiceMetrics = ServiceMetrics()) {
        self.service = service
        connections = service.gauge("milter_connections")
        connectionsTotal = service.counter("milter_connections_total")
        inProgress = service.gauge("scans_in_progress")
        scanDuration = service.timer("scan_duration_seconds")
        messageSize = service.recorder("message_size_bytes")
        connections.record(0)
        inProgress.record(0)
        for family in Self.families.values {
            for label in family.defaults { _ = service.counter(family.name, [(family.label, label)]) }
        }
    }

    private func count(_ family: String, _ label: String, by amount: Int = 1) {
        guard let family = Self.families[family] else { return }
        service.counter(family.name, [(family.label, label)]).increment(by: amount)
    }

    /// One decided message: its verdict (allow/flag/redact/block, or `error`), the MTA-side
    /// decision, findings per detector, scan time and size.
    public func recordMessage(verdict: String, decision: String, findings: [String: Int], seconds: Double, size: Int) {
        count("messages", verdict)
        count("decisions", decision)
        for (detector, number) in findings { count("findings", detector, by: number) }
        scanDuration.recordNanoseconds(Int64(seconds * 1e9))
        messageSize.record(size)
    }

    /// A message answered at end of message without a scan (a size limit): counted under the
    /// verdict `error` and the answer given, outside the duration and size histograms.
    public func recordUnscannedMessage(decision: String) {
        count("messages", "error")
        count("decisions", decision)
    }

    /// An error of a closed kind (`protocol`, `timeout`, `limit`, `internal`, `reload`…).
    public func recordError(_ kind: String) { count("errors", kind) }
    /// A fallback answer that was applied (tempfail/reject/accept/quarantine).
    public func recordFallback(_ action: MilterFallback) { count("fallbacks", action.rawValue) }
    public func recordReload(success: Bool) { count("reloads", success ? "success" : "failure") }

    /// `redline_policy_info{name,sha256} 1` for the policy in force (the previous one's series goes).
    public func setPolicy(name: String, sha256: String) {
        let gauge = service.gauge("policy_info", [("name", name), ("sha256", sha256)])
        gauge.record(1)
        let previous = policyInfo.withLockedValue { info in
            defer { info = gauge }
            return info
        }
        if let previous, previous !== gauge { previous.destroy() }
    }

    public func connectionOpened() {
        connectionsTotal.increment()
        connections.record(counts.withLockedValue { $0.connections += 1; return $0.connections })
    }

    public func connectionClosed() { connections.record(counts.withLockedValue { $0.connections -= 1; return $0.connections }) }
    public func scanStarted() { inProgress.record(counts.withLockedValue { $0.scans += 1; return $0.scans }) }
    public func scanFinished() { inProgress.record(counts.withLockedValue { $0.scans -= 1; return $0.scans }) }

    /// Open connections (for the session limit and graceful shutdown).
    public var openConnections: Int { counts.withLockedValue { $0.connections } }

    /// A counter's value as exported (`messages`, `decisions`, `errors`, `findings`, `reloads`,
    /// `fallbacks`), read back from the exposition text.
    public func value(_ family: String, _ label: String) -> Int {
        guard let family = Self.families[family] else { return 0 }
        let prefix = "\(service.prefix)_\(family.name){\(family.label)=\"\(label)\"} "
        let line = render().split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    /// The exposition text (Prometheus text format 0.0.4).
    public func render() -> String { service.render() }
}
