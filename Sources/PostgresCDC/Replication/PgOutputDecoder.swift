/// Decodes pgoutput messages. Pure: no I/O, no state but whether we are inside a streamed block (protocol
/// version 2 adds an xid to data messages only between Stream Start and Stream Stop).
public struct PgOutputDecoder: Sendable {
    public private(set) var inStreamBlock = false

    /// `streamed`: decode messages as inside a streamed block (with their xid), e.g. replaying a spill file.
    public init(streamed: Bool = false) {
        inStreamBlock = streamed
    }

    public mutating func decode(_ bytes: [UInt8]) throws(ReplicationProtocolError) -> PgOutputMessage {
        var reader = WireReader(bytes, message: "pgoutput message")
        let kind = try reader.byte("kind")
        let message = try decode(kind: kind, &reader)
        try reader.expectEnd()
        switch message {
        case .streamStart: inStreamBlock = true
        case .streamStop: inStreamBlock = false
        default: break
        }
        return message
    }

    private func streamedXid(_ reader: inout WireReader) throws(ReplicationProtocolError) -> UInt32? {
        inStreamBlock ? try reader.integer(UInt32.self, "xid") : nil
    }

    private func decode(kind: UInt8, _ reader: inout WireReader) throws(ReplicationProtocolError) -> PgOutputMessage {
        switch kind {
        case UInt8(ascii: "B"):
            return .begin(finalLSN: try reader.lsn("final LSN"), commitTime: try reader.integer(Int64.self, "commit time"),
                          xid: try reader.integer(UInt32.self, "xid"))
        case UInt8(ascii: "C"):
            _ = try reader.byte("flags")
            return .commit(commitLSN: try reader.lsn("commit LSN"), endLSN: try reader.lsn("end LSN"),
                           commitTime: try reader.integer(Int64.self, "commit time"))
        case UInt8(ascii: "O"):
            return .origin(lsn: try reader.lsn("origin LSN"), name: try reader.string("origin name"))
        case UInt8(ascii: "R"):
            return .relation(try relation(&reader))
        case UInt8(ascii: "Y"):
            return .type(xid: try streamedXid(&reader), oid: try reader.integer(UInt32.self, "type oid"),
                         namespace: try reader.string("namespace"), name: try reader.string("type name"))
        case UInt8(ascii: "I"):
            let xid = try streamedXid(&reader)
            let relation = try reader.integer(UInt32.self, "relation oid")
            guard try reader.byte("tuple kind") == UInt8(ascii: "N") else {
                throw ReplicationProtocolError("pgoutput insert: expected a new tuple")
            }
            return .insert(xid: xid, relation: relation, new: try tuple(&reader))
        case UInt8(ascii: "U"):
            let xid = try streamedXid(&reader)
            let relation = try reader.integer(UInt32.self, "relation oid")
            var old: PgOutputMessage.OldTuple?
            var marker = try reader.byte("tuple kind")
            if marker == UInt8(ascii: "K") || marker == UInt8(ascii: "O") {
                let data = try tuple(&reader)
                old = marker == UInt8(ascii: "K") ? .key(data) : .full(data)
                marker = try reader.byte("tuple kind")
            }
            guard marker == UInt8(ascii: "N") else { throw ReplicationProtocolError("pgoutput update: expected a new tuple") }
            return .update(xid: xid, relation: relation, old: old, new: try tuple(&reader))
        case UInt8(ascii: "D"):
            let xid = try streamedXid(&reader)
            let relation = try reader.integer(UInt32.self, "relation oid")
            let marker = try reader.byte("tuple kind")
            let data = try tuple(&reader)
            switch marker {
            case UInt8(ascii: "K"): return .delete(xid: xid, relation: relation, old: .key(data))
            case UInt8(ascii: "O"): return .delete(xid: xid, relation: relation, old: .full(data))
            default: throw ReplicationProtocolError("pgoutput delete: expected a key or old tuple")
            }
        case UInt8(ascii: "T"):
            let xid = try streamedXid(&reader)
            let count = Int(try reader.integer(Int32.self, "relation count"))
            let options = PgOutputMessage.TruncateOptions(rawValue: try reader.byte("options"))
            guard count >= 0, count <= reader.remaining / 4 else { throw ReplicationProtocolError("pgoutput truncate: bad relation count") }
            var relations: [UInt32] = []
            for _ in 0..<count { relations.append(try reader.integer(UInt32.self, "relation oid")) }
            return .truncate(xid: xid, options: options, relations: relations)
        case UInt8(ascii: "M"):
            let xid = try streamedXid(&reader)
            let transactional = try reader.byte("flags") & 1 == 1
            let lsn = try reader.lsn("message LSN")
            let prefix = try reader.string("prefix")
            let length = Int(try reader.integer(Int32.self, "content length"))
            return .message(xid: xid, transactional: transactional, lsn: lsn, prefix: prefix,
                            content: try reader.bytes(length, "content"))
        case UInt8(ascii: "S"):
            return .streamStart(xid: try reader.integer(UInt32.self, "xid"), firstSegment: try reader.byte("first segment") == 1)
        case UInt8(ascii: "E"):
            return .streamStop
        case UInt8(ascii: "c"):
            let xid = try reader.integer(UInt32.self, "xid")
            _ = try reader.byte("flags")
            return .streamCommit(xid: xid, commitLSN: try reader.lsn("commit LSN"), endLSN: try reader.lsn("end LSN"),
                                 commitTime: try reader.integer(Int64.self, "commit time"))
        case UInt8(ascii: "A"):
            return .streamAbort(xid: try reader.integer(UInt32.self, "xid"), subxid: try reader.integer(UInt32.self, "subxid"))
        default:
            throw ReplicationProtocolError("pgoutput: unknown message kind \(kind)")
        }
    }

    private func relation(_ reader: inout WireReader) throws(ReplicationProtocolError) -> PgOutputMessage.Relation {
        let xid = try streamedXid(&reader)
        let oid = try reader.integer(UInt32.self, "relation oid")
        let namespace = try reader.string("namespace")
        let name = try reader.string("relation name")
        let identity = try reader.byte("replica identity")
        let count = Int(try reader.integer(Int16.self, "column count"))
        guard count >= 0 else { throw ReplicationProtocolError("pgoutput relation: negative column count") }
        var columns: [PgOutputMessage.Column] = []
        for _ in 0..<count {
            let flags = try reader.byte("column flags")
            columns.append(PgOutputMessage.Column(
                isKey: flags & 1 == 1, name: try reader.string("column name"),
                typeOID: try reader.integer(UInt32.self, "type oid"), typeModifier: try reader.integer(Int32.self, "type modifier")))
        }
        return PgOutputMessage.Relation(xid: xid, oid: oid, namespace: namespace, name: name, replicaIdentity: identity, columns: columns)
    }

    private func tuple(_ reader: inout WireReader) throws(ReplicationProtocolError) -> TupleData {
        let count = Int(try reader.integer(Int16.self, "column count"))
        guard count >= 0 else { throw ReplicationProtocolError("pgoutput tuple: negative column count") }
        var values: [TupleData.Value] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            switch try reader.byte("value kind") {
            case UInt8(ascii: "n"): values.append(.null)
            case UInt8(ascii: "u"): values.append(.unchangedToast)
            case UInt8(ascii: "t"): values.append(.text(try reader.bytes(Int(try reader.integer(Int32.self, "value length")), "value")))
            case UInt8(ascii: "b"): values.append(.binary(try reader.bytes(Int(try reader.integer(Int32.self, "value length")), "value")))
            case let kind: throw ReplicationProtocolError("pgoutput tuple: unknown value kind \(kind)")
            }
        }
        return TupleData(values)
    }
}
