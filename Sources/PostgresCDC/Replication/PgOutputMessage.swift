/// One pgoutput message (PostgreSQL "Logical Replication Message Formats", protocol versions 1 and 2).
/// Times are µs since 2000-01-01; `xid` fields inside a streamed block carry the (sub)transaction id.
public enum PgOutputMessage: Sendable, Equatable {
    case begin(finalLSN: LSN, commitTime: Int64, xid: UInt32)
    case commit(commitLSN: LSN, endLSN: LSN, commitTime: Int64)
    case origin(lsn: LSN, name: String)
    case relation(Relation)
    case type(xid: UInt32?, oid: UInt32, namespace: String, name: String)
    case insert(xid: UInt32?, relation: UInt32, new: TupleData)
    /// `old` is the key (`K`) or the whole old row (`O`, replica identity full) when the server sends it.
    case update(xid: UInt32?, relation: UInt32, old: OldTuple?, new: TupleData)
    case delete(xid: UInt32?, relation: UInt32, old: OldTuple)
    case truncate(xid: UInt32?, options: TruncateOptions, relations: [UInt32])
    case message(xid: UInt32?, transactional: Bool, lsn: LSN, prefix: String, content: [UInt8])
    case streamStart(xid: UInt32, firstSegment: Bool)
    case streamStop
    case streamCommit(xid: UInt32, commitLSN: LSN, endLSN: LSN, commitTime: Int64)
    /// A streamed (sub)transaction rolled back: drop what was buffered for `subxid` (== `xid`: all of it).
    case streamAbort(xid: UInt32, subxid: UInt32)

    public struct Relation: Sendable, Equatable {
        public var xid: UInt32?
        public var oid: UInt32
        public var namespace: String
        public var name: String
        /// `relreplident`: d default (primary key), n nothing, f full, i index.
        public var replicaIdentity: UInt8
        public var columns: [Column]
    }

    public struct Column: Sendable, Equatable {
        public var isKey: Bool
        public var name: String
        public var typeOID: UInt32
        public var typeModifier: Int32
    }

    public enum OldTuple: Sendable, Equatable {
        case key(TupleData)
        case full(TupleData)
    }

    public struct TruncateOptions: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let cascade = TruncateOptions(rawValue: 1)
        public static let restartIdentity = TruncateOptions(rawValue: 2)
    }
}

/// A row as pgoutput sends it: one value per column of the relation (generated columns excluded).
public struct TupleData: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case null
        /// An unchanged TOASTed value the server did not send: fill it from the row's last known state.
        case unchangedToast
        case text([UInt8])
        case binary([UInt8])
    }

    public var values: [Value]

    public init(_ values: [Value]) {
        self.values = values
    }

    /// The text of column `index`, nil for NULL (or a value not sent as text).
    public func text(at index: Int) -> String? {
        if case .text(let bytes) = values[index] { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
}
