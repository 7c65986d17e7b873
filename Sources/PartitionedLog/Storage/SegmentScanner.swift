import PosixFiles

/// Walks a segment's batches in order through a bounded read buffer: recovery, index rebuilds, reads and
/// compaction all go through here, so every batch anyone uses has passed the same checks.
struct SegmentScanner {
    enum Stop: Equatable {
        /// Reached `limit` exactly at a batch boundary.
        case end
        /// The file ends inside a batch (a torn write).
        case torn
        /// A batch failed its checks (the message says which).
        case corrupt(String)
        /// The body asked to stop.
        case stopped
    }

    let file: FileDescriptor
    let limit: Int
    /// Check each batch's CRC (and hand its bytes to the body). Without it, only headers are read.
    let verify: Bool

    private var buffer: [UInt8] = []
    private var bufferStart = 0

    init(file: FileDescriptor, limit: Int, verify: Bool) {
        self.file = file
        self.limit = limit
        self.verify = verify
    }

    /// Calls `body` with each valid batch from `position` on (its header, position and — when verifying —
    /// its bytes); the body returns false to stop. Returns why it stopped and the position it stopped at.
    mutating func scan(
        from start: Int,
        _ body: (BatchHeader, Int, UnsafeRawBufferPointer?) throws(LogError) -> Bool
    ) throws(LogError) -> (stop: Stop, position: Int) {
        var position = start
        while position < limit {
            guard limit - position >= BatchHeader.size else { return (.torn, position) }
            let headerBytes = try bytes(at: position, count: BatchHeader.size)
            let header: BatchHeader
            do {
                header = try headerBytes.withRawBytes { (raw) throws(LogError) in
                    try BatchHeader.parse(raw, what: "\(file.path) at byte \(position)")
                }
            } catch {
                return (.corrupt(error.message), position)
            }
            guard position + header.totalSize <= limit else { return (.torn, position) }
            var keepGoing = true
            if verify {
                let batch = try bytes(at: position, count: header.totalSize)
                do {
                    try batch.withRawBytes { (raw) throws(LogError) in
                        try BatchHeader.verifyCRC(raw, header: header, what: "\(file.path) at byte \(position)")
                    }
                } catch {
                    return (.corrupt(error.message), position)
                }
                keepGoing = try batch.withRawBytes { (raw) throws(LogError) in try body(header, position, raw) }
            } else {
                keepGoing = try body(header, position, nil)
            }
            position += header.totalSize
            if !keepGoing { return (.stopped, position) }
        }
        return (.end, position)
    }

    /// `count` bytes at `position`, from the buffer when they are in it.
    private mutating func bytes(at position: Int, count: Int) throws(LogError) -> ArraySlice<UInt8> {
        if position >= bufferStart, position + count <= bufferStart + buffer.count {
            return buffer[(position - bufferStart)..<(position - bufferStart + count)]
        }
        let want = min(max(count, LogLimits.readBufferBytes), limit - position)
        buffer = try file.read(count: want, at: position)
        bufferStart = position
        guard buffer.count >= count else { throw LogError(.corrupt, "\(file.path): shorter than expected at byte \(position)") }
        return buffer[0..<count]
    }
}
