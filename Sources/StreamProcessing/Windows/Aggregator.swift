/// An aggregate that can take a value back out (count, sum): what lets a windowed aggregation over a table
/// revise an old window when a row changes or goes, without keeping the rows.
public protocol InvertibleAggregator: Sendable {
    associatedtype Input: Sendable
    associatedtype State: Equatable & Sendable
    var zero: State { get }
    func add(_ input: Input, to state: inout State)
    func remove(_ input: Input, from state: inout State)
}

/// COUNT(*).
public struct CountAggregator<Input: Sendable>: InvertibleAggregator {
    public init() {}
    public var zero: Int { 0 }
    public func add(_ input: Input, to state: inout Int) { state += 1 }
    public func remove(_ input: Input, from state: inout Int) { state -= 1 }
}

/// SUM of an integer.
public struct SumAggregator: InvertibleAggregator {
    public init() {}
    public var zero: Int64 { 0 }
    public func add(_ input: Int64, to state: inout Int64) { state += input }
    public func remove(_ input: Int64, from state: inout Int64) { state -= input }
}

/// A window's aggregate changed: `old` nil when the window is new, `new` nil when its last row went.
public struct WindowChange<Group: Hashable & Sendable, State: Equatable & Sendable>: Sendable, Equatable {
    public var group: Group
    public var window: Window
    public var old: State?
    public var new: State?
}
