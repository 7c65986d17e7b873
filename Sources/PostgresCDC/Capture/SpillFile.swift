import BlockingIO
import Logging
import Foundation

/// The messages of one streamed, still uncommitted transaction (pgoutput protocol version 2), kept on disk
/// so that a transaction of any size costs bounded memory. Entries: `[LSN u64][length u32][message]`.
///
/// A subtransaction's changes follow its first change in WAL order, so rolling it back (Stream Abort with
/// a subxid) truncates the file at that subtransaction's first change — what PostgreSQL's own apply worker
/// does. Spill files do not survive a restart: the server streams an unfinished transaction again.
final class SpillFile {
    let path: String
    private let handle: FileHandle
    private(set) var size: UInt64 = 0
    /// Each subtransaction's first entry's position, in order of appearance.
    private var subtransactions: [(xid: UInt32, offset: UInt64)] = []

    init(directory: String, xid: UInt32) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = "\(directory)/\(xid).spill"
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CaptureError(.spill, "cannot create the spill file \(path)")
        }
        handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    }

    deinit { try? handle.close() }

    /// Appends one message of (sub)transaction `xid`.
    func append(_ message: [UInt8], lsn: LSN, xid: UInt32) throws {
        if !subtransactions.contains(where: { $0.xid == xid }) { subtransactions.append((xid, size)) }
        var entry: [UInt8] = []
        entry.reserveCapacity(message.count + 12)
        entry.appendBigEndian(lsn.value)
        entry.appendBigEndian(UInt32(message.count))
        entry.append(contentsOf: message)
        try handle.write(contentsOf: entry)
        size += UInt64(entry.count)
    }

    /// Drops subtransaction `xid` (and every later one, its children) from the file.
    func abortSubtransaction(_ xid: UInt32) throws {
        guard let index = subtransactions.firstIndex(where: { $0.xid == xid }) else { return }
        let offset = subtransactions[index].offset
        subtransactions.removeSubrange(index...)
        try handle.truncate(atOffset: offset)
        try handle.seek(toOffset: offset)
        size = offset
    }

    /// Reads the entries back in order, `chunkBytes` of file at a time.
    func forEach(chunkBytes: Int = 1 << 20, _ body: (_ message: [UInt8], _ lsn: LSN) throws -> Void) throws {
        try handle.seek(toOffset: 0)
        var buffer: [UInt8] = []
        var position = 0
        var remaining = size
        while remaining > 0 || position < buffer.count {
            if buffer.count - position < 12 || !Self.hasEntry(buffer, at: position) {
                buffer.removeSubrange(0..<position)
                position = 0
                let want = Int(min(UInt64(max(chunkBytes, Self.entryLength(buffer, at: 0) ?? 0)), remaining))
                guard want > 0, let data = try handle.read(upToCount: want), !data.isEmpty else {
                    throw CaptureError(.spill, "spill file \(path) ends inside an entry")
                }
                buffer.append(contentsOf: data)
                remaining -= UInt64(data.count)
                continue
            }
            var lsn: UInt64 = 0
            for index in 0..<8 { lsn = lsn << 8 | UInt64(buffer[position + index]) }
            var length = 0
            for index in 8..<12 { length = length << 8 | Int(buffer[position + index]) }
            try body(Array(buffer[(position + 12)..<(position + 12 + length)]), LSN(lsn))
            position += 12 + length
        }
        try handle.seekToEnd()
    }

    private static func entryLength(_ buffer: [UInt8], at position: Int) -> Int? {
        guard buffer.count - position >= 12 else { return nil }
        var length = 0
        for index in 8..<12 { length = length << 8 | Int(buffer[position + index]) }
        return 12 + length
    }

    private static func hasEntry(_ buffer: [UInt8], at position: Int) -> Bool {
        guard let length = entryLength(buffer, at: position) else { return false }
        return buffer.count - position >= length
    }

    /// Deletes the file.
    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes spill files a previous run left behind.
    static func clear(directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".spill") {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
    }
}
