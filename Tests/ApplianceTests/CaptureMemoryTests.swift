import Foundation
import LocalPostgres
import PostgresTestSupport
import Testing

/// The memory bound of a huge streamed transaction, measured on the real appliance in a process of its own
/// (tests running alongside in this process would disturb an in-process measurement).
@Suite("capture memory", .serialized)
struct CaptureMemoryTests {
    /// The appliance's allowed peak growth (see the test).
    static let bound = 220 << 20

    /// A 200,000-row transaction of ~1 KiB rows (~200 MiB of events) with logical_decoding_work_mem = 64kB: the
    /// server streams it in progress (protocol 2), the reader spills it and appends it in parts. Stated bound
    /// for the reader's growth: a 4 MiB part + the 32 MiB hand-off + the log's queues + the 64 MiB TOAST
    /// cache — about 110 MiB, while holding the transaction would take over 200 MiB more. The search indexer
    /// feeds `community_users` from the same events at the same time: its 16 MiB indexing buffer, 32 MiB of
    /// unflushed segments (SearchLimits) and a 4 MiB read per partition add about 55 MiB. Measured: 133 MiB
    /// alone; with every suite running alongside (since issue 7 that includes headless Chromium) 162 to 192
    /// MiB — glibc's per-thread malloc arenas hold more under contention. The bound, 220 MiB, still fails a
    /// reader that holds the transaction (its 200 MiB on top of the ~130 MiB baseline).
    @Test func hugeTransactionStreamsInBoundedMemory() async throws {
        try await ThrowawayCluster.with { cluster in
            let rig = try await CrashRig.make(cluster, seedRows: 10)
            try await ThrowawayCluster.sql(cluster, "ALTER SYSTEM SET logical_decoding_work_mem = '64kB'")
            try await ThrowawayCluster.sql(cluster, "SELECT pg_reload_conf()")
            let (serve, port) = try rig.startServe()
            try await rig.waitUntilStreaming(serve, port: port)
            try? "5".write(toFile: "/proc/\(serve.pid)/clear_refs", atomically: false, encoding: .utf8)
            let before = status(serve.pid, "VmRSS:")
            try await ThrowawayCluster.sql(cluster, """
                INSERT INTO "CommunityUsers" SELECT g, repeat(md5(g::text), 32), 'big', '2024-01-01 00:00:00'
                FROM generate_series(1000, 200999) g
                """, database: "community")
            try await rig.waitUntilConfirmed(try await rig.currentWAL(), serve, timeout: .seconds(240))
            let growth = status(serve.pid, "VmHWM:") - before
            try await rig.stopGracefully(serve)
            let (byID, _) = try await loggedEvents(logDirectory: "\(rig.dataDirectory)/log", topic: CrashRig.topic)
            #expect(byID.count == 200_010)
            #expect(before > 0 && growth > 0, "no measurement: before \(before), growth \(growth)")
            print("capture memory: peak resident growth \(growth >> 20) MiB (bound \(Self.bound >> 20) MiB)")
            #expect(growth < Self.bound, "peak resident memory grew by \(growth >> 20) MiB")
        }
    }

    private func status(_ pid: Int32, _ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return (Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0) * 1024
    }
}
