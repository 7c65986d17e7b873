import CoreMetrics
import Prometheus
import Synchronization

/// The process's metrics: swift-metrics bootstrapped with swift-prometheus, served at the admin listener's
/// `/metrics`. Every name gets the `moodle_pipeline_` prefix here, so the libraries stay product-neutral
/// (`log_fsync_duration_seconds` becomes `moodle_pipeline_log_fsync_duration_seconds`).
///
/// Like logging, the executable bootstraps once (`serve`, `demo`); a process that never does (an in-process
/// test) still serves a `/metrics` with the build-info metric.
public enum Telemetry {
    public static let prefix = "moodle_pipeline_"

    /// Histogram buckets for every duration, 100 µs to 10 s: HTTP requests and log appends are sub-millisecond
    /// to milliseconds, fsyncs and sink batches milliseconds, a slow SQL page query seconds.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]

    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)
    private static let unbootstrapped = withBuildInfo(PrometheusCollectorRegistry())

    /// Makes swift-metrics export to Prometheus. Call once, from the executable, before starting services.
    public static func bootstrap() {
        let registry = withBuildInfo(PrometheusCollectorRegistry())
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in (prefix + name, labels) }
        factory.defaultDurationHistogramBuckets = durationBuckets
        MetricsSystem.bootstrap(factory)
        bootstrapped.withLock { $0 = registry }
    }

    /// What `/metrics` serves.
    static var registry: PrometheusCollectorRegistry {
        bootstrapped.withLock { $0 } ?? unbootstrapped
    }

    private static func withBuildInfo(_ registry: PrometheusCollectorRegistry) -> PrometheusCollectorRegistry {
        registry.makeGauge(
            name: prefix + "build_info",
            labels: [("version", ApplianceVersion.current), ("swift", swiftVersion)],
            help: "The running build: always 1, labelled with its version"
        ).set(Int64(1))
        return registry
    }

    private static var swiftVersion: String {
        #if compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "older"
        #endif
    }
}
