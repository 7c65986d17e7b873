import Foundation

/// A latency distribution, summarised once from samples in nanoseconds. Percentiles are nearest-rank
/// (the smallest sample with at least p of the samples at or below it): no interpolation between samples.
struct LatencySummary: Sendable {
    var count: Int
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var maxMilliseconds: Double
    var meanMilliseconds: Double

    init(nanoseconds samples: [Int64]) {
        let sorted = samples.sorted()
        count = sorted.count
        p50Milliseconds = Self.percentile(sorted, 0.50)
        p99Milliseconds = Self.percentile(sorted, 0.99)
        maxMilliseconds = Double(sorted.last ?? 0) / 1e6
        meanMilliseconds = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1e6
    }

    init(nanoseconds samples: [UInt64]) {
        self.init(nanoseconds: samples.map { Int64(clamping: $0) })
    }

    private static func percentile(_ sorted: [Int64], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return Double(sorted[min(max(rank, 1), sorted.count) - 1]) / 1e6
    }

    var text: String {
        "p50 \(format(p50Milliseconds, 3)) ms, p99 \(format(p99Milliseconds, 3)) ms, max \(format(maxMilliseconds, 3)) ms (n=\(count))"
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// `value` with `decimals` digits after the point, without Foundation's locale-dependent formatting.
func format(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e18 else { return String(value) }
    let whole = Int64(scaled)
    let sign = value < 0 && whole != 0 ? "-" : ""
    let integer = whole / Int64(scale)
    guard decimals > 0 else { return "\(sign)\(integer)" }
    var fraction = String(whole % Int64(scale))
    while fraction.count < decimals { fraction = "0" + fraction }
    return "\(sign)\(integer).\(fraction)"
}

/// User + system CPU time of the whole process so far, in seconds (all threads: the log's too).
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return .nan }
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}
