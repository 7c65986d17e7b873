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
    private var lefts: [JoinKey: [LeftKey: Left]] = [:]
    private var rights: [JoinKey: [RightKey: Right]] = [:]

    public init(leftKey: @escaping @Sendable (Left) -> JoinKey?, rightKey: @escaping @Sendable (Right) -> JoinKey?) {
        leftJoinKey = leftKey
        rightJoinKey = rightKey
    }

    /// The left rows with this join key.
    public func leftRows(_ joinKey: JoinKey) -> [LeftKey: Left] { lefts[joinKey] ?? [:] }
    /// The right rows with this join key.
    public func rightRows(_ joinKey: JoinKey) -> [RightKey: Right] { rights[joinKey] ?? [:] }

    public mutating func applyLeft(_ delta: TableDelta<LeftKey, Left>, into output: inout [Delta]) {
        let oldKey = delta.old.flatMap(leftJoinKey)
        let newKey = delta.new.flatMap(leftJoinKey)
        if let oldKey { lefts[oldKey]?[delta.key] = nil; if lefts[oldKey]?.isEmpty == true { lefts[oldKey] = nil } }
        if let newKey, let new = delta.new { lefts[newKey, default: [:]][delta.key] = new }
        if let oldKey, let old = delta.old {
            for (rightKey, right) in rights[oldKey] ?? [:] {
                let pair = Pair(left: delta.key, right: rightKey)
                if oldKey == newKey, let new = delta.new {
                    output.append(Delta(key: pair, old: Joined(joinKey: oldKey, left: old, right: right),
                                        new: Joined(joinKey: oldKey, left: new, right: right)))
                } else {
                    output.append(Delta(key: pair, old: Joined(joinKey: oldKey, left: old, right: right), new: nil))
                }
            }
        }
        if let newKey, let new = delta.new, oldKey != newKey {
            for (rightKey, right) in rights[newKey] ?? [:] {
                output.append(Delta(key: Pair(left: delta.key, right: rightKey), old: nil,
                                    new: Joined(joinKey: newKey, left: new, right: right)))
            }
        }
    }

    public mutating func applyRight(_ delta: TableDelta<RightKey, Right>, into output: inout [Delta]) {
        let oldKey = delta.old.flatMap(rightJoinKey)
        let newKey = delta.new.flatMap(rightJoinKey)
        if let oldKey { rights[oldKey]?[delta.key] = nil; if rights[oldKey]?.isEmpty == true { rights[oldKey] = nil } }
        if let newKey, let new = delta.new { rights[newKey, default: [:]][delta.key] = new }
        if let oldKey, let old = delta.old {
            for (leftKey, left) in lefts[oldKey] ?? [:] {
                let pair = Pair(left: leftKey, right: delta.key)
                if oldKey == newKey, let new = delta.new {
                    output.append(Delta(key: pair, old: Joined(joinKey: oldKey, left: left, right: old),
                                        new: Joined(joinKey: oldKey, left: left, right: new)))
                } else {
                    output.append(Delta(key: pair, old: Joined(joinKey: oldKey, left: left, right: old), new: nil))
                }
            }
        }
        if let newKey, let new = delta.new, oldKey != newKey {
            for (leftKey, left) in lefts[newKey] ?? [:] {
                output.append(Delta(key: Pair(left: leftKey, right: delta.key), old: nil,
                                    new: Joined(joinKey: newKey, left: left, right: new)))
            }
        }
    }
}
