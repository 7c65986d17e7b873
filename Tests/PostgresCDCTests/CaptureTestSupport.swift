import Foundation
import Logging
import LocalPostgres
import PartitionedLog
import PostgresCDC
import PostgresTestSupport
import ServiceLifecycle

/// A capture of one throwaway cluster's database into a log in a temp directory, run in-process.
struct CaptureHarness {
    let cluster: RunningCluster
    let directory: String
    var database = "postgres"
    var tables = [QualifiedName(schema: "public", table: "items")]
    var configure: @Sendable (inout CaptureConfiguration) -> Void = { _ in }

    var settings: ConnectionSettings { ThrowawayCluster.superuserSettings(cluster, database: database) }

    func configuration() -> CaptureConfiguration {
        var configuration = CaptureConfiguration(
            sourceName: "src", connection: settings, tables: tables, slot: "moodle_pipeline_src", publication: "moodle_pipeline_src",
            spillDirectory: "\(directory)/cdc")
        configuration.reconnectBackoff = (.milliseconds(100), .seconds(1))
        configuration.heartbeatInterval = .seconds(1)
        configure(&configuration)
        return configuration
    }

    func openLog() async throws -> PartitionedLog {
        try await PartitionedLog.open(LogConfiguration(directory: "\(directory)/log"), logger: testLogger)
    }

    /// Runs a capture while `body` runs, then stops it gracefully and closes the log.
    func run<T>(_ body: (ChangeCapture, PartitionedLog) async throws -> T) async throws -> T {
        let log = try await openLog()
        let capture = ChangeCapture(
            configuration: configuration(), log: log, topicConfiguration: TopicConfiguration(partitions: 2), logger: testLogger)
        let task = Task { try await capture.run() }
        do {
            let result = try await body(capture, log)
            task.cancel()
            _ = try? await task.value
            await log.close()
            return result
        } catch {
            task.cancel()
            _ = try? await task.value
            await log.close()
            throw error
        }
    }

    @discardableResult
    func sql(_ statement: String) async throws -> QueryResult {
        try await ThrowawayCluster.sql(cluster, statement, database: database)
    }
}

var testLogger: Logger {
    var logger = Logger(label: "capture-test")
    logger.logLevel = ProcessInfo.processInfo.environment["CAPTURE_TEST_LOG"] == nil ? .critical : .trace
    return logger
}

/// One change event read back from the log.
struct Event {
    var topic: String
    var partition: Int
    var offset: Int64
    var key: [String: Any]?
    var op: String
    var before: [String: Any]?
    var after: [String: Any]?
    var source: [String: Any]

    var id: String? {
        ((after ?? before)?["id"]).map { "\($0)" } ?? key?["id"].map { "\($0)" }
    }
}

extension PartitionedLog {
    /// Every event of a topic, partition by partition.
    func events(_ topic: String) async throws -> [Event] {
        var events: [Event] = []
        guard topicNames.contains(topic) else { return [] }
        for partition in 0..<(try partitionCount(of: topic)) {
            let id = TopicPartition(topic: topic, partition: partition)
            var offset = try offsets(id).start
            while true {
                let result = try await read(id, from: offset, maxRecords: 10_000, maxBytes: 16 << 20)
                for record in result.records {
                    guard let value = record.value,
                        let object = try JSONSerialization.jsonObject(with: Data(value)) as? [String: Any]
                    else { continue }
                    let key = record.key.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
                    events.append(Event(
                        topic: topic, partition: partition, offset: record.offset, key: key, op: object["op"] as? String ?? "?",
                        before: object["before"] as? [String: Any], after: object["after"] as? [String: Any],
                        source: object["source"] as? [String: Any] ?? [:]))
                }
                if result.records.isEmpty || result.nextOffset >= result.endOffset { break }
                offset = result.nextOffset
            }
        }
        return events
    }
}

/// Waits until `condition` holds, polling (the log offers no "wait for a count" across partitions).
func waitUntil(timeout: Duration = .seconds(60), _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TimeoutError(what: what)
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
