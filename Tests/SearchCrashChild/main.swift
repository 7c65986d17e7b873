// Writes to the search engine through both of its write paths until it is killed, printing a line per
// acknowledged write:
//   api <id> <n>      — `<id>` indexed through the translog (DocumentLog) with source {"n": <n>}
//   api-delete <id>   — `<id>` deleted through the translog
//   api-delete-pending <id> — printed before a write that deletes `<id>` (it may be gone even if the write's
//                       acknowledgement never comes)
//   feed <id> <n>     — a change event for row `<id>` with {"id": <id>, "n": <n>} appended to the feed's topic
// The translog and the indexer commit every 100 ms, so kills land before, during and after commits.
// Lines are written with one write(2) each after the write returns, so every printed write was acknowledged.
//
// Usage: search-crash-child <directory> <run-id>

import Foundation
import Logging
import PartitionedLog
import SearchAPI
import SearchEngine
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3, let run = Int(arguments[2]) else {
    print("usage: search-crash-child <directory> <run-id>")
    exit(2)
}
var logger = Logger(label: "search-crash-child")
logger.logLevel = .warning

let directory = arguments[1]
let log = try await PartitionedLog.open(LogConfiguration(directory: "\(directory)/log"), logger: logger)
let engine = try SearchEngine(directory: "\(directory)/search", logger: logger)
try await log.createTopic("src.public.items", TopicConfiguration(partitions: 3))
let translog = DocumentLog(log: log, engine: engine, logger: logger, commitInterval: .milliseconds(100))
let indexer = LogIndexer(
    feeds: [.changeEvents(topic: "src.public.items", index: "items")], log: log, engine: engine, logger: logger,
    commitInterval: .milliseconds(100), maxRecordsPerPartition: 300)
let notes = (try? engine.createIndex("notes", settings: nil, mappings: nil)) ?? engine.index("notes")
guard let notes else {
    print("cannot open the index notes")
    exit(1)
}

func emit(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

func apiProducer(_ producer: Int) async throws {
    var sequence = 0
    var written: [String] = []
    while true {
        sequence += 1
        let count = Int.random(in: 1...40)
        var operations: [DocumentOperation] = []
        var lines = ""
        for item in 0..<count {
            let id = "r\(run)-p\(producer)-\(sequence)-\(item)"
            let n = Int.random(in: 0...1_000_000)
            operations.append(DocumentOperation(id: id, kind: .index(source: Array("{\"n\":\(n)}".utf8))))
            lines += "api \(id) \(n)\n"
            written.append(id)
        }
        if sequence % 5 == 0, let victim = written.randomElement() {
            operations.append(DocumentOperation(id: victim, kind: .delete))
            lines += "api-delete \(victim)\n"
            written.removeAll { $0 == victim }
        }
        // A delete that the kill cuts before its acknowledgement may still have been applied: say so first.
        if let last = operations.last, case .delete = last.kind { emit("api-delete-pending \(last.id)\n") }
        let results = try await translog.write(operations, to: notes, refresh: .none)
        if let failed = results.first(where: { $0.error != nil }) {
            emit("error \(failed.error?.description ?? "")\n")
            exit(1)
        }
        emit(lines)
    }
}

func feedProducer() async throws {
    var sequence = 0
    while true {
        sequence += 1
        var records: [LogRecord] = []
        var lines = ""
        for _ in 0..<Int.random(in: 1...30) {
            // Rows are inserted and updated (ids repeat across runs and batches), never deleted.
            let id = Int.random(in: 1...2_000)
            let n = run * 1_000_000 + sequence
            let event = "{\"before\":null,\"after\":{\"id\":\(id),\"n\":\(n)},\"source\":{},\"op\":\"u\",\"ts_ms\":0}"
            records.append(LogRecord(key: Array("{\"id\":\(id)}".utf8), value: Array(event.utf8)))
            lines += "feed \(id) \(n)\n"
        }
        _ = try await log.append(records, to: "src.public.items")
        emit(lines)
    }
}

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await translog.run() }
    group.addTask { try await indexer.run() }
    group.addTask { await engine.runMaintenance() }
    for producer in 0..<3 {
        group.addTask { try await apiProducer(producer) }
    }
    group.addTask { try await feedProducer() }
    try await group.next()
}
