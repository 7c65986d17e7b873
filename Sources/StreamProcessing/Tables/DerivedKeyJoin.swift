/// An inner join of two keyed tables on a key derived from each side's value (e.g. a normalised email):
/// the joined table holds one row per (left key, right key) pair whose derived keys are equal. A row whose
/// derived key is nil joins nothing.
///
/// Fed with the deltas of both tables, it returns the deltas of the joined table: when a row's derived key
/// changes or the row goes, its old pairs are retracted (`new` nil); new pairs are added (`old` nil); pairs
/// that stay get an update when either side's value changed.
public struct DerivedKeyJoin<LeftKey: Hashable & Sendable, Left: Sendable, RightKey: Hashable & Sendable, Right: Sendable,
    JoinKey: Hashable & Sendable>: Sendable
{
    public struct Pair: Hashable, Sendable {
        public var left: LeftKey
        public var right: RightKey
        public init(left: LeftKey, right: RightKey) {
            self.left = left
            self.right = right
        }
    }

    public struct Joined: Sendable {
        public var joinKey: JoinKey
        public var left: Left
        public var right: Right
    }

    public typealias Delta = TableDelta<Pair, Joined>

    private let leftJoinKey: @Sendable (Left) -> JoinKey?
    private let rightJoinKey: @Sendable (Right) -> JoinKey?
    private var lefts: [JoinKey: SmallMap<LeftKey, Left>] = [:]
    private var rights: [JoinKey: SmallMap<RightKey, Right>] = [:]

    public init(leftKey: @escaping @Sendable (Left) -> JoinKey?, rightKey: @escaping @Sendable (Right) -> JoinKey?) {
        leftJoinKey = leftKey
        rightJoinKey = rightKey
    }

    /// The left rows with this join key.
    public func leftRows(_ joinKey: JoinKey) -> [LeftKey: Left] {
        Dictionary(uniqueKeysWithValues: (lefts[joinKey]?.entries ?? []).map { ($0.key, $0.value) })
    }
    /// The right rows with this join key.
    public func rightRows(_ joinKey: JoinKey) -> [RightKey: Right] {
        Dictionary(uniqueKeysWithValues: (rights[joinKey]?.entries ?? []).map { ($0.key, $0.value) })
    }

    public mutating func applyLeft(_ delta: TableDelta<LeftKey, Left>, into output: inout [Delta]) {
        let oldKey = delta.old.flatMap(leftJoinKey)
        let newKey = delta.new.flatMap(leftJoinKey)
        Self.reindex(&lefts, delta, from: oldKey, to: newKey)
        Self.pairs(delta, from: oldKey, to: newKey, with: rights, into: &output,
                   pair: { Pair(left: $0, right: $1) }, joined: { Joined(joinKey: $0, left: $1, right: $2) })
    }

    public mutating func applyRight(_ delta: TableDelta<RightKey, Right>, into output: inout [Delta]) {
        let oldKey = delta.old.flatMap(rightJoinKey)
        let newKey = delta.new.flatMap(rightJoinKey)
        Self.reindex(&rights, delta, from: oldKey, to: newKey)
        Self.pairs(delta, from: oldKey, to: newKey, with: lefts, into: &output,
                   pair: { Pair(left: $1, right: $0) }, joined: { Joined(joinKey: $0, left: $2, right: $1) })
    }

    /// Moves a row of one side from its old join key's group to its new one.
    private static func reindex<Key: Hashable, Value>(
        _ index: inout [JoinKey: SmallMap<Key, Value>], _ delta: TableDelta<Key, Value>, from oldKey: JoinKey?, to newKey: JoinKey?
    ) {
        if let oldKey {
            index[oldKey]?[delta.key] = nil
            if index[oldKey]?.isEmpty == true { index[oldKey] = nil }
        }
        if let newKey, let new = delta.new { index[newKey, default: SmallMap()][delta.key] = new }
    }

    /// The joined table's deltas for a change of one row on one side, against the other side's rows: its old
    /// pairs retracted (or updated, when the join key stayed and the row is still there), its new pairs added.
    private static func pairs<Key, Value, OtherKey, Other>(
        _ delta: TableDelta<Key, Value>, from oldKey: JoinKey?, to newKey: JoinKey?, with others: [JoinKey: SmallMap<OtherKey, Other>],
        into output: inout [Delta], pair: (Key, OtherKey) -> Pair, joined: (JoinKey, Value, Other) -> Joined
    ) {
        if let oldKey, let old = delta.old {
            for (otherKey, other) in others[oldKey]?.entries ?? [] {
                let new = oldKey == newKey ? delta.new.map { joined(oldKey, $0, other) } : nil
                output.append(Delta(key: pair(delta.key, otherKey), old: joined(oldKey, old, other), new: new))
            }
        }
        if let newKey, let new = delta.new, oldKey != newKey {
            for (otherKey, other) in others[newKey]?.entries ?? [] {
                output.append(Delta(key: pair(delta.key, otherKey), old: nil, new: joined(newKey, new, other)))
            }
        }
    }
}
