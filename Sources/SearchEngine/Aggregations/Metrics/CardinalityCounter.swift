import Foundation

/// Distinct values of one bucket, from 64-bit hashes: exact (an open-addressing set) while there are at most
/// `threshold` of them — OpenSearch's linear-counting capacity for the precision — then HyperLogLog registers
/// (OpenSearch's register and run-length layout), estimated with Ertl's improved estimator, which needs
/// no empirical bias tables and is unbiased over the whole range.
struct CardinalityCounter {
    let precision: Int
    private let threshold: Int
    /// Exact hashes (0 marks an empty slot; the hash 0 is kept in `hasZero`).
    private var slots: [UInt64] = []
    private var exactCount = 0
    private var hasZero = false
    private var registers: [UInt8] = []
    private var usesRegisters = false

    /// OpenSearch's `HyperLogLogPlusPlus.precisionFromThreshold`.
    static func precision(threshold: Int) -> Int {
        let entries = Int((Double(threshold) / 0.75).rounded(.up))
        let bits = Int.bitWidth - (entries * 4).leadingZeroBitCount
        return min(max(bits, 4), 18)
    }

    init(precision: Int) {
        self.precision = precision
        threshold = Int(Double((1 << precision) / 4) * 0.75)
    }

    var isExact: Bool { !usesRegisters }

    @inline(__always)
    mutating func add(_ hash: UInt64) {
        if usesRegisters {
            addToRegisters(hash)
            return
        }
        if hash == 0 {
            if !hasZero { hasZero = true; exactCount += 1 }
        } else {
            if slots.isEmpty { slots = [UInt64](repeating: 0, count: 64) }
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while true {
                let stored = slots[slot]
                if stored == hash { return }
                if stored == 0 { break }
                slot = (slot + 1) & mask
            }
            slots[slot] = hash
            exactCount += 1
            if exactCount * 2 > slots.count { growSet() }
        }
        if exactCount > threshold { upgrade() }
    }

    private mutating func growSet() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for hash in old where hash != 0 {
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = hash
        }
    }

    private mutating func upgrade() {
        registers = [UInt8](repeating: 0, count: 1 << precision)
        usesRegisters = true
        if hasZero { addToRegisters(0) }
        for hash in slots where hash != 0 { addToRegisters(hash) }
        slots = []
    }

    @inline(__always)
    private mutating func addToRegisters(_ hash: UInt64) {
        let index = Int(hash >> UInt64(64 - precision))
        let runLength = UInt8(min((hash << UInt64(precision)).leadingZeroBitCount, 64 - precision) + 1)
        if runLength > registers[index] { registers[index] = runLength }
    }

    mutating func merge(_ other: CardinalityCounter) {
        if other.usesRegisters {
            if !usesRegisters { upgrade() }
            for index in other.registers.indices where other.registers[index] > registers[index] { registers[index] = other.registers[index] }
        } else {
            if other.hasZero { add(0) }
            for hash in other.slots where hash != 0 { add(hash) }
        }
    }

    var cardinality: Int64 {
        guard usesRegisters else { return Int64(exactCount) }
        return Int64(Self.estimate(registers, precision: precision).rounded())
    }

    /// Ertl, "New cardinality estimation algorithms for HyperLogLog sketches" (2017), the improved raw estimator.
    static func estimate(_ registers: [UInt8], precision: Int) -> Double {
        let q = 64 - precision
        let m = Double(registers.count)
        var histogram = [Double](repeating: 0, count: q + 2)
        for value in registers { histogram[Int(value)] += 1 }
        var z = m * tau(1 - histogram[q + 1] / m)
        for k in stride(from: q, through: 1, by: -1) { z = 0.5 * (z + histogram[k]) }
        z += m * sigma(histogram[0] / m)
        return m * m / (2 * log(2.0)) / z
    }

    private static func sigma(_ value: Double) -> Double {
        if value == 1 { return .infinity }
        var x = value, y = 1.0, z = value
        while true {
            x *= x
            let previous = z
            z += x * y
            y += y
            if z == previous { return z }
        }
    }

    private static func tau(_ value: Double) -> Double {
        if value == 0 || value == 1 { return 0 }
        var x = value, y = 1.0, z = 1 - value
        while true {
            x = x.squareRoot()
            let previous = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
            if z == previous { return z / 3 }
        }
    }
}
