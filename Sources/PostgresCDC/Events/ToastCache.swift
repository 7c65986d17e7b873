/// The last known big values of recently changed rows, to fill the unchanged TOASTed values pgoutput
/// leaves out of an update.
///
/// When an update does not change a value stored out of line (TOASTed), the server sends "unchanged"
/// instead of the value, and a Debezium event must still carry the whole row. The reader fills such values
/// from this cache (`fill`), encodes the event, then `remember`s the complete row; it `forget`s a row on
/// delete and a whole relation on truncate.
///
/// **What is kept.** Only values whose text is at least `threshold` bytes (default 1000). PostgreSQL
/// TOASTs only rows wider than `TOAST_TUPLE_THRESHOLD` (about 2 kB), compressing and then moving their
/// *biggest* values out of line until the row fits in `TOAST_TUPLE_TARGET` (about 2 kB), so an out-of-line
/// value is nearly always one of the big ones. Smaller values do get moved out of line only in rows with
/// many medium-sized values that do not compress, or under a lowered `toast_tuple_target`; fixed-size types
/// (integers, timestamps, uuid, ...) never. The text form is at least as long as the stored form for the
/// types that get TOASTed (text, bytea, json, numeric, arrays), so a stored value over 1 kB has text over
/// 1 kB. Lower `threshold` to cache more rows at more memory.
///
/// **Misses.** The cache starts empty at each start and is bounded: `maxBytes` (default 256 MiB), least
/// recently used rows evicted first, counted in `evictions`. `fill` returns the columns it could not fill;
/// the caller reports that miss (and decides what the event carries). Nothing here logs.
///
/// **Keys.** Rows are keyed by relation OID and the row's encoded key (`ChangeEventEncoder.encodeKey`);
/// for an update that changes the key, fill with the *old* key. Values are kept by column name and type
/// OID, so added, dropped or retyped columns never pick up another column's value. A table rewrite that
/// changes values without row changes (`ALTER COLUMN … TYPE … USING`) is not visible here: call
/// `forgetRelation` when a relation's columns change.
public struct ToastCache {
    /// Values shorter than this (bytes of text) are not kept.
    public var threshold: Int
    /// The bound on what the cache holds (values, keys, names and a per-row overhead).
    public var maxBytes: Int
    /// What the cache holds now, by the same measure.
    public private(set) var bytes = 0
    /// Rows dropped to stay under `maxBytes`, since the cache was made.
    public private(set) var evictions = 0

    public init(threshold: Int = 1000, maxBytes: Int = 256 << 20) {
        self.threshold = threshold
        self.maxBytes = maxBytes
    }

    /// How many rows have values kept.
    public var count: Int { slots.count }

    /// Keeps the big values of `tuple`, the latest known state of the row with `key`, replacing what was
    /// kept for it. Call it with the complete row (after `fill`).
    public mutating func remember(_ tuple: TupleData, relation: RelationSchema, key: [UInt8]) {
        var values: [Kept] = []
        for (column, value) in tuple.values.enumerated() where column < relation.columns.count {
            guard case .text(let text) = value, text.count >= threshold else { continue }
            values.append(Kept(name: relation.columns[column].name, typeOID: relation.columns[column].typeOID, text: text))
        }
        let rowKey = RowKey(relation: relation.oid, key: key)
        if let slot = slots[rowKey] { unlink(slot) }
        guard !values.isEmpty else { return }
        let size = Self.rowOverhead + key.count + values.reduce(0) { $0 + $1.size }
        let slot = allocate(Node(key: rowKey, values: values, size: size))
        slots[rowKey] = slot
        bytes += size
        pushFront(slot)
        evictWhileOverBound()
    }

    /// Replaces the `.unchangedToast` values of `tuple` with what was kept for the row with `key`. Returns
    /// the names of the columns it could not fill (empty when all were filled or none needed filling).
    public mutating func fill(_ tuple: inout TupleData, relation: RelationSchema, key: [UInt8]) -> [String] {
        var missing: [String] = []
        let slot = slots[RowKey(relation: relation.oid, key: key)]
        for column in tuple.values.indices where tuple.values[column] == .unchangedToast {
            guard column < relation.columns.count else { continue }
            let wanted = relation.columns[column]
            if let slot, let kept = nodes[slot].values.first(where: { $0.name == wanted.name && $0.typeOID == wanted.typeOID }) {
                tuple.values[column] = .text(kept.text)
            } else {
                missing.append(wanted.name)
            }
        }
        if let slot {
            moveToFront(slot)
        }
        return missing
    }

    /// Drops what was kept for one row (it was deleted).
    public mutating func forget(relation: RelationSchema, key: [UInt8]) {
        if let slot = slots[RowKey(relation: relation.oid, key: key)] { unlink(slot) }
    }

    /// Drops what was kept for every row of one relation (it was truncated, or its columns changed).
    public mutating func forgetRelation(_ oid: UInt32) {
        for (key, slot) in slots where key.relation == oid { unlink(slot) }
    }

    // MARK: - Least recently used list

    /// A guess at the dictionary, array and allocation overhead of one row, so that many small rows count.
    static let rowOverhead = 128

    private struct RowKey: Hashable {
        var relation: UInt32
        var key: [UInt8]
    }

    private struct Kept {
        var name: String
        var typeOID: UInt32
        var text: [UInt8]
        var size: Int { name.utf8.count + text.count + 32 }
    }

    private struct Node {
        var key: RowKey
        var values: [Kept]
        var size: Int
        var newer = -1
        var older = -1
    }

    private var slots: [RowKey: Int] = [:]
    private var nodes: [Node] = []
    private var free: [Int] = []
    private var newest = -1
    private var oldest = -1

    private mutating func allocate(_ node: Node) -> Int {
        if let slot = free.popLast() {
            nodes[slot] = node
            return slot
        }
        nodes.append(node)
        return nodes.count - 1
    }

    private mutating func pushFront(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = -1
        if newest >= 0 { nodes[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func detach(_ slot: Int) {
        let newer = nodes[slot].newer, older = nodes[slot].older
        if newer >= 0 { nodes[newer].older = older } else { newest = older }
        if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
    }

    private mutating func moveToFront(_ slot: Int) {
        guard newest != slot else { return }
        detach(slot)
        pushFront(slot)
    }

    /// Removes a row entirely and frees its slot.
    private mutating func unlink(_ slot: Int) {
        detach(slot)
        slots[nodes[slot].key] = nil
        bytes -= nodes[slot].size
        nodes[slot] = Node(key: RowKey(relation: 0, key: []), values: [], size: 0)
        free.append(slot)
    }

    private mutating func evictWhileOverBound() {
        while bytes > maxBytes, oldest >= 0 {
            unlink(oldest)
            evictions += 1
        }
    }
}
