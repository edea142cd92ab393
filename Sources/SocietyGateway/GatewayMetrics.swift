import CoreMetrics
import Foundation
public import Prometheus
import Synchronization

/// The gateway's metrics, through swift-metrics into a Prometheus registry of its own, which
/// `GET /metrics` renders in Prometheus's text format.
///
/// A registry per gateway (not the process-wide `MetricsSystem`) so that an application embedding
/// the SDK keeps its own metrics bootstrap, and two gateways in one process (tests, the demo's
/// network mode) count apart.
///
/// - `exchange_requests_total{svc, outcome, status}`: requests by service (`-` before the envelope
///   opened: an unchecked `svc` never becomes a label), outcome (`answered`, `retry`, or the check
///   that refused it) and HTTP status.
/// - `exchange_request_duration_seconds{outcome}`: a histogram of the time to answer.
public final class GatewayMetrics: Sendable {
    /// The registry `GET /metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])

    /// Metrics in a new registry.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2.5), .seconds(5),
        ]
        self.factory = factory
    }

    func record(service: String, outcome: String, status: Int, elapsed: Duration) {
        let dimensions = [("svc", service), ("outcome", outcome), ("status", "\(status)")]
        let counterKey = dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        let counter = counters.withLock { table in
            if let known = table[counterKey] { return known }
            let made = CoreMetrics.Counter(label: "exchange_requests_total", dimensions: dimensions, factory: factory)
            table[counterKey] = made
            return made
        }
        counter.increment()
        let timer = timers.withLock { table in
            if let known = table[outcome] { return known }
            let made = CoreMetrics.Timer(
                label: "exchange_request_duration_seconds",
                dimensions: [("outcome", outcome)],
                preferredDisplayUnit: .seconds,
                factory: factory
            )
            table[outcome] = made
            return made
        }
        timer.recordNanoseconds(Int64(elapsed / .nanoseconds(1)))
    }

    /// The registry in Prometheus's text exposition format.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
