import PosixFiles
import Synchronization

/// Durable consumer groups (`<log>/__consumer_offsets/<group>.offsets`): which topics each group reads and
/// the offsets it has committed. A commit rewrites the group's file atomically (temp file, fdatasync,
/// rename, directory fsync), so after a crash a group has its previous commit or its new one, never a mix.
///
/// Registered groups hold back retention: a segment is deleted only once every group registered on its
/// topic has committed past it.
///
/// File: `magic "MPCO" u32, version u8, topic count u16, (length u16, topic)*, entry count u32,
/// (length u16, topic, partition u32, offset i64)*, crc u32` (CRC-32 of everything before it).
final class ConsumerOffsets: Sendable {
    struct Group: Sendable, Equatable {
        var topics: Set<String>
        var offsets: [TopicPartition: Int64]
    }

    private static let magic: UInt32 = 0x4F43_504D  // "MPCO"
    let directory: String
    private let groups: Mutex<[String: Group]>
    /// Serialises file writes per log (commits are small and rare next to appends).
    private let writeLock = Mutex<Void>(())

    init(directory: String) throws(LogError) {
        self.directory = directory
        try FileSystem.makeDirectories(directory)
        var groups: [String: Group] = [:]
        for name in try FileSystem.list(directory) {
            if name.hasSuffix(".tmp") {
                try FileSystem.remove("\(directory)/\(name)")
                continue
            }
            guard name.hasSuffix(".offsets") else { continue }
            let group = String(name.dropLast(8))
            groups[group] = try Self.decode(try FileSystem.readAll("\(directory)/\(name)"), path: "\(directory)/\(name)")
        }
        self.groups = Mutex(groups)
    }

    var all: [String: Group] { groups.withLock { $0 } }

    func group(_ name: String) -> Group? { groups.withLock { $0[name] } }

    /// Registers (or re-registers with new topics) a group; blocking.
    func register(_ name: String, topics: Set<String>) throws(LogError) {
        try writeLock.withLock { (_) throws(LogError) in
            var group = groups.withLock { $0[name] } ?? Group(topics: [], offsets: [:])
            group.topics = topics
            try write(name, group)
            groups.withLock { $0[name] = group }
        }
    }

    func unregister(_ name: String) throws(LogError) {
        try writeLock.withLock { (_) throws(LogError) in
            try FileSystem.remove(path(name))
            try FileSystem.syncDirectory(directory)
            _ = groups.withLock { $0.removeValue(forKey: name) }
        }
    }

    /// Stores offsets (the next offset to read, per partition) durably; blocking.
    func commit(_ name: String, offsets: [TopicPartition: Int64]) throws(LogError) {
        try writeLock.withLock { (_) throws(LogError) in
            guard var group = groups.withLock({ $0[name] }) else {
                throw LogError(.invalidArgument, "consumer group \(name) is not registered")
            }
            group.offsets.merge(offsets) { $1 }
            try write(name, group)
            groups.withLock { $0[name] = group }
        }
    }

    /// The lowest offset any registered group on this topic still needs (nil: no group reads it).
    func guardOffset(for partition: TopicPartition) -> Int64? {
        groups.withLock { groups in
            groups.values.filter { $0.topics.contains(partition.topic) }.map { $0.offsets[partition] ?? 0 }.min()
        }
    }

    private func path(_ name: String) -> String { "\(directory)/\(name).offsets" }

    private func write(_ name: String, _ group: Group) throws(LogError) {
        try FileSystem.writeAtomically(Self.encode(group), to: path(name), directory: directory)
    }

    static func encode(_ group: Group) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLE(magic)
        bytes.append(1)
        let topics = group.topics.sorted()
        bytes.appendLE(UInt16(topics.count))
        for topic in topics { appendString(topic, to: &bytes) }
        let entries = group.offsets.sorted { $0.key < $1.key }
        bytes.appendLE(UInt32(entries.count))
        for (partition, offset) in entries {
            appendString(partition.topic, to: &bytes)
            bytes.appendLE(UInt32(partition.partition))
            bytes.appendLE(offset)
        }
        bytes.appendLE(bytes.withUnsafeBytes { Checksum.crc32($0) })
        return bytes
    }

    private static func appendString(_ string: String, to bytes: inout [UInt8]) {
        let utf8 = Array(string.utf8)
        bytes.appendLE(UInt16(utf8.count))
        bytes += utf8
    }

    static func decode(_ bytes: [UInt8], path: String) throws(LogError) -> Group {
        guard bytes.count >= 4 else { throw LogError(.corrupt, "\(path): too short") }
        return try bytes.withRawBytes { (raw) throws(LogError) -> Group in
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard Checksum.crc32(body) == raw.loadLE(UInt32.self, at: raw.count - 4) else {
                throw LogError(.corrupt, "\(path): CRC mismatch")
            }
            var reader = ByteReader(body, what: path)
            guard try reader.read(UInt32.self) == magic, try reader.read(UInt8.self) == 1 else {
                throw LogError(.corrupt, "\(path): not a consumer offsets file of a known version")
            }
            var topics = Set<String>()
            for _ in 0..<Int(try reader.read(UInt16.self)) { topics.insert(try readString(&reader)) }
            var offsets: [TopicPartition: Int64] = [:]
            for _ in 0..<Int(try reader.read(UInt32.self)) {
                let topic = try readString(&reader)
                let partition = Int(try reader.read(UInt32.self))
                offsets[TopicPartition(topic: topic, partition: partition)] = try reader.read(Int64.self)
            }
            return Group(topics: topics, offsets: offsets)
        }
    }

    private static func readString(_ reader: inout ByteReader) throws(LogError) -> String {
        String(decoding: try reader.bytes(Int(try reader.read(UInt16.self))), as: UTF8.self)
    }
}
