import Testing
import StreamProcessing

/// A row of the windowed tests: its event time (nil: none) and group.
struct Event: Equatable, Sendable {
    var time: Int64?
    var group: String = "g"
    var amount: Int64 = 1
}

private func w(_ start: Int64, _ end: Int64) -> Window { Window(start: start, end: end) }

@Suite("Window assigners")
struct WindowAssignerTests {
    @Test func tumbling() {
        let windows = TumblingWindows(size: 10)
        #expect(windows.windows(for: 0) == [w(0, 10)])
        #expect(windows.windows(for: 9) == [w(0, 10)])
        #expect(windows.windows(for: 10) == [w(10, 20)])
        #expect(windows.windows(for: -1) == [w(-10, 0)])
        #expect(windows.windows(for: -10) == [w(-10, 0)])
        #expect(windows.windows(for: -11) == [w(-20, -10)])
        let shifted = TumblingWindows(size: 10, origin: 3)
        #expect(shifted.windows(for: 3) == [w(3, 13)])
        #expect(shifted.windows(for: 2) == [w(-7, 3)])
    }

    @Test func hopping() {
        let windows = HoppingWindows(size: 10, advance: 5)
        #expect(windows.windows(for: 0) == [w(-5, 5), w(0, 10)])
        #expect(windows.windows(for: 7) == [w(0, 10), w(5, 15)])
        #expect(windows.windows(for: -1) == [w(-10, 0), w(-5, 5)])
        #expect(windows.windows(for: -5) == [w(-10, 0), w(-5, 5)])
        #expect(windows.windows(for: -6) == [w(-15, -5), w(-10, 0)])
        // Every time is in exactly size/advance windows, each covering it.
        for time in Int64(-50)...50 {
            let covering = windows.windows(for: time)
            #expect(covering.count == 2)
            #expect(covering.allSatisfy { $0.start <= time && time < $0.end && $0.end - $0.start == 10 })
        }
        let uneven = HoppingWindows(size: 10, advance: 3)
        for time in Int64(-30)...30 {
            let expected = stride(from: Int64(-60), through: 60, by: 3).filter { $0 <= time && time < $0 + 10 }
            #expect(uneven.windows(for: time).map(\.start) == expected)
        }
        #expect(HoppingWindows(size: 10, advance: 10).windows(for: 15) == [w(10, 20)])
    }

    @Test func calendar() {
        // "Months" of 30 and 31 units, alternating.
        let months = CalendarWindows { time in
            let pair = (time >= 0 ? time : time - 60) / 61 * 61
            return time - pair < 30 ? Window(start: pair, end: pair + 30) : Window(start: pair + 30, end: pair + 61)
        }
        #expect(months.windows(for: 0) == [w(0, 30)])
        #expect(months.windows(for: 30) == [w(30, 61)])
        #expect(months.windows(for: 61) == [w(61, 91)])
    }

    @Test func windowOrderAndDescription() {
        #expect(w(0, 5) < w(0, 10))
        #expect(w(-1, 10) < w(0, 1))
        #expect(w(0, 10).description == "[0, 10)")
    }
}

@Suite("WindowedAggregation")
struct WindowedAggregationTests {
    static func count<A: WindowAssigner>(_ assigner: A) -> WindowedAggregation<Int, Event, String, A, CountAggregator<Event>> {
        WindowedAggregation(assigner: assigner, aggregator: CountAggregator(), time: { $0.time }, group: { _, row in row.group },
                            input: { $0 })
    }

    static func sum<A: WindowAssigner>(_ assigner: A) -> WindowedAggregation<Int, Event, String, A, SumAggregator> {
        WindowedAggregation(assigner: assigner, aggregator: SumAggregator(), time: { $0.time }, group: { _, row in row.group },
                            input: { $0.amount })
    }

    static func state<S>(_ windows: [(window: Window, state: S)]) -> [String] {
        windows.map { "\($0.window.start)..\($0.window.end):\($0.state)" }
    }

    static func changes<S>(_ changes: [WindowChange<String, S>]) -> [String] {
        changes.map { "\($0.group)\($0.window.start) \($0.old.map { "\($0)" } ?? "-")→\($0.new.map { "\($0)" } ?? "-")" }.sorted()
    }

    @Test func tumblingCountsAndRevisions() {
        var counts = Self.count(TumblingWindows(size: 10))
        counts.apply(TableDelta(key: 1, old: nil, new: Event(time: 3)))
        counts.apply(TableDelta(key: 2, old: nil, new: Event(time: 7)))
        counts.apply(TableDelta(key: 3, old: nil, new: Event(time: 12)))
        counts.apply(TableDelta(key: 4, old: nil, new: Event(time: nil)))
        #expect(Self.changes(counts.drainChanges()) == ["g0 -→2", "g10 -→1"])
        #expect(Self.state(counts.windows(of: "g")) == ["0..10:2", "10..20:1"])
        // Moving row 2 from [0,10) to [10,20) revises both.
        counts.apply(TableDelta(key: 2, old: Event(time: 7), new: Event(time: 15)))
        #expect(Self.changes(counts.drainChanges()) == ["g0 2→1", "g10 1→2"])
        // A row without a time joins when it gets one.
        counts.apply(TableDelta(key: 4, old: Event(time: nil), new: Event(time: -3)))
        #expect(Self.changes(counts.drainChanges()) == ["g-10 -→1"])
        #expect(counts.drainChanges().isEmpty)
        #expect(counts.slotCount == 3)
    }

    @Test func drainReportsFirstOldAndLastNew() {
        var sums = Self.sum(TumblingWindows(size: 10))
        sums.apply(TableDelta(key: 1, old: nil, new: Event(time: 1, amount: 5)))
        sums.apply(TableDelta(key: 2, old: nil, new: Event(time: 21, amount: 1)))
        _ = sums.drainChanges()
        // Window 0: 5 → 7 → 9 → 4; window 20: 1 → 2 → 1 (back to its old value: nothing); window 10 appears.
        sums.apply(TableDelta(key: 3, old: nil, new: Event(time: 2, amount: 2)))
        sums.apply(TableDelta(key: 3, old: Event(time: 2, amount: 2), new: Event(time: 2, amount: 4)))
        sums.apply(TableDelta(key: 2, old: Event(time: 21, amount: 1), new: Event(time: 22, amount: 2)))
        sums.apply(TableDelta(key: 2, old: Event(time: 22, amount: 2), new: Event(time: 23, amount: 1)))
        sums.apply(TableDelta(key: 1, old: Event(time: 1, amount: 5), new: Event(time: 11, amount: 5)))
        let changes = sums.drainChanges()
        #expect(Self.changes(changes) == ["g0 5→4", "g10 -→5"])
        #expect(Set(changes.map(\.window)).count == changes.count)
        // A window that appears and goes within a batch reports nothing.
        sums.apply(TableDelta(key: 9, old: nil, new: Event(time: 55)))
        sums.apply(TableDelta(key: 9, old: Event(time: 55), new: nil))
        #expect(sums.drainChanges().isEmpty)
    }

    @Test func emptyWindowsDisappear() {
        var sums = Self.sum(TumblingWindows(size: 10))
        sums.apply(TableDelta(key: 1, old: nil, new: Event(time: 1, amount: 3)))
        sums.apply(TableDelta(key: 2, old: nil, new: Event(time: 2, amount: -3)))
        _ = sums.drainChanges()
        // Sum 0 with rows is still a window; with no rows it is gone (new nil), not 0.
        sums.apply(TableDelta(key: 1, old: Event(time: 1, amount: 3), new: nil))
        #expect(Self.changes(sums.drainChanges()) == ["g0 0→-3"])
        sums.apply(TableDelta(key: 2, old: Event(time: 2, amount: -3), new: Event(time: nil)))
        let changes = sums.drainChanges()
        #expect(changes.count == 1 && changes[0].new == nil && changes[0].old == -3)
        #expect(sums.windows(of: "g").isEmpty)
        #expect(sums.slotCount == 0)
    }

    @Test func groupsAreSeparate() {
        var counts = Self.count(TumblingWindows(size: 10))
        counts.apply(TableDelta(key: 1, old: nil, new: Event(time: 1, group: "a")))
        counts.apply(TableDelta(key: 2, old: nil, new: Event(time: 1, group: "b")))
        _ = counts.drainChanges()
        counts.apply(TableDelta(key: 1, old: Event(time: 1, group: "a"), new: Event(time: 1, group: "b")))
        #expect(Self.changes(counts.drainChanges()) == ["a0 1→-", "b0 1→2"])
        #expect(Self.state(counts.windows(of: "b")) == ["0..10:2"])
        #expect(counts.windows(of: "a").isEmpty)
    }

    @Test func hoppingEventInTwoWindows() {
        var counts = Self.count(HoppingWindows(size: 10, advance: 5))
        counts.apply(TableDelta(key: 1, old: nil, new: Event(time: 7)))
        #expect(Self.changes(counts.drainChanges()) == ["g0 -→1", "g5 -→1"])
        counts.apply(TableDelta(key: 2, old: nil, new: Event(time: -2)))
        #expect(Self.changes(counts.drainChanges()) == ["g-10 -→1", "g-5 -→1"])
        #expect(Self.state(counts.windows(of: "g")) == ["-10..0:1", "-5..5:1", "0..10:1", "5..15:1"])
        // Moving from 7 to 3: leaves [5,15), joins [-5,5), stays in [0,10).
        counts.apply(TableDelta(key: 1, old: Event(time: 7), new: Event(time: 3)))
        #expect(Self.changes(counts.drainChanges()) == ["g-5 1→2", "g5 1→-"])
    }

    @Test func calendarWindows() {
        // Uneven windows: [0,7), [7,15), [15,30), then tens.
        let calendar = CalendarWindows { time in
            switch time {
            case ..<0: Window(start: (time - 9) / 10 * 10, end: (time - 9) / 10 * 10 + 10)
            case 0..<7: Window(start: 0, end: 7)
            case 7..<15: Window(start: 7, end: 15)
            case 15..<30: Window(start: 15, end: 30)
            default: Window(start: time / 10 * 10, end: time / 10 * 10 + 10)
            }
        }
        var counts = Self.count(calendar)
        for (key, time) in [(1, 0), (2, 6), (3, 7), (4, 29), (5, -1)] as [(Int, Int64)] {
            counts.apply(TableDelta(key: key, old: nil, new: Event(time: time)))
        }
        #expect(Self.state(counts.windows(of: "g")) == ["-10..0:1", "0..7:2", "7..15:1", "15..30:1"])
        _ = counts.drainChanges()
        counts.apply(TableDelta(key: 2, old: Event(time: 6), new: Event(time: 14)))
        #expect(Self.changes(counts.drainChanges()) == ["g0 2→1", "g7 1→2"])
    }

    /// Random changes against a count recomputed from the rows, and drained changes against the previous
    /// drain's state.
    @Test(arguments: [21, 22])
    func randomizedAgainstRecomputation(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let assigner = HoppingWindows(size: 10, advance: 5)
        var sums = Self.sum(assigner)
        var table = KeyedTable<Int, Event>()
        var drained: [String: Int64] = [:]
        for step in 0..<2000 {
            let key = random.next(below: 10)
            let time: Int64? = random.next(below: 8) == 0 ? nil : Int64(random.next(below: 60)) - 30
            let event = Event(time: time, group: ["a", "b"][random.next(below: 2)], amount: Int64(random.next(below: 3)))
            let change: TableChange<Int, Event> = random.next(below: 4) == 0 ? .delete(key) : .upsert(key, event)
            for delta in table.apply(change) { sums.apply(delta) }
            guard step % 3 == 0 else { continue }
            var expected: [String: Int64] = [:]
            for row in table.rows.values {
                guard let time = row.time else { continue }
                for window in assigner.windows(for: time) { expected["\(row.group)\(window.start)", default: 0] += row.amount }
            }
            for change in sums.drainChanges() {
                let slot = "\(change.group)\(change.window.start)"
                #expect(drained[slot] == change.old, "step \(step) \(slot)")
                #expect(change.old != change.new)
                drained[slot] = change.new
            }
            #expect(drained == expected, "step \(step)")
            if drained != expected { return }
        }
    }
}

@Suite("SessionWindowedAggregation")
struct SessionWindowedAggregationTests {
    typealias Sessions = SessionWindowedAggregation<Int, Event, String, CountAggregator<Event>>

    static func make() -> Sessions {
        Sessions(gap: 5, aggregator: CountAggregator(), time: { $0.time }, group: { _, row in row.group }, input: { $0 })
    }

    static func sessions(_ aggregation: Sessions) -> [String] {
        aggregation.sessions(of: "g").map { "[\($0.window.start),\($0.window.end)]:\($0.state)" }
    }

    static func changes(_ changes: [WindowChange<String, Int>]) -> [String] {
        changes.map { "[\($0.window.start),\($0.window.end)] \($0.old.map(String.init) ?? "-")→\($0.new.map(String.init) ?? "-")" }
    }

    @Test func mergeAndSplit() {
        var sessions = Self.make()
        for (key, time) in [(1, 0), (2, 3), (3, 20)] as [(Int, Int64)] {
            sessions.apply(TableDelta(key: key, old: nil, new: Event(time: time)))
        }
        #expect(Self.sessions(sessions) == ["[0,3]:2", "[20,20]:1"])
        #expect(Self.changes(sessions.drainChanges()) == ["[0,3] -→2", "[20,20] -→1"])
        // 10 and 15 chain to 20 (gaps of 5 are within the gap), not to 3 (7 away).
        sessions.apply(TableDelta(key: 4, old: nil, new: Event(time: 10)))
        sessions.apply(TableDelta(key: 5, old: nil, new: Event(time: 15)))
        #expect(Self.sessions(sessions) == ["[0,3]:2", "[10,20]:3"])
        #expect(Self.changes(sessions.drainChanges()) == ["[10,20] -→3", "[20,20] 1→-"])
        // 7 bridges 3 and 10: one session.
        sessions.apply(TableDelta(key: 6, old: nil, new: Event(time: 7)))
        #expect(Self.sessions(sessions) == ["[0,20]:6"])
        #expect(Self.changes(sessions.drainChanges()) == ["[0,3] 2→-", "[0,20] -→6", "[10,20] 3→-"])
        // Removing 15 splits it.
        sessions.apply(TableDelta(key: 5, old: Event(time: 15), new: nil))
        #expect(Self.sessions(sessions) == ["[0,10]:4", "[20,20]:1"])
        #expect(Self.changes(sessions.drainChanges()) == ["[0,10] -→4", "[0,20] 6→-", "[20,20] -→1"])
        // Same window, different count: an update.
        sessions.apply(TableDelta(key: 7, old: nil, new: Event(time: 20)))
        #expect(Self.changes(sessions.drainChanges()) == ["[20,20] 1→2"])
        #expect(sessions.drainChanges().isEmpty)
    }

    @Test func brieflyChangedSessionsReportNothing() {
        var sessions = Self.make()
        sessions.apply(TableDelta(key: 1, old: nil, new: Event(time: 0)))
        _ = sessions.drainChanges()
        sessions.apply(TableDelta(key: 2, old: nil, new: Event(time: 4)))
        sessions.apply(TableDelta(key: 2, old: Event(time: 4), new: nil))
        #expect(sessions.drainChanges().isEmpty)
        sessions.apply(TableDelta(key: 1, old: Event(time: 0), new: Event(time: nil)))
        #expect(Self.changes(sessions.drainChanges()) == ["[0,0] 1→-"])
        #expect(sessions.sessions(of: "g").isEmpty)
    }

    @Test func groupsAreSeparate() {
        var sessions = Self.make()
        sessions.apply(TableDelta(key: 1, old: nil, new: Event(time: 0, group: "a")))
        sessions.apply(TableDelta(key: 2, old: nil, new: Event(time: 2, group: "b")))
        #expect(sessions.drainChanges().count == 2)
        sessions.apply(TableDelta(key: 2, old: Event(time: 2, group: "b"), new: Event(time: 2, group: "a")))
        let changes = sessions.drainChanges()
        #expect(Set(changes.map { "\($0.group)[\($0.window.start),\($0.window.end)] \($0.old ?? 0)→\($0.new ?? 0)" })
            == ["a[0,0] 1→0", "a[0,2] 0→2", "b[2,2] 1→0"])
    }

    /// Sessions kept from the drained changes equal sessions recomputed from the rows.
    @Test(arguments: [31, 32])
    func randomizedAgainstRecomputation(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var sessions = Self.make()
        var table = KeyedTable<Int, Event>()
        var drained: [Window: Int] = [:]
        for step in 0..<2000 {
            let key = random.next(below: 12)
            let time: Int64? = random.next(below: 10) == 0 ? nil : Int64(random.next(below: 80)) - 20
            let change: TableChange<Int, Event> = random.next(below: 4) == 0 ? .delete(key) : .upsert(key, Event(time: time))
            for delta in table.apply(change) { sessions.apply(delta) }
            guard step % 2 == 0 else { continue }
            for change in sessions.drainChanges() {
                #expect(drained[change.window] == change.old, "step \(step)")
                drained[change.window] = change.new
            }
            var expected: [Window: Int] = [:]
            let times = table.rows.values.compactMap(\.time).sorted()
            var index = 0
            while index < times.count {
                var end = index
                while end + 1 < times.count, times[end + 1] - times[end] <= 5 { end += 1 }
                expected[Window(start: times[index], end: times[end])] = end - index + 1
                index = end + 1
            }
            #expect(drained == expected, "step \(step)")
            if drained != expected { return }
        }
    }
}
