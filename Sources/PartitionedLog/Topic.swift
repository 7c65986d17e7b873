import PosixFiles
import Synchronization

/// A named topic: its partitions and settings, kept in `<log>/<topic>/topic.conf` so that the log reopens
/// every topic as it was created (the partition count, above all, never changes: it decides where keys go).
final class Topic: Sendable {
    let name: String
    let directory: String
    let partitions: [Partition]
    private let settings: Mutex<TopicConfiguration>

    var configuration: TopicConfiguration { settings.withLock { $0 } }

    init(name: String, directory: String, partitions: [Partition], configuration: TopicConfiguration) {
        self.name = name
        self.directory = directory
        self.partitions = partitions
        self.settings = Mutex(configuration)
    }

    /// Changes the settings that may change (retention, compression, segment rolling); blocking.
    func update(_ configuration: TopicConfiguration) throws(LogError) {
        let current = self.configuration
        guard configuration.partitions == current.partitions, configuration.cleanup == current.cleanup else {
            throw LogError(.topicMismatch, """
                topic \(name) exists with \(current.partitions) partitions and cleanup "\(current.cleanup.rawValue)"; \
                asked for \(configuration.partitions) and "\(configuration.cleanup.rawValue)" (these cannot change: \
                delete the topic's directory to recreate it)
                """)
        }
        guard configuration != current else { return }
        try Self.store(configuration, directory: directory)
        settings.withLock { $0 = configuration }
        for partition in partitions { partition.settings.withLock { $0 = configuration } }
    }

    static func validate(name: String) throws(LogError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard !name.isEmpty, name.utf8.count <= LogLimits.maxTopicNameLength, allowed, name != ".", name != "..",
            !name.hasPrefix("__")
        else {
            throw LogError(.invalidTopic, """
                invalid topic name "\(name)": use 1-\(LogLimits.maxTopicNameLength) of A-Z a-z 0-9 . _ -, \
                not starting with "__" (reserved)
                """)
        }
    }

    // MARK: topic.conf

    static func store(_ configuration: TopicConfiguration, directory: String) throws(LogError) {
        func optional(_ value: Int64?) -> String { value.map(String.init) ?? "none" }
        let text = """
            # written by moodle-pipeline; partitions and cleanup must not change
            partitions=\(configuration.partitions)
            cleanup=\(configuration.cleanup.rawValue)
            compression=\(configuration.compression.rawValue)
            segment_bytes=\(configuration.segmentBytes)
            segment_age_ms=\(configuration.segmentAge.milliseconds)
            retention_age_ms=\(optional(configuration.retentionAge?.milliseconds))
            retention_bytes=\(optional(configuration.retentionBytes.map(Int64.init)))
            tombstone_retention_ms=\(configuration.tombstoneRetention.milliseconds)

            """
        try FileSystem.writeAtomically(Array(text.utf8), to: "\(directory)/topic.conf", directory: directory)
    }

    static func load(directory: String) throws(LogError) -> TopicConfiguration {
        let path = "\(directory)/topic.conf"
        let text = String(decoding: try FileSystem.readAll(path), as: UTF8.self)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        func int(_ key: String) throws(LogError) -> Int64? {
            guard let value = values[key] else { throw LogError(.corrupt, "\(path): missing \(key)") }
            if value == "none" { return nil }
            guard let number = Int64(value) else { throw LogError(.corrupt, "\(path): \(key) is not a number") }
            return number
        }
        func required(_ key: String) throws(LogError) -> Int64 {
            guard let value = try int(key) else { throw LogError(.corrupt, "\(path): \(key) cannot be none") }
            return value
        }
        guard let cleanup = values["cleanup"].flatMap(TopicConfiguration.Cleanup.init(rawValue:)),
            let compression = values["compression"].flatMap(TopicConfiguration.Compression.init(rawValue:))
        else { throw LogError(.corrupt, "\(path): cleanup or compression missing or unknown") }
        return TopicConfiguration(
            partitions: Int(try required("partitions")), cleanup: cleanup, compression: compression,
            segmentBytes: Int(try required("segment_bytes")),
            segmentAge: .milliseconds(try required("segment_age_ms")),
            retentionAge: try int("retention_age_ms").map { .milliseconds($0) },
            retentionBytes: try int("retention_bytes").map { Int($0) },
            tombstoneRetention: .milliseconds(try required("tombstone_retention_ms")))
    }
}
