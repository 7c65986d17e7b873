import Foundation
import Glibc
import Synchronization
import PostgresTestSupport
import Testing
@testable import PartitionedLog

@Suite("Partitioned log: appends, reads, topics, consumers")
struct LogTests {
    @Test func appendsGetDenseOffsetsAndReadBack() async throws {
        let directory = try makeTemporaryDirectory("log")
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("events", TopicConfiguration(partitions: 3))
        var expected: [TopicPartition: [String]] = [:]
        for index in 0..<300 {
            let record = LogRecord(key: bytes("key-\(index % 17)"), value: bytes("value-\(index)"),
                                   headers: [LogHeader(name: "n", value: bytes("\(index)"))], timestamp: Int64(index))
            let position = try await log.append(record, to: "events")
            #expect(position.partition.partition == Partitioner.partition(for: record.key, partitions: 3))
            #expect(position.offset == Int64(expected[position.partition, default: []].count))
            expected[position.partition, default: []].append("value-\(index)")
        }
        for (partition, values) in expected {
            let records = try await log.readAll(partition)
            #expect(records.map { text($0.value) } == values)
            #expect(records.map(\.offset) == Array(0..<Int64(values.count)))
            #expect(try log.offsets(partition) == (0, Int64(values.count)))
        }
        await log.close()
    }

    @Test func concurrentAppendsShareFsyncsAndLoseNothing() async throws {
        let directory = try makeTemporaryDirectory("log")
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("t", TopicConfiguration(partitions: 1))
        let positions = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for producer in 0..<32 {
                group.addTask {
                    var offsets: [Int64] = []
                    for index in 0..<50 {
                        offsets.append(try await log.append(LogRecord(key: nil, value: bytes("\(producer)-\(index)")), to: "t").offset)
                    }
                    return offsets
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(positions.sorted() == Array(0..<1600))
        let records = try await log.readAll(TopicPartition(topic: "t", partition: 0))
        #expect(Set(records.compactMap { text($0.value) }).count == 1600)
        await log.close()
    }

    @Test func topicsPersistAndTheirShapeCannotChange() async throws {
        let directory = try makeTemporaryDirectory("log")
        do {
            let log = try await PartitionedLog.open(directory)
            try await log.createTopic("orders", TopicConfiguration(partitions: 2, cleanup: .compact, compression: .zlib))
            _ = try await log.append(LogRecord(key: bytes("a"), value: bytes("1")), to: "orders")
            await log.close()
        }
        let log = try await PartitionedLog.open(directory)
        #expect(log.topicNames == ["orders"])
        #expect(log.describe()[0].configuration.compression == .zlib)
        await #expect(throws: LogError.self) {
            try await log.createTopic("orders", TopicConfiguration(partitions: 3, cleanup: .compact))
        }
        // Settings other than partitions and cleanup may change.
        try await log.createTopic("orders", TopicConfiguration(partitions: 2, cleanup: .compact, compression: .none))
        #expect(log.describe()[0].configuration.compression == .none)
        await #expect(throws: LogError.self) { try await log.createTopic("../escape") }
        await #expect(throws: LogError.self) { try await log.createTopic("__internal") }
        await #expect(throws: LogError.self) {
            _ = try await log.append(LogRecord(key: nil, value: bytes("no key")), to: "orders")
        }
        await #expect(throws: LogError.self) { _ = try await log.append(LogRecord(key: nil, value: nil), to: "missing") }
        await log.close()
    }

    @Test func readersWaitForNewRecordsWithoutPolling() async throws {
        let directory = try makeTemporaryDirectory("log")
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("t", TopicConfiguration(partitions: 1))
        let partition = TopicPartition(topic: "t", partition: 0)
        let start = ContinuousClock.now
        #expect(try await log.waitForRecords(partition, from: 0, timeout: .milliseconds(200)) == false)
        #expect(ContinuousClock.now - start >= .milliseconds(150))
        async let woken = log.waitForRecords(partition, from: 0, timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        _ = try await log.append(LogRecord(key: nil, value: bytes("hello")), to: "t")
        #expect(try await woken == true)
        #expect(ContinuousClock.now - start < .seconds(10))
        // Already there: returns at once.
        #expect(try await log.waitForRecords(partition, from: 0, timeout: .seconds(30)) == true)
        await log.close()
    }

    @Test func intervalPolicyShowsRecordsOnlyOnceSynced() async throws {
        let directory = try makeTemporaryDirectory("log")
        let log = try await PartitionedLog.open(directory, fsync: .interval(.seconds(3600)))
        try await log.createTopic("t", TopicConfiguration(partitions: 1))
        let partition = TopicPartition(topic: "t", partition: 0)
        _ = try await log.append(LogRecord(key: nil, value: bytes("a")), to: "t")
        _ = try await log.append(LogRecord(key: nil, value: bytes("b")), to: "t")
        #expect(try log.offsets(partition).end <= 1)
        log.syncNow()
        #expect(try await log.waitForRecords(partition, from: 1, timeout: .seconds(10)))
        #expect(try await log.readAll(partition).map { text($0.value) } == ["a", "b"])
        _ = try await log.append(LogRecord(key: nil, value: bytes("c")), to: "t")
        await log.close()
        let reopened = try await PartitionedLog.open(directory)
        #expect(try await reopened.readAll(partition).map { text($0.value) } == ["a", "b", "c"])
        await reopened.close()
    }

    @Test func consumerOffsetsAreDurableAndGiveLag() async throws {
        let directory = try makeTemporaryDirectory("log")
        let partition = TopicPartition(topic: "t", partition: 0)
        do {
            let log = try await PartitionedLog.open(directory)
            try await log.createTopic("t", TopicConfiguration(partitions: 1))
            _ = try await log.append((0..<10).map { LogRecord(key: nil, value: bytes("\($0)")) }, to: "t")
            try await log.registerConsumer("sink", topics: ["t"])
            #expect(log.lag("sink") == [partition: 10])
            try await log.commit("sink", offsets: [partition: 4])
            await #expect(throws: LogError.self) { try await log.commit("nobody", offsets: [partition: 1]) }
            await log.close()
        }
        let log = try await PartitionedLog.open(directory)
        #expect(log.consumerGroups == ["sink"])
        #expect(log.committedOffsets("sink") == [partition: 4])
        #expect(log.lag("sink") == [partition: 6])
        try await log.unregisterConsumer("sink")
        #expect(log.consumerGroups.isEmpty)
        await log.close()
    }

    @Test func multiPartitionGroupsGetOneOffsetRunPerPartition() async throws {
        let directory = try makeTemporaryDirectory("log")
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("a", TopicConfiguration(partitions: 4))
        try await log.createTopic("b", TopicConfiguration(partitions: 1))
        let records = (0..<40).map { (topic: $0 % 3 == 0 ? "b" : "a", record: LogRecord(key: bytes("k\($0)"), value: bytes("v\($0)"))) }
        let positions = try await log.appendAtomically(records)
        #expect(positions.count == 40)
        for (position, (topic, record)) in zip(positions, records) {
            #expect(position.partition.topic == topic)
            let read = try await log.read(position.partition, from: position.offset, maxRecords: 1)
            #expect(read.records.first?.value == record.value)
        }
        // Plain appends keep going after the group.
        _ = try await log.append(LogRecord(key: bytes("k1"), value: bytes("after")), to: "a")
        await log.close()
    }

    @Test func describeReportsOffsetsSizesAndRates() async throws {
        let directory = try makeTemporaryDirectory("log")
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("t", TopicConfiguration(partitions: 2, segmentBytes: 4096))
        for index in 0..<200 { _ = try await log.append(LogRecord(key: bytes("\(index)"), value: bytes(String(repeating: "x", count: 100))), to: "t") }
        let description = log.describe()
        #expect(description.map(\.name) == ["t"])
        let partitions = description[0].partitions
        #expect(partitions.map(\.endOffset).reduce(0, +) == 200)
        #expect(partitions.allSatisfy { $0.startOffset == 0 && $0.sizeBytes > 0 && $0.segments > 1 })
        await log.close()
    }
}

@Suite("Partitioned log fail-stop")
struct FailStopTests {
    @Test func aFailedFsyncStopsTheLogAndNothingAcknowledgedIsLost() async throws {
        let directory = try makeTemporaryDirectory("log-failstop")
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("t", TopicConfiguration(partitions: 1))
        _ = try await log.append(LogRecord(key: nil, value: bytes("durable")), to: "t")
        log.context.injectedSyncFailure.store(EIO, ordering: .relaxed)
        let service = Task { try await LogService(log: log).run() }

        await #expect(throws: LogError.self) { _ = try await log.append(LogRecord(key: nil, value: bytes("lost")), to: "t") }
        #expect(log.failure?.code == .failed)
        // No retry: later appends fail at once, even though the disk would now "work".
        log.context.injectedSyncFailure.store(0, ordering: .relaxed)
        await #expect(throws: LogError.self) { _ = try await log.append(LogRecord(key: nil, value: bytes("refused")), to: "t") }
        // The service fails, which stops the whole process (its group).
        await #expect(throws: LogError.self) { try await service.value }

        let reopened = try await PartitionedLog.open(directory)
        let values = try await reopened.readAll(TopicPartition(topic: "t", partition: 0)).compactMap { text($0.value) }
        #expect(values.first == "durable")
        #expect(!values.contains("refused"))
        await reopened.close()
    }
}

extension FailStopTests {
    /// Once the log fails, every append in flight — plain or part of a multi-partition group, queued behind
    /// others or not — gets the error promptly; none waits forever.
    @Test func nothingWaitsForeverAfterAFailureDuringAGroup() async throws {
        let directory = try makeTemporaryDirectory("log-failstop-group")
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("a", TopicConfiguration(partitions: 4))
        log.context.injectedSyncFailure.store(EIO, ordering: .relaxed)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for round in 0..<20 {
                group.addTask {
                    let records = (0..<8).map { ("a", LogRecord(key: bytes("k\(round)-\($0)"), value: bytes("v"))) }
                    return (try? await log.appendAtomically(records)) == nil
                }
                group.addTask { (try? await log.append(LogRecord(key: bytes("p\(round)"), value: bytes("v")), to: "a")) == nil }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return false
            }
            var failed = 0
            for await outcome in group {
                guard outcome else { break }
                failed += 1
                if failed == 40 { group.cancelAll() }
            }
            return failed
        }
        #expect(outcomes == 40, "every append failed promptly")
        await log.close()
    }
}

@Suite("Partitioned log time index")
struct TimeIndexTests {
    @Test func findsTheFirstOffsetAtOrAfterATimestamp() async throws {
        let directory = try makeTemporaryDirectory("log-time")
        let partition = TopicPartition(topic: "t", partition: 0)
        do {
            let log = try await PartitionedLog.open(directory)
            try await log.createTopic("t", TopicConfiguration(partitions: 1, segmentBytes: 4096))
            for index in 0..<500 {
                _ = try await log.append(LogRecord(key: nil, value: bytes(String(repeating: "t", count: 50)), timestamp: 1_000 + Int64(index) * 10), to: "t")
            }
            await log.close()
        }
        // Reopened, so that rolled segments answer from their time index files.
        let log = try await PartitionedLog.open(directory)
        for (timestamp, expected) in [(0, 0), (1_000, 0), (1_001, 1), (3_455, 246), (5_990, 499)] as [(Int64, Int64)] {
            #expect(try await log.offset(partition, forTimestamp: timestamp) == expected, "timestamp \(timestamp)")
        }
        #expect(try await log.offset(partition, forTimestamp: 6_000) == nil)
        await log.close()
    }
}
