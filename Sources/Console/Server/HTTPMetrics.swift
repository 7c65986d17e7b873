import Metrics

/// The HTTP request metrics both listeners record: `http_request_duration_seconds` (a histogram) labelled
/// by listener, route pattern and status. The process's metrics factory adds the `moodle_pipeline_` prefix.
public enum HTTPMetrics {
    public static func record(listener: String, route: String, status: Int, duration: Duration) {
        Timer(label: "http_request_duration_seconds", dimensions: [("listener", listener), ("route", route), ("status", String(status))])
            .record(duration: duration)
    }
}
