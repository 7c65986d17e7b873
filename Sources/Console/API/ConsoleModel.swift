import Foundation

// What the console's JSON API answers. Plain Codable values encoded with snake_case keys (see
// `ConsoleJSON`); the README's API section documents each shape.

/// Q1 and Q2 as the SQLite sink has committed them.
public struct AnswersView: Sendable, Codable, Equatable {
    /// Grows with every sink commit; the page shows which data it rendered.
    public var version: Int
    /// When the answers were read (ISO 8601, UTC).
    public var asOf: String
    public var q1: [WeeklyRegistrationsRow]
    public var q2: [WeeklyAdminsRow]

    public init(version: Int, asOf: String, q1: [WeeklyRegistrationsRow], q2: [WeeklyAdminsRow]) {
        self.version = version
        self.asOf = asOf
        self.q1 = q1
        self.q2 = q2
    }
}

/// One week of Q1: sites registered that week and in all up to its end.
public struct WeeklyRegistrationsRow: Sendable, Codable, Equatable {
    public var weekStart: String
    public var sitesRegistered: Int
    public var sitesTotal: Int

    public init(weekStart: String, sitesRegistered: Int, sitesTotal: Int) {
        self.weekStart = weekStart
        self.sitesRegistered = sitesRegistered
        self.sitesTotal = sitesTotal
    }
}

/// One week of Q2: community users who became site administrators that week, and in all.
public struct WeeklyAdminsRow: Sendable, Codable, Equatable {
    public var weekStart: String
    public var newAdmins: Int
    public var adminsTotal: Int

    public init(weekStart: String, newAdmins: Int, adminsTotal: Int) {
        self.weekStart = weekStart
        self.newAdmins = newAdmins
        self.adminsTotal = adminsTotal
    }
}

/// The whole pipeline at a glance (the Pipeline page and the `pipeline` stream event).
public struct PipelineView: Sendable, Codable, Equatable {
    public var ready: Bool
    public var components: [ComponentStatus]
    public var sources: [SourceView]
    public var topics: [TopicView]
    public var consumers: [ConsumerView]
    public var sinks: [SinkView]
    public var search: SearchView

    public init(components: [ComponentStatus], sources: [SourceView], topics: [TopicView], consumers: [ConsumerView],
                sinks: [SinkView], search: SearchView) {
        self.ready = components.allSatisfy(\.ready)
        self.components = components
        self.sources = sources
        self.topics = topics
        self.consumers = consumers
        self.sinks = sinks
        self.search = search
    }
}

/// One PostgreSQL source as its change capture sees it.
public struct SourceView: Sendable, Codable, Equatable {
    public struct TableProgress: Sendable, Codable, Equatable {
        public var table: String
        public var rows: Int
        public var estimate: Int
        public var done: Bool

        public init(table: String, rows: Int, estimate: Int, done: Bool) {
            self.table = table
            self.rows = rows
            self.estimate = estimate
            self.done = done
        }
    }

    public var name: String
    public var connected: Bool
    public var phase: String
    public var detail: String
    public var slot: String
    public var flushedLSN: String?
    public var lastCommitLSN: String?
    public var lagBytes: Int64?
    public var lagBudgetBytes: Int64
    public var alarm: String?
    public var events: Int
    public var transactions: Int
    public var eventsPerSecond: Double
    public var snapshot: [TableProgress]
    public var unusableTables: [String]

    public init(name: String, connected: Bool, phase: String, detail: String, slot: String, flushedLSN: String?,
                lastCommitLSN: String?, lagBytes: Int64?, lagBudgetBytes: Int64, alarm: String?, events: Int,
                transactions: Int, eventsPerSecond: Double, snapshot: [TableProgress], unusableTables: [String]) {
        self.name = name
        self.connected = connected
        self.phase = phase
        self.detail = detail
        self.slot = slot
        self.flushedLSN = flushedLSN
        self.lastCommitLSN = lastCommitLSN
        self.lagBytes = lagBytes
        self.lagBudgetBytes = lagBudgetBytes
        self.alarm = alarm
        self.events = events
        self.transactions = transactions
        self.eventsPerSecond = eventsPerSecond
        self.snapshot = snapshot
        self.unusableTables = unusableTables
    }
}

/// One topic of the log.
public struct TopicView: Sendable, Codable, Equatable {
    public struct Partition: Sendable, Codable, Equatable {
        public var partition: Int
        public var startOffset: Int64
        public var endOffset: Int64
        public var sizeBytes: Int
        public var recordsPerSecond: Double

        public init(partition: Int, startOffset: Int64, endOffset: Int64, sizeBytes: Int, recordsPerSecond: Double) {
            self.partition = partition
            self.startOffset = startOffset
            self.endOffset = endOffset
            self.sizeBytes = sizeBytes
            self.recordsPerSecond = recordsPerSecond
        }
    }

    public var name: String
    /// `delete` or `compact`.
    public var cleanup: String
    public var partitions: [Partition]
    public var sizeBytes: Int
    public var recordsPerSecond: Double

    public init(name: String, cleanup: String, partitions: [Partition]) {
        self.name = name
        self.cleanup = cleanup
        self.partitions = partitions
        sizeBytes = partitions.reduce(0) { $0 + $1.sizeBytes }
        recordsPerSecond = partitions.reduce(0) { $0 + $1.recordsPerSecond }
    }
}

/// One consumer group of the log and how far behind it is.
public struct ConsumerView: Sendable, Codable, Equatable {
    public struct Partition: Sendable, Codable, Equatable {
        public var topic: String
        public var partition: Int
        public var committed: Int64
        public var end: Int64
        public var lag: Int64

        public init(topic: String, partition: Int, committed: Int64, end: Int64, lag: Int64) {
            self.topic = topic
            self.partition = partition
            self.committed = committed
            self.end = end
            self.lag = lag
        }
    }

    public var group: String
    public var lag: Int64
    public var partitions: [Partition]

    public init(group: String, partitions: [Partition]) {
        self.group = group
        self.partitions = partitions
        lag = partitions.reduce(0) { $0 + $1.lag }
    }
}

/// A sink: where the pipeline's results land.
public struct SinkView: Sendable, Codable, Equatable {
    public var name: String
    public var path: String
    public var ready: Bool
    public var lastCommit: String?
    public var batches: Int
    public var records: Int
    public var deadLetters: Int
    public var lastBatchSeconds: Double
    public var lastError: String?

    public init(name: String, path: String, ready: Bool, lastCommit: String?, batches: Int, records: Int, deadLetters: Int,
                lastBatchSeconds: Double, lastError: String?) {
        self.name = name
        self.path = path
        self.ready = ready
        self.lastCommit = lastCommit
        self.batches = batches
        self.records = records
        self.deadLetters = deadLetters
        self.lastBatchSeconds = lastBatchSeconds
        self.lastError = lastError
    }
}

/// The search side: its indices and what the log indexer has done.
public struct SearchView: Sendable, Codable, Equatable {
    public var indices: [IndexView]
    public var documentsIndexed: Int
    public var rejected: Int

    public init(indices: [IndexView], documentsIndexed: Int, rejected: Int) {
        self.indices = indices
        self.documentsIndexed = documentsIndexed
        self.rejected = rejected
    }
}

public struct IndexView: Sendable, Codable, Equatable {
    public var name: String
    public var documents: Int

    public init(name: String, documents: Int) {
        self.name = name
        self.documents = documents
    }
}

/// One log record as the topic browser shows it: key and value as UTF-8 text (invalid UTF-8 is shown as
/// base64 with `encoding: "base64"`).
public struct RecordView: Sendable, Codable, Equatable {
    public struct Header: Sendable, Codable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var partition: Int
    public var offset: Int64
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var key: String?
    public var value: String?
    public var headers: [Header]
    /// `base64` when key or value were not UTF-8; absent otherwise.
    public var encoding: String?

    public init(partition: Int, offset: Int64, timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [Header]) {
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.headers = headers
        let keyText = key.flatMap { String(validating: $0, as: UTF8.self) }
        let valueText = value.flatMap { String(validating: $0, as: UTF8.self) }
        if (key != nil && keyText == nil) || (value != nil && valueText == nil) {
            encoding = "base64"
            self.key = key.map { Data($0).base64EncodedString() }
            self.value = value.map { Data($0).base64EncodedString() }
        } else {
            self.key = keyText
            self.value = valueText
        }
    }
}

/// A page of one partition.
public struct RecordsPage: Sendable, Codable, Equatable {
    public var topic: String
    public var partition: Int
    public var startOffset: Int64
    public var endOffset: Int64
    public var nextOffset: Int64
    public var records: [RecordView]

    public init(topic: String, partition: Int, startOffset: Int64, endOffset: Int64, nextOffset: Int64, records: [RecordView]) {
        self.topic = topic
        self.partition = partition
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.nextOffset = nextOffset
        self.records = records
    }
}

/// The records of a topic with one key, newest first.
public struct FoundRecords: Sendable, Codable, Equatable {
    public var topic: String
    public var key: String
    public var records: [RecordView]
    /// True when the search stopped at its scan limit before reaching the partition's start.
    public var partial: Bool

    public init(topic: String, key: String, records: [RecordView], partial: Bool) {
        self.topic = topic
        self.key = key
        self.records = records
        self.partial = partial
    }
}

/// A row the sink rejected.
public struct DeadLetterView: Sendable, Codable, Equatable {
    public var id: Int64
    public var source: String
    public var topic: String
    public var partition: Int
    public var offset: Int64
    public var key: String?
    public var reason: String
    public var payload: String?
    public var at: String

    public init(id: Int64, source: String, topic: String, partition: Int, offset: Int64, key: String?, reason: String,
                payload: String?, at: String) {
        self.id = id
        self.source = source
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.reason = reason
        self.payload = payload
        self.at = at
    }
}

/// The result of a read-only SQL statement.
public struct SQLResult: Sendable, Codable, Equatable {
    public var columns: [String]
    public var rows: [[String?]]
    public var truncated: Bool
    public var elapsedMs: Double

    public init(columns: [String], rows: [[String?]], truncated: Bool, elapsedMs: Double) {
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
        self.elapsedMs = elapsedMs
    }
}
