/// Session windows over a table (ksqlDB `WINDOW SESSION (gap)`): per group, rows whose event times are
/// within `gap` of each other chain into one session `[first, last]`. A changed or removed row can split a
/// session or merge two; `drainChanges()` returns the sessions that disappeared (`new` nil) and appeared
/// (`old` nil) or changed their aggregate since the last drain.
public struct SessionWindowedAggregation<Key: Hashable & Sendable, Row: Sendable, Group: Hashable & Sendable,
    Aggregator: InvertibleAggregator>: Sendable
{
    private let gap: Int64
    private let aggregator: Aggregator
    private let time: @Sendable (Row) -> Int64?
    private let groupOf: @Sendable (Key, Row) -> Group
    private let input: @Sendable (Row) -> Aggregator.Input
    private var members: [Group: [Key: (time: Int64, input: Aggregator.Input)]] = [:]
    private var sessions: [Group: [Window: Aggregator.State]] = [:]
    private var dirty: Set<Group> = []

    public init(
        gap: Int64, aggregator: Aggregator, time: @escaping @Sendable (Row) -> Int64?,
        group: @escaping @Sendable (Key, Row) -> Group, input: @escaping @Sendable (Row) -> Aggregator.Input
    ) {
        precondition(gap >= 0, "a session gap is not negative")
        self.gap = gap
        self.aggregator = aggregator
        self.time = time
        self.groupOf = group
        self.input = input
    }

    public mutating func apply(_ delta: TableDelta<Key, Row>) {
        if let old = delta.old, time(old) != nil {
            let group = groupOf(delta.key, old)
            members[group]?[delta.key] = nil
            if members[group]?.isEmpty == true { members[group] = nil }
            dirty.insert(group)
        }
        if let new = delta.new, let at = time(new) {
            let group = groupOf(delta.key, new)
            members[group, default: [:]][delta.key] = (at, input(new))
            dirty.insert(group)
        }
    }

    /// The sessions of a group as they are now, in time order.
    public func sessions(of group: Group) -> [(window: Window, state: Aggregator.State)] {
        computeSessions(group).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public mutating func drainChanges() -> [WindowChange<Group, Aggregator.State>] {
        var changes: [WindowChange<Group, Aggregator.State>] = []
        for group in dirty {
            let before = sessions[group] ?? [:]
            let after = computeSessions(group)
            for (window, state) in before where after[window] != state {
                if after[window] == nil { changes.append(WindowChange(group: group, window: window, old: state, new: nil)) }
            }
            for (window, state) in after where before[window] != state {
                changes.append(WindowChange(group: group, window: window, old: before[window], new: state))
            }
            sessions[group] = after.isEmpty ? nil : after
        }
        dirty.removeAll()
        return changes.sorted { $0.window < $1.window }
    }

    private func computeSessions(_ group: Group) -> [Window: Aggregator.State] {
        guard let rows = members[group], !rows.isEmpty else { return [:] }
        let ordered = rows.values.sorted { $0.time < $1.time }
        var result: [Window: Aggregator.State] = [:]
        var window = Window(start: ordered[0].time, end: ordered[0].time)
        var state = aggregator.zero
        for row in ordered {
            if row.time - window.end > gap {
                result[window] = state
                window = Window(start: row.time, end: row.time)
                state = aggregator.zero
            }
            window.end = row.time
            aggregator.add(row.input, to: &state)
        }
        result[window] = state
        return result
    }
}
