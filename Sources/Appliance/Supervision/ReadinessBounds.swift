import Console
import PartitionedLog

/// When a sink counts as caught up for `/readyz`: it has loaded its state and its consumer group is at most
/// `[admin] ready_max_lag` records behind the end of the log. A bound in records rather than time: a busy
/// source keeps a healthy sink a batch or two behind (a batch is up to 20,000 records), while a sink that
/// stopped or is replaying a snapshot of a large table is far beyond it.
enum ReadinessBounds {
    static func consumer(_ group: String, of log: PartitionedLog, maxLag: Int64, name: String, ready: Bool, detail: String) -> ComponentStatus {
        guard ready else { return ComponentStatus(name: name, ready: false, detail: detail) }
        let behind = log.lag(group).values.reduce(0, +)
        guard behind <= maxLag else {
            return ComponentStatus(name: name, ready: false, detail: "catching up: \(behind) records behind the log (ready at ≤ \(maxLag)); \(detail)")
        }
        return ComponentStatus(name: name, ready: true, detail: detail)
    }
}
