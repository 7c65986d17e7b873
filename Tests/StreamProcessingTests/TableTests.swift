import Testing
import StreamProcessing

@Suite("KeyedTable")
struct KeyedTableTests {
    @Test func upsertDeleteTruncateDeltas() {
        var table = KeyedTable<Int, String>()
        #expect(table.apply(.upsert(1, "a")) == [TableDelta(key: 1, old: nil, new: "a")])
        #expect(table.apply(.upsert(2, "b")) == [TableDelta(key: 2, old: nil, new: "b")])
        #expect(table.apply(.upsert(1, "c")) == [TableDelta(key: 1, old: "a", new: "c")])
        #expect(table.count == 2)
        #expect(table[1] == "c")
        #expect(table.apply(.delete(1)) == [TableDelta(key: 1, old: "c", new: nil)])
        #expect(table.apply(.delete(1)) == [])
        #expect(table[1] == nil)
        _ = table.apply(.upsert(3, "d"))
        let truncated = table.apply(.truncate).sorted { $0.key < $1.key }
        #expect(truncated == [TableDelta(key: 2, old: "b", new: nil), TableDelta(key: 3, old: "d", new: nil)])
        #expect(table.count == 0)
        #expect(table.apply(.truncate) == [])
    }

    @Test func identicalUpsertMakesNoDelta() {
        var table = KeyedTable<String, JSONObject>()
        let row = JSONObject([("id", .integer(1)), ("email", .string("a@b"))])
        #expect(table.apply(.upsert("k", row)).count == 1)
        #expect(table.apply(.upsert("k", row)) == [])
        #expect(table.upsert("k", row) == nil)
        #expect(table.upsert("k", JSONObject([("id", .integer(1))])) != nil)
    }

    @Test func singleRowFastPath() {
        var table = KeyedTable<Int, Int>()
        #expect(table.upsert(1, 10) == TableDelta(key: 1, old: nil, new: 10))
        #expect(table.upsert(1, 10) == nil)
        #expect(table.upsert(1, 11) == TableDelta(key: 1, old: 10, new: 11))
        #expect(table.delete(1) == TableDelta(key: 1, old: 11, new: nil))
        #expect(table.delete(1) == nil)
        #expect(table.rows.isEmpty)
    }
}

/// A row of either side of the join tests: the derived key is `group` (nil joins nothing).
struct Side: Equatable, Sendable {
    var group: Int?
    var payload: Int
}

typealias TestJoin = DerivedKeyJoin<Int, Side, Int, Side, Int>

/// The joined table kept by applying the join's deltas, checking each delta against the current state.
struct LivePairs {
    var rows: [TestJoin.Pair: (group: Int, left: Side, right: Side)] = [:]

    mutating func apply(_ deltas: [TestJoin.Delta], sourceLocation: SourceLocation = #_sourceLocation) {
        var seen = Set<TestJoin.Pair>()
        for delta in deltas {
            #expect(seen.insert(delta.key).inserted, "pair \(delta.key) changed twice in one batch", sourceLocation: sourceLocation)
            #expect(delta.old != nil || delta.new != nil, sourceLocation: sourceLocation)
            let current = rows[delta.key]
            #expect(current?.group == delta.old?.joinKey && current?.left == delta.old?.left
                && current?.right == delta.old?.right, "old of \(delta.key) is not the live row", sourceLocation: sourceLocation)
            rows[delta.key] = delta.new.map { ($0.joinKey, $0.left, $0.right) }
        }
    }

    var summary: [String] {
        rows.map { "\($0.key.left)-\($0.key.right) g\($0.value.group) \($0.value.left.payload)/\($0.value.right.payload)" }.sorted()
    }

    static func nestedLoop(left: [Int: Side], right: [Int: Side]) -> [String] {
        var result: [String] = []
        for (leftKey, l) in left {
            for (rightKey, r) in right {
                if let group = l.group, l.group == r.group {
                    result.append("\(leftKey)-\(rightKey) g\(group) \(l.payload)/\(r.payload)")
                }
            }
        }
        return result.sorted()
    }
}

@Suite("DerivedKeyJoin")
struct DerivedKeyJoinTests {
    struct Fixture {
        var left = KeyedTable<Int, Side>()
        var right = KeyedTable<Int, Side>()
        var join = TestJoin(leftKey: { $0.group }, rightKey: { $0.group })
        var live = LivePairs()

        /// Applies a change and returns the join's deltas, which it also applies to `live`.
        @discardableResult
        mutating func left(_ change: TableChange<Int, Side>) -> [TestJoin.Delta] {
            var output: [TestJoin.Delta] = []
            for delta in left.apply(change) { join.applyLeft(delta, into: &output) }
            live.apply(output)
            return output
        }

        @discardableResult
        mutating func right(_ change: TableChange<Int, Side>) -> [TestJoin.Delta] {
            var output: [TestJoin.Delta] = []
            for delta in right.apply(change) { join.applyRight(delta, into: &output) }
            live.apply(output)
            return output
        }

        var expected: [String] { LivePairs.nestedLoop(left: left.rows, right: right.rows) }
    }

    @Test func pairsAppearWhenKeysMatch() {
        var f = Fixture()
        #expect(f.left(.upsert(1, Side(group: 7, payload: 10))).isEmpty)
        #expect(f.right(.upsert(100, Side(group: 8, payload: 1))).isEmpty)
        let added = f.right(.upsert(101, Side(group: 7, payload: 2)))
        #expect(added.count == 1)
        #expect(added.first?.old == nil)
        #expect(added.first?.key == TestJoin.Pair(left: 1, right: 101))
        #expect(added.first?.new?.joinKey == 7)
        f.left(.upsert(2, Side(group: 7, payload: 20)))
        #expect(f.live.summary == ["1-101 g7 10/2", "2-101 g7 20/2"])
        #expect(f.join.leftRows(7).keys.sorted() == [1, 2])
        #expect(f.join.rightRows(7).keys.sorted() == [101])
        #expect(f.join.rightRows(9).isEmpty)
    }

    @Test func changedDerivedKeyRetractsAndAdds() {
        var f = Fixture()
        f.left(.upsert(1, Side(group: 1, payload: 0)))
        f.right(.upsert(10, Side(group: 1, payload: 0)))
        f.right(.upsert(20, Side(group: 2, payload: 0)))
        #expect(f.live.summary == ["1-10 g1 0/0"])
        // The left row moves from group 1 to 2.
        let moved = f.left(.upsert(1, Side(group: 2, payload: 0)))
        #expect(moved.count == 2)
        #expect(moved.contains { $0.key.right == 10 && $0.old != nil && $0.new == nil })
        #expect(moved.contains { $0.key.right == 20 && $0.old == nil && $0.new?.joinKey == 2 })
        #expect(f.live.summary == ["1-20 g2 0/0"])
        // The right row 10 moves into group 2 too.
        f.right(.upsert(10, Side(group: 2, payload: 5)))
        #expect(f.live.summary == ["1-10 g2 0/5", "1-20 g2 0/0"])
        // And right row 20 away.
        f.right(.upsert(20, Side(group: 3, payload: 0)))
        #expect(f.live.summary == ["1-10 g2 0/5"])
        #expect(f.join.rightRows(2).keys.sorted() == [10])
    }

    @Test func nilDerivedKeyJoinsNothing() {
        var f = Fixture()
        f.left(.upsert(1, Side(group: nil, payload: 0)))
        #expect(f.right(.upsert(10, Side(group: nil, payload: 0))).isEmpty)
        f.left(.upsert(2, Side(group: 4, payload: 0)))
        f.right(.upsert(20, Side(group: 4, payload: 0)))
        #expect(f.live.summary == ["2-20 g4 0/0"])
        // Becoming nil retracts; nil to nil with a new value does nothing.
        let retracted = f.left(.upsert(2, Side(group: nil, payload: 1)))
        #expect(retracted.count == 1 && retracted[0].new == nil)
        #expect(f.left(.upsert(2, Side(group: nil, payload: 2))).isEmpty)
        #expect(f.live.summary.isEmpty)
        // And back.
        f.left(.upsert(2, Side(group: 4, payload: 3)))
        #expect(f.live.summary == ["2-20 g4 3/0"])
    }

    @Test func deletesRetract() {
        var f = Fixture()
        f.left(.upsert(1, Side(group: 1, payload: 0)))
        f.left(.upsert(2, Side(group: 1, payload: 0)))
        f.right(.upsert(10, Side(group: 1, payload: 0)))
        f.right(.upsert(11, Side(group: 1, payload: 0)))
        #expect(f.live.summary.count == 4)
        let deleted = f.right(.delete(10))
        #expect(deleted.count == 2 && deleted.allSatisfy { $0.new == nil && $0.key.right == 10 })
        #expect(f.live.summary == ["1-11 g1 0/0", "2-11 g1 0/0"])
        f.left(.truncate)
        #expect(f.live.summary.isEmpty)
        #expect(f.join.leftRows(1).isEmpty)
    }

    @Test func sameKeyValueChangeUpdates() {
        var f = Fixture()
        f.left(.upsert(1, Side(group: 1, payload: 0)))
        f.right(.upsert(10, Side(group: 1, payload: 0)))
        let updated = f.left(.upsert(1, Side(group: 1, payload: 9)))
        #expect(updated.count == 1)
        #expect(updated.first?.old?.left.payload == 0)
        #expect(updated.first?.new?.left.payload == 9)
        let updatedRight = f.right(.upsert(10, Side(group: 1, payload: 8)))
        #expect(updatedRight.first?.old?.right.payload == 0 && updatedRight.first?.new?.right.payload == 8)
        #expect(f.live.summary == ["1-10 g1 9/8"])
    }

    /// Random upserts, deletes and truncates on both sides: the pairs kept from the deltas always equal a
    /// nested-loop join of the current tables.
    @Test(arguments: [1, 2, 3, 4])
    func randomizedAgainstNestedLoop(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var f = Fixture()
        for step in 0..<3000 {
            let key = random.next(below: 12)
            let group: Int? = random.next(below: 5) == 0 ? nil : random.next(below: 4)
            let row = Side(group: group, payload: random.next(below: 3))
            let change: TableChange<Int, Side> = switch random.next(below: 100) {
            case 0: .truncate
            case 1..<25: .delete(key)
            default: .upsert(key, row)
            }
            if random.next(below: 2) == 0 { f.left(change) } else { f.right(change) }
            #expect(f.live.summary == f.expected, "step \(step), seed \(seed)")
            if f.live.summary != f.expected { return }
        }
    }
}

@Suite("GroupedAggregate")
struct GroupedAggregateTests {
    typealias Min = GroupedAggregate<Int, (group: Int, value: Int), Int, Int>

    static func makeMin() -> Min {
        Min(group: { _, row in row.group }, reduce: { rows in rows.map(\.value).min() })
    }

    @Test func minimumWithRetraction() {
        var aggregate = Self.makeMin()
        var output: [TableDelta<Int, Int>] = []
        aggregate.apply(TableDelta(key: 1, old: nil, new: (group: 0, value: 5)), into: &output)
        aggregate.apply(TableDelta(key: 2, old: nil, new: (group: 0, value: 3)), into: &output)
        aggregate.apply(TableDelta(key: 3, old: nil, new: (group: 0, value: 4)), into: &output)
        #expect(output == [TableDelta(key: 0, old: nil, new: 5), TableDelta(key: 0, old: 5, new: 3)])
        output.removeAll()
        // Taking out the minimum needs the other members: 4 is next.
        aggregate.apply(TableDelta(key: 2, old: (group: 0, value: 3), new: nil), into: &output)
        #expect(output == [TableDelta(key: 0, old: 3, new: 4)])
        output.removeAll()
        // Moving row 3 to group 1.
        aggregate.apply(TableDelta(key: 3, old: (group: 0, value: 4), new: (group: 1, value: 4)), into: &output)
        #expect(output == [TableDelta(key: 0, old: 4, new: 5), TableDelta(key: 1, old: nil, new: 4)])
        output.removeAll()
        aggregate.apply(TableDelta(key: 1, old: (group: 0, value: 5), new: nil), into: &output)
        #expect(output == [TableDelta(key: 0, old: 5, new: nil)])
        #expect(aggregate[0] == nil)
        #expect(aggregate.results == [1: 4])
    }

    @Test(arguments: [11, 12, 13])
    func randomizedAgainstRecomputation(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var aggregate = Self.makeMin()
        var table = KeyedTable<Int, Pair>()
        var maintained: [Int: Int] = [:]
        for step in 0..<3000 {
            let key = random.next(below: 15)
            let change: TableChange<Int, Pair> = switch random.next(below: 100) {
            case 0: .truncate
            case 1..<30: .delete(key)
            default: .upsert(key, Pair(group: random.next(below: 4), value: random.next(below: 20) - 10))
            }
            var output: [TableDelta<Int, Int>] = []
            for delta in table.apply(change) {
                aggregate.apply(TableDelta(key: delta.key, old: delta.old.map { ($0.group, $0.value) },
                                           new: delta.new.map { ($0.group, $0.value) }), into: &output)
            }
            for delta in output {
                #expect(maintained[delta.key] == delta.old)
                #expect(delta.old != delta.new)
                maintained[delta.key] = delta.new
            }
            var expected: [Int: Int] = [:]
            for row in table.rows.values { expected[row.group] = min(expected[row.group] ?? .max, row.value) }
            #expect(maintained == expected, "step \(step)")
            #expect(aggregate.results == expected, "step \(step)")
            if aggregate.results != expected { return }
        }
    }

    struct Pair: Equatable, Sendable {
        var group: Int
        var value: Int
    }
}
