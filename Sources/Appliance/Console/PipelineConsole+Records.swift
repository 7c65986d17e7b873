import Console
import PartitionedLog

/// The topic browser: pages of a partition and find-by-key.
extension PipelineConsole {
    /// The most records a find-by-key looks at (newest first) before it answers with `partial`.
    static let maxKeyScan: Int64 = 500_000

    func records(topic: String, partition: Int, offset: Int64, limit: Int) async throws(ConsoleError) -> RecordsPage {
        let id = try self.partition(topic, partition)
        do {
            let (start, end) = try log.offsets(id)
            let from = min(max(offset, start), end)
            guard from < end else {
                return RecordsPage(topic: topic, partition: partition, startOffset: start, endOffset: end, nextOffset: end, records: [])
            }
            let result = try await log.read(id, from: from, maxRecords: limit, maxBytes: 4 << 20)
            let records = result.records.prefix(limit).map { Self.view($0, partition: partition) }
            return RecordsPage(
                topic: topic, partition: partition, startOffset: start, endOffset: end,
                nextOffset: records.last.map { $0.offset + 1 } ?? result.nextOffset, records: Array(records))
        } catch {
            throw .unavailable("cannot read \(id): \(error)")
        }
    }

    /// Scans the partition the key hashes to from its end backwards (records with a key are placed by its
    /// hash), up to `maxKeyScan` records.
    func findRecords(topic: String, key: String, limit: Int) async throws(ConsoleError) -> FoundRecords {
        let wanted = Array(key.utf8)
        let count = try partitionCount(topic)
        let partition = Partitioner.partition(for: wanted, partitions: count)
        let id = TopicPartition(topic: topic, partition: partition)
        var found: [RecordView] = []
        do {
            let (start, end) = try log.offsets(id)
            var upper = end
            let window: Int64 = 10_000
            while upper > start, found.count < limit, end - upper < Self.maxKeyScan {
                let lower = max(start, upper - window)
                var matches: [RecordView] = []
                var next = lower
                while next < upper {
                    let result = try await log.read(id, from: next, maxRecords: Int(upper - next), maxBytes: 4 << 20)
                    for record in result.records where record.offset < upper && record.key == wanted {
                        matches.append(Self.view(record, partition: partition))
                    }
                    guard result.nextOffset > next else { break }
                    next = result.nextOffset
                }
                found += matches.reversed()
                upper = lower
            }
            return FoundRecords(topic: topic, key: key, records: Array(found.prefix(limit)), partial: upper > start && found.count < limit)
        } catch {
            throw .unavailable("cannot read \(id): \(error)")
        }
    }

    private func partitionCount(_ topic: String) throws(ConsoleError) -> Int {
        do {
            return try log.partitionCount(of: topic)
        } catch {
            throw .notFound("no such topic [\(topic)]")
        }
    }

    private func partition(_ topic: String, _ partition: Int) throws(ConsoleError) -> TopicPartition {
        let count = try partitionCount(topic)
        guard partition < count else { throw .notFound("topic [\(topic)] has \(count) partitions; there is no partition \(partition)") }
        return TopicPartition(topic: topic, partition: partition)
    }

    static func view(_ record: StoredRecord, partition: Int) -> RecordView {
        RecordView(
            partition: partition, offset: record.offset, timestamp: record.timestamp, key: record.key, value: record.value,
            headers: record.headers.map { RecordView.Header(name: $0.name, value: String(decoding: $0.value, as: UTF8.self)) })
    }
}
