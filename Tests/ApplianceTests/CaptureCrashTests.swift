import BlockingIO
import Foundation
import LocalPostgres
import PostgresCDC
import PostgresTestSupport
import Testing

/// The claim: after any crash — of the appliance or of the source server — the log holds every committed
/// change exactly once. `serve` runs as a child process against a throwaway cluster while a writer commits
/// continuously; afterwards the log is read back in-process and compared, key by key, with what committed.
@Suite("change capture survives crashes, as a child process", .serialized)
struct CaptureCrashTests {
    static let seedRows = 300

    @Test("kill -9 of serve ten times while it streams: every committed change is in the log exactly once")
    func killNineWhileStreaming() async throws {
        try await ThrowawayCluster.with { cluster in
            let rig = try await CrashRig.make(cluster, seedRows: Self.seedRows)
            // The snapshot first, undisturbed: its rows are then exactly the seed.
            var (serve, port) = try rig.startServe()
            try await rig.waitUntilStreaming(serve, port: port)

            let stop = CancellationFlag()
            let progress = WriterProgress()
            let writer = Writer(settings: rig.community, seedRows: Self.seedRows, stop: stop, progress: progress)
            let writing = Task { try await runBlocking(name: "capture-crash.writer") { writer.run() } }

            var committedAtKill: [Int] = []
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...2000)))
                committedAtKill.append(progress.committed)
                try await rig.kill9(serve)
                (serve, port) = try rig.startServe()
                try await rig.waitUntilStreaming(serve, port: port)
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...2000)))
            try await rig.kill9(serve)

            stop.cancel()
            let outcome = try await writing.value
            #expect(outcome.problems.isEmpty, "writer: \(outcome.problems)")
            #expect(progress.failures == 0, "the writer saw \(progress.failures) failed transactions with PostgreSQL up")
            #expect(outcome.committed > 100, "too few transactions to mean anything: \(outcome.committed); at each kill: \(committedAtKill)")

            let end = try await rig.currentWAL()
            (serve, port) = try rig.startServe()
            try await rig.waitUntilConfirmed(end, serve)
            try await rig.stopGracefully(serve)

            try await check(rig, outcome)
        }
    }

    @Test("PostgreSQL crash-restarts (pg_ctl restart -m immediate) while serve streams: it reconnects, and the log matches the database exactly once")
    func sourceCrashRestarts() async throws {
        try await ThrowawayCluster.with { cluster in
            let rig = try await CrashRig.make(cluster, seedRows: Self.seedRows)
            let (serve, port) = try rig.startServe()
            try await rig.waitUntilStreaming(serve, port: port)

            let stop = CancellationFlag()
            let progress = WriterProgress()
            let writer = Writer(settings: rig.community, seedRows: Self.seedRows, stop: stop, progress: progress)
            let writing = Task { try await runBlocking(name: "capture-crash.writer") { writer.run() } }

            for round in 0..<3 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 500...1500)))
                let before = progress.committed
                try await runBlocking(name: "capture-crash.pg-ctl") {
                    try cluster.cluster.stop(mode: .immediate)
                    _ = try cluster.cluster.start(port: cluster.port)
                }
                // The writer and the reader are both back before the next crash.
                let resumed = await eventually(timeout: .seconds(30)) { progress.committed > before + 20 }
                #expect(resumed, "round \(round): the writer did not resume after the restart")
                try await rig.waitUntilStreaming(serve, port: port, timeout: .seconds(60))
            }
            try await Task.sleep(for: .milliseconds(1000))
            stop.cancel()
            let outcome = try await writing.value
            #expect(outcome.problems.isEmpty, "writer: \(outcome.problems)")
            #expect(progress.failures > 0, "no transaction was interrupted by a crash: the test did not test anything")

            let end = try await rig.currentWAL()
            try await rig.waitUntilConfirmed(end, serve)
            #expect(serve.isRunning, "serve gave up on its source: \(serve.stderr.suffix(2000))")
            let reconnects = serve.stdout.split(separator: "\n")
                .filter { $0.contains("capture session ended") && $0.contains(#""source":"community""#) }.count
            #expect(reconnects >= 3, "expected a reconnection per crash, saw \(reconnects)")
            try await rig.stopGracefully(serve)

            try await check(rig, outcome)
            // For the record: what the crashes left undecided, and how it was decided.
            print("source crashes: \(outcome.committed) committed, \(outcome.unknownThenCommitted) unknown then found committed, \(outcome.unknownThenAbsent) unknown then absent")
        }
    }

    @Test("a slot dropped while serve is stopped: the source reports the loss on /readyz, no slot is made anew, the other source runs on")
    func slotDroppedWhileStopped() async throws {
        try await ThrowawayCluster.with { cluster in
            let rig = try await CrashRig.make(cluster, seedRows: 50)
            var (serve, port) = try rig.startServe()
            try await rig.waitUntilStreaming(serve, port: port)
            try await ThrowawayCluster.sql(cluster, #"UPDATE "CommunityUsers" SET username = 'changed' WHERE id <= 10"#, database: "community")
            try await rig.waitUntilConfirmed(try await rig.currentWAL(), serve)
            try await rig.stopGracefully(serve)

            try await ThrowawayCluster.sql(cluster, "SELECT pg_drop_replication_slot('\(CrashRig.slot)')")
            (serve, port) = try rig.startServe()
            var last: Readiness?
            let failed = await eventually(timeout: .seconds(30)) {
                last = await Readiness.fetch(port: port)
                guard let community = last?.component("source community") else { return false }
                return !community.ready && community.detail.hasPrefix("failed")
            }
            #expect(failed, "readyz: \(String(describing: last)); stderr: \(serve.stderr.suffix(2000))")
            let community = last?.component("source community")
            #expect(community?.detail.contains(CrashRig.slot) == true, "the reason does not name the slot: \(String(describing: community?.detail))")
            #expect(last?.status == "not_ready")

            // Watch a while: a retry loop would make the slot anew, or flap the status.
            let slotMade = await eventually(timeout: .seconds(3)) {
                let count = try? await ThrowawayCluster.sql(cluster, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(CrashRig.slot)'")
                return count?.scalar != "0"
            }
            #expect(!slotMade, "the slot was created again")
            let after = await Readiness.fetch(port: port)
            #expect(after?.component("source community")?.detail.hasPrefix("failed") == true, "readyz: \(String(describing: after))")
            #expect(after?.component("source sites")?.ready == true, "the other source suffered: \(String(describing: after))")
            #expect(serve.isRunning, "serve exited: \(serve.stderr.suffix(2000))")
            #expect(await httpGet("http://127.0.0.1:\(port)/healthz")?.status == 200)
            try await rig.stopGracefully(serve)
            try? FileManager.default.removeItem(atPath: rig.directory)
        }
    }

    @Test("the exactly-once check catches a duplicate, a missing event, a reordering, a stray event and a partial transaction")
    func checkerCatchesEveryKindOfDiscrepancy() {
        var outcome = WriterOutcome()
        outcome.expected = [
            1: [ExpectedEvent(op: "r", txn: 0), ExpectedEvent(op: "u", txn: 1)],
            2: [ExpectedEvent(op: "r", txn: 0), ExpectedEvent(op: "u", txn: 1), ExpectedEvent(op: "d", txn: 1)],
            10: [ExpectedEvent(op: "c", txn: 1)], 11: [ExpectedEvent(op: "c", txn: 1)], 12: [ExpectedEvent(op: "c", txn: 1)],
        ]
        outcome.xids = [1: 700]
        outcome.committed = 1
        func event(_ op: String, _ offset: Int64, txn: Bool = true, name: String? = "t1") -> LoggedEvent {
            LoggedEvent(partition: 0, offset: offset, op: op, txId: txn ? 700 : nil, username: op == "d" ? nil : name)
        }
        let good: [Int64: [LoggedEvent]] = [
            1: [event("r", 0, txn: false, name: "seed"), event("u", 5)],
            2: [event("r", 1, txn: false, name: "seed"), event("u", 6), event("d", 7)],
            10: [event("c", 2)], 11: [event("c", 3)], 12: [event("c", 4)],
        ]
        let table: [Int64: String] = [1: "t1", 10: "t1", 11: "t1", 12: "t1"]
        #expect(exactlyOnceProblems(logged: good, unkeyed: [], outcome: outcome, database: table).isEmpty)

        var duplicate = good
        duplicate[10]?.append(event("c", 8))
        #expect(exactlyOnceProblems(logged: duplicate, unkeyed: [], outcome: outcome, database: table).contains { $0.contains("duplicated") })
        var missing = good
        missing[1]?.removeLast()
        let missingProblems = exactlyOnceProblems(logged: missing, unkeyed: [], outcome: outcome, database: table)
        #expect(missingProblems.contains { $0.contains("missing events") })
        #expect(missingProblems.contains { $0.contains("without exactly their 6 events") })
        var reordered = good
        reordered[2] = [event("r", 1, txn: false, name: "seed"), event("d", 6), event("u", 7)]
        #expect(exactlyOnceProblems(logged: reordered, unkeyed: [], outcome: outcome, database: table).contains { $0.contains("out of commit order") })
        var stray = good
        stray[99] = [event("c", 9)]
        #expect(exactlyOnceProblems(logged: stray, unkeyed: [], outcome: outcome, database: table).contains { $0.contains("never written") })
        var foreign = good
        foreign[11] = [LoggedEvent(partition: 0, offset: 3, op: "c", txId: 701, username: "t1")]
        #expect(!exactlyOnceProblems(logged: foreign, unkeyed: [], outcome: outcome, database: table).isEmpty)
        #expect(!exactlyOnceProblems(logged: good, unkeyed: [], outcome: outcome, database: [1: "t1"]).isEmpty)
    }

    /// Reads the log back and compares it with the writer's outcome and the table.
    private func check(_ rig: CrashRig, _ outcome: WriterOutcome) async throws {
        let (logged, unkeyed) = try await loggedEvents(logDirectory: "\(rig.dataDirectory)/log", topic: CrashRig.topic)
        let problems = exactlyOnceProblems(logged: logged, unkeyed: unkeyed, outcome: outcome, database: try await rig.databaseRows())
        #expect(problems.isEmpty, "\(outcome.committed) transactions committed; the log (kept at \(rig.directory)):\n\(problems.joined(separator: "\n"))")
        if problems.isEmpty { try? FileManager.default.removeItem(atPath: rig.directory) }
    }
}
