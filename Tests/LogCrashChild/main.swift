// Appends to a log until it is killed, printing a line per acknowledged record:
//   ack <topic> <partition> <offset> <value>
// Values are `<run>.<producer>.<seq>.<group>.<index>.<count>`: `group` is 0 for plain appends, otherwise the
// id of an atomic group of `count` records spread over topics and partitions. Lines are written with one
// write(2) each after the append returns, so every printed record was acknowledged.
//
// With `streamed`, two more producers write streamed atomic groups (`AtomicGroupWriter`) of several parts,
// printing their records once the commit returns.
//
// Usage: log-crash-child <log-directory> <run-id> [streamed]

import Logging
import PartitionedLog

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3 || (arguments.count == 4 && arguments[3] == "streamed"), let run = Int(arguments[2]) else {
    print("usage: log-crash-child <log-directory> <run-id> [streamed]")
    exit(2)
}
let streamedProducers = arguments.count == 4 ? 2 : 0
var logger = Logger(label: "log-crash-child")
logger.logLevel = .warning

let log = try await PartitionedLog.open(LogConfiguration(directory: arguments[1]), logger: logger)
try await log.createTopic("alpha", TopicConfiguration(partitions: 3, segmentBytes: 64 << 10))
try await log.createTopic("beta", TopicConfiguration(partitions: 2, compression: .zlib, segmentBytes: 64 << 10))

func emit(_ positions: [RecordPosition], _ values: [String]) {
    var text = ""
    for (position, value) in zip(positions, values) {
        text += "ack \(position.partition.topic) \(position.partition.partition) \(position.offset) \(value)\n"
    }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

try await withThrowingTaskGroup(of: Void.self) { group in
    for producer in 0..<6 {
        group.addTask {
            var generator = SystemRandomNumberGenerator()
            var sequence = 0
            while true {
                sequence += 1
                let atomic = producer % 2 == 0
                let count = Int.random(in: 1...8, using: &generator)
                let groupId = atomic ? run * 1_000_000 + producer * 100_000 + sequence : 0
                var values: [String] = []
                var records: [(topic: String, record: LogRecord)] = []
                for index in 0..<count {
                    let value = "\(run).\(producer).\(sequence).\(groupId).\(index).\(count)"
                    let key = Array("k\(Int.random(in: 0..<50, using: &generator))".utf8)
                    let padding = String(repeating: "x", count: Int.random(in: 0..<300, using: &generator))
                    values.append(value)
                    let topic = index % 2 == 0 ? "alpha" : "beta"
                    records.append((topic, LogRecord(key: key, value: Array((value + " " + padding).utf8))))
                }
                if atomic {
                    emit(try await log.appendAtomically(records), values)
                } else {
                    // Plain appends go to one topic (each partition's share is still all-or-nothing).
                    emit(try await log.append(records.map(\.record), to: "alpha"), values)
                }
            }
        }
    }
    for producer in 6..<(6 + streamedProducers) {
        group.addTask {
            var generator = SystemRandomNumberGenerator()
            var sequence = 0
            while true {
                sequence += 1
                let groupId = run * 1_000_000 + producer * 100_000 + sequence
                let sizes = (0..<Int.random(in: 2...6, using: &generator)).map { _ in Int.random(in: 5...60, using: &generator) }
                let count = sizes.reduce(0, +)
                let writer = try log.beginAtomicGroup()
                var positions: [RecordPosition] = []
                var values: [String] = []
                for size in sizes {
                    var records: [(topic: String, record: LogRecord)] = []
                    for _ in 0..<size {
                        let value = "\(run).\(producer).\(sequence).\(groupId).\(values.count).\(count)"
                        let key = Array("k\(Int.random(in: 0..<50, using: &generator))".utf8)
                        let padding = String(repeating: "x", count: Int.random(in: 0..<300, using: &generator))
                        values.append(value)
                        records.append((values.count % 2 == 0 ? "alpha" : "beta", LogRecord(key: key, value: Array((value + " " + padding).utf8))))
                    }
                    positions += try await writer.append(records)
                }
                try await writer.commit()
                emit(positions, values)
            }
        }
    }
    try await group.next()
}
