import PartitionedLog

/// What one append phase measured.
struct AppendPhaseResult: Sendable {
    var records: Int
    var seconds: Double
    /// One sample per `append` call: from the call to its durable acknowledgement.
    var ack: LatencySummary
    /// The log's own fsyncs during the phase (from its `log_fsync_duration_seconds` metric).
    var logFsync: LatencySummary
    /// CPU time of the whole process during the phase (2 cores: at most twice `seconds`).
    var cpuSeconds: Double
    var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
    /// The batch size group commit achieved: records made durable per fsync.
    var recordsPerFsync: Double { logFsync.count > 0 ? Double(records) / Double(logFsync.count) : 0 }
}

/// What one read phase measured and found.
struct ReadPhaseResult: Sendable {
    var records: Int
    var seconds: Double
    var reads: Int
    /// Problems found checking what was read (empty when every record came back once, densely, intact).
    var problems: [String]
    var cpuSeconds: Double
    var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

extension LogBenchmark {
    /// `producers` tasks append records `0..<records` to `topic`, `batch` records per call, each waiting for
    /// its acknowledgement before the next call (as a producer waiting for durability does).
    func appendPhase(_ log: PartitionedLog, topic: String, probe: FsyncProbe) async throws -> AppendPhaseResult {
        let parameters = self.parameters
        let values = self.values
        _ = probe.take()
        let cpuStart = processCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for producer in 0..<parameters.producers {
                let share = Self.share(of: producer, among: parameters.producers, total: parameters.records)
                group.addTask {
                    try await Self.produce(log, topic: topic, share, batch: parameters.batch, values: values)
                }
            }
            var all: [Int64] = []
            all.reserveCapacity(parameters.records / parameters.batch + parameters.producers)
            for try await samples in group { all += samples }
            return all
        }
        let seconds = (clock.now - start).seconds
        return AppendPhaseResult(
            records: parameters.records, seconds: seconds, ack: LatencySummary(nanoseconds: latencies),
            logFsync: LatencySummary(nanoseconds: probe.take()), cpuSeconds: processCPUSeconds() - cpuStart)
    }

    /// Producer `producer`'s contiguous share of the record numbers.
    static func share(of producer: Int, among producers: Int, total: Int) -> Range<Int> {
        let base = total / producers, extra = total % producers
        let start = producer * base + min(producer, extra)
        return start..<(start + base + (producer < extra ? 1 : 0))
    }

    private static func produce(
        _ log: PartitionedLog, topic: String, _ share: Range<Int>, batch: Int, values: RecordValues
    ) async throws -> [Int64] {
        let calls = (share.count + batch - 1) / batch
        var latencies = [Int64](repeating: 0, count: calls)
        var next = share.lowerBound
        for call in 0..<calls {
            let end = min(next + batch, share.upperBound)
            let records = (next..<end).map { LogRecord(key: RecordValues.key($0), value: values.value($0)) }
            let started = ContinuousClock.now
            let positions = try await log.append(records, to: topic)
            latencies[call] = (ContinuousClock.now - started).nanoseconds
            guard positions.count == records.count else {
                throw BenchmarkFailure(description: "append returned \(positions.count) positions for \(records.count) records")
            }
            next = end
        }
        return latencies
    }

    /// Reads every partition of `topic` from its start, 4 MiB per read, checking that offsets are dense,
    /// that every record number written comes back exactly once, and (every 997th record) its value.
    func readPhase(_ log: PartitionedLog, topic: String) async throws -> ReadPhaseResult {
        var seen = [Bool](repeating: false, count: parameters.records)
        var count = 0, reads = 0, gaps = 0, duplicates = 0, badValues = 0, badKeys = 0
        var problems: [String] = []
        let cpuStart = processCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        for number in 0..<parameters.partitions {
            let partition = TopicPartition(topic: topic, partition: number)
            var (offset, end) = try log.offsets(partition)
            while offset < end {
                let result = try await log.read(partition, from: offset, maxRecords: 1 << 20, maxBytes: 4 << 20)
                reads += 1
                guard !result.records.isEmpty else {
                    problems.append("\(partition): empty read at offset \(offset) before the end \(end)")
                    break
                }
                for record in result.records {
                    if record.offset != offset { gaps += 1 }
                    offset = record.offset + 1
                    count += 1
                    guard let index = Self.recordNumber(record.key), index < seen.count else { badKeys += 1; continue }
                    if seen[index] { duplicates += 1 }
                    seen[index] = true
                    if index % 997 == 0, record.value != values.value(index) { badValues += 1 }
                }
                if result.nextOffset != offset { gaps += 1 }
                offset = result.nextOffset
                end = max(end, result.endOffset)
            }
        }
        let seconds = (clock.now - start).seconds
        let cpuSeconds = processCPUSeconds() - cpuStart
        let missing = seen.lazy.filter { !$0 }.count
        for (what, number) in [
            ("offset gaps", gaps), ("duplicate records", duplicates), ("records with a wrong key", badKeys),
            ("spot-checked values that differ", badValues), ("records missing", missing),
        ] where number > 0 {
            problems.append("\(topic): \(number) \(what)")
        }
        if count != parameters.records { problems.append("\(topic): read \(count) records, wrote \(parameters.records)") }
        return ReadPhaseResult(records: count, seconds: seconds, reads: reads, problems: problems, cpuSeconds: cpuSeconds)
    }

    private static func recordNumber(_ key: [UInt8]?) -> Int? {
        guard let key, key.count == 8 else { return nil }
        var number: UInt64 = 0
        for (shift, byte) in key.enumerated() { number |= UInt64(byte) << (8 * UInt64(shift)) }
        return Int(exactly: number)
    }
}
