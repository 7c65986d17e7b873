import Testing
@testable import PartitionedLog

@Suite("Batch format and partitioner")
struct FormatTests {
    /// Kafka's own test vectors for `Utils.murmur2` (UtilsTest.testMurmur2).
    @Test(arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", Int32(-790_332_482)),
        ("a-little-bit-long-string", Int32(-985_981_536)),
        ("a-little-bit-longer-string", Int32(-1_486_304_829)),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", Int32(-58_897_971)),
        ("abc", Int32(479_470_107)),
    ])
    func murmur2MatchesKafka(key: String, expected: Int32) {
        #expect(Partitioner.murmur2(Array(key.utf8)) == expected)
    }

    @Test func partitionIsStableAndInRange() {
        for index in 0..<1000 {
            let key = Array("key-\(index)".utf8)
            let partition = Partitioner.partition(for: key, partitions: 7)
            #expect((0..<7).contains(partition))
            #expect(Partitioner.partition(for: key, partitions: 7) == partition)
        }
        #expect(Partitioner.partition(for: nil, partitions: 7) == 0)
    }

    @Test(arguments: [TopicConfiguration.Compression.none, .zlib])
    func batchesRoundTrip(compression: TopicConfiguration.Compression) throws {
        let records = (0..<500).map { index in
            LogRecord(
                key: index % 7 == 0 ? nil : bytes("k\(index)"),
                value: index % 11 == 0 ? nil : bytes(String(repeating: "value \(index) ", count: index % 40)),
                headers: index % 3 == 0 ? [LogHeader(name: "h\(index)", value: bytes("x"))] : [],
                timestamp: 1_000 + Int64(index))
        }
        var group = try BatchCodec.encodeGroup(records, now: 0, compression: compression, txnId: 0)
        var decoded: [StoredRecord] = []
        var base: Int64 = 42
        for batch in group.batches {
            BatchHeader.seal(&group.bytes, at: batch.start, size: batch.size, baseOffset: base, bodyCRC: batch.bodyCRC)
            base += Int64(batch.recordCount)
        }
        try group.bytes.withRawBytes { (raw) throws(LogError) in
            var position = 0
            while position < raw.count {
                let header = try BatchHeader.parse(UnsafeRawBufferPointer(rebasing: raw[position...]), what: "test")
                let batch = UnsafeRawBufferPointer(rebasing: raw[position..<(position + header.totalSize)])
                try BatchHeader.verifyCRC(batch, header: header, what: "test")
                decoded += try BatchCodec.decode(batch, header: header, what: "test")
                position += header.totalSize
            }
        }
        #expect(decoded.map(\.offset) == Array(42..<542))
        #expect(decoded.map(\.key) == records.map(\.key))
        #expect(decoded.map(\.value) == records.map(\.value))
        #expect(decoded.map(\.headers) == records.map(\.headers))
        #expect(decoded.map(\.timestamp) == records.map { $0.timestamp! })
    }

    /// Every single-bit flip anywhere in a batch, the base offset included, is caught before decoding.
    @Test(arguments: [TopicConfiguration.Compression.none, .zlib])
    func everyBitFlipIsDetected(compression: TopicConfiguration.Compression) throws {
        let records = (0..<5).map { LogRecord(key: bytes("k\($0)"), value: bytes("v\($0)"), timestamp: 7) }
        var group = try BatchCodec.encodeGroup(records, now: 0, compression: compression, txnId: 0)
        let batch = group.batches[0]
        BatchHeader.seal(&group.bytes, at: 0, size: batch.size, baseOffset: 1000, bodyCRC: batch.bodyCRC)
        for bit in 0..<(group.bytes.count * 8) {
            var damaged = group.bytes
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            let accepted: Bool = damaged.withUnsafeBytes { raw in
                guard let header = try? BatchHeader.parse(raw, what: "test"), header.totalSize == raw.count,
                    (try? BatchHeader.verifyCRC(raw, header: header, what: "test")) != nil
                else { return false }
                return true
            }
            #expect(!accepted, "bit \(bit) flipped went unnoticed")
        }
    }
}
