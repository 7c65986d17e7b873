/// One change to one row (or a truncate of a table), as the reader hands it to the encoder.
public struct RowChange: Sendable, Equatable {
    /// Debezium's `op`.
    public enum Operation: String, Sendable, Equatable {
        /// A row read by the snapshot.
        case read = "r"
        case create = "c"
        case update = "u"
        case delete = "d"
        case truncate = "t"

        /// The one ASCII letter.
        var code: UInt8 {
            switch self {
            case .read: UInt8(ascii: "r")
            case .create: UInt8(ascii: "c")
            case .update: UInt8(ascii: "u")
            case .delete: UInt8(ascii: "d")
            case .truncate: UInt8(ascii: "t")
            }
        }
    }

    /// Debezium's `source.snapshot`: whether the event comes from the snapshot, and whether it is its last.
    public enum SnapshotFlag: String, Sendable, Equatable {
        case no = "false"
        case yes = "true"
        case last = "last"
    }

    public var op: Operation
    /// The old row: for a delete, the key columns (others null) or, with `REPLICA IDENTITY FULL`, the whole
    /// row; for an update, the whole old row only with `REPLICA IDENTITY FULL`.
    public var before: TupleData?
    /// The new row, for read, create and update. Unchanged TOASTed values must be filled before encoding.
    public var after: TupleData?
    /// The commit LSN (the snapshot's consistent point for reads), if known.
    public var lsn: UInt64?
    public var txId: UInt32?
    /// Commit time (the snapshot's start for reads), ms since the Unix epoch.
    public var sourceTimeMs: Int64
    public var snapshot: SnapshotFlag
    /// When the pipeline made the event, ms since the Unix epoch.
    public var eventTimeMs: Int64

    public init(op: Operation, before: TupleData? = nil, after: TupleData? = nil, lsn: UInt64? = nil, txId: UInt32? = nil,
                sourceTimeMs: Int64, snapshot: SnapshotFlag = .no, eventTimeMs: Int64) {
        self.op = op
        self.before = before
        self.after = after
        self.lsn = lsn
        self.txId = txId
        self.sourceTimeMs = sourceTimeMs
        self.snapshot = snapshot
        self.eventTimeMs = eventTimeMs
    }
}
