/// Which partition a key goes to: `(murmur2(key) & 0x7fffffff) % partitions`, with Kafka's murmur2 (seed
/// 0x9747b28c) — the same mapping as Kafka's default partitioner, so that a Kafka cluster taking over our
/// topics puts every key where we did. Records without a key go to partition 0.
public enum Partitioner {
    public static func partition(for key: [UInt8]?, partitions: Int) -> Int {
        guard let key, partitions > 1 else { return 0 }
        return Int(UInt32(bitPattern: murmur2(key)) & 0x7fff_ffff) % partitions
    }

    /// Kafka's `Utils.murmur2`.
    public static func murmur2(_ data: [UInt8]) -> Int32 {
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = data.count
        var h: UInt32 = seed ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for block in 0..<blocks {
            let i = block * 4
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k &*= m
            k ^= k >> r
            k &*= m
            h &*= m
            h ^= k
        }
        let tail = blocks * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h &*= m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h &*= m
        case 1:
            h ^= UInt32(data[tail])
            h &*= m
        default:
            break
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }
}
