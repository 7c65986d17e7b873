import Foundation
import Logging
import PartitionedLog
import PostgresTestSupport
import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

/// A child process writes through both write paths — the REST API's translog and a change-event feed —
/// while both commit every 100 ms, and is killed with SIGKILL at a random moment; 8 times over the same
/// directory. After each kill the engine is reopened and caught up from the log, then checked: every
/// acknowledged API write is there with `_version` 1 (applied once), acknowledged deletes are gone, no id
/// is held twice, and every fed row holds its last change with `_version` equal to the number of its
/// changes in the log — a record applied twice or skipped would show.
@Suite("Search indices survive SIGKILL")
struct CrashRecoveryTests {
    @Test func killedWriterLosesAndDuplicatesNothing() async throws {
        let directory = try makeTemporaryDirectory("search-sigkill")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var random = SeededGenerator(seed: 6)
        var api: [String: Int] = [:]
        var deleted: Set<String> = []
        // Deletes whose write the kill cut before its acknowledgement: applied or not, either is right.
        var maybeDeleted: Set<String> = []
        var acknowledgedFeed = 0
        for run in 1...8 {
            let child = try ChildProcess([directory, "\(run)"], directory: directory, executable: "search-crash-child")
            #expect(await eventually(timeout: .seconds(60)) { child.stdout.split(separator: "\n").count > 200 || !child.isRunning })
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...600, using: &random)))
            child.signal(SIGKILL)
            #expect(await child.waitForExit(timeout: .seconds(30)) != nil)
            let lines = child.stdout.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("error") }, "run \(run): \(child.stdout.suffix(300)) \(child.stderr.suffix(500))")
            // A line cut by the kill is not an acknowledgement.
            for line in lines.dropLast(child.stdout.hasSuffix("\n") ? 0 : 1) {
                let fields = line.split(separator: " ").map(String.init)
                switch fields.first {
                case "api": api[fields[1]] = Int(fields[2]); deleted.remove(fields[1])
                case "api-delete": deleted.insert(fields[1]); api[fields[1]] = nil; maybeDeleted.remove(fields[1])
                case "api-delete-pending": maybeDeleted.insert(fields[1])
                case "feed": acknowledgedFeed += 1
                default: break
                }
            }
            try await verify(directory: directory, api: api, deleted: deleted, maybeDeleted: maybeDeleted, run: run)
        }
        #expect(api.count > 500, "the child wrote too little through the API to test anything")
        #expect(acknowledgedFeed > 500, "the child fed too little to test anything")
    }

    private func verify(directory: String, api: [String: Int], deleted: Set<String>, maybeDeleted: Set<String>, run: Int) async throws {
        var logger = Logger(label: "search-crash-test")
        logger.logLevel = .warning
        let log = try await PartitionedLog.open(LogConfiguration(directory: "\(directory)/log"), logger: logger)
        let engine = try SearchEngine(directory: "\(directory)/search", logger: logger)
        let translog = DocumentLog(log: log, engine: engine, logger: logger)
        let indexer = LogIndexer(feeds: [.changeEvents(topic: "src.public.items", index: "items")], log: log, engine: engine, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await translog.run() }
            group.addTask { try await indexer.run() }
            // A write through the translog returns once everything before it is applied.
            let notes = try #require(engine.index("notes"))
            _ = try await translog.write([DocumentOperation(id: "marker-\(run)", kind: .delete)], to: notes, refresh: .immediate)
            let feed = try await feedContents(log)
            let items = try #require(await eventuallyValue(timeout: .seconds(60)) { engine.index("items") })
            #expect(await eventually(timeout: .seconds(60)) {
                feed.ends.allSatisfy { items.appliedOffsets["src.public.items/\($0.key)"] == $0.value }
            }, "run \(run): the indexer did not catch up")
            items.refresh()
            checkAPI(notes, api: api, deleted: deleted, maybeDeleted: maybeDeleted, run: run)
            checkFeed(items, feed: feed, run: run)
            group.cancelAll()
        }
        engine.close()
        await log.close()
    }

    private func checkAPI(_ notes: SearchIndex, api: [String: Int], deleted: Set<String>, maybeDeleted: Set<String>, run: Int) {
        var missing: [String] = []
        var wrong: [String] = []
        var gone = 0
        for (id, n) in api {
            guard let document = notes.get(id) else {
                if maybeDeleted.contains(id) { gone += 1 } else { missing.append(id) }
                continue
            }
            if document.version != 1 || String(decoding: document.source, as: UTF8.self) != "{\"n\":\(n)}" { wrong.append(id) }
        }
        #expect(missing.isEmpty, "run \(run): \(missing.count) acknowledged documents missing, e.g. \(missing.prefix(3))")
        #expect(wrong.isEmpty, "run \(run): \(wrong.count) documents applied twice or changed, e.g. \(wrong.prefix(3))")
        let resurrected = deleted.filter { notes.get($0) != nil }
        #expect(resurrected.isEmpty, "run \(run): acknowledged deletes undone: \(resurrected.prefix(3))")
        notes.refresh()
        // Writes the kill cut before their acknowledgement may be there too, but each id once.
        #expect(notes.stats.docsCount >= api.count - gone, "run \(run): \(notes.stats.docsCount) documents for \(api.count) acknowledged")
        let live = notes.snapshot().segments.reduce(into: [String: Int]()) { ids, view in
            for doc in 0..<Int32(view.segment.maxDoc) where view.isLive(doc) { ids[view.segment.id(doc), default: 0] += 1 }
        }
        #expect(live.values.allSatisfy { $0 == 1 }, "run \(run): an id is held by two live documents")
        #expect(live.count == notes.stats.docsCount)
    }

    private func checkFeed(_ items: SearchIndex, feed: FeedContents, run: Int) {
        var wrong: [String] = []
        for (id, expected) in feed.rows {
            guard let document = items.get(id),
                  case .object(let source)? = try? JSONParser.parse(document.source),
                  source["n"] == .integer(Int64(expected.last)), document.version == Int64(expected.changes) else {
                wrong.append(id)
                continue
            }
        }
        #expect(wrong.isEmpty, "run \(run): \(wrong.count) of \(feed.rows.count) fed rows wrong (lost, stale or applied twice), e.g. \(wrong.prefix(3))")
        #expect(items.stats.docsCount == feed.rows.count, "run \(run): \(items.stats.docsCount) documents for \(feed.rows.count) rows")
    }

    struct FeedContents {
        var rows: [String: (last: Int, changes: Int)] = [:]
        var ends: [Int: Int64] = [:]
    }

    /// What the feed's topic holds: per row its last value and how many changes it had.
    private func feedContents(_ log: PartitionedLog) async throws -> FeedContents {
        var contents = FeedContents()
        for number in 0..<(try log.partitionCount(of: "src.public.items")) {
            let partition = TopicPartition(topic: "src.public.items", partition: number)
            let (start, end) = try log.offsets(partition)
            contents.ends[number] = end
            var offset = start
            while offset < end {
                let result = try await log.read(partition, from: offset, maxRecords: 5_000, maxBytes: 8 << 20)
                for record in result.records {
                    guard let value = record.value, case .object(let event)? = try? JSONParser.parse(value),
                          let after = event["after"]?.objectValue, case .integer(let id)? = after["id"], case .integer(let n)? = after["n"] else { continue }
                    let previous = contents.rows["\(id)"]?.changes ?? 0
                    contents.rows["\(id)"] = (Int(n), previous + 1)
                }
                offset = result.nextOffset
            }
        }
        return contents
    }
}

/// Polls until `value` gives non-nil (no sleeps as synchronisation elsewhere: this waits for a condition).
private func eventuallyValue<T>(timeout: Duration, _ value: () async -> T?) async -> T? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let result = await value() { return result }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await value()
}

private struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
