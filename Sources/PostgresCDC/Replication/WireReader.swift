/// Reads the big-endian fields of replication and pgoutput messages, throwing rather than reading past
/// the end. Error messages name the field, never the data.
struct WireReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    let message: String

    init(_ bytes: [UInt8], message: String, from position: Int = 0) {
        self.bytes = bytes
        self.position = position
        self.message = message
    }

    var isAtEnd: Bool { position == bytes.count }
    var remaining: Int { bytes.count - position }

    private func require(_ count: Int, _ field: String) throws(ReplicationProtocolError) {
        guard count >= 0, remaining >= count else {
            throw ReplicationProtocolError("\(message): truncated at \(field) (byte \(position) of \(bytes.count))")
        }
    }

    mutating func byte(_ field: String) throws(ReplicationProtocolError) -> UInt8 {
        try require(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(ReplicationProtocolError) -> T {
        let size = MemoryLayout<T>.size
        try require(size, field)
        var value: T = 0
        for index in 0..<size { value = value << 8 | T(truncatingIfNeeded: bytes[position + index]) }
        position += size
        return value
    }

    mutating func lsn(_ field: String) throws(ReplicationProtocolError) -> LSN {
        LSN(try integer(UInt64.self, field))
    }

    /// A NUL-terminated string.
    mutating func string(_ field: String) throws(ReplicationProtocolError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0) else {
            throw ReplicationProtocolError("\(message): unterminated \(field)")
        }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    mutating func bytes(_ count: Int, _ field: String) throws(ReplicationProtocolError) -> [UInt8] {
        try require(count, field)
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    func rest() -> [UInt8] { Array(bytes[position...]) }

    func expectEnd() throws(ReplicationProtocolError) {
        guard isAtEnd else { throw ReplicationProtocolError("\(message): \(remaining) unexpected trailing bytes") }
    }
}

/// The server sent something this decoder does not understand (or a truncated message).
public struct ReplicationProtocolError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Big-endian writing, for the messages we send.
extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
