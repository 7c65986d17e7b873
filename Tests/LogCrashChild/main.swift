// Appends to a log until it is killed, printing a line per acknowledged record:
//   ack <topic> <partition> <offset> <value>
// Values are `<run>.<producer>.<seq>.<group>.<index>.<count>`: `group` is 0 for plain appends, otherwise the
// id of an atomic group of `count` records spread over topics and partitions. Lines are written with one
// write(2) each after the append returns, so every printed record was acknowledged.
//
// With `streamed`, two more producers write streamed atomic groups (`AtomicGroupWriter`) of several parts,
// printing their records once the commit returns.
//
// With `memory`, it instead writes one streamed group of 200 MiB in 2 MiB parts, commits it, and prints
// `growth <bytes>`: how far its peak resident memory (VmHWM) rose above the resident memory before the group
// — measured in a process of its own, so that tests running alongside cannot disturb it.
//
// Usage: log-crash-child <log-directory> <run-id> [streamed|memory]

import Foundation
import Logging
import PartitionedLog

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3 || (arguments.count == 4 && ["streamed", "memory"].contains(arguments[3])), let run = Int(arguments[2]) else {
    print("usage: log-crash-child <log-directory> <run-id> [streamed|memory]")
    exit(2)
}
if arguments.count == 4, arguments[3] == "memory" {
    try await measureStreamedGroupMemory(directory: arguments[1])
    exit(0)
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

/// The `memory` mode: see the header.
func measureStreamedGroupMemory(directory: String) async throws {
    var quiet = Logger(label: "log-crash-child")
    quiet.logLevel = .critical
    let log = try await PartitionedLog.open(LogConfiguration(directory: directory), logger: quiet)
    try await log.createTopic("big", TopicConfiguration(partitions: 3))
    let value = [UInt8](repeating: 0x41, count: 64 << 10)
    _ = try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let start = statusBytes("VmRSS:")
    let group = try log.beginAtomicGroup()
    for part in 0..<100 {
        try await group.append((0..<32).map { ("big", LogRecord(key: Array("k\(part)-\($0)".utf8), value: value)) })
    }
    let ranges = try await group.commit()
    let peak = statusBytes("VmHWM:")
    print("records \(ranges.values.reduce(0) { $0 + $1.count })")
    print("growth \(peak - start)")
    await log.close()
}

func statusBytes(_ field: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
    return (Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0) * 1024
}
