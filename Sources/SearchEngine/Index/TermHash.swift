/// Term bytes → dense term id, for one field of the indexing buffer: an open-addressing table of Int32 slots
/// over a flat byte arena. No per-term objects: adding a token is a hash, a probe or two and a memcmp.
struct TermHash {
    /// Term i is `arena[starts[i]..<starts[i + 1]]`.
    private(set) var arena: [UInt8] = []
    private(set) var starts: [UInt32] = [0]
    private var hashes: [UInt32] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { starts.count - 1 }
    /// Bytes held (for the buffer's memory accounting).
    var byteSize: Int { arena.count + starts.count * 8 + slots.count * 4 }

    /// The id of `term`, adding it when new.
    @inline(__always)
    mutating func id(for term: UnsafeRawBufferPointer) -> Int32 {
        let hash = StableHash.hash(term)
        let short = UInt32(truncatingIfNeeded: hash)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let existing = slots[slot]
            if existing < 0 { break }
            if hashes[Int(existing)] == short, equals(Int(existing), term) { return existing }
            slot = (slot + 1) & mask
        }
        let id = Int32(count)
        arena.append(contentsOf: term)
        starts.append(UInt32(arena.count))
        hashes.append(short)
        slots[slot] = id
        if count * 2 > slots.count { grow() }
        return id
    }

    @inline(__always)
    private func equals(_ id: Int, _ term: UnsafeRawBufferPointer) -> Bool {
        let start = Int(starts[id])
        let length = Int(starts[id + 1]) - start
        guard length == term.count else { return false }
        return arena.withUnsafeBytes { raw in compareBytes(UnsafeRawBufferPointer(rebasing: raw[start..<start + length]), term) == 0 }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for id in 0..<count {
            var slot = Int(truncatingIfNeeded: UInt64(hashes[id])) & mask
            // The short hash is the low 32 bits of the full one: the same slot choice for tables up to 2^32.
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// Term ids in byte order of their terms.
    func sortedIDs() -> [Int32] {
        arena.withUnsafeBytes { raw in
            starts.withUnsafeBufferPointer { starts in
                var ids = (0..<Int32(count)).map { $0 }
                ids.sort { a, b in
                    let aStart = Int(starts[Int(a)]), aEnd = Int(starts[Int(a) + 1])
                    let bStart = Int(starts[Int(b)]), bEnd = Int(starts[Int(b) + 1])
                    return compareBytes(UnsafeRawBufferPointer(rebasing: raw[aStart..<aEnd]), UnsafeRawBufferPointer(rebasing: raw[bStart..<bEnd])) < 0
                }
                return ids
            }
        }
    }
}
