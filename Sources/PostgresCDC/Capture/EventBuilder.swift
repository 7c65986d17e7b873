import BlockingIO
import CoreMetrics
import Logging
import Foundation
import PartitionedLog

/// Turns decoded row changes into log records (Debezium envelopes, keyed by the primary key, on the
/// table's topic). Owns what the stream tells us about tables — the relation cache, cleared with each new
/// connection — and the last known state of TOASTed values. Used by one capture thread.
struct EventBuilder {
    let configuration: CaptureConfiguration
    let encoder: ChangeEventEncoder
    private(set) var relations: [UInt32: RelationSchema] = [:]
    private var topics: [UInt32: String] = [:]
    /// Relations whose columns went to the state topic (`RelationSchema.announcement`) since they were
    /// last learned: consumers type their copies of the table from it (e.g. the SQLite mirror).
    private var announced: Set<UInt32> = []
    /// Bounded: a miss (evicted, or a reader restart) falls back to `refetch`.
    var toast = ToastCache(maxBytes: 64 << 20)
    /// Reads the named columns of the row with this key from the source, for unchanged TOAST values the
    /// cache does not hold. The values are the row's current ones: exact unless a later transaction changed
    /// that very column (then that later event carries the newer value, so the row's final state is right).
    var refetch: ((RelationSchema, TupleData, [String]) throws -> [String: [UInt8]?])?
    private(set) var refetches = 0
    /// `cdc_table_events_total{source,table,op}`, one counter per relation and operation seen.
    private var eventCounters: [EventCounterKey: Counter] = [:]
    private struct EventCounterKey: Hashable {
        var relation: UInt32
        var operation: RowChange.Operation
    }

    init(configuration: CaptureConfiguration, database: String) {
        self.configuration = configuration
        encoder = ChangeEventEncoder(sourceName: configuration.sourceName, database: database)
    }

    /// A Relation message: the columns of the events that follow (a changed table changes them).
    mutating func learn(_ relation: PgOutputMessage.Relation) {
        let schema = RelationSchema(relation)
        if relations[relation.oid] != schema { announced.remove(relation.oid) }
        relations[relation.oid] = schema
        topics[relation.oid] = configuration.topic(for: QualifiedName(schema: schema.schema, table: schema.table))
    }

    /// A table's schema as the snapshot read it from the catalog.
    mutating func learn(_ schema: RelationSchema) {
        if relations[schema.oid] != schema { announced.remove(schema.oid) }
        relations[schema.oid] = schema
        topics[schema.oid] = configuration.topic(for: QualifiedName(schema: schema.schema, table: schema.table))
    }

    /// Forgets the relations (a new connection: the server sends them again).
    mutating func resetRelations() {
        relations.removeAll()
        topics.removeAll()
        announced.removeAll()
    }

    func relation(_ oid: UInt32) throws(CaptureError) -> RelationSchema {
        guard let relation = relations[oid] else {
            throw CaptureError(.protocolViolation, "a change for relation \(oid) arrived before its Relation message")
        }
        return relation
    }

    func topic(_ oid: UInt32) -> String { topics[oid] ?? "\(configuration.sourceName).unknown.\(oid)" }

    /// Where a change happened, for the envelope's `source` block.
    struct Origin {
        var lsn: LSN?
        var xid: UInt32?
        var commitTimeMs: Int64
        var snapshot: RowChange.SnapshotFlag = .no
    }

    /// The records for one change message (none for messages that are not row changes).
    mutating func records(for message: PgOutputMessage, origin: Origin, into records: inout [(topic: String, record: LogRecord)])
        throws(CaptureError)
    {
        switch message {
        case .insert(_, let oid, var new):
            let relation = try relation(oid)
            let key = try fillAndRemember(&new, relation: relation, isNewRow: true)
            try emit(.create, before: nil, after: new, key: key, relation: relation, origin: origin, into: &records)
        case .update(_, let oid, let old, var new):
            let relation = try relation(oid)
            // pgoutput sends the old key only when the key changed (or the whole old row, replica identity full).
            var oldKeyTuple: TupleData?
            if case .key(let tuple) = old { oldKeyTuple = tuple }
            let oldKey = try oldKeyTuple.flatMap { tuple throws(CaptureError) in
                try wrap { () throws(EventEncodingError) in try encoder.encodeKey(tuple, relation: relation) }
            }
            let key = try fillAndRemember(&new, relation: relation, previousKey: oldKey)
            var before: TupleData?
            if case .full(let tuple) = old { before = tuple }
            if let oldKeyTuple, let oldKey, oldKey != key {
                // The primary key changed: as Debezium does, a delete under the old key and a create under the new.
                toast.forget(relation: relation, key: oldKey)
                try emit(.delete, before: oldKeyTuple, after: nil, key: oldKey, relation: relation, origin: origin, into: &records)
                try emit(.create, before: nil, after: new, key: key, relation: relation, origin: origin, into: &records)
                return
            }
            try emit(.update, before: before, after: new, key: key, relation: relation, origin: origin, into: &records)
        case .delete(_, let oid, let old):
            let relation = try relation(oid)
            let tuple: TupleData
            switch old {
            case .key(let data), .full(let data): tuple = data
            }
            let key = try wrap { () throws(EventEncodingError) in try encoder.encodeKey(tuple, relation: relation) }
            if let key { toast.forget(relation: relation, key: key) }
            try emit(.delete, before: tuple, after: nil, key: key, relation: relation, origin: origin, into: &records)
        case .truncate(_, _, let oids):
            for oid in oids {
                let relation = try relation(oid)
                toast.forgetRelation(oid)
                try emit(.truncate, before: nil, after: nil, key: nil, relation: relation, origin: origin, into: &records)
            }
        default:
            return
        }
    }

    /// A snapshot row, as an `r` event (after the table's relation record, the first time).
    mutating func snapshotRecord(
        _ row: TupleData, relation: RelationSchema, origin: Origin, into records: inout [(topic: String, record: LogRecord)]
    ) throws(CaptureError) {
        var row = row
        let key = try fillAndRemember(&row, relation: relation, isNewRow: true)
        try emit(.read, before: nil, after: row, key: key, relation: relation, origin: origin, into: &records)
    }

    /// Fills unchanged TOAST values from the row's last known state and remembers the new state; returns
    /// the row's encoded key.
    /// `previousKey`: the row's key before this change, when the change moved it (its last state is kept there).
    /// `isNewRow`: an insert or a snapshot read, for which nothing can be cached yet (deletes and truncates
    /// forget), so rows without a big value skip the cache entirely — the common case, on the hot path.
    private mutating func fillAndRemember(
        _ tuple: inout TupleData, relation: RelationSchema, previousKey: [UInt8]? = nil, isNewRow: Bool = false
    ) throws(CaptureError) -> [UInt8]? {
        let key = try wrap { () throws(EventEncodingError) in try encoder.encodeKey(tuple, relation: relation) }
        guard let key else { return nil }
        if tuple.values.contains(.unchangedToast) {
            var missing = toast.fill(&tuple, relation: relation, key: previousKey ?? key)
            if !missing.isEmpty, let refetch {
                let fetched: [String: [UInt8]?]
                do {
                    fetched = try refetch(relation, tuple, missing)
                } catch {
                    throw CaptureError(.encoding, "\(relation.schema).\(relation.table): cannot read unchanged TOAST value(s) of \(missing.joined(separator: ", ")) from the source: \(error)")
                }
                for (index, column) in relation.columns.enumerated() where tuple.values[index] == .unchangedToast {
                    if let value = fetched[column.name] { tuple.values[index] = value.map { .text($0) } ?? .null }
                }
                refetches += 1
                missing = relation.columns.indices.filter { tuple.values[$0] == .unchangedToast }.map { relation.columns[$0].name }
            }
            guard missing.isEmpty else {
                throw CaptureError(.encoding, """
                    \(relation.schema).\(relation.table): an update left column(s) \(missing.joined(separator: ", ")) \
                    unchanged (TOAST) and their last value is not known to this reader; \
                    ALTER TABLE \(quoteIdentifier(relation.schema)).\(quoteIdentifier(relation.table)) REPLICA IDENTITY FULL \
                    makes the server send them
                    """, retryable: false)
            }
        }
        if isNewRow, !tuple.values.contains(where: { if case .text(let text) = $0 { text.count >= toast.threshold } else { false } }) {
            return key
        }
        toast.remember(tuple, relation: relation, key: key)
        return key
    }

    private mutating func emit(
        _ operation: RowChange.Operation, before: TupleData?, after: TupleData?, key: [UInt8]?, relation: RelationSchema,
        origin: Origin, into records: inout [(topic: String, record: LogRecord)]
    ) throws(CaptureError) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let change = RowChange(
            op: operation, before: before, after: after, lsn: origin.lsn?.value, txId: origin.xid,
            sourceTimeMs: origin.commitTimeMs, snapshot: origin.snapshot, eventTimeMs: now)
        if !announced.contains(relation.oid) {
            records.append((configuration.stateTopic, relation.announcement(sourceName: configuration.sourceName)))
            announced.insert(relation.oid)
        }
        let encoded = try wrap { () throws(EventEncodingError) in try encoder.encode(change, relation: relation) }
        records.append((topic(relation.oid), LogRecord(key: encoded.key ?? key, value: encoded.value, timestamp: origin.commitTimeMs)))
        countEvent(operation, relation)
    }

    private mutating func countEvent(_ operation: RowChange.Operation, _ relation: RelationSchema) {
        let key = EventCounterKey(relation: relation.oid, operation: operation)
        if let counter = eventCounters[key] { return counter.increment() }
        let counter = Counter(label: "cdc_table_events_total", dimensions: [
            ("source", configuration.sourceName), ("table", "\(relation.schema).\(relation.table)"), ("op", "\(operation)"),
        ])
        eventCounters[key] = counter
        counter.increment()
    }

    private func wrap<T>(_ body: () throws(EventEncodingError) -> T) throws(CaptureError) -> T {
        do {
            return try body()
        } catch {
            throw CaptureError(.encoding, "\(configuration.sourceName): \(error)", retryable: false)
        }
    }
}

extension PgOutputMessage {
    /// Commit time (µs since 2000-01-01) in ms since the Unix epoch.
    static func unixMilliseconds(_ postgresMicroseconds: Int64) -> Int64 {
        postgresMicroseconds / 1000 + postgresEpochUnixSeconds * 1000
    }
}
