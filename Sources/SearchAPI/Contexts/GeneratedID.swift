import SearchEngine
import Synchronization

/// Ids the API makes up: document ids like OpenSearch's time-based UUIDs, and opaque context ids.
enum GeneratedID {

    private struct TimeState {
        var sequence: UInt32
        var lastTimestamp: Int64 = 0
        let node: [UInt8]
    }

    private static let timeState: Mutex<TimeState> = {
        var generator = SystemRandomNumberGenerator()
        return Mutex(TimeState(sequence: UInt32.random(in: 0...0xFF_FFFF, using: &generator),
                               node: (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }()

    /// A 20-character URL-safe id laid out as OpenSearch's `TimeBasedUUIDGenerator` does (sequence and
    /// timestamp bytes first, so ids made close together share prefixes and index well).
    static func documentID(nowMillis: Int64) -> String {
        let (sequence, timestamp, node) = timeState.withLock { state -> (UInt32, Int64, [UInt8]) in
            state.sequence = (state.sequence + 1) & 0xFF_FFFF
            var timestamp = max(state.lastTimestamp, nowMillis)
            if state.sequence == 0 { timestamp += 1 }
            state.lastTimestamp = timestamp
            return (state.sequence, timestamp, state.node)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(15)
        bytes.append(UInt8(truncatingIfNeeded: sequence))
        bytes.append(UInt8(truncatingIfNeeded: sequence >> 16))
        for shift in [16, 24, 32, 40] { bytes.append(UInt8(truncatingIfNeeded: timestamp >> Int64(shift))) }
        bytes += node
        bytes.append(UInt8(truncatingIfNeeded: timestamp >> 8))
        bytes.append(UInt8(truncatingIfNeeded: sequence >> 8))
        bytes.append(UInt8(truncatingIfNeeded: timestamp))
        return Base64URL.encode(bytes)
    }

    /// `count` random bytes, base64url without padding.
    static func random(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Whether `text` could be an id made by `random(bytes:)` with this many bytes.
    static func looksRandom(_ text: String, bytes count: Int) -> Bool {
        text.utf8.count == (count * 8 + 5) / 6 && text.utf8.allSatisfy { Base64URL.alphabet.contains($0) }
    }

}
