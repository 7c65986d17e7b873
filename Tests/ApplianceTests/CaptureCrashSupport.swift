import BlockingIO
import Foundation
import LocalPostgres
import Logging
import PartitionedLog
import PostgresCDC
import PostgresTestSupport
import Synchronization
import Testing

/// A throwaway cluster with two source databases (`community`: `"CommunityUsers"` plus the writer's
/// `writer_commits`; `sites`: an idle `"SitesUsers"`), a configuration file for `serve`, and the data
/// directory the appliance writes its log to.
struct CrashRig {
    let cluster: RunningCluster
    let directory: String
    static let slot = "moodle_pipeline_community"
    static let topic = "community.public.CommunityUsers"

    var dataDirectory: String { "\(directory)/data" }
    var configPath: String { "\(directory)/appliance.conf" }
    var community: ConnectionSettings { ThrowawayCluster.superuserSettings(cluster, database: "community") }

    /// Makes the databases, seeds `seedRows` community users (ids 1…seedRows, username `seed`) and writes the
    /// configuration.
    static func make(_ cluster: RunningCluster, seedRows: Int) async throws -> CrashRig {
        let rig = CrashRig(cluster: cluster, directory: try makeTemporaryDirectory("capture-crash"))
        try await ThrowawayCluster.sql(cluster, "CREATE DATABASE community")
        try await ThrowawayCluster.sql(cluster, "CREATE DATABASE sites")
        try await ThrowawayCluster.sql(cluster, """
            CREATE TABLE "CommunityUsers"(id bigint PRIMARY KEY, email text, username text, registration_timestamp text);
            CREATE TABLE writer_commits(txn bigint PRIMARY KEY, xid bigint NOT NULL);
            INSERT INTO "CommunityUsers" SELECT n, 'u' || n || '@example.org', 'seed', '2024-01-01 00:00:00'
              FROM generate_series(1, \(seedRows)) AS n;
            """, database: "community")
        try await ThrowawayCluster.sql(cluster, """
            CREATE TABLE "SitesUsers"(id bigint PRIMARY KEY, admin_email text, username text, registration_timestamp text);
            INSERT INTO "SitesUsers" VALUES (1, 'admin@example.org', 'admin', '2024-01-01 00:00:00');
            """, database: "sites")
        let passwordFile = "\(rig.directory)/pg.password"
        try writeFile(passwordFile, try cluster.cluster.superuserPassword())
        try writeFile(rig.configPath, """
            data_dir = "\(rig.dataDirectory)"

            [sources.community]
            url = "\(cluster.url(database: "community"))"
            password_file = "\(passwordFile)"
            tables = ["public.CommunityUsers"]
            heartbeat_interval = "1s"

            [sources.sites]
            url = "\(cluster.url(database: "sites"))"
            password_file = "\(passwordFile)"
            heartbeat_interval = "1s"

            [admin]
            listen = "127.0.0.1:1"
            """)
        return rig
    }

    /// Starts `serve` with its admin listener on a fresh port (a killed predecessor's port may linger).
    func startServe() throws -> (process: ChildProcess, adminPort: Int) {
        let port = try freeLoopbackPort()
        let process = try ChildProcess(
            ["serve", "--config", configPath, "--log-format", "json"],
            environment: ["MOODLE_PIPELINE_ADMIN_LISTEN": "127.0.0.1:\(port)", "MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:\(try freeLoopbackPort())"],
            directory: directory)
        return (process, port)
    }

    /// Waits until `/readyz` shows the community source streaming.
    func waitUntilStreaming(_ serve: ChildProcess, port: Int, timeout: Duration = .seconds(30)) async throws {
        let streaming = await eventually(timeout: timeout) {
            await Readiness.fetch(port: port)?.component("source community")?.detail.hasPrefix("streaming") == true
        }
        guard streaming else {
            throw ChildProcessError(message: """
                the community source did not start streaming within \(timeout); readyz: \
                \(String(describing: await Readiness.fetch(port: port))); running: \(serve.isRunning); \
                stdout tail: \(serve.stdout.suffix(3000)); stderr: \(serve.stderr.suffix(2000))
                """)
        }
    }

    /// Kills `serve` with SIGKILL and waits until it is gone and the server has let go of the slot.
    func kill9(_ serve: ChildProcess) async throws {
        serve.signal(SIGKILL)
        guard await serve.waitForExit(timeout: .seconds(10)) != nil else {
            throw ChildProcessError(message: "serve survived SIGKILL for 10 s")
        }
        try await waitForSlot(active: false)
    }

    /// Stops `serve` with SIGTERM and expects exit status 0.
    func stopGracefully(_ serve: ChildProcess) async throws {
        serve.signal(SIGTERM)
        let status = await serve.waitForExit(timeout: .seconds(15))
        guard status == 0 else {
            throw ChildProcessError(message: "serve exited with \(String(describing: status)) after SIGTERM; stderr: \(serve.stderr.suffix(2000))")
        }
    }

    func waitForSlot(active: Bool, timeout: Duration = .seconds(30)) async throws {
        let settled = await eventually(timeout: timeout) {
            let row = try? await ThrowawayCluster.sql(
                cluster, "SELECT active::text FROM pg_replication_slots WHERE slot_name = '\(Self.slot)'")
            return row?.scalar == (active ? "true" : "false")
        }
        guard settled else { throw ChildProcessError(message: "slot \(Self.slot) did not become \(active ? "active" : "inactive") within \(timeout)") }
    }

    /// The server's current WAL position, as text.
    func currentWAL() async throws -> String {
        try await ThrowawayCluster.sql(cluster, "SELECT pg_current_wal_lsn()::text").scalar ?? "0/0"
    }

    /// Waits until the slot has confirmed everything up to `lsn`: every transaction committed before it is
    /// durable in the log (the reader confirms nothing else).
    func waitUntilConfirmed(_ lsn: String, _ serve: ChildProcess, timeout: Duration = .seconds(60)) async throws {
        let confirmed = await eventually(timeout: timeout) {
            let result = try? await ThrowawayCluster.sql(cluster, """
                SELECT (confirmed_flush_lsn >= '\(lsn)'::pg_lsn)::text FROM pg_replication_slots WHERE slot_name = '\(Self.slot)'
                """)
            return result?.scalar == "true"
        }
        guard confirmed else {
            let slot = try? await ThrowawayCluster.sql(cluster, "SELECT confirmed_flush_lsn::text, active::text FROM pg_replication_slots")
            throw ChildProcessError(message: """
                the slot did not confirm \(lsn) within \(timeout) (slots: \(String(describing: slot?.rows))); \
                stderr: \(serve.stderr.suffix(2000)); stdout tail: \(serve.stdout.suffix(3000))
                """)
        }
    }

    /// The community users as the database has them: id → username.
    func databaseRows() async throws -> [Int64: String] {
        let result = try await ThrowawayCluster.sql(cluster, #"SELECT id, username FROM "CommunityUsers""#, database: "community")
        var rows: [Int64: String] = [:]
        for row in result.rows { if let id = row[0].flatMap({ Int64($0) }) { rows[id] = row[1] ?? "" } }
        return rows
    }
}

/// `/readyz`, decoded.
struct Readiness: Decodable, CustomStringConvertible {
    struct Component: Decodable {
        var name: String
        var ready: Bool
        var detail: String
    }

    var status: String
    var components: [Component]

    func component(_ name: String) -> Component? { components.first { $0.name == name } }

    var description: String {
        "\(status): " + components.map { "\($0.name) \($0.ready ? "ready" : "NOT ready") (\($0.detail))" }.joined(separator: "; ")
    }

    static func fetch(port: Int) async -> Readiness? {
        guard let response = await httpGet("http://127.0.0.1:\(port)/readyz") else { return nil }
        return try? JSONDecoder().decode(Readiness.self, from: Data(response.body.utf8))
    }
}

// MARK: - The writer

/// An event the log must hold for a key: its `op` and the writer's transaction number (0 for the
/// initial snapshot's `r`).
struct ExpectedEvent: Hashable, Sendable, CustomStringConvertible {
    var op: String
    var txn: Int64
    var description: String { "\(op)@\(txn)" }
}

/// What the writer committed, as the log must show it.
struct WriterOutcome: Sendable {
    /// Per id, every event in commit order.
    var expected: [Int64: [ExpectedEvent]] = [:]
    /// Writer transaction → the server's transaction id (low 32 bits, as pgoutput sends it).
    var xids: [Int64: UInt32] = [:]
    var committed = 0
    /// Transactions whose COMMIT (or an earlier statement) failed, resolved by asking the database.
    var unknownThenCommitted = 0
    var unknownThenAbsent = 0
    /// Problems of the writer itself (a statement that did not affect the rows it should have).
    var problems: [String] = []
}

/// How far the writer has come, readable while it runs.
final class WriterProgress: Sendable {
    private let committedCount = Atomic<Int>(0)
    private let failureCount = Atomic<Int>(0)
    var committed: Int { committedCount.load(ordering: .relaxed) }
    var failures: Int { failureCount.load(ordering: .relaxed) }
    func didCommit() { committedCount.add(1, ordering: .relaxed) }
    func didFail() { failureCount.add(1, ordering: .relaxed) }
}

/// Commits transactions against `"CommunityUsers"` on its own thread until `stop` is set: each inserts
/// three new rows, updates two live rows and deletes one, and records its number and xid in
/// `writer_commits` in the same transaction. A transaction that fails anywhere (the server may have
/// crashed around its COMMIT) is unknown until a new connection asks `writer_commits` whether it exists.
struct Writer {
    let settings: ConnectionSettings
    let seedRows: Int
    let stop: CancellationFlag
    let progress: WriterProgress
    /// A pause between transactions, so that a run of seconds stays a few thousand transactions.
    var pause: TimeInterval = 0.002

    private struct Plan {
        var txn: Int64
        var inserts: [Int64]
        var updates: [Int64]
        var delete: Int64
    }

    func run() -> WriterOutcome {
        var outcome = WriterOutcome()
        var live = LiveIDs((1...Int64(seedRows)).map { $0 })
        for id in 1...Int64(seedRows) { outcome.expected[id] = [ExpectedEvent(op: "r", txn: 0)] }
        var nextID = Int64(seedRows) + 1
        var txn: Int64 = 0
        var connection: PGConnection?
        var unknown: Plan?
        while !stop.isCancelled {
            guard let link = connection ?? connect() else {
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            connection = link
            if let plan = unknown {
                // The server crashed around this transaction: whether it committed is in the database.
                guard let found = try? link.query("SELECT xid FROM writer_commits WHERE txn = $1", [String(plan.txn)]) else {
                    connection = nil
                    continue
                }
                unknown = nil
                if let xid = found.scalar.flatMap({ Int64($0) }) {
                    apply(plan, xid: xid, to: &outcome, live: &live)
                    outcome.unknownThenCommitted += 1
                } else {
                    outcome.unknownThenAbsent += 1
                }
            }
            txn += 1
            let updates = live.pick(2, excluding: [])
            let plan = Plan(
                txn: txn, inserts: (0..<3).map { nextID + $0 }, updates: updates, delete: live.pick(1, excluding: Set(updates))[0])
            nextID += 3
            do {
                let xid = try execute(plan, on: link)
                apply(plan, xid: xid, to: &outcome, live: &live)
                progress.didCommit()
            } catch let error as WriterProblem {
                outcome.problems.append(error.message)
                connection = nil
                unknown = plan
            } catch {
                progress.didFail()
                connection = nil
                unknown = plan
            }
            Thread.sleep(forTimeInterval: pause)
        }
        if let plan = unknown, let link = connect(),
           let found = try? link.query("SELECT xid FROM writer_commits WHERE txn = $1", [String(plan.txn)]) {
            if let xid = found.scalar.flatMap({ Int64($0) }) {
                apply(plan, xid: xid, to: &outcome, live: &live)
                outcome.unknownThenCommitted += 1
            } else {
                outcome.unknownThenAbsent += 1
            }
        } else if unknown != nil {
            outcome.problems.append("the last transaction's fate could not be resolved")
        }
        return outcome
    }

    private func connect() -> PGConnection? {
        guard let connection = try? PGConnection(settings) else { return nil }
        // The throwaway cluster runs with synchronous_commit off, which may lose acknowledged commits in a
        // server crash; the writer's commits must mean what they say.
        guard (try? connection.execute("SET synchronous_commit = on")) != nil else { return nil }
        return connection
    }

    private struct WriterProblem: Error { var message: String }

    /// Runs one planned transaction; returns its xid.
    private func execute(_ plan: Plan, on link: PGConnection) throws -> Int64 {
        try link.execute("BEGIN")
        guard let xid = try link.execute("SELECT txid_current()").scalar.flatMap({ Int64($0) }) else {
            throw WriterProblem(message: "txid_current() returned nothing")
        }
        let values = plan.inserts.map { "(\($0), 'u\($0)@example.org', 't\(plan.txn)', '2024-02-02 00:00:00')" }
        try link.execute(#"INSERT INTO "CommunityUsers" VALUES "# + values.joined(separator: ", "))
        let updated = try link.execute(#"UPDATE "CommunityUsers" SET username = 't\#(plan.txn)' WHERE id IN (\#(plan.updates.map(String.init).joined(separator: ","))) RETURNING id"#)
        guard updated.rows.count == plan.updates.count else {
            throw WriterProblem(message: "txn \(plan.txn): updated \(updated.rows.count) of \(plan.updates)")
        }
        let deleted = try link.execute(#"DELETE FROM "CommunityUsers" WHERE id = \#(plan.delete) RETURNING id"#)
        guard deleted.rows.count == 1 else { throw WriterProblem(message: "txn \(plan.txn): deleted \(deleted.rows.count) of [\(plan.delete)]") }
        try link.execute("INSERT INTO writer_commits VALUES (\(plan.txn), \(xid))")
        try link.execute("COMMIT")
        return xid
    }

    private func apply(_ plan: Plan, xid: Int64, to outcome: inout WriterOutcome, live: inout LiveIDs) {
        for id in plan.inserts {
            outcome.expected[id, default: []].append(ExpectedEvent(op: "c", txn: plan.txn))
            live.insert(id)
        }
        for id in plan.updates { outcome.expected[id, default: []].append(ExpectedEvent(op: "u", txn: plan.txn)) }
        outcome.expected[plan.delete, default: []].append(ExpectedEvent(op: "d", txn: plan.txn))
        live.remove(plan.delete)
        outcome.xids[plan.txn] = UInt32(truncatingIfNeeded: xid)
        outcome.committed += 1
    }
}

/// The ids of rows that exist, with O(1) random pick and removal.
struct LiveIDs {
    private var ids: [Int64]
    private var positions: [Int64: Int] = [:]

    init(_ ids: [Int64]) {
        self.ids = ids
        for (index, id) in ids.enumerated() { positions[id] = index }
    }

    mutating func insert(_ id: Int64) {
        positions[id] = ids.count
        ids.append(id)
    }

    mutating func remove(_ id: Int64) {
        guard let index = positions.removeValue(forKey: id) else { return }
        let last = ids.removeLast()
        if index < ids.count {
            ids[index] = last
            positions[last] = index
        }
    }

    /// `count` distinct random ids not in `excluded` (the table never gets that small here).
    func pick(_ count: Int, excluding excluded: Set<Int64>) -> [Int64] {
        var chosen: [Int64] = []
        while chosen.count < count {
            let id = ids[Int.random(in: 0..<ids.count)]
            if !excluded.contains(id), !chosen.contains(id) { chosen.append(id) }
        }
        return chosen
    }
}

// MARK: - Reading the log back

/// One event of the community topic, as read from the log.
struct LoggedEvent {
    var partition: Int
    var offset: Int64
    var op: String
    var txId: UInt32?
    var username: String?
}

/// Every event of `topic`, per id, in log order (a key's events share one partition).
func loggedEvents(logDirectory: String, topic: String) async throws -> (byID: [Int64: [LoggedEvent]], unkeyed: [String]) {
    var logger = Logger(label: "capture-crash-test")
    logger.logLevel = .critical
    let log = try await PartitionedLog.open(LogConfiguration(directory: logDirectory), logger: logger)
    var byID: [Int64: [LoggedEvent]] = [:]
    var unkeyed: [String] = []
    do {
        guard log.topicNames.contains(topic) else { throw ChildProcessError(message: "the log has no topic \(topic): \(log.topicNames)") }
        for partition in 0..<(try log.partitionCount(of: topic)) {
            let id = TopicPartition(topic: topic, partition: partition)
            var (offset, end) = try log.offsets(id)
            while offset < end {
                let result = try await log.read(id, from: offset, maxRecords: 10_000, maxBytes: 16 << 20)
                for record in result.records {
                    let value = record.value.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
                    let key = record.key.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
                    guard let value, let rowID = (key?["id"] as? NSNumber)?.int64Value else {
                        unkeyed.append("\(id)@\(record.offset): key \(record.key.map { String(decoding: $0, as: UTF8.self) } ?? "nil")")
                        continue
                    }
                    let source = value["source"] as? [String: Any]
                    let after = value["after"] as? [String: Any]
                    byID[rowID, default: []].append(LoggedEvent(
                        partition: partition, offset: record.offset, op: value["op"] as? String ?? "?",
                        txId: (source?["txId"] as? NSNumber).map { UInt32(truncatingIfNeeded: $0.int64Value) },
                        username: after?["username"] as? String))
                }
                if result.records.isEmpty { break }
                offset = result.nextOffset
                end = result.endOffset
            }
        }
    } catch {
        await log.close()
        throw error
    }
    await log.close()
    return (byID, unkeyed)
}

/// Compares the log with what the writer committed; returns every discrepancy, summarised (empty when the
/// log holds every committed change exactly once, in commit order per key, and nothing else).
func exactlyOnceProblems(
    logged: [Int64: [LoggedEvent]], unkeyed: [String], outcome: WriterOutcome, database: [Int64: String]
) -> [String] {
    var problems: [String] = []
    if !unkeyed.isEmpty { problems.append("\(unkeyed.count) events without an id key, e.g. \(unkeyed.prefix(5))") }
    let txnOfXID = Dictionary(outcome.xids.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })

    var duplicated: [String] = []
    var missing: [String] = []
    var misordered: [String] = []
    var unexpected: [String] = []
    var wrongContent: [String] = []
    var splitPartitions: [Int64] = []
    var eventsPerTxn: [Int64: Int] = [:]
    for id in Set(logged.keys).union(outcome.expected.keys).sorted() {
        let events = logged[id] ?? []
        let actual = events.map { event -> ExpectedEvent in
            let txn = event.op == "r" ? 0 : event.txId.flatMap { txnOfXID[$0] } ?? -Int64(event.txId ?? 0) - 1
            return ExpectedEvent(op: event.op, txn: txn)
        }
        for (event, seen) in zip(events, actual) where seen.txn > 0 {
            eventsPerTxn[seen.txn, default: 0] += 1
            if event.op == "c" || event.op == "u", event.username != "t\(seen.txn)" {
                wrongContent.append("id \(id) \(seen): username \(event.username ?? "null")")
            }
        }
        if Set(events.map(\.partition)).count > 1 { splitPartitions.append(id) }
        let wanted = outcome.expected[id] ?? []
        guard actual != wanted else { continue }
        let line = "id \(id): expected \(wanted) got \(actual) at \(events.map { "\($0.partition)/\($0.offset)" })"
        var counts: [ExpectedEvent: Int] = [:]
        for event in actual { counts[event, default: 0] += 1 }
        for event in wanted { counts[event, default: 0] -= 1 }
        if wanted.isEmpty { unexpected.append(line)
        } else if counts.values.contains(where: { $0 > 0 }) { duplicated.append(line)
        } else if counts.values.contains(where: { $0 < 0 }) { missing.append(line)
        } else { misordered.append(line) }
    }
    for (name, lines) in [("duplicated or foreign events", duplicated), ("missing events", missing),
                          ("events out of commit order", misordered), ("events for ids never written", unexpected),
                          ("events whose content does not match their transaction", wrongContent)] where !lines.isEmpty {
        problems.append("\(lines.count) ids with \(name), e.g.:\n  " + lines.prefix(8).joined(separator: "\n  "))
    }
    if !splitPartitions.isEmpty { problems.append("\(splitPartitions.count) ids with events in more than one partition, e.g. \(splitPartitions.prefix(8))") }
    // A transaction is six events (3 c, 2 u, 1 d): all of them in the log, or (a bug) some.
    let partial = outcome.xids.keys.sorted().filter { (eventsPerTxn[$0] ?? 0) != 6 }
    if !partial.isEmpty {
        problems.append("\(partial.count) committed transactions without exactly their 6 events, e.g. "
            + partial.prefix(8).map { "txn \($0) (xid \(outcome.xids[$0] ?? 0)): \(eventsPerTxn[$0] ?? 0)" }.joined(separator: ", "))
    }
    // The log, applied in order, must give the database's table.
    var folded: [Int64: String] = [:]
    for (id, events) in logged {
        for event in events {
            switch event.op {
            case "r", "c", "u": folded[id] = event.username ?? ""
            case "d": folded[id] = nil
            default: break
            }
        }
    }
    if folded != database {
        let differing = Set(folded.keys).union(database.keys).filter { folded[$0] != database[$0] }.sorted()
        problems.append("the log applied in order differs from the table at \(differing.count) ids, e.g. "
            + differing.prefix(8).map { "\($0): log \(folded[$0] ?? "absent") table \(database[$0] ?? "absent")" }.joined(separator: ", "))
    }
    return problems
}
