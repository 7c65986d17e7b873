/// Event-time windowed aggregation over a table (ksqlDB `… WINDOW TUMBLING|HOPPING … GROUP BY`): each row
/// counts in the windows its event time falls in; a row whose time or group changes, or that goes, is taken
/// out of its old windows and put in its new ones — so a change to an old event revises the old window.
/// A window with no rows left disappears.
///
/// Changes accumulate until `drainChanges()`, which returns each touched window once with its value before
/// the first change and after the last (so a batch's intermediate states are not emitted).
public struct WindowedAggregation<Key: Hashable & Sendable, Row: Sendable, Group: Hashable & Sendable,
    Assigner: WindowAssigner, Aggregator: InvertibleAggregator>: Sendable
{
    public struct Slot: Hashable, Sendable {
        public var group: Group
        public var window: Window
    }

    private struct Cell: Sendable {
        var rows: Int
        var state: Aggregator.State
    }

    private let assigner: Assigner
    private let aggregator: Aggregator
    private let time: @Sendable (Row) -> Int64?
    private let groupOf: @Sendable (Key, Row) -> Group
    private let input: @Sendable (Row) -> Aggregator.Input
    private var cells: [Slot: Cell] = [:]
    private var pending: [Slot: Aggregator.State?] = [:]

    /// `time` nil leaves the row out (it has no event time).
    public init(
        assigner: Assigner, aggregator: Aggregator, time: @escaping @Sendable (Row) -> Int64?,
        group: @escaping @Sendable (Key, Row) -> Group, input: @escaping @Sendable (Row) -> Aggregator.Input
    ) {
        self.assigner = assigner
        self.aggregator = aggregator
        self.time = time
        self.groupOf = group
        self.input = input
    }

    public mutating func apply(_ delta: TableDelta<Key, Row>) {
        if let old = delta.old, let at = time(old) {
            let group = groupOf(delta.key, old)
            let value = input(old)
            for window in assigner.windows(for: at) { remove(value, from: Slot(group: group, window: window)) }
        }
        if let new = delta.new, let at = time(new) {
            let group = groupOf(delta.key, new)
            let value = input(new)
            for window in assigner.windows(for: at) { add(value, to: Slot(group: group, window: window)) }
        }
    }

    private mutating func add(_ value: Aggregator.Input, to slot: Slot) {
        var cell = cells[slot] ?? Cell(rows: 0, state: aggregator.zero)
        if pending[slot] == nil { pending[slot] = .some(cells[slot]?.state) }
        cell.rows += 1
        aggregator.add(value, to: &cell.state)
        cells[slot] = cell
    }

    private mutating func remove(_ value: Aggregator.Input, from slot: Slot) {
        guard var cell = cells[slot] else { return }
        if pending[slot] == nil { pending[slot] = .some(cell.state) }
        cell.rows -= 1
        aggregator.remove(value, from: &cell.state)
        cells[slot] = cell.rows == 0 ? nil : cell
    }

    /// The windows changed since the last drain, in group and window order.
    public mutating func drainChanges() -> [WindowChange<Group, Aggregator.State>] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending.compactMap { slot, old in
            let new = cells[slot]?.state
            return old == new ? nil : WindowChange(group: slot.group, window: slot.window, old: old, new: new)
        }.sorted { $0.window < $1.window }
    }

    /// A group's windows and their aggregates, in window order.
    public func windows(of group: Group) -> [(window: Window, state: Aggregator.State)] {
        cells.filter { $0.key.group == group }.map { ($0.key.window, $0.value.state) }.sorted { $0.window < $1.window }
    }

    /// Every (group, window) with rows.
    public var slotCount: Int { cells.count }
}
