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
                try await waitUntil("stream") { try await log.events("src.public.items").count == 6 }
                let events = try await log.events("src.public.items")
                #expect(events.filter { $0.op == "r" }.count == 2)
                #expect(events.contains { $0.op == "c" && $0.id == "3" && $0.after?["name"] as? String == "three" })
                #expect(events.contains { $0.op == "u" && $0.id == "1" && $0.after?["name"] as? String == "uno" })
                #expect(events.contains { $0.op == "d" && $0.id == "2" && $0.after == nil })
                #expect(events.contains { $0.op == "t" })
                #expect(capture.status.snapshot.phase == .streaming)
            }
        }
    }
}
