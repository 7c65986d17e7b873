import Foundation
import PostgresTestSupport
import Testing
@testable import PartitionedLog

/// Damage on disk, as a crash or a bad disk leaves it: recovery keeps a prefix of what was appended and
/// never serves a damaged record.
@Suite("Partitioned log recovery")
struct RecoveryTests {
    let partition = TopicPartition(topic: "t", partition: 0)

    /// Appends `count` single-record groups of ~120 bytes to one partition (segments of 8 KiB).
    private func makeLog(_ directory: String, count: Int = 400) async throws -> [String] {
        let log = try await PartitionedLog.open(directory)
        try await log.createTopic("t", TopicConfiguration(partitions: 1, segmentBytes: 8192))
        var values: [String] = []
        for index in 0..<count {
            let value = "record-\(index)-" + String(repeating: "z", count: index % 100)
            _ = try await log.append(LogRecord(key: bytes("\(index)"), value: bytes(value)), to: "t")
            values.append(value)
        }
        await log.close()
        return values
    }

    private var partitionDirectory: (String) -> String { { "\($0)/t/0" } }

    /// Reopens and reads everything; checks it is a prefix of `values` and at least `minimum` long.
    @discardableResult
    private func expectPrefix(_ directory: String, of values: [String], atLeast minimum: Int) async throws -> Int {
        let log = try await PartitionedLog.open(directory)
        let records = try await log.readAll(partition)
        #expect(records.count >= minimum)
        #expect(records.map { text($0.value) ?? "" } == Array(values.prefix(records.count)))
        #expect(records.map(\.offset) == Array(0..<Int64(records.count)))
        // The log takes appends again after recovery, at the next offset.
        let next = try await log.append(LogRecord(key: bytes("new"), value: bytes("after recovery")), to: "t")
        #expect(next.offset == Int64(records.count))
        await log.close()
        return records.count
    }

    private func recordsInRolledSegments(_ directory: String) async throws -> Int {
        let segments = files(in: partitionDirectory(directory), suffix: ".log")
        return Int(URL(fileURLWithPath: segments.last!).deletingPathExtension().lastPathComponent)!
    }

    @Test(arguments: 0..<12)
    func truncatedActiveSegmentKeepsAPrefix(trial: Int) async throws {
        let directory = try makeTemporaryDirectory("log-truncate")
        let values = try await makeLog(directory)
        let active = files(in: partitionDirectory(directory), suffix: ".log").last!
        let size = try FileManager.default.attributesOfItem(atPath: active)[.size] as! Int
        var random = SeededGenerator(seed: UInt64(trial + 1))
        let cut = Int.random(in: 0..<max(1, size), using: &random)
        truncate(active, off_t(cut))
        try await expectPrefix(directory, of: values, atLeast: try await recordsInRolledSegments(directory))
    }

    @Test(arguments: 0..<12)
    func flippedBitsInTheActiveSegmentAreCutOff(trial: Int) async throws {
        let directory = try makeTemporaryDirectory("log-flip")
        let values = try await makeLog(directory)
        let active = files(in: partitionDirectory(directory), suffix: ".log").last!
        var data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: active)))
        var random = SeededGenerator(seed: UInt64(trial + 100))
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let bit = Int.random(in: 0..<(data.count * 8), using: &random)
            data[bit / 8] ^= UInt8(1 << (bit % 8))
        }
        try Data(data).write(to: URL(fileURLWithPath: active))
        let kept = try await expectPrefix(directory, of: values, atLeast: try await recordsInRolledSegments(directory))
        #expect(kept < values.count, "a flipped bit went unnoticed")
    }

    @Test func deletedAndDamagedIndexesAreRebuilt() async throws {
        let directory = try makeTemporaryDirectory("log-index")
        let values = try await makeLog(directory)
        let indexes = files(in: partitionDirectory(directory), suffix: ".index")
        let timeIndexes = files(in: partitionDirectory(directory), suffix: ".timeindex")
        #expect(indexes.count > 3)
        try FileManager.default.removeItem(atPath: indexes[0])
        try FileManager.default.removeItem(atPath: timeIndexes[1])
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: indexes[2]))  // not a whole entry
        try Data(repeating: 0xFF, count: 16).write(to: URL(fileURLWithPath: indexes[3]))  // entries past the end
        #expect(try await expectPrefix(directory, of: values, atLeast: values.count) == values.count)
        #expect(FileManager.default.fileExists(atPath: indexes[0]))
        // Reads from every offset land on the right record (the rebuilt sparse index is used for seeking).
        let log = try await PartitionedLog.open(directory)
        for offset in stride(from: 0, to: values.count, by: 37) {
            let result = try await log.read(partition, from: Int64(offset), maxRecords: 1)
            #expect(text(result.records.first?.value) == values[offset])
        }
        await log.close()
    }

    @Test func damageInARolledSegmentIsNeverServed() async throws {
        let directory = try makeTemporaryDirectory("log-rolled")
        let values = try await makeLog(directory)
        let first = files(in: partitionDirectory(directory), suffix: ".log")[0]
        var data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: first)))
        data[data.count / 2] ^= 0x10
        try Data(data).write(to: URL(fileURLWithPath: first))
        let log = try await PartitionedLog.open(directory)
        var offset: Int64 = 0
        var served: [String] = []
        do {
            while offset < Int64(values.count) {
                let result = try await log.read(partition, from: offset, maxRecords: 1000, maxBytes: 512)
                served += result.records.compactMap { text($0.value) }
                offset = result.nextOffset
            }
            Issue.record("a damaged batch was read without an error")
        } catch let error as LogError {
            #expect(error.code == .corrupt)
        }
        #expect(served == Array(values.prefix(served.count)))
        await log.close()
    }

    /// A multi-partition group whose parts are on disk but whose commit never became durable (the crash
    /// came between the two) is rolled back in every partition.
    @Test func undecidedMultiPartitionGroupIsRolledBack() async throws {
        let directory = try makeTemporaryDirectory("log-txn")
        do {
            let log = try await PartitionedLog.open(directory)
            try await log.createTopic("a", TopicConfiguration(partitions: 3))
            try await log.createTopic("b", TopicConfiguration(partitions: 1))
            _ = try await log.appendAtomically((0..<9).map { ("a", LogRecord(key: bytes("first-\($0)"), value: bytes("1"))) })
            _ = try await log.appendAtomically((0..<9).map { ($0 % 2 == 0 ? "a" : "b", LogRecord(key: bytes("second-\($0)"), value: bytes("2"))) })
            await log.close()
        }
        // Forget the second group's commit, as if the process died before it reached the disk.
        let transactions = "\(directory)/__transactions"
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: transactions)))
        let (entries, _) = TransactionLog.parse(data)
        #expect(entries.count == 2)
        let firstLength = 8 + Int(data.withUnsafeBytes { $0.loadLE(UInt32.self, at: 0) })
        try Data(data.prefix(firstLength)).write(to: URL(fileURLWithPath: transactions))

        let log = try await PartitionedLog.open(directory)
        var values: [String] = []
        for (topic, count) in [("a", 3), ("b", 1)] {
            for number in 0..<count {
                values += try await log.readAll(TopicPartition(topic: topic, partition: number)).compactMap { text($0.value) }
            }
        }
        #expect(values.sorted() == Array(repeating: "1", count: 9))
        // New groups work and do not reuse anything of the rolled-back one.
        _ = try await log.appendAtomically((0..<4).map { ($0 % 2 == 0 ? "a" : "b", LogRecord(key: bytes("third-\($0)"), value: bytes("3"))) })
        await log.close()
    }
}
