import Foundation
import PostgresTestSupport
import Synchronization
import Testing
@testable import PartitionedLog

/// Atomic groups written in parts (`AtomicGroupWriter`): invisible until the commit, all of it after, cut off
/// by an abort, truncated by recovery without a durable commit, and written in bounded memory.
@Suite("Streamed atomic groups")
struct StreamedGroupTests {
    let a0 = TopicPartition(topic: "a", partition: 0)
    let a1 = TopicPartition(topic: "a", partition: 1)
    let b0 = TopicPartition(topic: "b", partition: 0)

    /// Topics `a` (2 partitions) and `b` (1), each partition with one plain record already.
    private func makeLog(_ directory: String, segmentBytes: Int = 128 << 20) async throws -> PartitionedLog {
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("a", TopicConfiguration(partitions: 2, segmentBytes: segmentBytes))
        try await log.createTopic("b", TopicConfiguration(partitions: 1, compression: .zlib, segmentBytes: segmentBytes))
        for partition in [a0, a1, b0] {
            _ = try await log.append(LogRecord(key: key(for: partition, 0), value: bytes("before")), to: partition.topic)
        }
        return log
    }

    /// A key that the partitioner sends to `partition` (`a` has 2 partitions, `b` 1).
    private func key(for partition: TopicPartition, _ index: Int) -> [UInt8] {
        let count = partition.topic == "a" ? 2 : 1
        var candidate = index * 1000
        while Partitioner.partition(for: bytes("k\(candidate)"), partitions: count) != partition.partition { candidate += 1 }
        return bytes("k\(candidate)")
    }

    /// `count` records for `partition`, valued `<tag>-<n>`.
    private func part(_ partition: TopicPartition, _ tag: String, _ range: Range<Int>, padding: Int = 0)
        -> [(topic: String, record: LogRecord)]
    {
        range.map { index in
            let value = "\(tag)-\(index)" + String(repeating: "x", count: padding)
            return (partition.topic, LogRecord(key: key(for: partition, index), value: bytes(value)))
        }
    }

    private func values(_ log: PartitionedLog, _ partition: TopicPartition) async throws -> [String] {
        let records = try await log.readAll(partition)
        #expect(records.map(\.offset) == Array(0..<Int64(records.count)), "offsets of \(partition) are dense")
        return records.map { String(text($0.value)?.prefix { $0 != "x" } ?? "") }
    }

    private func expectInvisible(_ log: PartitionedLog, ends: [TopicPartition: Int64]) async throws {
        for (partition, end) in ends {
            #expect(try log.offsets(partition).end == end)
            let read = try await log.read(partition, from: end)
            #expect(read.records.isEmpty && read.endOffset == end)
            #expect(try await log.waitForRecords(partition, from: end, timeout: .milliseconds(20)) == false)
        }
    }

    @Test func partsAreInvisibleUntilTheCommitAndAProducerWaitsForIt() async throws {
        let directory = try makeTemporaryDirectory("log-streamed")
        let log = try await makeLog(directory)
        let ends: [TopicPartition: Int64] = [a0: 1, a1: 1, b0: 1]
        let group = try log.beginAtomicGroup()
        try await group.append(part(a0, "g-a0", 0..<30))
        try await group.append(part(a1, "g-a1", 0..<20) + part(b0, "g-b0", 0..<25))
        try await expectInvisible(log, ends: ends)

        // A plain append to a held partition waits for the decision (not interleaved with the group).
        let done = Atomic<Bool>(false)
        let producer = Task {
            defer { done.store(true, ordering: .sequentiallyConsistent) }
            return try await log.append(LogRecord(key: key(for: a0, 99), value: bytes("waiting")), to: "a")
        }
        let held = try log.partition(a0)
        #expect(await eventually(timeout: .seconds(10)) { held.state.withLock { $0.spaceWaiters.count } == 1 })
        let positions = try await group.append(part(a0, "g-a0", 30..<60) + part(b0, "g-b0", 25..<50))
        #expect(positions.first == RecordPosition(partition: a0, offset: 31))
        #expect(done.load(ordering: .sequentiallyConsistent) == false)
        try await expectInvisible(log, ends: ends)

        let ranges = try await group.commit()
        #expect(ranges == [a0: 1..<61, a1: 1..<21, b0: 1..<51])
        #expect(try await producer.value.offset == 61)
        #expect(try await values(log, a0) == ["before"] + (0..<60).map { "g-a0-\($0)" } + ["waiting"])
        #expect(try await values(log, a1) == ["before"] + (0..<20).map { "g-a1-\($0)" })
        #expect(try await values(log, b0) == ["before"] + (0..<50).map { "g-b0-\($0)" })
        await #expect(throws: LogError.self) { try await group.append(part(a0, "late", 0..<1)) }
        await log.close()

        // And all of it after a restart.
        let reopened = try await PartitionedLog.open(directory)
        #expect(try await values(reopened, a0).count == 62)
        #expect(try await values(reopened, b0).count == 51)
        await reopened.close()
    }

    @Test func anAbortedGroupLeavesNothingAndOffsetsStayDense() async throws {
        let directory = try makeTemporaryDirectory("log-streamed-abort")
        let log = try await makeLog(directory)
        let group = try log.beginAtomicGroup()
        try await group.append(part(a0, "g", 0..<40) + part(b0, "g", 0..<40))
        let producer = Task { try await log.append(LogRecord(key: key(for: b0, 7), value: bytes("waiting")), to: "b") }
        let held = try log.partition(b0)
        #expect(await eventually(timeout: .seconds(10)) { held.state.withLock { $0.spaceWaiters.count } == 1 })
        try await group.append(part(a1, "g", 0..<10))
        await group.abort()
        await group.abort()
        await #expect(throws: LogError.self) { try await group.commit() }

        #expect(try await producer.value.offset == 1)
        _ = try await log.append(LogRecord(key: key(for: a0, 1), value: bytes("after")), to: "a")
        _ = try await log.appendAtomically(part(a1, "atomic", 0..<3) + part(b0, "atomic", 0..<3))
        #expect(try await values(log, a0) == ["before", "after"])
        #expect(try await values(log, a1) == ["before", "atomic-0", "atomic-1", "atomic-2"])
        #expect(try await values(log, b0) == ["before", "waiting", "atomic-0", "atomic-1", "atomic-2"])
        await log.close()

        let reopened = try await PartitionedLog.open(directory)
        #expect(try await values(reopened, a0) == ["before", "after"])
        #expect(try await values(reopened, b0).count == 5)
        await reopened.close()
    }

    /// A writer dropped without a decision is aborted: the partitions it held take appends again.
    @Test func aDroppedWriterIsAborted() async throws {
        let directory = try makeTemporaryDirectory("log-streamed-dropped")
        let log = try await makeLog(directory)
        do {
            let group = try log.beginAtomicGroup()
            try await group.append(part(a0, "dropped", 0..<10))
        }
        #expect(try await log.append(LogRecord(key: key(for: a0, 1), value: bytes("after")), to: "a").offset == 1)
        let next = try log.beginAtomicGroup()
        try await next.append(part(a0, "then", 0..<2))
        #expect(try await next.commit() == [a0: 2..<4])
        #expect(try await values(log, a0) == ["before", "after", "then-0", "then-1"])
        await log.close()
    }

    /// A group larger than a segment stays in one segment (the partition does not roll while the group holds
    /// it), commits whole, and the partition rolls again afterwards; an aborted one is cut off whole.
    @Test func groupsLargerThanASegmentCommitAndAbortWhole() async throws {
        let directory = try makeTemporaryDirectory("log-streamed-roll")
        let log = try await makeLog(directory, segmentBytes: 4096)
        for index in 0..<40 {
            _ = try await log.append(LogRecord(key: key(for: a0, index), value: bytes("plain-\(index)" + String(repeating: "x", count: 200))), to: "a")
        }
        let segmentsBefore = files(in: "\(directory)/a/0", suffix: ".log").count
        #expect(segmentsBefore > 1)

        let committed = try log.beginAtomicGroup()
        for number in 0..<10 { try await committed.append(part(a0, "big", (number * 20)..<((number + 1) * 20), padding: 200)) }
        try await expectInvisible(log, ends: [a0: 41])
        try await committed.commit()
        #expect(files(in: "\(directory)/a/0", suffix: ".log").count <= segmentsBefore + 1, "one segment holds the group")

        let aborted = try log.beginAtomicGroup()
        for number in 0..<10 { try await aborted.append(part(a0, "gone", (number * 20)..<((number + 1) * 20), padding: 200)) }
        await aborted.abort()
        for index in 0..<40 {
            _ = try await log.append(LogRecord(key: key(for: a0, index), value: bytes("later-\(index)" + String(repeating: "x", count: 200))), to: "a")
        }
        let expected = ["before"] + (0..<40).map { "plain-\($0)" } + (0..<200).map { "big-\($0)" } + (0..<40).map { "later-\($0)" }
        #expect(try await values(log, a0) == expected)
        #expect(files(in: "\(directory)/a/0", suffix: ".log").count > segmentsBefore + 2, "rolling resumed")
        await log.close()

        let reopened = try await PartitionedLog.open(directory)
        #expect(try await values(reopened, a0) == expected)
        await reopened.close()
    }

    /// With the interval policy parts are written without a sync; a periodic sync shows what came before the
    /// group but not the group; the commit syncs every partition first.
    @Test func intervalPolicySyncsAtTheCommit() async throws {
        let directory = try makeTemporaryDirectory("log-streamed-interval")
        let log = try await PartitionedLog.open(directory, fsync: .interval(.seconds(3600)))
        try await log.createTopic("a", TopicConfiguration(partitions: 2))
        _ = try await log.append(LogRecord(key: key(for: a0, 0), value: bytes("before")), to: "a")
        let group = try log.beginAtomicGroup()
        try await group.append(part(a0, "g", 0..<10) + part(a1, "g", 0..<10))
        log.syncNow()
        #expect(try await log.waitForRecords(a0, from: 0, timeout: .seconds(10)))
        try await group.append(part(a0, "g", 10..<20))
        log.syncNow()
        try await expectInvisible(log, ends: [a0: 1, a1: 0])
        #expect(try await group.commit() == [a0: 1..<21, a1: 0..<10])
        #expect(try log.offsets(a0).end == 21)
        #expect(try await values(log, a1) == (0..<10).map { "g-\($0)" })
        let aborted = try log.beginAtomicGroup()
        try await aborted.append(part(a1, "gone", 0..<10))
        await aborted.abort()
        _ = try await log.append(LogRecord(key: key(for: a1, 1), value: bytes("after")), to: "a")
        await log.close()
        let reopened = try await PartitionedLog.open(directory)
        #expect(try await values(reopened, a0).count == 21)
        #expect(try await values(reopened, a1) == (0..<10).map { "g-\($0)" } + ["after"])
        await reopened.close()
    }

    /// One streamed group is open at a time, and a multi-partition group touching a held partition waits
    /// for the decision; neither deadlocks, and a group on other partitions goes ahead.
    @Test func otherGroupsWaitForTheOpenOneWithoutDeadlock() async throws {
        let directory = try makeTemporaryDirectory("log-streamed-order")
        let log = try await makeLog(directory)
        let first = try log.beginAtomicGroup()
        try await first.append(part(a0, "first", 0..<5))
        let second = Task {
            let group = try log.beginAtomicGroup()
            try await group.append(part(a1, "second", 0..<5) + part(a0, "second", 0..<5))
            return try await group.commit()
        }
        let blocked = Task { try await log.appendAtomically(part(a0, "blocked", 0..<2) + part(b0, "blocked", 0..<2)) }
        #expect(await eventually(timeout: .seconds(10)) { log.groupOrder.withLock { $0.blocked.count } == 2 })
        // Partitions the open group does not hold take groups meanwhile.
        _ = try await log.appendAtomically(part(a1, "free", 0..<2) + part(b0, "free", 0..<2))
        try await first.append(part(b0, "first", 0..<5))
        try await first.commit()
        _ = try await second.value
        _ = try await blocked.value
        let a0Values = try await values(log, a0)
        #expect(Array(a0Values.prefix(6)) == ["before"] + (0..<5).map { "first-\($0)" })
        #expect(a0Values.count == 13, "before, first, blocked, second")
        #expect(try await values(log, b0).prefix(3) == ["before", "free-0", "free-1"])
        await log.close()
    }

    /// What a crash leaves: parts on disk without a commit (the log closed, or the last part torn) are
    /// truncated at start-up in every partition; a committed group is all there.
    @Test(arguments: [false, true])
    func recoveryTruncatesAnUncommittedGroupEverywhere(tearTheLastPart: Bool) async throws {
        let directory = try makeTemporaryDirectory("log-streamed-crash")
        let log = try await makeLog(directory, segmentBytes: 4096)
        let committed = try log.beginAtomicGroup()
        try await committed.append(part(a0, "kept", 0..<10) + part(b0, "kept", 0..<10))
        try await committed.append(part(a1, "kept", 0..<10))
        try await committed.commit()
        let open = try log.beginAtomicGroup()
        for number in 0..<6 {
            try await open.append(part(a0, "lost", (number * 10)..<((number + 1) * 10), padding: 100) + part(b0, "lost", 0..<3))
        }
        try await open.append(part(a1, "lost", 0..<4))
        await log.close()
        await open.abort()  // the log is closed: nothing is cut, the parts stay on disk as after a crash
        if tearTheLastPart {
            let active = files(in: "\(directory)/a/0", suffix: ".log").last!
            let size = try FileManager.default.attributesOfItem(atPath: active)[.size] as! Int
            truncate(active, off_t(size - 50))
        }

        let reopened = try await PartitionedLog.open(directory)
        #expect(try await values(reopened, a0) == ["before"] + (0..<10).map { "kept-\($0)" })
        #expect(try await values(reopened, a1) == ["before"] + (0..<10).map { "kept-\($0)" })
        #expect(try await values(reopened, b0) == ["before"] + (0..<10).map { "kept-\($0)" })
        let next = try await reopened.beginAtomicGroup()
        try await next.append(part(a0, "next", 0..<3))
        #expect(try await next.commit() == [a0: 11..<14])
        await reopened.close()
    }

    /// 200 MiB in 2 MiB parts: peak resident memory grows by a small fraction of that. Measured in a child
    /// process (the crash child's `memory` mode), where suites running alongside cannot disturb it.
    @Test func memoryStaysBoundedWhateverTheGroupSize() async throws {
        let directory = try makeTemporaryDirectory("log-streamed-memory")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let child = try ChildProcess(["\(directory)/log", "0", "memory"], directory: directory, executable: "log-crash-child")
        #expect(await child.waitForExit(timeout: .seconds(120)) == 0, "stderr: \(child.stderr)")
        let lines = child.stdout.split(separator: "\n")
        let records = lines.first { $0.hasPrefix("records ") }.flatMap { Int($0.dropFirst(8)) }
        let growth = try #require(lines.first { $0.hasPrefix("growth ") }.flatMap { Int($0.dropFirst(7)) }, "stdout: \(child.stdout)")
        #expect(records == 3200)
        // Holding the group in memory would take 200 MiB: VmHWM would show it.
        #expect(growth > 0 && growth < 64 << 20, "peak resident memory grew by \(growth >> 20) MiB while writing 200 MiB")
    }
}
