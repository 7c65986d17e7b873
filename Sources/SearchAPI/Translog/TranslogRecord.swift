import SearchEngine

/// One record of the search translog topic: a run of document operations for one index (identified by its
/// uuid, so that the writes of a deleted index never reach a new index of the same name), tagged with the
/// token of the request that wrote it (so that the writer can be told its results).
///
/// Binary, little-endian: `u8 version`, `str uuid`, `u64 token`, `u32 count`, then per operation
/// `u8 kind`, `str id`, `i64 ifSeqNo (-1: none)`, `i64 ifPrimaryTerm (-1: none)`, and by kind:
/// index/create `bytes source`; update `u8 flags` (1 docAsUpsert, 2 detectNoop, 4 has doc, 8 has upsert),
/// then `bytes doc`, `bytes upsert` when present; delete nothing. `str`/`bytes` are `u32 length` + bytes.
struct TranslogRecord: Sendable {
    static let version: UInt8 = 1

    var indexUUID: String
    var token: UInt64
    var operations: [DocumentOperation]

    struct DecodingError: Error, CustomStringConvertible {
        var description: String
    }

    func encoded() -> [UInt8] {
        var output: [UInt8] = [Self.version]
        output.reserveCapacity(64 + operations.reduce(0) { $0 + $1.id.utf8.count + Self.payloadSize($1.kind) + 32 })
        Self.append(string: indexUUID, to: &output)
        Self.append(integer: token, to: &output)
        Self.append(integer: UInt32(operations.count), to: &output)
        for operation in operations {
            Self.append(operation, to: &output)
        }
        return output
    }

    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> TranslogRecord {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == version else { throw DecodingError(description: "unknown translog record version") }
        let uuid = try reader.string()
        let token: UInt64 = try reader.integer()
        let count: UInt32 = try reader.integer()
        var operations: [DocumentOperation] = []
        operations.reserveCapacity(Int(min(count, 1 << 20)))
        for _ in 0..<count {
            operations.append(try reader.operation())
        }
        guard reader.offset == bytes.count else { throw DecodingError(description: "trailing bytes in a translog record") }
        return TranslogRecord(indexUUID: uuid, token: token, operations: operations)
    }

    /// An upper bound of an operation's encoded size, for splitting a large request over several records.
    static func encodedSize(_ operation: DocumentOperation) -> Int {
        operation.id.utf8.count + payloadSize(operation.kind) + 40
    }

    private static func payloadSize(_ kind: DocumentOperation.Kind) -> Int {
        switch kind {
        case .index(let source), .create(let source): source.count
        case .update(let doc, let upsert, _, _): (doc?.count ?? 0) + (upsert?.count ?? 0) + 9
        case .delete: 0
        }
    }

    private static func append(_ operation: DocumentOperation, to output: inout [UInt8]) {
        let kind: UInt8 = switch operation.kind {
        case .index: 0
        case .create: 1
        case .update: 2
        case .delete: 3
        }
        output.append(kind)
        append(string: operation.id, to: &output)
        append(integer: UInt64(bitPattern: operation.ifSeqNo ?? -1), to: &output)
        append(integer: UInt64(bitPattern: operation.ifPrimaryTerm ?? -1), to: &output)
        switch operation.kind {
        case .index(let source), .create(let source):
            append(bytes: source, to: &output)
        case .update(let doc, let upsert, let docAsUpsert, let detectNoop):
            var flags: UInt8 = 0
            if docAsUpsert { flags |= 1 }
            if detectNoop { flags |= 2 }
            if doc != nil { flags |= 4 }
            if upsert != nil { flags |= 8 }
            output.append(flags)
            if let doc { append(bytes: doc, to: &output) }
            if let upsert { append(bytes: upsert, to: &output) }
        case .delete:
            break
        }
    }

    private static func append(string: String, to output: inout [UInt8]) {
        append(integer: UInt32(string.utf8.count), to: &output)
        output.append(contentsOf: string.utf8)
    }

    private static func append(bytes: [UInt8], to output: inout [UInt8]) {
        append(integer: UInt32(bytes.count), to: &output)
        output.append(contentsOf: bytes)
    }

    private static func append<T: FixedWidthInteger>(integer: T, to output: inout [UInt8]) {
        withUnsafeBytes(of: integer.littleEndian) { output.append(contentsOf: $0) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func byte() throws(DecodingError) -> UInt8 {
            guard offset < bytes.count else { throw DecodingError(description: "truncated translog record") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func integer<T: FixedWidthInteger>() throws(DecodingError) -> T {
            let size = MemoryLayout<T>.size
            guard bytes.count - offset >= size else { throw DecodingError(description: "truncated translog record") }
            var value: T = 0
            for index in 0..<size { value |= T(bytes[offset + index]) << (8 * index) }
            offset += size
            return value
        }

        mutating func bytesField() throws(DecodingError) -> [UInt8] {
            let length = Int(try integer() as UInt32)
            guard bytes.count - offset >= length else { throw DecodingError(description: "truncated translog record") }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }

        mutating func string() throws(DecodingError) -> String {
            let raw = try bytesField()
            guard let text = String(validating: raw, as: UTF8.self) else { throw DecodingError(description: "invalid UTF-8 in a translog record") }
            return text
        }

        mutating func operation() throws(DecodingError) -> DocumentOperation {
            let kind = try byte()
            let id = try string()
            let ifSeqNo = Int64(bitPattern: try integer() as UInt64)
            let ifPrimaryTerm = Int64(bitPattern: try integer() as UInt64)
            let operationKind: DocumentOperation.Kind
            switch kind {
            case 0: operationKind = .index(source: try bytesField())
            case 1: operationKind = .create(source: try bytesField())
            case 2:
                let flags = try byte()
                let doc = flags & 4 != 0 ? try bytesField() : nil
                let upsert = flags & 8 != 0 ? try bytesField() : nil
                operationKind = .update(doc: doc, upsert: upsert, docAsUpsert: flags & 1 != 0, detectNoop: flags & 2 != 0)
            case 3: operationKind = .delete
            default: throw DecodingError(description: "unknown operation kind \(kind) in a translog record")
            }
            return DocumentOperation(id: id, kind: operationKind, ifSeqNo: ifSeqNo < 0 ? nil : ifSeqNo, ifPrimaryTerm: ifPrimaryTerm < 0 ? nil : ifPrimaryTerm)
        }
    }
}
