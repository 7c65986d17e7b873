/// A table materialised from a change topic: the latest value per key (ksqlDB's `CREATE TABLE … FROM`
/// a topic). Applying a change returns the deltas it made, for the operators downstream; a change that
/// leaves the row as it was makes none.
public struct KeyedTable<Key: Hashable & Sendable, Value: Equatable & Sendable>: Sendable {
    public private(set) var rows: [Key: Value] = [:]

    public init() {}

    public var count: Int { rows.count }

    public subscript(key: Key) -> Value? { rows[key] }

    @discardableResult
    public mutating func apply(_ change: TableChange<Key, Value>) -> [TableDelta<Key, Value>] {
        switch change {
        case .upsert(let key, let value):
            let old = rows.updateValue(value, forKey: key)
            return old == value ? [] : [TableDelta(key: key, old: old, new: value)]
        case .delete(let key):
            guard let old = rows.removeValue(forKey: key) else { return [] }
            return [TableDelta(key: key, old: old, new: nil)]
        case .truncate:
            defer { rows.removeAll() }
            return rows.map { TableDelta(key: $0.key, old: $0.value, new: nil) }
        }
    }

    /// A single-row change without building an array (the hot path): the delta, or nil when nothing changed.
    public mutating func upsert(_ key: Key, _ value: Value) -> TableDelta<Key, Value>? {
        let old = rows.updateValue(value, forKey: key)
        return old == value ? nil : TableDelta(key: key, old: old, new: value)
    }

    public mutating func delete(_ key: Key) -> TableDelta<Key, Value>? {
        guard let old = rows.removeValue(forKey: key) else { return nil }
        return TableDelta(key: key, old: old, new: nil)
    }
}
