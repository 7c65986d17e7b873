import Foundation
import LocalPostgres
import PostgresCDC

/// Writing each workload's WAL.
extension CDCBenchmark {
    /// The columns of row `g` (in a `SELECT … FROM generate_series(…) g`), shaped like a Moodle user.
    static let rowExpressions = """
        g, 'user' || g || '@example.org', 'user' || g, to_char(timestamp '2020-01-01' + g * interval '1 second', 'YYYY-MM-DD HH24:MI:SS')
        """

    func generate(_ workload: Workload, table: String, _ server: BenchServer) async throws -> Generated {
        let p = parameters
        let start = try await server.currentLSN()
        let started = ContinuousClock.now
        let rows: Int, transactions: Int
        switch workload {
        case .batched:
            note("batched: \(p.batchedRows) rows in transactions of \(p.batchRows)")
            let settings = server.settings
            transactions = try await PGConnection.withConnection(settings) { connection in
                var first = 1, count = 0
                while first <= p.batchedRows {
                    let last = min(first + p.batchRows - 1, p.batchedRows)
                    try connection.execute("INSERT INTO \(table) SELECT \(Self.rowExpressions) FROM generate_series(\(first), \(last)) g")
                    first = last + 1
                    count += 1
                }
                return count
            }
            rows = p.batchedRows
        case .single:
            transactions = try await pgbench(table: table, server)
            rows = Int(try await server.scalar("SELECT count(*) FROM \(table)") ?? "") ?? 0
        case .large:
            note("large: \(p.largeRows) rows in one INSERT … SELECT")
            try await server.execute("INSERT INTO \(table) SELECT \(Self.rowExpressions) FROM generate_series(1, \(p.largeRows)) g")
            rows = p.largeRows
            transactions = 1
        case .snapshot:
            throw BenchmarkFailure(description: "the snapshot workload writes no streamed WAL")
        }
        return Generated(
            rows: rows, transactions: transactions, walBytes: try await server.walBytes(since: start),
            seconds: (ContinuousClock.now - started).seconds)
    }

    /// `pgbench -n -c <clients> -T <seconds>` with a script inserting one row per transaction (ids from a
    /// sequence); returns the transactions pgbench reports.
    private func pgbench(table: String, _ server: BenchServer) async throws -> Int {
        let p = parameters
        let sequence = "\(table)_id"
        try await server.execute("CREATE SEQUENCE IF NOT EXISTS \(sequence)")
        let script = "\(p.workDirectory)/\(table).sql"
        let insert = """
            \\set r random(1, 1000000000)
            INSERT INTO \(table) VALUES (nextval('\(sequence)'), 'user' || :r || '@example.org', 'user' || :r, to_char(now(), 'YYYY-MM-DD HH24:MI:SS'));

            """
        try insert.write(toFile: script, atomically: true, encoding: .utf8)
        note("single: pgbench -c \(p.pgbenchClients) -T \(p.pgbenchSeconds), one INSERT per transaction")
        let arguments = [
            "-n", "-c", String(p.pgbenchClients), "-j", String(p.pgbenchClients), "-T", String(p.pgbenchSeconds), "-f", script,
            "-h", server.running.cluster.socketDirectory, "-p", String(server.running.port), "-U", "postgres", "postgres",
        ]
        let child = try await ChildProcess.run(
            server.installation.tool("pgbench"), arguments, outputPath: "\(p.workDirectory)/pgbench.out")
        guard child.status == 0 else {
            throw BenchmarkFailure(description: "pgbench exited with \(child.status): \(child.output)")
        }
        let marker = "number of transactions actually processed: "
        guard let line = child.output.split(separator: "\n").first(where: { $0.hasPrefix(marker) }),
              let count = Int(line.dropFirst(marker.count).prefix { $0.isNumber })
        else {
            throw BenchmarkFailure(description: "no transaction count in pgbench's output: \(child.output)")
        }
        return count
    }
}
