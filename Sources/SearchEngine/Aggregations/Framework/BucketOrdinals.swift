/// Dense bucket ordinals for (owner, key) pairs — Lucene's `LongKeyedBucketOrds`: the owner is the enclosing
/// aggregation's bucket, the key this aggregation's bucket key (a term id, a rounded date, a value's bits).
/// Open addressing with linear probing over flat arrays; a one-entry cache catches runs of equal keys
/// (time-ordered documents), so most documents cost two comparisons.
struct BucketOrdinals {
    private(set) var keys: [Int64] = []
    private(set) var owners: [Int32] = []
    /// Slot → ordinal + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int
    private var lastOwner: Int32 = -1
    private var lastKey: Int64 = 0
    private var lastOrdinal: Int32 = -1

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// A placeholder without storage (for moving the real one out of a class during a loop).
    static var placeholder: BucketOrdinals { BucketOrdinals(slots: []) }

    private init(slots: [Int32]) {
        self.slots = slots
        mask = 0
    }

    var count: Int { keys.count }

    @inline(__always)
    private static func hash(_ owner: Int32, _ key: Int64) -> Int {
        let mixed = (UInt64(bitPattern: key) &+ UInt64(UInt32(bitPattern: owner)) &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }

    /// The ordinal of (owner, key), assigning the next one when new.
    @inline(__always)
    mutating func ordinal(owner: Int32, key: Int64) -> Int32 {
        if key == lastKey, owner == lastOwner { return lastOrdinal }
        let ordinal = lookupOrInsert(owner: owner, key: key)
        lastOwner = owner
        lastKey = key
        lastOrdinal = ordinal
        return ordinal
    }

    private mutating func lookupOrInsert(owner: Int32, key: Int64) -> Int32 {
        var slot = Self.hash(owner, key) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { break }
            let ordinal = Int(stored - 1)
            if keys[ordinal] == key, owners[ordinal] == owner { return stored - 1 }
            slot = (slot + 1) & mask
        }
        let ordinal = Int32(keys.count)
        keys.append(key)
        owners.append(owner)
        slots[slot] = ordinal + 1
        if keys.count * 2 > slots.count { grow() }
        return ordinal
    }

    /// The ordinal of (owner, key) when it exists.
    func find(owner: Int32, key: Int64) -> Int32? {
        var slot = Self.hash(owner, key) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { return nil }
            if keys[Int(stored - 1)] == key, owners[Int(stored - 1)] == owner { return stored - 1 }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for ordinal in keys.indices {
            var slot = Self.hash(owners[ordinal], keys[ordinal]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(ordinal + 1)
        }
    }

    /// The ordinals of each owner, in creation order (built once collection is over).
    func ordinalsByOwner() -> [Int32: [Int32]] {
        var grouped: [Int32: [Int32]] = [:]
        for ordinal in owners.indices { grouped[owners[ordinal], default: []].append(Int32(ordinal)) }
        return grouped
    }
}
