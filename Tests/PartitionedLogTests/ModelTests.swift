import Foundation
import PostgresTestSupport
import Testing
@testable import PartitionedLog

/// Random appends, atomic groups, reads, rolls (tiny segments) and restarts, checked against an in-memory
/// model of what the log must hold. Seeds are fixed so that a failure replays.
@Suite("Partitioned log against an in-memory model")
struct ModelTests {
    typealias Model = [TopicPartition: [LogRecord]]

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomOperationsMatchTheModel(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let directory = try makeTemporaryDirectory("log-model")
        let clock = ManualClock()
        let topics: [(String, TopicConfiguration)] = [
            ("plain", TopicConfiguration(partitions: 3, segmentBytes: 4096, retentionAge: nil)),
            ("zipped", TopicConfiguration(partitions: 2, compression: .zlib, segmentBytes: 8192, segmentAge: .seconds(5), retentionAge: nil)),
        ]
        var log = try await PartitionedLog.open(directory, clock: clock)
        for (name, configuration) in topics { try await log.createTopic(name, configuration) }
        var model: Model = [:]

        for step in 0..<300 {
            let roll = Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<45:
                let (topic, configuration) = topics.randomElement(using: &random)!
                let records = (0..<Int.random(in: 1...20, using: &random)).map { _ in randomRecord(&random) }
                let positions = try await log.append(records, to: topic)
                apply(records.map { (topic, $0) }, positions, configuration, to: &model)
            case 45..<65:
                let records = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                    (topic: topics.randomElement(using: &random)!.0, record: randomRecord(&random))
                }
                let positions = try await log.appendAtomically(records)
                for ((topic, record), position) in zip(records, positions) {
                    let partitions = topics.first { $0.0 == topic }!.1.partitions
                    #expect(position.partition.partition == Partitioner.partition(for: record.key, partitions: partitions))
                    #expect(position.offset == Int64(model[position.partition, default: []].count), "step \(step)")
                    model[position.partition, default: []].append(record)
                }
            case 65..<90:
                let (topic, configuration) = topics.randomElement(using: &random)!
                let partition = TopicPartition(topic: topic, partition: Int.random(in: 0..<configuration.partitions, using: &random))
                let expected = model[partition, default: []]
                let from = Int.random(in: 0...expected.count, using: &random)
                let limit = Int.random(in: 1...50, using: &random)
                let result = try await log.read(partition, from: Int64(from), maxRecords: limit)
                #expect(result.endOffset == Int64(expected.count))
                #expect(result.records.count <= limit)
                let slice = Array(expected[from..<min(expected.count, from + result.records.count)])
                check(result.records, against: slice, from: from, step: step)
                if from < expected.count { #expect(!result.records.isEmpty, "step \(step): empty read before the end") }
            case 90..<97:
                clock.advance(by: .seconds(Int64.random(in: 1...10, using: &random)))
            default:
                await log.close()
                log = try await PartitionedLog.open(directory, clock: clock)
                try await verifyAll(log, model, topics: topics, step: step)
            }
        }
        try await verifyAll(log, model, topics: topics, step: -1)
        #expect(log.describe().flatMap(\.partitions).contains { $0.segments > 1 }, "the test never rolled a segment")
        await log.close()
    }

    private func randomRecord(_ random: inout SeededGenerator) -> LogRecord {
        let key: [UInt8]? = Int.random(in: 0..<10, using: &random) == 0 ? nil : bytes("k\(Int.random(in: 0..<30, using: &random))")
        let value: [UInt8]? = Int.random(in: 0..<15, using: &random) == 0
            ? nil : (0..<Int.random(in: 0..<400, using: &random)).map { _ in UInt8.random(in: 97...100, using: &random) }
        let headers = (0..<Int.random(in: 0...2, using: &random)).map { LogHeader(name: "h\($0)", value: bytes("\($0)")) }
        return LogRecord(key: key, value: value, headers: headers, timestamp: Int64.random(in: 0..<1_000_000, using: &random))
    }

    private func apply(_ records: [(String, LogRecord)], _ positions: [RecordPosition], _ configuration: TopicConfiguration, to model: inout Model) {
        for ((_, record), position) in zip(records, positions) {
            #expect(position.offset == Int64(model[position.partition, default: []].count))
            model[position.partition, default: []].append(record)
        }
    }

    private func check(_ records: [StoredRecord], against expected: [LogRecord], from: Int, step: Int) {
        #expect(records.count == expected.count, "step \(step)")
        for (index, (stored, record)) in zip(records, expected).enumerated() {
            #expect(stored.offset == Int64(from + index), "step \(step)")
            #expect(stored.key == record.key && stored.value == record.value && stored.headers == record.headers
                    && stored.timestamp == record.timestamp, "step \(step): record \(from + index) differs")
        }
    }

    private func verifyAll(_ log: PartitionedLog, _ model: Model, topics: [(String, TopicConfiguration)], step: Int) async throws {
        for (topic, configuration) in topics {
            for number in 0..<configuration.partitions {
                let partition = TopicPartition(topic: topic, partition: number)
                let records = try await log.readAll(partition)
                check(records, against: model[partition, default: []], from: 0, step: step)
            }
        }
    }
}
