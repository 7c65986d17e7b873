import Foundation
import BlockingIO
import Logging
/// Why capturing a source stopped or could not start. Messages name objects (tables, slots, LSNs), never
/// row values or secrets.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case slotLost, slotInUse, setup, protocolViolation, spill, log, encoding, snapshot
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The slot this pipeline was using is gone: changes since its last position may be lost.
        public static let slotLost = Code(.slotLost)
        /// The slot is held by another server process (retried with backoff).
        public static let slotInUse = Code(.slotInUse)
        /// The publication or slot could not be set up (privileges, configuration).
        public static let setup = Code(.setup)
        /// The stream broke the protocol's rules (a change outside a transaction, an unknown relation).
        public static let protocolViolation = Code(.protocolViolation)
        /// A streamed transaction's spill file could not be written or read.
        public static let spill = Code(.spill)
        /// The log refused an append or failed.
        public static let log = Code(.log)
        /// A change could not be turned into an event (e.g. an unchanged TOAST value with no known state).
        public static let encoding = Code(.encoding)
        /// The initial snapshot failed.
        public static let snapshot = Code(.snapshot)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// Whether retrying (reconnecting) can help; false stops the source until an operator acts.
    public var retryable: Bool

    public init(_ code: Code, _ message: String, retryable: Bool = true) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}
