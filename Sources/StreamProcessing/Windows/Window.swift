/// A window of event time, `[start, end)`, in the unit its assigner works in (the Moodle answers use epoch
/// microseconds). Session windows are closed, `[start, end]`: first and last event (as in ksqlDB).
public struct Window: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    public static func < (lhs: Window, rhs: Window) -> Bool { (lhs.start, lhs.end) < (rhs.start, rhs.end) }

    public var description: String { "[\(start), \(end))" }
}

/// Which windows an event at a given time belongs to.
public protocol WindowAssigner: Sendable {
    func windows(for time: Int64) -> [Window]
}

/// Fixed-size, non-overlapping windows aligned to `origin` (ksqlDB `WINDOW TUMBLING (SIZE …)`).
public struct TumblingWindows: WindowAssigner {
    public let size: Int64
    public let origin: Int64

    public init(size: Int64, origin: Int64 = 0) {
        precondition(size > 0, "a window has a positive size")
        self.size = size
        self.origin = origin
    }

    public func windows(for time: Int64) -> [Window] {
        let start = origin + floorDivide(time - origin, size) * size
        return [Window(start: start, end: start + size)]
    }
}

/// Fixed-size windows starting every `advance` (ksqlDB `WINDOW HOPPING (SIZE …, ADVANCE BY …)`): an event
/// belongs to every window that covers it, `size / advance` of them when `advance` divides `size`.
public struct HoppingWindows: WindowAssigner {
    public let size: Int64
    public let advance: Int64
    public let origin: Int64

    public init(size: Int64, advance: Int64, origin: Int64 = 0) {
        precondition(size > 0 && advance > 0 && advance <= size, "0 < advance ≤ size")
        self.size = size
        self.advance = advance
        self.origin = origin
    }

    public func windows(for time: Int64) -> [Window] {
        var start = origin + floorDivide(time - origin, advance) * advance
        var windows: [Window] = []
        while start + size > time {
            windows.append(Window(start: start, end: start + size))
            start -= advance
        }
        return windows.reversed()
    }
}

/// Calendar windows whose length varies (weeks in a zone with daylight saving time, months): the caller
/// maps a time to its window.
public struct CalendarWindows: WindowAssigner {
    private let assign: @Sendable (Int64) -> Window

    public init(_ assign: @escaping @Sendable (Int64) -> Window) {
        self.assign = assign
    }

    public func windows(for time: Int64) -> [Window] { [assign(time)] }
}

@inline(__always)
func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}
