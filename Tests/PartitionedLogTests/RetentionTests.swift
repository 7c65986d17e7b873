import Foundation
import MetricsTestKit
import PostgresTestSupport
import Testing
@testable import PartitionedLog

@Suite("Retention and compaction")
struct RetentionTests {
    let partition = TopicPartition(topic: "t", partition: 0)

    private func fill(_ log: PartitionedLog, count: Int, clock: ManualClock, key: (Int) -> String = { "\($0)" }) async throws {
        for index in 0..<count {
            _ = try await log.append(LogRecord(key: bytes(key(index)), value: bytes("v\(index)-" + String(repeating: "r", count: 80))), to: "t")
            if index % 10 == 0 { clock.advance(by: .seconds(1)) }
        }
    }

    @Test func ageRetentionDeletesOldSegmentsButNotWhatAConsumerStillNeeds() async throws {
        let directory = try makeTemporaryDirectory("log-retention")
        let clock = ManualClock()
        let metrics = TestMetrics()
        let log = try await PartitionedLog.open(
            LogConfiguration(directory: directory, clock: clock), logger: quietLogger, metricsFactory: metrics)
        try await log.createTopic("t", TopicConfiguration(partitions: 1, segmentBytes: 4096, retentionAge: .seconds(60)))
        try await fill(log, count: 300, clock: clock)
        try await log.registerConsumer("sink", topics: ["t"])
        try await log.commit("sink", offsets: [partition: 100])
        clock.advance(by: .seconds(3600))

        try await log.runMaintenance()
        let guarded = log.describe()[0].partitions[0]
        #expect(guarded.startOffset > 0 && guarded.startOffset <= 100, "deleted only below the consumer's offset")
        #expect(guarded.retentionHeldBytes > 0)
        let gauge = try metrics.expectGauge("log_retention_held_bytes", [("topic", "t"), ("partition", "0")])
        #expect(gauge.lastValue == Double(guarded.retentionHeldBytes))
        await #expect(throws: LogError.self) { _ = try await log.read(partition, from: 0) }
        let remaining = try await log.readAll(partition)
        #expect(remaining.first?.offset == guarded.startOffset)
        #expect(remaining.last?.offset == 299)

        try await log.commit("sink", offsets: [partition: 300])
        try await log.runMaintenance()
        let released = log.describe()[0].partitions[0]
        #expect(released.segments == 1, "everything but the active segment is gone")
        #expect(released.retentionHeldBytes == 0)
        #expect(released.endOffset == 300)
        #expect(try metrics.expectGauge("log_retention_held_bytes", [("topic", "t"), ("partition", "0")]).lastValue == 0)
        await log.close()

        // The new start survives a restart; leftover index files of deleted segments do not confuse it.
        let reopened = try await PartitionedLog.open(directory, clock: clock)
        #expect(try reopened.offsets(partition) == (released.startOffset, 300))
        await reopened.close()
    }

    @Test func sizeRetentionKeepsTheNewestBytes() async throws {
        let directory = try makeTemporaryDirectory("log-size")
        let clock = ManualClock()
        let log = try await PartitionedLog.open(directory, clock: clock)
        try await log.createTopic("t", TopicConfiguration(partitions: 1, segmentBytes: 4096, retentionAge: nil, retentionBytes: 16384))
        try await fill(log, count: 600, clock: clock)
        let before = log.describe()[0].partitions[0]
        try await log.runMaintenance()
        let after = log.describe()[0].partitions[0]
        #expect(before.sizeBytes > 16384)
        #expect(after.sizeBytes <= 16384 + 4096 + 200)
        #expect(after.startOffset > 0)
        #expect(after.endOffset == 600)
        await log.close()
    }

    @Test func compactionKeepsTheLatestPerKeyAndExpiresTombstones() async throws {
        let directory = try makeTemporaryDirectory("log-compact")
        let clock = ManualClock()
        let log = try await PartitionedLog.open(directory, clock: clock)
        try await log.createTopic("t", TopicConfiguration(
            partitions: 1, cleanup: .compact, compression: .zlib, segmentBytes: 4096, tombstoneRetention: .seconds(600)))
        // 20 keys updated 30 times each, then keys 0-4 deleted, then a few more records to roll past them.
        for round in 0..<30 {
            _ = try await log.append((0..<20).map { LogRecord(key: bytes("k\($0)"), value: bytes("round \(round) " + String(repeating: "p", count: 60)), timestamp: clock.nowMilliseconds()) }, to: "t")
        }
        _ = try await log.append((0..<5).map { LogRecord(key: bytes("k\($0)"), value: nil, timestamp: clock.nowMilliseconds()) }, to: "t")
        for filler in 0..<60 {
            _ = try await log.append(LogRecord(key: bytes("filler\(filler % 3)"), value: bytes(String(repeating: "f", count: 100)), timestamp: clock.nowMilliseconds()), to: "t")
        }
        let before = log.describe()[0].partitions[0]
        try await log.runMaintenance()
        let after = log.describe()[0].partitions[0]
        #expect(after.sizeBytes < before.sizeBytes / 2)
        #expect(after.endOffset == before.endOffset)

        var latest: [String: String?] = [:]
        for record in try await log.readAll(partition) { latest[text(record.key)!] = text(record.value) }
        for key in 5..<20 { #expect(latest["k\(key)"]??.hasPrefix("round 29") == true) }
        for key in 0..<5 { #expect(latest["k\(key)"] == .some(nil), "tombstone kept within its retention") }

        // Offsets keep their meaning: reading from an old offset gives records at or after it.
        let read = try await log.read(partition, from: 10, maxRecords: 5)
        #expect(read.records.allSatisfy { $0.offset >= 10 })

        clock.advance(by: .seconds(3600))
        try await log.runMaintenance()
        let keys = Set(try await log.readAll(partition).compactMap { text($0.key) })
        #expect(keys.isDisjoint(with: (0..<5).map { "k\($0)" }), "expired tombstones dropped")
        #expect(keys.isSuperset(of: (5..<20).map { "k\($0)" }))
        await log.close()

        let reopened = try await PartitionedLog.open(directory, clock: clock)
        #expect(Set(try await reopened.readAll(partition).compactMap { text($0.key) }) == keys)
        await reopened.close()
    }

    @Test func appendsContinueWhileCompactionRuns() async throws {
        let directory = try makeTemporaryDirectory("log-compact-concurrent")
        let clock = ManualClock()
        let log = try await PartitionedLog.open(directory, clock: clock)
        try await log.createTopic("t", TopicConfiguration(partitions: 1, cleanup: .compact, segmentBytes: 4096))
        try await fill(log, count: 2000, clock: clock) { "k\($0 % 50)" }
        async let compaction: Void = log.runMaintenance()
        for index in 0..<200 {
            _ = try await log.append(LogRecord(key: bytes("k\(index % 50)"), value: bytes("late \(index)")), to: "t")
        }
        try await compaction
        var latest: [String: String] = [:]
        for record in try await log.readAll(partition) { latest[text(record.key)!] = text(record.value) }
        for key in 0..<50 { #expect(latest["k\(key)"] == "late \(150 + key)") }
        await log.close()
    }
}
