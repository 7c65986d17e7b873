import Foundation
import Logging
import MoodleAnalytics
import PartitionedLog
import PostgresTestSupport
import SQLiteSink
import Testing

/// The sink over a log written by hand: truncates as barriers across partitions, undecodable events as dead
/// letters, typed mirror columns, restarts that neither lose nor repeat.
@Suite struct SinkBatchTests {
    static let topic = "src.public.items"

    static func event(_ op: String, id: Int, name: String? = nil) -> LogRecord {
        let after = name.map { #"{"id":\#(id),"name":"\#($0)","registered":"2024-03-0\#(id % 7 + 1) 10:00:00","email":"a\#(id % 3)@x.org"}"# } ?? "null"
        let before = op == "d" ? #"{"id":\#(id)}"# : "null"
        return LogRecord(key: Array(#"{"id":\#(id)}"#.utf8), value: Array(#"{"before":\#(before),"after":\#(after),"source":{"txId":1},"op":"\#(op)","ts_ms":0}"#.utf8))
    }

    static let relation = LogRecord(key: Array("relation:public.items".utf8), value: Array(#"""
        {"schema":"public","table":"items","topic":"src.public.items","columns":[{"name":"id","type_oid":20,"type_modifier":-1,"key":true},{"name":"name","type_oid":25,"type_modifier":-1,"key":false},{"name":"registered","type_oid":1043,"type_modifier":-1,"key":false},{"name":"email","type_oid":25,"type_modifier":-1,"key":false}]}
        """#.utf8))

    /// Runs the sink until it has consumed `records` records (or fails the test after 30 s).
    static func runSink(_ log: PartitionedLog, path: String, until records: Int) async throws -> SinkDatabase {
        let mapping = AnalyticsMapping(
            community: .init(topic: "src.public.none", emailColumn: "email", registeredColumn: "registered"),
            sites: .init(topic: topic, emailColumn: "email", registeredColumn: "registered"))
        var configuration = SinkConfiguration(path: path, sources: ["src"], analytics: mapping)
        // Tiny batches: partitions reach the truncate in different batches, as under load.
        configuration.maxBatchRecords = 3
        let sink = try SQLiteSink(configuration: configuration, log: log, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sink.run() }
            let done = await eventually(timeout: .seconds(30)) { sink.status.records >= records }
            group.cancelAll()
            #expect(done, "the sink consumed \(sink.status.records) of \(records) records; last error: \(sink.status.lastError ?? "none")")
        }
        return sink.database
    }

    @Test func truncateIsABarrierAcrossPartitionsAndBadEventsAreDeadLetters() async throws {
        let directory = try makeTemporaryDirectory("sink-batch")
        let log = try await PartitionedLog.open(LogConfiguration(directory: "\(directory)/log"), logger: Logger(label: "test"))
        try await log.createTopic(Self.topic, TopicConfiguration(partitions: 4))
        try await log.createTopic("_cdc.src", TopicConfiguration(partitions: 1, cleanup: .compact))
        // Before the truncate: rows 1…20; then the truncate in every partition; after it: rows 21…30 and an
        // update of 5 (which re-creates it), a malformed event and a row with an unparseable time.
        var before: [(topic: String, record: LogRecord)] = [("_cdc.src", Self.relation)]
        before += (1...20).map { (Self.topic, Self.event("c", id: $0, name: "n\($0)")) }
        _ = try await log.appendAtomically(before)
        var truncate = LogRecord(key: nil, value: Array(#"{"before":null,"after":null,"source":{"txId":2},"op":"t","ts_ms":0}"#.utf8))
        var after: [(topic: String, record: LogRecord)] = []
        for partition in 0..<4 {
            truncate.partition = partition
            after.append((Self.topic, truncate))
        }
        after += (21...30).map { (Self.topic, Self.event("c", id: $0, name: "n\($0)")) }
        after.append((Self.topic, Self.event("u", id: 5, name: "again")))
        after.append((Self.topic, LogRecord(key: Array(#"{"id":99}"#.utf8), value: Array("{not json".utf8))))
        var badTime = Self.event("c", id: 98, name: "late")
        badTime.value = Array(String(decoding: badTime.value!, as: UTF8.self).replacingOccurrences(of: "2024-03-01 10:00:00", with: "yesterday").utf8)
        after.append((Self.topic, badTime))
        _ = try await log.appendAtomically(after)
        let total = before.count + after.count
        let database = try await Self.runSink(log, path: "\(directory)/sink.sqlite", until: total)

        let ids = try database.query(#"SELECT id FROM "src.public.items" ORDER BY id"#).rows.compactMap { $0[0] }
        #expect(ids == ["5"] + (21...30).map(String.init) + ["98"], "the truncate removed exactly the rows before it")
        let types = try database.query(#"SELECT name, type FROM pragma_table_info('src.public.items')"#).rows
        #expect(types.map { $0.compactMap { $0 } } == [["id", "INTEGER"], ["name", "TEXT"], ["registered", "TEXT"], ["email", "TEXT"]])
        let letters = try database.deadLetters()
        #expect(letters.count == 2)
        #expect(letters.contains { $0.key == #"{"id":99}"# && $0.reason.hasPrefix("undecodable change event") })
        #expect(letters.contains { $0.key == #"{"id":98}"# && $0.reason.contains("registered") && !$0.reason.contains("yesterday") })
        // Q1 counts the 11 rows with valid times (98 is out), all in March 2024.
        #expect(try database.weeklySiteRegistrations().last?.sitesTotal == 11)

        // A restart consumes nothing twice and rebuilds the same answers.
        let q1 = try database.weeklySiteRegistrations()
        _ = try await log.appendAtomically([(Self.topic, Self.event("d", id: 21))])
        let again = try await Self.runSink(log, path: "\(directory)/sink.sqlite", until: 1)
        #expect(try again.weeklySiteRegistrations().last?.sitesTotal == 10)
        #expect(try again.deadLetters().count == 2)
        #expect(q1.count >= 1)
        await log.close()
    }
}
