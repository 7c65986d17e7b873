import Foundation
import Logging
@testable import PartitionedLog

/// A wall clock the test moves by hand.
final class ManualClock: LogClock, @unchecked Sendable {
    // @unchecked: the value is guarded by `lock`.
    private let lock = NSLock()
    private var value: Int64

    init(_ start: Int64 = 1_700_000_000_000) { value = start }

    func nowMilliseconds() -> Int64 { lock.withLock { value } }
    func advance(by duration: Duration) { lock.withLock { value += duration.milliseconds } }
}

var quietLogger: Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}

extension PartitionedLog {
    static func open(_ directory: String, fsync: LogConfiguration.FsyncPolicy = .always, clock: any LogClock = SystemLogClock())
        async throws -> PartitionedLog
    {
        try await open(LogConfiguration(directory: directory, fsync: fsync, clock: clock), logger: quietLogger)
    }

    /// Every readable record of a partition from its start.
    func readAll(_ partition: TopicPartition) async throws -> [StoredRecord] {
        var records: [StoredRecord] = []
        var offset = try offsets(partition).start
        while true {
            let result = try await read(partition, from: offset, maxRecords: 10_000)
            records += result.records
            if result.nextOffset >= result.endOffset || result.records.isEmpty && result.nextOffset == offset { break }
            offset = result.nextOffset
        }
        return records
    }
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// A small, seedable generator (xorshift64*), so that a failing property test can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// Files of a partition directory with a suffix, sorted.
func files(in directory: String, suffix: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
        .map { "\(directory)/\($0)" }
}
