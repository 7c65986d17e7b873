/// One partition's share of an append, encoded as one or more batches, waiting for its base offset.
struct EncodedGroup: Sendable {
    struct Batch: Sendable {
        var start: Int
        var size: Int
        var recordCount: Int
        var maxTimestamp: Int64
        /// CRC-32 of the batch's bytes from 20 on (everything under the CRC but the base offset).
        var bodyCRC: UInt32
    }

    var bytes: [UInt8] = []
    var batches: [Batch] = []
    var recordCount: Int = 0
    var txnId: Int64 = 0


}

/// A record with its offset delta, as the encoder takes it (fresh appends and compaction rewrites alike).
struct RecordToEncode {
    var offsetDelta: UInt32
    var timestamp: Int64
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [LogHeader]
}

enum BatchCodec {
    /// Encodes a partition's records as one group: batches of about `targetBatchBytes`, every batch but the
    /// last flagged "group continues", so that recovery keeps all of the group or none of it.
    static func encodeGroup(
        _ records: [LogRecord], now: Int64, compression: TopicConfiguration.Compression, txnId: Int64
    ) throws(LogError) -> EncodedGroup {
        var group = EncodedGroup()
        group.txnId = txnId
        group.bytes.reserveCapacity(records.reduce(0) { $0 + $1.encodedSizeEstimate } + BatchHeader.size)
        var pending: [RecordToEncode] = []
        var pendingBytes = 0
        var base = 0
        for (index, record) in records.enumerated() {
            let size = record.encodedSizeEstimate
            guard size <= LogLimits.maxRecordBytes else {
                throw LogError(.recordTooLarge, "a record of \(size) bytes is larger than the limit of \(LogLimits.maxRecordBytes)")
            }
            if !pending.isEmpty, pendingBytes + size > LogLimits.targetBatchBytes {
                try appendBatch(&group, pending, continues: true, compression: compression)
                pending.removeAll(keepingCapacity: true)
                pendingBytes = 0
                base = index
            }
            pending.append(RecordToEncode(
                offsetDelta: UInt32(index - base), timestamp: record.timestamp ?? now,
                key: record.key, value: record.value, headers: record.headers))
            pendingBytes += size
        }
        if !pending.isEmpty { try appendBatch(&group, pending, continues: false, compression: compression) }
        group.recordCount = records.count
        return group
    }

    private static func appendBatch(
        _ group: inout EncodedGroup, _ records: [RecordToEncode], continues: Bool,
        compression: TopicConfiguration.Compression
    ) throws(LogError) {
        var attributes: BatchHeader.Attributes = continues ? [.groupContinues] : []
        if group.txnId != 0 { attributes.insert(.transactional) }
        let start = group.bytes.count
        let (maxTimestamp, bodyCRC) = try appendBatch(
            to: &group.bytes, records, attributes: attributes, txnId: group.txnId, compression: compression)
        group.batches.append(.init(
            start: start, size: group.bytes.count - start, recordCount: records.count, maxTimestamp: maxTimestamp,
            bodyCRC: bodyCRC))
    }

    /// Appends one batch (header + payload) to `bytes`, sealed with `baseOffset` (the writer reseals it
    /// with the real one). Returns its max timestamp and the CRC of its body (see `BatchHeader.seal`).
    @discardableResult
    static func appendBatch(
        to bytes: inout [UInt8], _ records: [RecordToEncode], attributes: BatchHeader.Attributes, txnId: Int64,
        compression: TopicConfiguration.Compression, baseOffset: Int64 = 0
    ) throws(LogError) -> (maxTimestamp: Int64, bodyCRC: UInt32) {
        precondition(!records.isEmpty)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: BatchHeader.size))
        var attributes = attributes
        let payloadSize: Int
        if compression == .zlib {
            var payload: [UInt8] = []
            for record in records { encode(record, into: &payload) }
            payloadSize = payload.count
            bytes.append(contentsOf: try Zlib.compress(payload))
            attributes.insert(.zlib)
        } else {
            for record in records { encode(record, into: &bytes) }
            payloadSize = bytes.count - start - BatchHeader.size
        }
        let total = bytes.count - start
        guard total <= LogLimits.maxBatchBytes else {
            throw LogError(.recordTooLarge, "a batch of \(total) bytes is larger than the limit of \(LogLimits.maxBatchBytes)")
        }
        let timestamps = records.map(\.timestamp)
        let maxTimestamp = timestamps.max() ?? 0
        bytes.storeLE(UInt32(total - BatchHeader.prefixSize), at: start + 8)
        bytes.storeLE(BatchHeader.magic, at: start + 12)
        bytes[start + 20] = BatchHeader.version
        bytes[start + 21] = attributes.rawValue
        bytes.storeLE(records[records.count - 1].offsetDelta, at: start + 24)
        bytes.storeLE(UInt32(records.count), at: start + 28)
        bytes.storeLE(records[0].timestamp, at: start + 32)
        bytes.storeLE(maxTimestamp, at: start + 40)
        bytes.storeLE(txnId, at: start + 48)
        bytes.storeLE(UInt32(payloadSize), at: start + 56)
        let bodyCRC = bytes.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[(start + 20)...])) }
        BatchHeader.seal(&bytes, at: start, size: total, baseOffset: baseOffset, bodyCRC: bodyCRC)
        return (maxTimestamp, bodyCRC)
    }

    private static func encode(_ record: RecordToEncode, into bytes: inout [UInt8]) {
        bytes.appendLE(record.offsetDelta)
        bytes.appendLE(record.timestamp)
        appendNullable(record.key, to: &bytes)
        appendNullable(record.value, to: &bytes)
        bytes.appendLE(UInt16(record.headers.count))
        for header in record.headers {
            let name = Array(header.name.utf8)
            bytes.appendLE(UInt16(name.count))
            bytes.append(contentsOf: name)
            bytes.appendLE(UInt32(header.value.count))
            bytes.append(contentsOf: header.value)
        }
    }

    private static func appendNullable(_ field: [UInt8]?, to bytes: inout [UInt8]) {
        if let field {
            bytes.appendLE(Int32(field.count))
            bytes.append(contentsOf: field)
        } else {
            bytes.appendLE(Int32(-1))
        }
    }

    /// Decodes a whole, CRC-checked batch.
    static func decode(_ batch: UnsafeRawBufferPointer, header: BatchHeader, what: @autoclosure () -> String)
        throws(LogError) -> [StoredRecord]
    {
        let stored = UnsafeRawBufferPointer(rebasing: batch[BatchHeader.size...])
        if header.attributes.contains(.zlib) {
            let payload = try Zlib.decompress(stored, size: Int(header.payloadSize), what: what())
            return try payload.withRawBytes { (buffer) throws(LogError) in
                try decodeRecords(buffer, header: header, what: what())
            }
        }
        guard stored.count == Int(header.payloadSize) else { throw LogError(.corrupt, "\(what()): payload size mismatch") }
        return try decodeRecords(stored, header: header, what: what())
    }

    private static func decodeRecords(_ payload: UnsafeRawBufferPointer, header: BatchHeader, what: String)
        throws(LogError) -> [StoredRecord]
    {
        var reader = ByteReader(payload, what: what)
        var records: [StoredRecord] = []
        records.reserveCapacity(Int(header.recordCount))
        var previousDelta: Int64 = -1
        for _ in 0..<header.recordCount {
            let delta = Int64(try reader.read(UInt32.self))
            guard delta > previousDelta, delta <= Int64(header.lastOffsetDelta) else {
                throw LogError(.corrupt, "\(what): record offsets out of order")
            }
            previousDelta = delta
            let timestamp = try reader.read(Int64.self)
            let key = try readNullable(&reader)
            let value = try readNullable(&reader)
            let headerCount = Int(try reader.read(UInt16.self))
            var headers: [LogHeader] = []
            headers.reserveCapacity(headerCount)
            for _ in 0..<headerCount {
                let name = try reader.bytes(Int(try reader.read(UInt16.self)))
                let value = try reader.bytes(Int(try reader.read(UInt32.self)))
                headers.append(LogHeader(name: String(decoding: name, as: UTF8.self), value: value))
            }
            records.append(StoredRecord(
                offset: header.baseOffset + delta, key: key, value: value, headers: headers, timestamp: timestamp))
        }
        guard reader.remaining == 0, previousDelta == Int64(header.lastOffsetDelta) else {
            throw LogError(.corrupt, "\(what): payload does not match its record count")
        }
        return records
    }

    private static func readNullable(_ reader: inout ByteReader) throws(LogError) -> [UInt8]? {
        let length = try reader.read(Int32.self)
        if length == -1 { return nil }
        return try reader.bytes(Int(length))
    }
}
