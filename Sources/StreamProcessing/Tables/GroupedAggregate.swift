/// A table grouped by a key derived from its rows, each group reduced to one value (ksqlDB's
/// `GROUP BY` over a table, with retraction): fed the rows' deltas, it keeps each group's members and
/// returns the groups whose result changed. The reduction sees all of a group's current members, so it
/// need not be invertible (minimum and maximum work); it returns nil for "no row" (an empty group has none).
public struct GroupedAggregate<RowKey: Hashable & Sendable, Row: Sendable, Group: Hashable & Sendable, Result: Equatable & Sendable>: Sendable {
    private let group: @Sendable (RowKey, Row) -> Group
    private let reduce: @Sendable ([Row]) -> Result?
    private var members: [Group: SmallMap<RowKey, Row>] = [:]
    public private(set) var results: [Group: Result] = [:]

    public init(group: @escaping @Sendable (RowKey, Row) -> Group, reduce: @escaping @Sendable ([Row]) -> Result?) {
        self.group = group
        self.reduce = reduce
    }

    public subscript(group: Group) -> Result? { results[group] }

    public mutating func apply(_ delta: TableDelta<RowKey, Row>, into output: inout [TableDelta<Group, Result>]) {
        var touched: [Group] = []
        if let old = delta.old {
            let oldGroup = group(delta.key, old)
            members[oldGroup]?[delta.key] = nil
            touched.append(oldGroup)
        }
        if let new = delta.new {
            let newGroup = group(delta.key, new)
            members[newGroup, default: SmallMap()][delta.key] = new
            if touched.first != newGroup { touched.append(newGroup) }
        }
        for key in touched {
            let rows = members[key]
            let result = rows.flatMap { $0.isEmpty ? nil : reduce($0.values) }
            if rows?.isEmpty == true { members[key] = nil }
            let old = results[key]
            guard old != result else { continue }
            results[key] = result
            output.append(TableDelta(key: key, old: old, new: result))
        }
    }
}
