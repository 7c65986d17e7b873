import BlockingIO
import Logging
import Foundation
import PartitionedLog

/// A transaction as it arrives: its events so far (or, for a large one, the part not yet handed off).
struct OpenTransaction {
    var xid: UInt32
    var commitLSN: LSN
    var commitTimeMs: Int64
    /// Already in the log (its commit LSN is not after the last logged one): received and dropped.
    var skip: Bool
    var records: CaptureWork.Records = []
    var bytes = 0
    var events = 0
    /// Parts were already handed off as a streamed atomic group.
    var large = false
}

/// Streaming: the COPY BOTH loop, transactions assembled from pgoutput, status updates.
extension CaptureSession {
    func stream(_ replication: ReplicationConnection, normal: PGConnection, tables: [SourceSetup.Table]) throws {
        let streaming = configuration.streamLargeTransactions && replication.connection.serverVersion >= 140_000
        var options: [(String, String)] = [
            ("proto_version", streaming ? "2" : "1"),
            ("publication_names", quoteIdentifier(configuration.publication)),
            ("messages", "true"),
        ]
        if streaming { options.append(("streaming", "on")) }
        if let filters = state.snapshot?.resumeFilters, !filters.isEmpty {
            keyComparer = KeyComparer(
                connection: normal,
                keyColumns: Dictionary(tables.map { ($0.name.description, $0.keyColumns) }, uniquingKeysWith: { first, _ in first }))
        }
        try replication.startLogicalReplication(slot: configuration.slot, from: .zero, options: options)
        builder.resetRelations()
        pendingEnd = state.lastEnd
        status.phase(.streaming, "streaming from slot \(configuration.slot)\(streaming ? " (protocol 2, large transactions streamed)" : "")")
        logger.info("streaming", metadata: ["slot": "\(configuration.slot)", "after_commit": "\(state.lastCommit)"])
        lastMessageAt = .now
        while !flag.isCancelled {
            let waitingForLog = pendingEnd > feedback.sentFlush
            try sendStatusIfDue(replication, force: false)
            switch try replication.receive(timeout: waitingForLog ? .milliseconds(2) : .milliseconds(250)) {
            case .timeout:
                if lastMessageAt.duration(to: .now) > configuration.receiveTimeout {
                    throw PostgresError(.connectionLost, "no message from the server for \(configuration.receiveTimeout); reconnecting")
                }
            case .ended(let error):
                throw error
            case .message(let bytes):
                lastMessageAt = .now
                switch try ReplicationMessage.decode(bytes) {
                case .keepalive(let walEnd, _, let replyRequested):
                    feedback.receivedPosition(walEnd)
                    if transaction == nil { idlePosition = max(idlePosition ?? .zero, walEnd) }
                    if replyRequested { try sendStatusIfDue(replication, force: true) }
                case .xlogData(let start, _, _, let data):
                    feedback.receivedPosition(start)
                    try handle(data, lsn: start)
                }
            }
        }
        throw CancellationError()
    }

    /// Sends a status update if one is due (see `Feedback`).
    func sendStatusIfDue(_ replication: ReplicationConnection, force: Bool) throws {
        let durableEnd = durable.lsn
        let idle = transaction == nil && streams.isEmpty && pendingEnd <= durableEnd && handoff.isEmpty
        let flush = feedback.flushPosition(durable: durableEnd, idlePosition: idle ? idlePosition : nil)
        let clock = Int64((Date().timeIntervalSince1970 - Double(postgresEpochUnixSeconds)) * 1_000_000)
        if let message = feedback.update(flush: flush, now: .now, replyRequested: force, clock: clock) {
            try replication.send(message)
            status.update { $0.flushedLSN = self.feedback.sentFlush }
        }
    }

    // MARK: Messages

    private func handle(_ data: [UInt8], lsn: LSN) throws {
        let message = try decoder.decode(data)
        if let xid = activeStream, message.isStreamable {
            // Inside a streamed block: keep it until the transaction's fate is known.
            if case .relation(let relation) = message { builder.learn(relation) }
            try streams[xid]?.append(data, lsn: lsn, xid: message.streamedXid ?? xid)
            return
        }
        switch message {
        case .begin(let finalLSN, let commitTime, let xid):
            begin(xid: xid, commitLSN: finalLSN, commitTime: commitTime)
        case .commit(let commitLSN, let endLSN, _):
            try commit(commitLSN: commitLSN, endLSN: endLSN)
        case .relation(let relation):
            builder.learn(relation)
        case .streamStart(let xid, _):
            if streams[xid] == nil { streams[xid] = try SpillFile(directory: configuration.spillDirectory, xid: xid) }
            activeStream = xid
        case .streamStop:
            activeStream = nil
        case .streamCommit(let xid, let commitLSN, let endLSN, let commitTime):
            try commitStreamed(xid: xid, commitLSN: commitLSN, endLSN: endLSN, commitTime: commitTime)
        case .streamAbort(let xid, let subxid):
            if xid == subxid {
                streams.removeValue(forKey: xid)?.remove()
            } else {
                try streams[xid]?.abortSubtransaction(subxid)
            }
        case .message(_, let transactional, let position, _, _):
            if !transactional, transaction == nil { idlePosition = max(idlePosition ?? .zero, position) }
        case .insert, .update, .delete, .truncate:
            try change(message, lsn: lsn)
        case .origin, .type:
            break
        }
    }

    private func begin(xid: UInt32, commitLSN: LSN, commitTime: Int64) {
        transaction = OpenTransaction(
            xid: xid, commitLSN: commitLSN, commitTimeMs: PgOutputMessage.unixMilliseconds(commitTime),
            skip: commitLSN <= state.lastCommit)
    }

    private func change(_ message: PgOutputMessage, lsn: LSN) throws {
        guard var open = transaction else {
            throw CaptureError(.protocolViolation, "a row change arrived outside a transaction")
        }
        if open.skip { return }
        transaction = nil
        let before = open.records.count
        let origin = EventBuilder.Origin(lsn: lsn, xid: open.xid, commitTimeMs: open.commitTimeMs)
        try builder.records(for: message, origin: origin, into: &open.records)
        if let comparer = keyComparer, let filters = state.snapshot?.resumeFilters {
            try comparer.drop(from: &open.records, since: before, message: message, transaction: open, filters: filters, builder: builder)
        }
        for record in open.records[before...] { open.bytes += (record.record.value?.count ?? 0) + (record.record.key?.count ?? 0) + 64 }
        open.events += open.records.count - before
        if open.bytes >= configuration.largeTransactionBytes {
            if !open.large { try push(.largeBegin, bytes: 0) }
            open.large = true
            try push(.largePart(open.records), bytes: open.bytes)
            open.records = []
            open.bytes = 0
        }
        transaction = open
    }

    private func commit(commitLSN: LSN, endLSN: LSN) throws {
        guard let open = transaction, open.commitLSN == commitLSN else {
            throw CaptureError(.protocolViolation, "a Commit at \(commitLSN) does not match its Begin")
        }
        transaction = nil
        guard !open.skip, open.events > 0 else {
            // Already logged, or nothing captured: received and done.
            idlePosition = max(idlePosition ?? .zero, endLSN)
            return
        }
        state.commitLSN = commitLSN.text
        state.endLSN = endLSN.text
        retireResumeFilters(after: commitLSN)
        if open.large {
            try push(.largeCommit(open.records, state), bytes: open.bytes)
        } else {
            try push(.group(open.records, state, transactions: 1), bytes: open.bytes)
        }
        pendingEnd = endLSN
    }

    /// A streamed transaction committed: replay its spill file as if it had arrived whole.
    private func commitStreamed(xid: UInt32, commitLSN: LSN, endLSN: LSN, commitTime: Int64) throws {
        guard let spill = streams.removeValue(forKey: xid) else {
            throw CaptureError(.protocolViolation, "Stream Commit for transaction \(xid), which was never streamed")
        }
        defer { spill.remove() }
        begin(xid: xid, commitLSN: commitLSN, commitTime: commitTime)
        if transaction?.skip == false {
            var replay = PgOutputDecoder(streamed: true)
            try spill.forEach { bytes, lsn in
                let message = try replay.decode(bytes)
                switch message {
                case .relation(let relation): builder.learn(relation)
                case .insert, .update, .delete, .truncate: try change(message, lsn: lsn)
                default: break
                }
            }
        }
        try commit(commitLSN: commitLSN, endLSN: endLSN)
    }

    /// Resume filters are needed only until the stream passes the point their snapshot was taken at.
    private func retireResumeFilters(after commitLSN: LSN) {
        guard var progress = state.snapshot, !progress.resumeFilters.isEmpty else { return }
        progress.resumeFilters.removeAll { (LSN($0.walLSN) ?? .zero) <= commitLSN }
        state.snapshot = progress
        if progress.resumeFilters.isEmpty { keyComparer = nil }
    }
}

extension PgOutputMessage {
    /// Messages that belong to a streamed block's transaction.
    var isStreamable: Bool {
        switch self {
        case .relation, .type, .insert, .update, .delete, .truncate, .message: true
        default: false
        }
    }

    /// The (sub)transaction id a message carries inside a streamed block.
    var streamedXid: UInt32? {
        switch self {
        case .relation(let relation): relation.xid
        case .type(let xid, _, _, _), .insert(let xid, _, _), .update(let xid, _, _, _), .delete(let xid, _, _),
             .truncate(let xid, _, _), .message(let xid, _, _, _, _): xid
        default: nil
        }
    }
}
