import PosixFiles

/// The sparse offset index (`<base>.index`): 8-byte entries `relativeOffset u32, position u32`, one per
/// `indexIntervalBytes` of segment, pointing at a batch start. And the time index (`<base>.timeindex`):
/// 12-byte entries `maxTimestampSoFar i64, relativeOffset u32`. Both little-endian, both rebuildable from
/// the segment, so neither is fsynced until the segment rolls.
struct IndexEntry: Equatable {
    static let size = 8
    var relativeOffset: UInt32
    var position: UInt32
}

struct TimeIndexEntry: Equatable {
    static let size = 12
    var timestamp: Int64
    var relativeOffset: UInt32
}

enum SegmentIndex {
    static func encode(_ entries: [IndexEntry]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * IndexEntry.size)
        for entry in entries {
            bytes.appendLE(entry.relativeOffset)
            bytes.appendLE(entry.position)
        }
        return bytes
    }

    static func encode(_ entries: [TimeIndexEntry]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * TimeIndexEntry.size)
        for entry in entries {
            bytes.appendLE(entry.timestamp)
            bytes.appendLE(entry.relativeOffset)
        }
        return bytes
    }

    static func decodeOffsets(_ bytes: [UInt8]) -> [IndexEntry]? {
        guard bytes.count % IndexEntry.size == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count, by: IndexEntry.size).map {
                IndexEntry(relativeOffset: raw.loadLE(UInt32.self, at: $0), position: raw.loadLE(UInt32.self, at: $0 + 4))
            }
        }
    }

    static func decodeTimes(_ bytes: [UInt8]) -> [TimeIndexEntry]? {
        guard bytes.count % TimeIndexEntry.size == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count, by: TimeIndexEntry.size).map {
                TimeIndexEntry(timestamp: raw.loadLE(Int64.self, at: $0), relativeOffset: raw.loadLE(UInt32.self, at: $0 + 8))
            }
        }
    }

    /// Entries strictly increasing in offset and position, all inside the segment.
    static func isConsistent(_ entries: [IndexEntry], segmentSize: Int) -> Bool {
        var previous: IndexEntry?
        for entry in entries {
            guard Int(entry.position) < segmentSize else { return false }
            if let previous, entry.relativeOffset <= previous.relativeOffset || entry.position <= previous.position {
                return false
            }
            previous = entry
        }
        return true
    }

    static func isConsistent(_ entries: [TimeIndexEntry]) -> Bool {
        zip(entries, entries.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp && $0.relativeOffset <= $1.relativeOffset }
    }

    /// The position of the last entry at or before `relativeOffset` (0 when none).
    static func floorPosition(_ entries: [IndexEntry], relativeOffset: UInt32) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].relativeOffset <= relativeOffset { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : Int(entries[low - 1].position)
    }

    /// As `floorPosition`, searching the index file with positional reads (rolled segments keep their
    /// index on disk, not in memory).
    static func floorPosition(file: FileDescriptor, relativeOffset: UInt32) throws(LogError) -> Int {
        let count = try file.size() / IndexEntry.size
        var low = 0
        var high = count
        var best = 0
        var entry = [UInt8](repeating: 0, count: IndexEntry.size)
        while low < high {
            let middle = (low + high) / 2
            let n = try entry.withMutableRawBytes { (buffer) throws(LogError) in
                try file.read(into: buffer, at: middle * IndexEntry.size)
            }
            guard n == IndexEntry.size else { break }
            let (relative, position) = entry.withUnsafeBytes { ($0.loadLE(UInt32.self, at: 0), $0.loadLE(UInt32.self, at: 4)) }
            if relative <= relativeOffset {
                best = Int(position)
                low = middle + 1
            } else {
                high = middle
            }
        }
        return best
    }
}
