/// Rounds epoch-millisecond values down to the start of their `date_histogram` bucket, as OpenSearch's
/// `Rounding` does: calendar units in the zone's local time (weeks start on Monday), fixed intervals aligned
/// to the epoch in local time, then `offset` added. Fixed-length units in fixed-offset zones are pure
/// arithmetic; everything else looks values up in bucket boundaries computed once per range (a cached
/// binary search), so Foundation's zone data is consulted per boundary, never per value.
final class DateRounding {
    let interval: DateInterval
    let zone: ZoneRules
    let offset: Int64
    /// Set when buckets are `step` long and aligned: key = floor((v - offset + zoneOffset - anchor) / step) * step + ...
    private let arithmetic: (step: Int64, anchor: Int64, zoneOffset: Int64)?
    /// Bucket starts (before `offset`), ascending; the last one ends the covered range.
    private(set) var boundaries: [Int64] = []

    init(interval: DateInterval, zone: ZoneRules, offset: Int64) {
        self.interval = interval
        self.zone = zone
        self.offset = offset
        let length: Int64?
        switch interval {
        case .fixed(let millis): length = millis
        case .calendar(let unit): length = unit.fixedMillis
        }
        if let length, let zoneOffset = zone.fixedOffset {
            // 1970-01-05 was a Monday: weeks are aligned there, everything else at the epoch.
            let anchor: Int64 = interval == .calendar(.week) ? 4 * AggregationCalendar.millisPerDay : 0
            arithmetic = (length, anchor, zoneOffset)
        } else {
            arithmetic = nil
        }
    }

    /// Makes `key(_:)` valid for values in `[minimum, maximum]`.
    func prepare(minimum: Int64, maximum: Int64) {
        guard arithmetic == nil else { return }
        let low = minimum.subtractingClamped(offset), high = maximum.subtractingClamped(offset)
        if boundaries.count >= 2, boundaries[0] <= low, high < boundaries[boundaries.count - 1] { return }
        // Widen by half the span already covered, so that batches arriving in time order re-plan rarely.
        let margin = boundaries.count >= 2 ? (boundaries[boundaries.count - 1] - boundaries[0]) / 2 : 0
        let from = boundaries.first.map { low < $0 ? Swift.min(low, $0.subtractingClamped(margin)) : $0 } ?? low
        let to = boundaries.last.map { high >= $0 ? Swift.max(high, $0.addingClamped(margin)) : $0 } ?? high
        // Boundaries start one unit before `from` and end one unit after `to`: the zone's offsets must be
        // known there too (an offset table prepared for a November batch alone would map October's start
        // with November's offset).
        let span = unitSpan + 2 * AggregationCalendar.millisPerDay
        zone.prepare(from: from.subtractingClamped(span), to: to.addingClamped(span))
        boundaries = computeBoundaries(from: from, to: to)
    }

    /// The longest a bucket can be (a calendar unit at its longest, or the fixed interval).
    private var unitSpan: Int64 {
        switch interval {
        case .fixed(let millis): return millis
        case .calendar(let unit):
            if let millis = unit.fixedMillis { return millis + 3_600_000 }
            switch unit {
            case .month: return 31 * AggregationCalendar.millisPerDay
            case .quarter: return 92 * AggregationCalendar.millisPerDay
            default: return 366 * AggregationCalendar.millisPerDay
            }
        }
    }

    /// The bucket key (UTC ms, `offset` included) of a value; the value must be within the prepared range.
    func key(_ value: Int64) -> Int64 {
        var table = self.table
        return table.key(value)
    }

    /// What `key(_:)` needs, as a value a collector keeps in a local variable for its loop (no class accesses).
    var table: Table { Table(arithmetic: arithmetic, offset: offset, boundaries: boundaries) }

    struct Table {
        let arithmetic: (step: Int64, anchor: Int64, zoneOffset: Int64)?
        let offset: Int64
        let boundaries: [Int64]
        private var cached = 0

        init(arithmetic: (step: Int64, anchor: Int64, zoneOffset: Int64)?, offset: Int64, boundaries: [Int64]) {
            self.arithmetic = arithmetic
            self.offset = offset
            self.boundaries = boundaries
        }

        @inline(__always)
        mutating func key(_ value: Int64) -> Int64 {
            let shifted = value &- offset
            if let arithmetic {
                let local = shifted &+ arithmetic.zoneOffset &- arithmetic.anchor
                return AggregationCalendar.floorDiv(local, arithmetic.step) &* arithmetic.step &+ arithmetic.anchor &- arithmetic.zoneOffset &+ offset
            }
            return boundaries[index(of: shifted)] &+ offset
        }

        @inline(__always)
        private mutating func index(of shifted: Int64) -> Int {
            let guess = cached
            if boundaries[guess] <= shifted, shifted < boundaries[guess + 1] { return guess }
            var low = 0, high = boundaries.count - 2
            while low < high {
                let middle = (low + high + 1) >> 1
                if boundaries[middle] <= shifted { low = middle } else { high = middle - 1 }
            }
            cached = low
            return low
        }
    }

    /// Rounds one value (preparing the range as needed).
    func round(_ value: Int64) -> Int64 {
        prepare(minimum: value, maximum: value)
        return key(value)
    }

    /// All bucket keys from the bucket of `first` through the bucket of `last`, ascending.
    func keys(from first: Int64, through last: Int64) -> [Int64] {
        guard first <= last else { return [] }
        prepare(minimum: first, maximum: last)
        let start = key(first), end = key(last)
        if let arithmetic {
            return Array(stride(from: start, through: end, by: Int(arithmetic.step)))
        }
        return boundaries.dropLast().map { $0 &+ offset }.filter { $0 >= start && $0 <= end }
    }

    /// How many buckets `keys(from:through:)` would give, without building them (for the bucket limit).
    func keyCount(from first: Int64, through last: Int64) -> Int64 {
        guard first <= last else { return 0 }
        if let arithmetic { return (key(last) - key(first)) / arithmetic.step + 1 }
        let span = Double(last) - Double(first)
        let shortest: Double
        switch interval {
        case .fixed(let millis): shortest = Double(millis) - 3_600_000
        case .calendar(let unit): shortest = Double(unit.fixedMillis ?? 28 * AggregationCalendar.millisPerDay) - 3_600_000
        }
        return Int64(span / Swift.max(shortest, 1)) + 2
    }

    private enum Alignment { case midnight, clock, fixed }

    /// Bucket starts covering `[from, to]`: local unit starts mapped to UTC instants.
    private func computeBoundaries(from: Int64, to: Int64) -> [Int64] {
        let alignment: Alignment
        switch interval {
        case .fixed: alignment = .fixed
        case .calendar(.second), .calendar(.minute), .calendar(.hour): alignment = .clock
        case .calendar: alignment = .midnight
        }
        var local = previous(truncate(from &+ zone.offset(at: from)))
        var result: [Int64] = []
        while true {
            let (instants, gapEnd) = zone.instants(ofLocal: local)
            switch alignment {
            case .midnight: if let first = instants.first ?? gapEnd { result.append(first) }
            case .clock: result.append(contentsOf: instants)
            case .fixed: result.append(contentsOf: instants.isEmpty ? gapEnd.map { [$0] } ?? [] : instants)
            }
            if let last = result.last, last > to, result.count >= 2 { break }
            local = next(local)
        }
        var unique: [Int64] = []
        for boundary in result where unique.last.map({ boundary > $0 }) ?? true { unique.append(boundary) }
        return unique
    }

    private func truncate(_ local: Int64) -> Int64 {
        switch interval {
        case .fixed(let step): return AggregationCalendar.floorDiv(local, step) * step
        case .calendar(let unit):
            if unit == .week {
                let anchor = 4 * AggregationCalendar.millisPerDay
                return AggregationCalendar.floorDiv(local - anchor, 7 * AggregationCalendar.millisPerDay) * 7 * AggregationCalendar.millisPerDay + anchor
            }
            if let step = unit.fixedMillis { return AggregationCalendar.floorDiv(local, step) * step }
            let date = AggregationCalendar.civil(days: AggregationCalendar.floorDiv(local, AggregationCalendar.millisPerDay))
            switch unit {
            case .month: return AggregationCalendar.localMillis(year: date.year, month: date.month, day: 1)
            case .quarter: return AggregationCalendar.localMillis(year: date.year, month: (date.month - 1) / 3 * 3 + 1, day: 1)
            default: return AggregationCalendar.localMillis(year: date.year, month: 1, day: 1)
            }
        }
    }

    private func next(_ local: Int64) -> Int64 { step(local, by: 1) }
    private func previous(_ local: Int64) -> Int64 { step(local, by: -1) }

    private func step(_ local: Int64, by count: Int64) -> Int64 {
        switch interval {
        case .fixed(let step): return local + count * step
        case .calendar(let unit):
            if let step = unit.fixedMillis { return local + count * step }
            switch unit {
            case .month: return AggregationCalendar.addMonths(local, count)
            case .quarter: return AggregationCalendar.addMonths(local, 3 * count)
            default: return AggregationCalendar.addMonths(local, 12 * count)
            }
        }
    }
}
