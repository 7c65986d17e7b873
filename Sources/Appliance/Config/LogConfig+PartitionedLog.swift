import Foundation
import PartitionedLog

extension ApplianceConfig {
    /// The log's settings: `<data_dir>/log`, with the `[log]` fsync policy.
    public var logConfiguration: LogConfiguration {
        LogConfiguration(
            directory: (dataDirectory as NSString).appendingPathComponent("log"),
            fsync: log.fsync == .always ? .always : .interval(log.fsyncInterval))
    }

    /// The settings of the topics the appliance creates, from `[log]`.
    public var topicDefaults: TopicConfiguration {
        TopicConfiguration(
            partitions: log.partitions,
            compression: log.compression == .zlib ? .zlib : .none,
            segmentBytes: log.segmentBytes,
            segmentAge: log.segmentAge,
            retentionAge: log.retention)
    }
}
