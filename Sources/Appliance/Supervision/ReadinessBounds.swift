import Console
import PartitionedLog

/// When a sink counts as caught up for `/readyz`: it has loaded its state and its consumer group is at most
/// `maxConsumerLag` records behind the end of the log. A bound in records rather than time: a busy source
/// keeps a healthy sink a batch or two behind (a batch is up to 20,000 records), while a sink that stopped
/// or is replaying a snapshot of a large table is far beyond it.
enum ReadinessBounds {
    static let maxConsumerLag: Int64 = 50_000

    static func consumer(_ group: String, of log: PartitionedLog, name: String, ready: Bool, detail: String) -> ComponentStatus {
        guard ready else { return ComponentStatus(name: name, ready: false, detail: detail) }
        let behind = log.lag(group).values.reduce(0, +)
        guard behind <= maxConsumerLag else {
            return ComponentStatus(name: name, ready: false, detail: "catching up: \(behind) records behind the log (ready at ≤ \(maxConsumerLag)); \(detail)")
        }
        return ComponentStatus(name: name, ready: true, detail: detail)
    }
}
