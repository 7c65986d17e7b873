/// An error from the partitioned log. Descriptions name topics, partitions, offsets and files — never the
/// contents of a record.
public struct LogError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a code that can grow without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable {
            case io
            case failed
            case closed
            case unknownTopic
            case invalidTopic
            case topicMismatch
            case offsetOutOfRange
            case recordTooLarge
            case missingKey
            case corrupt
            case invalidArgument
        }

        fileprivate let base: Base

        /// A system call failed (the `errno` is in the message).
        public static let io = Code(base: .io)
        /// The log stopped after an I/O failure (fail-stop); restart to recover from disk.
        public static let failed = Code(base: .failed)
        /// The log was closed.
        public static let closed = Code(base: .closed)
        public static let unknownTopic = Code(base: .unknownTopic)
        public static let invalidTopic = Code(base: .invalidTopic)
        /// A topic exists on disk with a different partition count or cleanup policy.
        public static let topicMismatch = Code(base: .topicMismatch)
        /// The offset is below the log's start (deleted by retention) or beyond its end.
        public static let offsetOutOfRange = Code(base: .offsetOutOfRange)
        public static let recordTooLarge = Code(base: .recordTooLarge)
        /// A record without a key was appended to a compacted topic.
        public static let missingKey = Code(base: .missingKey)
        /// Stored data failed its checks (CRC, magic, bounds): it is never served.
        public static let corrupt = Code(base: .corrupt)
        public static let invalidArgument = Code(base: .invalidArgument)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var file: String
    public var line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }
}

extension LogError {
    /// A failed system call: names the call, the path and the `errno` text, read at once.
    static func system(_ call: String, path: String, errno code: Int32, file: String = #fileID, line: Int = #line)
        -> LogError
    {
        LogError(.io, "\(call) \(path): \(String(cString: strerror(code))) (errno \(code))", file: file, line: line)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
