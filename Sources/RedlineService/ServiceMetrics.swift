import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// Metrics of one server (milter or `redline serve`) through swift-metrics, exported in
/// Prometheus' text format by swift-prometheus. Each server owns its registry (no process-wide
/// bootstrap, so several servers — and the tests — can run in one process). Label values come
/// from closed sets only: verdicts, routes, status codes, detector ids, token names. Never
/// addresses, texts or values.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    public let prefix: String
    /// Counter and timer handles by name and labels: a server asks for the same few on every
    /// request, and making one goes through the registry's lock and a metadata lookup. (Gauges
    /// are not cached: `policy_info`'s are destroyed when the policy changes.)
    private let counters = NIOLockedValueBox<[HandleKey: Metrics.Counter]>([:])
    private let timers = NIOLockedValueBox<[HandleKey: Metrics.Timer]>([:])

    struct HandleKey: Hashable {
        var name: String
        var labels: [String]

        init(_ name: String, _ dimensions: [(String, String)]) {
            self.name = name
            labels = []
            labels.reserveCapacity(dimensions.count * 2)
            for (key, value) in dimensions { labels.append(key); labels.append(value) }
        }
    }

    /// Request latency buckets, in seconds.
    public static let durationBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    public init(prefix: String = "redline") {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets.map { .nanoseconds(Int64($0 * 1e9)) }
        factory.defaultValueHistogramBuckets = [1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216]
        self.registry = registry
        self.factory = factory
        self.prefix = prefix
    }

    public func counter(_ name: String, _ dimensions: [(String, String)] = []) -> Metrics.Counter {
        cached(counters, HandleKey(name, dimensions)) { Metrics.Counter(label: "\(prefix)_\(name)", dimensions: dimensions, factory: factory) }
    }

    public func gauge(_ name: String, _ dimensions: [(String, String)] = []) -> Metrics.Gauge {
        Metrics.Gauge(label: "\(prefix)_\(name)", dimensions: dimensions, factory: factory)
    }

    public func timer(_ name: String, _ dimensions: [(String, String)] = []) -> Metrics.Timer {
        cached(timers, HandleKey(name, dimensions)) { Metrics.Timer(label: "\(prefix)_\(name)", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory) }
    }

    private func cached<Handle>(_ box: NIOLockedValueBox<[HandleKey: Handle]>, _ key: HandleKey, make: () -> Handle) -> Handle {
        if let handle = box.withLockedValue({ $0[key] }) { return handle }
        let handle = make()
        box.withLockedValue { $0[key] = handle }
        return handle
    }

    public func recorder(_ name: String, _ dimensions: [(String, String)] = []) -> Metrics.Recorder {
        Metrics.Recorder(label: "\(prefix)_\(name)", dimensions: dimensions, aggregate: true, factory: factory)
    }

    /// The exposition text (`text/plain; version=0.0.4`).
    public func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
