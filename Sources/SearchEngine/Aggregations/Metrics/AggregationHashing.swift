/// The hashes OpenSearch's aggregations use: MurmurHash3 x64-128 (first half) of term bytes and HPPC's
/// `BitMixer.mix64` of numbers for `cardinality`, MurmurHash3 x86-32 (seed 31) for terms partitions.
enum AggregationHashing {
    /// `BitMixer.mix64`.
    @inline(__always)
    static func mix64(_ value: Int64) -> UInt64 {
        var z = UInt64(bitPattern: value)
        z = (z ^ (z >> 32)) &* 0x4CD6_944C_5CC2_0B6D
        z = (z ^ (z >> 29)) &* 0xFC12_C5B1_9D32_59E9
        return z ^ (z >> 32)
    }

    @inline(__always)
    private static func fmix64(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }

    /// MurmurHash3 x64-128 with seed 0, the first 64 bits (`MurmurHash3.hash128(...).h1`).
    static func murmur3x64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let c1: UInt64 = 0x87C3_7B91_1142_53D5, c2: UInt64 = 0x4CF5_AD43_2745_937F
        var h1: UInt64 = 0, h2: UInt64 = 0
        let length = bytes.count
        let blocks = length / 16
        for block in 0..<blocks {
            var k1 = bytes.loadUnaligned(fromByteOffset: block * 16, as: UInt64.self).littleEndian
            var k2 = bytes.loadUnaligned(fromByteOffset: block * 16 + 8, as: UInt64.self).littleEndian
            k1 &*= c1; k1 = k1.rotatedLeft(31); k1 &*= c2; h1 ^= k1
            h1 = h1.rotatedLeft(27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52DC_E729
            k2 &*= c2; k2 = k2.rotatedLeft(33); k2 &*= c1; h2 ^= k2
            h2 = h2.rotatedLeft(31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5AB5
        }
        var k1: UInt64 = 0, k2: UInt64 = 0
        let tail = blocks * 16
        let remaining = length & 15
        if remaining > 8 {
            for index in stride(from: remaining - 1, through: 8, by: -1) { k2 ^= UInt64(bytes[tail + index]) << (UInt64(index - 8) * 8) }
            k2 &*= c2; k2 = k2.rotatedLeft(33); k2 &*= c1; h2 ^= k2
        }
        if remaining > 0 {
            for index in stride(from: min(remaining, 8) - 1, through: 0, by: -1) { k1 ^= UInt64(bytes[tail + index]) << (UInt64(index) * 8) }
            k1 &*= c1; k1 = k1.rotatedLeft(31); k1 &*= c2; h1 ^= k1
        }
        h1 ^= UInt64(length); h2 ^= UInt64(length)
        h1 &+= h2; h2 &+= h1
        h1 = fmix64(h1); h2 = fmix64(h2)
        h1 &+= h2
        return h1
    }

    static func murmur3x64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { murmur3x64($0) }
    }

    /// MurmurHash3 x86-32 (Lucene's `StringHelper.murmurhash3_x86_32`).
    static func murmur3x86(_ bytes: [UInt8], seed: UInt32) -> Int32 {
        let c1: UInt32 = 0xCC9E_2D51, c2: UInt32 = 0x1B87_3593
        var h1 = seed
        let rounded = bytes.count & ~3
        var index = 0
        while index < rounded {
            var k1 = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
            k1 &*= c1; k1 = k1.rotatedLeft(15); k1 &*= c2
            h1 ^= k1; h1 = h1.rotatedLeft(13); h1 = h1 &* 5 &+ 0xE654_6B64
            index += 4
        }
        var k1: UInt32 = 0
        switch bytes.count & 3 {
        case 3: k1 = UInt32(bytes[rounded + 2]) << 16; fallthrough
        case 2: k1 |= UInt32(bytes[rounded + 1]) << 8; fallthrough
        case 1:
            k1 |= UInt32(bytes[rounded])
            k1 &*= c1; k1 = k1.rotatedLeft(15); k1 &*= c2; h1 ^= k1
        default: break
        }
        h1 ^= UInt32(bytes.count)
        h1 ^= h1 >> 16; h1 &*= 0x85EB_CA6B; h1 ^= h1 >> 13; h1 &*= 0xC2B2_AE35; h1 ^= h1 >> 16
        return Int32(bitPattern: h1)
    }
}

extension UInt64 {
    @inline(__always) func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}

extension UInt32 {
    @inline(__always) func rotatedLeft(_ count: UInt32) -> UInt32 { (self << count) | (self >> (32 - count)) }
}
