/// A map for the groups of joins and aggregates — usually one to a few members: an array searched linearly
/// while small (no hashing, one allocation), a dictionary once it grows past `limit`.
struct SmallMap<Key: Hashable, Value> {
    private static var limit: Int { 16 }
    private var small: [(key: Key, value: Value)] = []
    private var large: [Key: Value]?

    var isEmpty: Bool { large?.isEmpty ?? small.isEmpty }

    subscript(key: Key) -> Value? {
        get {
            if let large { return large[key] }
            for entry in small where entry.key == key { return entry.value }
            return nil
        }
        set {
            if large != nil {
                large![key] = newValue
                return
            }
            if let index = small.firstIndex(where: { $0.key == key }) {
                if let newValue { small[index].value = newValue } else { small.remove(at: index) }
                return
            }
            guard let newValue else { return }
            if small.count < Self.limit {
                small.append((key, newValue))
            } else {
                var dictionary = Dictionary(uniqueKeysWithValues: small.map { ($0.key, $0.value) })
                dictionary[key] = newValue
                large = dictionary
                small = []
            }
        }
    }

    /// Every entry (order unspecified).
    var entries: [(key: Key, value: Value)] {
        if let large { return large.map { ($0.key, $0.value) } }
        return small
    }

    var values: [Value] { large.map { Array($0.values) } ?? small.map(\.value) }
}

extension SmallMap: Sendable where Key: Sendable, Value: Sendable {}
