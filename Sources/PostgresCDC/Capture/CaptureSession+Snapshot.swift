import BlockingIO
import Logging
import Foundation
import PartitionedLog

/// The initial snapshot: consistent with the slot's starting point, read in primary-key order in chunks,
/// each chunk appended atomically with the progress it makes, so that a crash resumes after the last
/// durable chunk.
extension CaptureSession {
    /// Makes the slot (exporting its snapshot), records it durably, and reads every table through that
    /// snapshot while the replication connection stays idle (using it would end the snapshot).
    func createSlotAndSnapshot(_ replication: ReplicationConnection, tables: [SourceSetup.Table]) throws {
        status.phase(.snapshot, "creating replication slot \(configuration.slot)")
        let created = try replication.createLogicalSlot(configuration.slot, exportSnapshot: true)
        guard let snapshotName = created.snapshotName else {
            throw CaptureError(.setup, "the server exported no snapshot for slot \(configuration.slot)")
        }
        logger.info("created replication slot", metadata: [
            "slot": "\(configuration.slot)", "consistent_point": "\(created.consistentPoint)",
        ])
        let reader = try PGConnection(configuration.connection.forChangeCapture)
        try reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try reader.execute("SET TRANSACTION SNAPSHOT \(quoteLiteral(snapshotName))")
        state.slot = configuration.slot
        state.consistentPoint = created.consistentPoint.text
        state.snapshot = SnapshotProgress(status: .running, tables: try tables.map { table in
            TableProgress(table: table.name.description, done: false, rows: 0, estimate: try estimate(table, reader), lastKey: nil)
        })
        // The slot is ours from here on: its loss must never go unnoticed.
        try push(.group([], state, transactions: 0), bytes: 256)
        try readTables(tables, with: reader)
        try reader.execute("COMMIT")
    }

    /// Continues an interrupted snapshot. The exported snapshot died with the old connection, so a new one
    /// reads the remaining rows; the stream will replay transactions this new snapshot already saw, and a
    /// resume filter drops their changes to the rows it read.
    func resumeSnapshot(tables: [SourceSetup.Table]) throws {
        guard var progress = state.snapshot else { return }
        let reader = try PGConnection(configuration.connection.forChangeCapture)
        try reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        let function = reader.serverVersion >= 130_000 ? "pg_current_snapshot()" : "txid_current_snapshot()"
        let taken = try reader.execute("SELECT \(function)::text AS snapshot, pg_current_wal_insert_lsn()::text AS lsn")
        var boundaries: [String: [String?]?] = [:]
        for table in progress.tables where !table.done { boundaries[table.table] = .some(table.lastKey) }
        progress.resumeFilters.append(ResumeFilter(
            snapshot: taken.value("snapshot") ?? "", walLSN: taken.value("lsn") ?? "0/0", boundaries: boundaries))
        state.snapshot = progress
        logger.warning("resuming the initial snapshot after an interruption", metadata: [
            "tables_left": "\(boundaries.count)", "snapshot": "\(taken.value("snapshot") ?? "")",
        ])
        try push(.group([], state, transactions: 0), bytes: 256)
        try readTables(tables, with: reader)
        try reader.execute("COMMIT")
    }

    private func estimate(_ table: SourceSetup.Table, _ connection: PGConnection) throws -> Int {
        let result = try connection.query("SELECT reltuples::int8 FROM pg_class WHERE oid = $1::oid", [String(table.schema.oid)])
        return result.scalar.flatMap { Int($0) } ?? -1
    }

    /// Reads every unfinished table chunk by chunk, handing each chunk off with the progress after it.
    private func readTables(_ tables: [SourceSetup.Table], with reader: PGConnection) throws {
        guard var progress = state.snapshot else { return }
        for table in tables {
            guard let index = progress.tables.firstIndex(where: { $0.table == table.name.description }), !progress.tables[index].done
            else { continue }
            builder.learn(table.schema)
            status.phase(.snapshot, "snapshot of \(table.name): \(progress.tables[index].rows) rows so far")
            while !progress.tables[index].done {
                if flag.isCancelled { throw CancellationError() }
                let (records, lastKey, bytes) = try readChunk(table, after: progress.tables[index].lastKey, with: reader)
                // The chunk's rows (a relation record for the state topic may come first).
                let rows = records.count { $0.topic != configuration.stateTopic }
                progress.tables[index].rows += rows
                progress.tables[index].lastKey = lastKey ?? progress.tables[index].lastKey
                progress.tables[index].done = rows < configuration.snapshotChunkRows
                if progress.tables.allSatisfy(\.done) { progress.status = .done }
                state.snapshot = progress
                try push(.group(records, state, transactions: 0), bytes: bytes)
                let table = progress.tables[index]
                let estimate = table.estimate >= 0 ? " of about \(table.estimate)" : ""
                status.phase(.snapshot, "snapshot of \(table.table): \(table.rows) rows read\(estimate)\(table.done ? ", done" : "")")
            }
        }
        if progress.status != .done {
            progress.status = .done
            state.snapshot = progress
            try push(.group([], state, transactions: 0), bytes: 256)
        }
        logger.info("initial snapshot read", metadata: ["rows": "\(progress.tables.reduce(0) { $0 + $1.rows })"])
    }

    /// One chunk: `COPY (SELECT … WHERE key > last ORDER BY key LIMIT n) TO STDOUT`.
    private func readChunk(_ table: SourceSetup.Table, after lastKey: [String?]?, with reader: PGConnection) throws
        -> (CaptureWork.Records, [String?]?, Int)
    {
        let columns = table.schema.columns.map { quoteIdentifier($0.name) }.joined(separator: ", ")
        let keys = table.keyColumns.map(quoteIdentifier).joined(separator: ", ")
        var sql = "SELECT \(columns) FROM \(table.name.sql)"
        if let lastKey {
            let literals = lastKey.map { $0.map(quoteLiteral) ?? "NULL" }.joined(separator: ", ")
            sql += " WHERE (\(keys)) > (\(literals))"
        }
        sql += " ORDER BY \(keys) LIMIT \(configuration.snapshotChunkRows)"
        let keyIndices = table.keyColumns.compactMap { name in table.schema.columns.firstIndex { $0.name == name } }
        let origin = EventBuilder.Origin(lsn: nil, xid: nil, commitTimeMs: Int64(Date().timeIntervalSince1970 * 1000), snapshot: .yes)
        var records: CaptureWork.Records = []
        var bytes = 0
        var last: TupleData?
        try reader.copyOut("COPY (\(sql)) TO STDOUT") { line in
            let row = try CopyTextRow.parse(line, columns: table.schema.columns.count)
            let first = records.count
            try builder.snapshotRecord(row, relation: table.schema, origin: origin, into: &records)
            for (_, record) in records[first...] { bytes += (record.value?.count ?? 0) + (record.key?.count ?? 0) + 64 }
            last = row
        }
        let key = last.map { row in keyIndices.map(row.text(at:)) }
        return (records, key, bytes)
    }
}
