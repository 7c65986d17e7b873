/// A row change that cannot be turned into an event.
///
/// Messages name the table, the column and its type, never a value: values are user data and must not
/// reach logs.
public struct EventEncodingError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformedValue, binaryValue, unchangedToast, missingTuple, columnCountMismatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// A text value is not what its type's output function writes (wrong session settings, bad UTF-8).
        public static let malformedValue = Code(.malformedValue)
        /// A value came in binary format; we ask for text.
        public static let binaryValue = Code(.binaryValue)
        /// An unchanged TOASTed value was left in the tuple: the reader must fill it first.
        public static let unchangedToast = Code(.unchangedToast)
        /// The change lacks the tuple its operation needs (an insert without a new row, ...).
        public static let missingTuple = Code(.missingTuple)
        /// The tuple has a different number of values than the relation has columns.
        public static let columnCountMismatch = Code(.columnCountMismatch)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What went wrong, naming the table, column and type; never a value.
    public var message: String
    /// The column at fault, when there is one.
    public var column: String?
    /// The column's type OID, when there is one.
    public var typeOID: UInt32?
    public var file: String
    public var line: Int

    public init(_ code: Code, _ message: String, column: String? = nil, typeOID: UInt32? = nil,
                file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.column = column
        self.typeOID = typeOID
        self.file = file
        self.line = line
    }

    public var description: String { message }
}

/// Why one value could not be mapped, without context (the caller adds table, column and type). Never
/// carries the value.
struct ValueMappingFailure: Error {
    var code: EventEncodingError.Code
    var reason: String

    init(_ reason: String, code: EventEncodingError.Code = .malformedValue) {
        self.reason = reason
        self.code = code
    }
}
