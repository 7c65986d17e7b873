import Foundation
import GRDB
import MoodleAnalytics
import PartitionedLog
import StreamProcessing

/// A partition's records for one batch; `truncate` is a truncate event the partition stopped at (it is applied
/// once every partition of the topic has reached its copy — see `SinkState.apply`).
struct FetchedPartition: Sendable {
    var partition: TopicPartition
    var records: [StoredRecord]
    var nextOffset: Int64
    var truncate: StoredRecord?
    /// The records' events decoded ahead (off the writer), aligned with `records`; nil: decode when applied.
    var decoded: [DecodedEvent?]?
}

/// A record's value and key decoded ahead of its transaction.
enum DecodedEvent: Sendable {
    case event(ChangeEvent, JSONObject)
    case undecodable(String)

    /// nil for a tombstone.
    static func decode(_ record: StoredRecord) -> DecodedEvent? {
        guard let value = record.value else { return nil }
        do {
            let event = try ChangeEvent.decode(value, withSource: false)
            guard let keyBytes = record.key, let key = try JSONParser.parse(keyBytes).objectValue, !key.members.isEmpty else {
                throw ChangeEvent.DecodingError(reason: "the record key is not a JSON object of key columns")
            }
            return .event(event, key)
        } catch {
            return .undecodable("undecodable change event: \(error)")
        }
    }
}

/// Everything the sink holds between transactions — the mirror registry, the answer processor, the answer
/// rows last written, the consumed offsets — changed only inside the sink's write transactions, and rebuilt
/// from the database when one fails (so it never runs ahead of what is committed).
// @unchecked Sendable: one sink task uses it, strictly in turn — between transactions, and inside the write
// transactions it awaits (GRDB runs them on its serial writer queue). Never shared beyond that task.
final class SinkState: @unchecked Sendable {
    let configuration: SinkConfiguration
    var mirrors = MirrorTables()
    var processor: AnswerProcessor?
    var offsets: [TopicPartition: Int64] = [:]
    /// Dead letters written by the current batch, per source (for the metric, once it commits).
    var batchDeadLetters: [String: Int] = [:]
    var writtenQ1: [String: [Int]] = [:]
    var writtenQ2: [String: [Int]] = [:]
    private let now: () -> Date

    init(configuration: SinkConfiguration, now: @escaping () -> Date = Date.init) {
        self.configuration = configuration
        self.now = now
    }

    // MARK: Loading

    /// Loads offsets, mirrors and answers, and replays the two answer tables' mirrors into a new processor.
    func load(_ db: Database) throws {
        offsets = [:]
        for row in try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset FROM sink_offsets") {
            offsets[TopicPartition(topic: row[0], partition: row[1])] = row[2]
        }
        mirrors = MirrorTables()
        try mirrors.load(db)
        writtenQ1 = try Self.series(db, "SELECT week_start, sites_registered, sites_total FROM weekly_site_registrations")
        writtenQ2 = try Self.series(db, "SELECT week_start, new_admins, admins_total FROM weekly_community_admins")
        guard let mapping = configuration.analytics else { return }
        var processor = AnswerProcessor(mapping: mapping)
        for side in [AnswerSide.community, .sites] {
            let columns = side == .community ? mapping.community : mapping.sites
            guard let mirror = mirrors[columns.topic] else { continue }
            let wanted = mirror.keyColumns + [columns.emailColumn, columns.registeredColumn].compactMap(mirror.column)
            let sql = "SELECT " + wanted.map { quoted($0.name) }.joined(separator: ", ") + " FROM " + mirror.quotedName
            let keyCount = mirror.keyColumns.count
            let rows = try Row.fetchCursor(db, sql: sql)
            while let row = try rows.next() {
                var keyValues: [DatabaseValue] = []
                var members: [(name: String, value: JSONValue)] = []
                for (index, column) in wanted.enumerated() {
                    let value: DatabaseValue = row[index]
                    if index < keyCount { keyValues.append(value) } else { members.append((column.name, column.jsonValue(value))) }
                }
                processor.apply(.upsert(RowKey.canonical(keyValues), JSONObject(members)), side: side)
            }
        }
        _ = processor.drainChanges()
        self.processor = processor
    }

    private static func series(_ db: Database, _ sql: String) throws -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for row in try Row.fetchAll(db, sql: sql) { result[row[0]] = [row[1], row[2]] }
        return result
    }

    // MARK: A batch

    /// Applies one batch: relation records first (they precede, in the log, the events they describe), then
    /// each partition's records, then truncates every partition of a topic has reached; writes the answers
    /// that changed and the offsets — all in the caller's transaction.
    func apply(relations: [FetchedPartition], data: [FetchedPartition], _ db: Database) throws -> Int {
        var applied = 0
        batchDeadLetters = [:]
        for fetched in relations {
            let source = String(fetched.partition.topic.dropFirst("_cdc.".count))
            for record in fetched.records {
                guard let key = record.key, key.starts(with: Array("relation:".utf8)), let value = record.value,
                      let relation = try? JSONParser.parse(value).objectValue
                else { continue }
                try mirrors.learn(relation: relation, source: source, db)
            }
            offsets[fetched.partition] = fetched.nextOffset
            applied += fetched.records.count
        }
        for fetched in data {
            for (index, record) in fetched.records.enumerated() {
                try applyRecord(record, decoded: fetched.decoded?[index], in: fetched.partition, db)
            }
            offsets[fetched.partition] = fetched.nextOffset
            applied += fetched.records.count
        }
        applied += try applyTruncates(data, db)
        try writeAnswers(db)
        let statement = try db.cachedStatement(sql: """
            INSERT INTO sink_offsets(topic, partition, next_offset) VALUES (?, ?, ?)
            ON CONFLICT(topic, partition) DO UPDATE SET next_offset = excluded.next_offset
            """)
        for fetched in relations + data {
            try statement.execute(arguments: [fetched.partition.topic, fetched.partition.partition, offsets[fetched.partition]])
        }
        return applied
    }

    private func side(of topic: String) -> AnswerSide? {
        guard let mapping = configuration.analytics else { return nil }
        if topic == mapping.community.topic { return .community }
        if topic == mapping.sites.topic { return .sites }
        return nil
    }

    private static func source(of topic: String) -> String { String(topic.prefix { $0 != "." }) }

    /// Applies one change event. An event SQLite refuses for the row itself (a key that is not one, a value
    /// too big) becomes a dead letter rather than wedging the sink; the statement is rolled back, the
    /// transaction goes on, and the processor has not seen the row, so state and mirror agree.
    private func applyRecord(_ record: StoredRecord, decoded: DecodedEvent?, in partition: TopicPartition, _ db: Database) throws {
        do {
            try applyEvent(record, decoded: decoded, in: partition, db)
        } catch let error as DatabaseError where Self.rowErrors.contains(error.resultCode) {
            try deadLetter(record, partition, reason: "the mirror refused the row: \(error.message ?? "\(error.resultCode)")", db)
        }
    }

    private static let rowErrors: [ResultCode] = [.SQLITE_CONSTRAINT, .SQLITE_MISMATCH, .SQLITE_TOOBIG, .SQLITE_RANGE, .SQLITE_ERROR]

    private func applyEvent(_ record: StoredRecord, decoded: DecodedEvent?, in partition: TopicPartition, _ db: Database) throws {
        let topic = partition.topic
        guard let decoded = decoded ?? DecodedEvent.decode(record) else { return }  // a tombstone (compaction marker): no change
        let event: ChangeEvent
        let keyObject: JSONObject
        switch decoded {
        case .event(let decodedEvent, let key):
            event = decodedEvent
            keyObject = key
        case .undecodable(let reason):
            try deadLetter(record, partition, reason: reason, db)
            return
        }
        let mirror = try mirrors[topic] ?? mirrors.infer(topic: topic, key: keyObject, row: event.after, source: Self.source(of: topic), db)
        switch event.operation {
        case .read, .create, .update:
            guard let after = event.after else { return }
            try mirrors.ensureColumns(after, of: mirror, db)
            guard let keyValues = mirror.keyValues(after) else {
                try deadLetter(record, partition, reason: "the row lacks its key column(s)", db)
                return
            }
            // A key change arrives as a delete of the old key and a create of the new one (as Debezium does).
            try mirror.upsert(after, db)
            if let side = side(of: topic), let rejection = processor?.apply(.upsert(RowKey.canonical(keyValues), after), side: side) {
                try deadLetter(record, partition, reason: rejection.reason, db)
            }
        case .delete:
            guard let keyValues = mirror.keyValues(keyObject) else {
                try deadLetter(record, partition, reason: "the record key lacks key column(s)", db)
                return
            }
            try db.cachedStatement(sql: mirror.deleteSQL).execute(arguments: StatementArguments(keyValues))
            if let side = side(of: topic) { processor?.apply(.delete(RowKey.canonical(keyValues)), side: side) }
        case .truncate:
            break  // handled as a barrier (never part of `records`)
        }
    }

    /// A truncate is applied when every partition of its topic stopped at its copy: rows before it in any
    /// partition were applied, rows after it wait. Returns the records consumed.
    private func applyTruncates(_ data: [FetchedPartition], _ db: Database) throws -> Int {
        var byTopic: [String: [FetchedPartition]] = [:]
        for fetched in data { byTopic[fetched.partition.topic, default: []].append(fetched) }
        var consumed = 0
        for (topic, partitions) in byTopic {
            let stopped = partitions.filter { $0.truncate != nil }
            guard !stopped.isEmpty, stopped.count == partitions.count else { continue }
            if let mirror = mirrors[topic] { try db.execute(sql: "DELETE FROM \(mirror.quotedName)") }
            if let side = side(of: topic) { processor?.apply(.truncate, side: side) }
            for fetched in stopped { offsets[fetched.partition] = fetched.nextOffset + 1 }
            consumed += stopped.count
        }
        return consumed
    }

    private func deadLetter(_ record: StoredRecord, _ partition: TopicPartition, reason: String, _ db: Database) throws {
        batchDeadLetters[Self.source(of: partition.topic), default: 0] += 1
        try db.cachedStatement(sql: """
            INSERT INTO dead_letters(source, topic, partition, offset, key, reason, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                Self.source(of: partition.topic), partition.topic, partition.partition, record.offset,
                record.key.map { String(decoding: $0, as: UTF8.self) }, reason,
                record.value.map { String(decoding: $0, as: UTF8.self) }, Self.isoText(now()),
            ])
    }

    static func isoText(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
