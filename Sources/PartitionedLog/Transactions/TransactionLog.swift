import PosixFiles
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The commit decisions of multi-partition groups (`<log>/__transactions`): the single place that says
/// whether a group spread over several partitions happened. A group's parts are written and synced in
/// every partition first; then its entry is appended here and synced; only then do readers see the parts.
/// At recovery, an undecided part at the end of a partition whose id is not here is truncated.
///
/// Entries: `length u32, crc u32` (CRC-32 of the rest), `txnId i64`, `count u16`, then per partition
/// `topic length u16, topic (UTF-8), partition u32`. Little-endian. A torn last entry is dropped. Once the
/// file passes `transactionLogCompactBytes` it is rewritten (atomic rename) keeping, per partition, its
/// latest group: the only one that can still sit undecided-looking at a partition's end.
final class TransactionLog: Sendable {
    private struct State {
        var file: FileDescriptor
        var size: Int
        var committed: Set<Int64>
        var latest: [TopicPartition: Int64]
        var nextTxnId: Int64
    }

    let path: String
    let directory: String
    private let state: Mutex<State>

    init(directory: String) throws(LogError) {
        self.directory = directory
        self.path = "\(directory)/__transactions"
        let created = !FileSystem.exists(path)
        let file = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT)
        if created { try FileSystem.syncDirectory(directory) }
        let bytes = try file.read(count: try file.size(), at: 0)
        let (entries, validSize) = Self.parse(bytes)
        if validSize < bytes.count {
            try file.truncate(to: validSize)
            try file.sync()
        }
        var latest: [TopicPartition: Int64] = [:]
        // Entries are in commit order, which is each partition's group order (a partition writes nothing
        // after a group until it is decided); ids are not (a streamed group takes its id when it begins).
        for (txnId, partitions) in entries {
            for partition in partitions { latest[partition] = txnId }
        }
        let committed = Set(entries.map(\.0))
        state = Mutex(State(
            file: file, size: validSize, committed: committed, latest: latest,
            nextTxnId: (committed.max() ?? 0) + 1))
    }

    func isCommitted(_ txnId: Int64) -> Bool {
        state.withLock { $0.committed.contains(txnId) }
    }

    func allocateId() -> Int64 {
        state.withLock { state in
            defer { state.nextTxnId += 1 }
            return state.nextTxnId
        }
    }

    /// Makes a group's commit durable (blocking: runs on a write thread). Decisions are serialised.
    func commit(txnId: Int64, partitions: [TopicPartition]) throws(LogError) {
        let entry = Self.encode(txnId: txnId, partitions: partitions)
        try state.withLock { (state) throws(LogError) in
            try state.file.write(entry, at: state.size)
            try state.file.sync()
            state.size += entry.count
            state.committed.insert(txnId)
            for partition in partitions { state.latest[partition] = txnId }
            if state.size > LogLimits.transactionLogCompactBytes { try compact(&state) }
        }
    }

    private func compact(_ state: inout State) throws(LogError) {
        var byTxn: [Int64: [TopicPartition]] = [:]
        for (partition, txnId) in state.latest { byTxn[txnId, default: []].append(partition) }
        var bytes: [UInt8] = []
        for (txnId, partitions) in byTxn.sorted(by: { $0.key < $1.key }) {
            bytes += Self.encode(txnId: txnId, partitions: partitions.sorted())
        }
        try FileSystem.writeAtomically(bytes, to: path, directory: directory)
        state.file = try FileDescriptor(path: path, flags: O_RDWR)
        state.size = bytes.count
        state.committed = Set(byTxn.keys)
    }

    static func encode(txnId: Int64, partitions: [TopicPartition]) -> [UInt8] {
        var body: [UInt8] = []
        body.appendLE(txnId)
        body.appendLE(UInt16(partitions.count))
        for partition in partitions {
            let topic = Array(partition.topic.utf8)
            body.appendLE(UInt16(topic.count))
            body += topic
            body.appendLE(UInt32(partition.partition))
        }
        var entry: [UInt8] = []
        entry.appendLE(UInt32(body.count))
        entry.appendLE(body.withUnsafeBytes { Checksum.crc32($0) })
        return entry + body
    }

    /// Entries up to the first damaged one, and the size of that valid prefix.
    static func parse(_ bytes: [UInt8]) -> ([(Int64, [TopicPartition])], Int) {
        var entries: [(Int64, [TopicPartition])] = []
        var position = 0
        bytes.withUnsafeBytes { raw in
            while raw.count - position >= 8 {
                let length = Int(raw.loadLE(UInt32.self, at: position))
                let crc = raw.loadLE(UInt32.self, at: position + 4)
                guard length <= raw.count - position - 8 else { return }
                let body = UnsafeRawBufferPointer(rebasing: raw[(position + 8)..<(position + 8 + length)])
                guard Checksum.crc32(body) == crc, let entry = try? decode(body) else { return }
                entries.append(entry)
                position += 8 + length
            }
        }
        return (entries, position)
    }

    private static func decode(_ body: UnsafeRawBufferPointer) throws(LogError) -> (Int64, [TopicPartition]) {
        var reader = ByteReader(body, what: "__transactions")
        let txnId = try reader.read(Int64.self)
        let count = Int(try reader.read(UInt16.self))
        var partitions: [TopicPartition] = []
        for _ in 0..<count {
            let topic = try reader.bytes(Int(try reader.read(UInt16.self)))
            let partition = Int(try reader.read(UInt32.self))
            partitions.append(TopicPartition(topic: String(decoding: topic, as: UTF8.self), partition: partition))
        }
        return (txnId, partitions)
    }
}
