/// One change to a keyed table, as a change topic states it.
public enum TableChange<Key: Hashable, Value>: Sendable where Key: Sendable, Value: Sendable {
    case upsert(Key, Value)
    case delete(Key)
    /// Every row goes.
    case truncate
}

/// How a row of a derived or materialised table changed: `old` nil for an insert, `new` nil for a delete.
/// Operators downstream consume these: they retract `old` and add `new`.
public struct TableDelta<Key: Hashable, Value> {
    public var key: Key
    public var old: Value?
    public var new: Value?

    public init(key: Key, old: Value?, new: Value?) {
        self.key = key
        self.old = old
        self.new = new
    }
}

extension TableDelta: Sendable where Key: Sendable, Value: Sendable {}
extension TableDelta: Equatable where Value: Equatable {}
