import Console
import Foundation
import PartitionedLog
import PostgresCDC
import SQLiteSink
import SearchAPI
import SearchEngine
import Synchronization

/// The console's view of this appliance: answers and dead letters from the SQLite sink, sources from the
/// captures, topics and consumers from the log, indices from the search engine.
final class PipelineConsole: ConsoleBackend {
    let log: PartitionedLog
    let sink: SQLiteSink
    let captures: [ChangeCapture]
    let search: SearchParts?
    let status: PipelineStatus
    let rates = Mutex<[String: RateSample]>([:])
    /// The answers as last read, for the revision they were read at: every open live stream asks after each
    /// commit, and one SQLite read serves them all.
    private let lastAnswers = Mutex<AnswersView?>(nil)

    /// The search side, absent until the search services are built.
    struct SearchParts: Sendable {
        let engine: SearchEngine
        let indexer: LogIndexer
        let server: SearchServer
    }

    init(log: PartitionedLog, sink: SQLiteSink, captures: [ChangeCapture], search: SearchParts?, status: PipelineStatus) {
        self.log = log
        self.sink = sink
        self.captures = captures
        self.search = search
        self.status = status
    }

    // MARK: Answers

    var answersRevision: Int { sink.status.batches }

    func answers() async throws(ConsoleError) -> AnswersView {
        // The revision is taken before the read, so what is read is at least that new.
        let revision = answersRevision
        if let cached = lastAnswers.withLock({ $0 }), cached.version == revision { return cached }
        do {
            let committed = try await sink.database.answers()
            let answers = AnswersView(
                version: revision, asOf: Date().formatted(.iso8601),
                q1: committed.registrations.map { WeeklyRegistrationsRow(weekStart: $0.weekStart, sitesRegistered: $0.sitesRegistered, sitesTotal: $0.sitesTotal) },
                q2: committed.admins.map { WeeklyAdminsRow(weekStart: $0.weekStart, newAdmins: $0.newAdmins, adminsTotal: $0.adminsTotal) })
            lastAnswers.withLock { $0 = answers }
            return answers
        } catch {
            throw .unavailable("cannot read the answers from the SQLite sink: \(error)")
        }
    }

    func deadLetters(limit: Int) async throws(ConsoleError) -> [DeadLetterView] {
        do {
            return try await sink.database.deadLetters(limit: limit).map {
                DeadLetterView(id: $0.id, source: $0.source, topic: $0.topic, partition: $0.partition, offset: $0.offset, key: $0.key,
                               reason: $0.reason, payload: $0.payload, at: $0.at)
            }
        } catch {
            throw .unavailable("cannot read the dead letters from the SQLite sink: \(error)")
        }
    }

    func sql(_ statement: String, limits: SQLLimits) async throws(ConsoleError) -> SQLResult {
        let start = ContinuousClock.now
        do {
            let rows = try await sink.database.query(statement, maxRows: limits.maxRows, timeout: limits.timeout)
            let elapsed = ContinuousClock.now - start
            return SQLResult(columns: rows.columns, rows: rows.rows, truncated: rows.truncated, elapsedMs: elapsed.milliseconds)
        } catch let error as SinkQueryError {
            switch error {
            case .notReadOnly: throw ConsoleError(status: 400, type: "read_only_violation", reason: error.description)
            case .timeout: throw ConsoleError(status: 400, type: "timeout", reason: error.description)
            case .invalid: throw ConsoleError(status: 400, type: "sql_error", reason: error.description)
            }
        } catch {
            throw ConsoleError(status: 400, type: "sql_error", reason: "\(error)")
        }
    }

    // MARK: Search

    func searchIndices() async -> [IndexView] {
        (search?.engine.indices ?? []).map { IndexView(name: $0.name, documents: $0.stats.docsCount) }
    }

    func search(index: String, body: [UInt8]) async -> (status: Int, body: [UInt8]) {
        guard let server = search?.server else {
            return (503, Array(#"{"error":{"type":"unavailable_exception","reason":"the search engine is not running"},"status":503}"#.utf8))
        }
        return await server.search(index: index, body: body)
    }
}

/// Events per second of one source, from two samples at least a second apart.
struct RateSample: Sendable {
    var at: ContinuousClock.Instant
    var count: Int
    var perSecond: Double
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15 }
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
