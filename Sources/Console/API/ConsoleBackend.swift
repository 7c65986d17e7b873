/// What the console reads from the running pipeline. Appliance implements it over the log, the captures,
/// the SQLite sink and the search engine; the console itself knows none of them.
public protocol ConsoleBackend: Sendable {
    /// Q1 and Q2 as committed in the sink.
    func answers() async throws(ConsoleError) -> AnswersView
    /// A number that changes whenever the sink commits (cheap to ask; the live stream polls it).
    var answersRevision: Int { get }
    /// Sources, topics, consumers, sinks, search and readiness.
    func pipeline() async -> PipelineView
    /// The parts of `pipeline()` that the API also serves alone.
    func sources() -> [SourceView]
    func topics() -> [TopicView]
    func consumers() -> [ConsumerView]
    /// Up to `limit` records of one partition from `offset` on.
    func records(topic: String, partition: Int, offset: Int64, limit: Int) async throws(ConsoleError) -> RecordsPage
    /// The newest records (up to `limit`) whose key is `key`, searching the partition the key hashes to.
    func findRecords(topic: String, key: String, limit: Int) async throws(ConsoleError) -> FoundRecords
    /// Rejected rows, newest first.
    func deadLetters(limit: Int) async throws(ConsoleError) -> [DeadLetterView]
    /// One read-only statement over the sink, within `limits`.
    func sql(_ statement: String, limits: SQLLimits) async throws(ConsoleError) -> SQLResult
    /// The search indices and their document counts.
    func searchIndices() async -> [IndexView]
    /// An OpenSearch `_search` body run on `index`; the OpenSearch response (status, JSON body) verbatim.
    func search(index: String, body: [UInt8]) async -> (status: Int, body: [UInt8])
}

/// The SQL page's limits: a read-only connection, at most `maxRows` rows, at most `timeout` per statement.
public struct SQLLimits: Sendable, Equatable {
    public var maxRows: Int
    public var timeout: Duration

    /// Defaults (`[admin] sql_max_rows`, `sql_timeout`): 10,000 rows (a table a browser can still render) and
    /// 5 s (long enough for any reasonable query over the sink; short enough that a runaway cross join cannot
    /// hold a reader connection).
    public init(maxRows: Int = 10_000, timeout: Duration = .seconds(5)) {
        self.maxRows = maxRows
        self.timeout = timeout
    }
}

/// An error the API answers with, in OpenSearch's shape: `{"error":{"type","reason"},"status"}`.
public struct ConsoleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var type: String
    public var reason: String

    public init(status: Int, type: String, reason: String) {
        self.status = status
        self.type = type
        self.reason = reason
    }

    public static func notFound(_ reason: String) -> ConsoleError { ConsoleError(status: 404, type: "resource_not_found_exception", reason: reason) }
    public static func badRequest(_ reason: String) -> ConsoleError { ConsoleError(status: 400, type: "illegal_argument_exception", reason: reason) }
    public static func unavailable(_ reason: String) -> ConsoleError { ConsoleError(status: 503, type: "unavailable_exception", reason: reason) }

    public var description: String { "\(type): \(reason)" }
}
