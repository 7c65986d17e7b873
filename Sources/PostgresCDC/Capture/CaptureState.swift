import BlockingIO
import Logging
import Foundation
import PartitionedLog

/// What a source's capture must remember across restarts, kept in the log itself: every atomic group the
/// reader appends ends with one record of this state in the source's state topic (`_cdc.<source>`,
/// compacted, key `state`). The events and the position that produced them are therefore durable together
/// or not at all — the heart of "exactly once into the log".
struct CaptureState: Codable, Sendable, Equatable {
    var version = 1
    /// The slot this pipeline streams from, once it has made or adopted one.
    var slot: String?
    /// The slot's consistent point: the initial snapshot saw exactly the transactions committed before it.
    var consistentPoint: String?
    /// The commit LSN and end LSN of the last source transaction whose events are in the log.
    var commitLSN: String?
    var endLSN: String?
    /// Counts snapshots: a new one after a slot loss with `on_slot_loss = "resnapshot"`.
    var snapshotGeneration = 0
    var snapshot: SnapshotProgress?

    var lastCommit: LSN { commitLSN.flatMap { LSN($0) } ?? .zero }
    var lastEnd: LSN { endLSN.flatMap { LSN($0) } ?? .zero }

    static let recordKey = Array("state".utf8)

    func record(timestamp: Int64? = nil) -> LogRecord {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a plain Codable struct of strings and integers cannot fail.
        let value = (try? encoder.encode(self)).map { [UInt8]($0) } ?? []
        return LogRecord(key: Self.recordKey, value: value, timestamp: timestamp)
    }

    static func decode(_ bytes: [UInt8]) throws -> CaptureState {
        try JSONDecoder().decode(CaptureState.self, from: Data(bytes))
    }
}

/// The initial snapshot's durable progress.
struct SnapshotProgress: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable { case running, done }
    var status: Status
    var tables: [TableProgress]
    /// Snapshots taken to resume after a crash: changes they already saw are dropped from the stream.
    var resumeFilters: [ResumeFilter] = []
}

struct TableProgress: Codable, Sendable, Equatable {
    /// `schema.table`.
    var table: String
    var done: Bool
    var rows: Int
    /// `pg_class.reltuples` when the table's snapshot began (an estimate; -1 when unknown).
    var estimate: Int
    /// The key of the last row read (text of each key column, in key order); nil before the first chunk.
    var lastKey: [String?]?
}

/// A snapshot taken to resume an interrupted initial snapshot. It sees transactions committed after the
/// slot's consistent point, which the stream will replay: for the rows this snapshot read, those
/// transactions' changes are already in the log and are dropped.
struct ResumeFilter: Codable, Sendable, Equatable {
    /// `pg_current_snapshot()` as text: `xmin:xmax:xip1,xip2,…`.
    var snapshot: String
    /// `pg_current_wal_insert_lsn()` when it was taken: every transaction it sees committed before this point
    /// (the insert position, not `pg_current_wal_lsn()`, the write position, which can trail it).
    var walLSN: String
    /// Per table (`schema.table`): the last key read before this snapshot took over (rows with greater keys
    /// were read by it), or nil when it read the whole table.
    var boundaries: [String: [String?]?]
}

extension LSN {
    var text: String { description }
}
