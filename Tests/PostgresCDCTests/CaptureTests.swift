import Foundation
import PartitionedLog
import PostgresCDC
import PostgresTestSupport
import Testing

@Suite("change capture into the log", .serialized)
struct CaptureTests {
    @Test func capturesInsertsUpdatesDeletesAndTruncates() async throws {
        try await ThrowawayCluster.with { cluster in
            let harness = CaptureHarness(cluster: cluster, directory: try makeTemporaryDirectory())
            try await harness.sql("CREATE TABLE public.items (id bigint PRIMARY KEY, name text, note text)")
            try await harness.sql("INSERT INTO public.items VALUES (1, 'one', NULL), (2, 'two', NULL)")
            try await harness.run { capture, log in
                try await waitUntil("snapshot") { try await log.events("src.public.items").count == 2 }
                try await harness.sql("INSERT INTO public.items VALUES (3, 'three', 'x')")
                try await harness.sql("UPDATE public.items SET name = 'uno' WHERE id = 1")
                try await harness.sql("DELETE FROM public.items WHERE id = 2")
                try await harness.sql("TRUNCATE public.items")
                // A truncate goes to every partition, so each partition's consumer meets it in order.
                let partitions = try log.partitionCount(of: "src.public.items")
                try await waitUntil("stream") { try await log.events("src.public.items").count == 5 + partitions }
                let events = try await log.events("src.public.items")
                #expect(events.filter { $0.op == "r" }.count == 2)
                #expect(events.contains { $0.op == "c" && $0.id == "3" && $0.after?["name"] as? String == "three" })
                #expect(events.contains { $0.op == "u" && $0.id == "1" && $0.after?["name"] as? String == "uno" })
                #expect(events.contains { $0.op == "d" && $0.id == "2" && $0.after == nil })
                #expect(events.filter { $0.op == "t" }.count == partitions)
                let relations = try await log.read(TopicPartition(topic: "_cdc.src", partition: 0), from: 0, maxRecords: 1000, maxBytes: 1 << 20)
                    .records.filter { $0.key.map { String(decoding: $0, as: UTF8.self) } == "relation:public.items" }
                #expect(!relations.isEmpty, "the table's columns are announced in the state topic")
                #expect(relations.first.flatMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }?.contains(#""name":"id","type_oid":20,"type_modifier":-1,"key":true"#) == true)
                #expect(capture.status.snapshot.phase == .streaming)
            }
        }
    }
}

extension CaptureTests {
    /// The snapshot runs while a writer changes the table; after the handoff the log, replayed per key,
    /// equals the table, and every row that existed at the slot's start was read exactly once.
    @Test func snapshotWhileAWriterIsActive() async throws {
        try await ThrowawayCluster.with { cluster in
            var harness = CaptureHarness(cluster: cluster, directory: try makeTemporaryDirectory())
            harness.configure = { $0.snapshotChunkRows = 500 }
            try await harness.sql("CREATE TABLE public.items (id bigint PRIMARY KEY, name text, note text)")
            try await harness.sql("INSERT INTO public.items SELECT g, 'row ' || g, NULL FROM generate_series(1, 20000) g")
            let settings = harness.settings
            let writer = Task {
                try await PGConnection.withConnection(settings) { connection in
                    for round in 0..<400 {
                        try connection.execute("UPDATE public.items SET name = 'changed \(round)' WHERE id = \(round * 37 % 20000 + 1)")
                        try connection.execute("DELETE FROM public.items WHERE id = \(round * 53 % 20000 + 1)")
                        try connection.execute("INSERT INTO public.items VALUES (\(100_000 + round), 'new', NULL)")
                    }
                }
            }
            try await harness.run { capture, log in
                try await writer.value
                try await waitUntilTheLogReplaysToTheTable(harness, log)
                let events = try await log.events("src.public.items")
                let reads = events.filter { $0.op == "r" }.compactMap(\.id)
                #expect(Set(reads).count == reads.count, "a row was read twice")
                // Every change after the slot's start is streamed exactly once.
                let inserts = events.filter { $0.op == "c" }.compactMap(\.id)
                #expect(Set(inserts).count == inserts.count)
                #expect(Set(inserts).isDisjoint(with: Set(reads)), "a row both read and inserted")
                let snapshot = capture.status.snapshot
                #expect(snapshot.snapshotTables.first?.done == true)
                #expect(snapshot.snapshotTables.first?.rows == reads.count)
            }
        }
    }

    /// A 200,000-row transaction with logical_decoding_work_mem = 64kB is streamed by the server while in
    /// progress (protocol 2); the reader spills it and appends it as one streamed atomic group; rolled-back
    /// streamed (sub)transactions leave nothing. (Its memory bound is measured on the appliance in a process
    /// of its own: `CaptureMemoryTests`.)
    @Test func streamsAHugeTransactionAndDropsRollbacks() async throws {
        try await ThrowawayCluster.with { cluster in
            let harness = CaptureHarness(cluster: cluster, directory: try makeTemporaryDirectory())
            try await harness.sql("ALTER SYSTEM SET logical_decoding_work_mem = '64kB'")
            try await harness.sql("SELECT pg_reload_conf()")
            try await harness.sql("CREATE TABLE public.items (id bigint PRIMARY KEY, name text, note text)")
            try await harness.run { capture, log in
                try await waitUntil("streaming") { capture.status.snapshot.phase == .streaming }
                try await harness.sql("""
                    INSERT INTO public.items SELECT g, 'row ' || g, md5(g::text) FROM generate_series(1, 200000) g
                    """)
                // A streamed transaction that rolls back (whole, and a subtransaction) leaves nothing.
                try await harness.sql("""
                    DO $$ BEGIN
                      INSERT INTO public.items SELECT g, 'kept', NULL FROM generate_series(300001, 300010) g;
                      BEGIN
                        INSERT INTO public.items SELECT g, 'rolled back', repeat('x', 100) FROM generate_series(400001, 420000) g;
                        RAISE EXCEPTION 'roll back the subtransaction';
                      EXCEPTION WHEN raise_exception THEN NULL;
                      END;
                    END $$
                    """)
                try? await harness.sql("""
                    DO $$ BEGIN
                      INSERT INTO public.items SELECT g, 'aborted', repeat('y', 100) FROM generate_series(500001, 520000) g;
                      RAISE EXCEPTION 'abort';
                    END $$
                    """)
                try await harness.sql("INSERT INTO public.items VALUES (999999, 'last', NULL)")
                // Wait on the reader's own count, then read the events back once.
                try await waitUntil(timeout: .seconds(180), "200,011 events") { capture.status.snapshot.events >= 200_011 }
                let events = try await log.events("src.public.items")
                #expect(events.count == 200_011)
                #expect(!events.contains { ($0.after?["name"] as? String).map { $0 == "rolled back" || $0 == "aborted" } ?? false })
                #expect(events.filter { $0.after?["name"] as? String == "kept" }.count == 10)
                #expect(capture.status.snapshot.transactions >= 3)
            }
        }
    }

    /// An unchanged TOASTed value is filled from the row's last state; an added column shows up.
    @Test func fillsUnchangedToastAndFollowsSchemaChanges() async throws {
        try await ThrowawayCluster.with { cluster in
            let harness = CaptureHarness(cluster: cluster, directory: try makeTemporaryDirectory())
            try await harness.sql("CREATE TABLE public.items (id bigint PRIMARY KEY, name text, note text)")
            try await harness.sql("INSERT INTO public.items VALUES (1, 'one', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 4000) g))")
            try await harness.sql("INSERT INTO public.items VALUES (2, 'two', NULL)")
            try await harness.run { capture, log in
                try await waitUntil("streaming") { capture.status.snapshot.phase == .streaming }
                try await harness.sql("INSERT INTO public.items VALUES (3, 'three', (SELECT string_agg(md5((g * 7)::text), '') FROM generate_series(1, 4000) g))")
                try await harness.sql("UPDATE public.items SET name = 'uno' WHERE id = 1")
                try await harness.sql("UPDATE public.items SET name = 'tres' WHERE id = 3")
                try await harness.sql("ALTER TABLE public.items ADD COLUMN email text")
                try await harness.sql("UPDATE public.items SET email = 'a@example.org' WHERE id = 2")
                try await waitUntil("5 events") { try await log.events("src.public.items").count == 6 }
                let events = try await log.events("src.public.items")
                let note1 = try await harness.sql("SELECT note FROM public.items WHERE id = 1").scalar
                let note3 = try await harness.sql("SELECT note FROM public.items WHERE id = 3").scalar
                let update1 = events.first { $0.op == "u" && $0.id == "1" }
                let update3 = events.first { $0.op == "u" && $0.id == "3" }
                #expect(update1?.after?["note"] as? String == note1)
                #expect(update3?.after?["note"] as? String == note3)
                let update2 = events.first { $0.op == "u" && $0.id == "2" }
                #expect(update2?.after?["email"] as? String == "a@example.org")
                #expect(update1?.after?["email"] == nil)
            }
        }
    }

    /// With nothing to capture, the heartbeat and keepalives still move the slot.
    @Test func idleSourceSlotAdvances() async throws {
        try await ThrowawayCluster.with { cluster in
            let harness = CaptureHarness(cluster: cluster, directory: try makeTemporaryDirectory())
            try await harness.sql("CREATE TABLE public.items (id bigint PRIMARY KEY, name text, note text)")
            try await harness.sql("CREATE DATABASE other")
            try await harness.run { capture, _ in
                try await waitUntil("streaming") { capture.status.snapshot.phase == .streaming }
                let query = "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'moodle_pipeline_src'"
                let start = try await harness.sql(query).scalar.flatMap { LSN($0) } ?? .zero
                // WAL from elsewhere: another database's writes, which this slot never sends.
                try await ThrowawayCluster.sql(cluster, "CREATE TABLE noise AS SELECT g FROM generate_series(1, 10000) g", database: "other")
                let target = try await harness.sql("SELECT pg_current_wal_lsn()::text").scalar.flatMap { LSN($0) } ?? .zero
                try await waitUntil(timeout: .seconds(30), "confirmed_flush_lsn to pass \(target)") {
                    let now = try await harness.sql(query).scalar.flatMap { LSN($0) } ?? .zero
                    return now >= target && now > start
                }
            }
        }
    }

    /// A table without a primary key is reported with the SQL that fixes it, and left out of the publication.
    @Test func reportsTablesWithoutAKey() async throws {
        try await ThrowawayCluster.with { cluster in
            var harness = CaptureHarness(cluster: cluster, directory: try makeTemporaryDirectory())
            harness.tables.append(QualifiedName(schema: "public", table: "loose"))
            try await harness.sql("CREATE TABLE public.items (id bigint PRIMARY KEY, name text, note text)")
            try await harness.sql("CREATE TABLE public.loose (name text)")
            try await harness.run { capture, _ in
                try await waitUntil("streaming") { capture.status.snapshot.phase == .streaming }
                let unusable = capture.status.snapshot.unusableTables
                #expect(unusable.count == 1)
                #expect(unusable.first?.contains("ADD PRIMARY KEY") == true)
                let published = try await harness.sql("SELECT tablename FROM pg_publication_tables WHERE pubname = 'moodle_pipeline_src'")
                #expect(published.rows.map { $0[0] } == ["items"])
                // Updates to it still work on the source (a publication without a key would refuse them).
                try await harness.sql("INSERT INTO public.loose VALUES ('a')")
                try await harness.sql("UPDATE public.loose SET name = 'b'")
            }
        }
    }
}

/// Waits until the events of `public.items`, applied in order per key, give the table's rows (id → name).
func waitUntilTheLogReplaysToTheTable(_ harness: CaptureHarness, _ log: PartitionedLog) async throws {
    let expected = try await harness.sql("SELECT id::text, name FROM public.items").rows
    let wanted = Dictionary(uniqueKeysWithValues: expected.map { ($0[0]!, $0[1]) })
    try await waitUntil("the log to match the table") {
        var replayed: [String: String?] = [:]
        for event in try await log.events("src.public.items") {
            guard let id = event.id else { continue }
            if event.op == "d" { replayed[id] = nil } else { replayed[id] = .some(event.after?["name"] as? String) }
        }
        return replayed.count == wanted.count && replayed.allSatisfy { wanted[$0.key] == $0.value }
    }
}
