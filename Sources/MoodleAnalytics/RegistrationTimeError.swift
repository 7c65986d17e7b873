/// Why a registration time could not be read. The reason never quotes the value (it is user data); it may
/// name a single offending field ("month 13 is out of range").
public struct RegistrationTimeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; a struct wrapping a private enum so kinds can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case empty, unrecognisedForm, fieldOutOfRange, outOfSupportedRange, notAnInteger, notFinite
        }
        private let kind: Kind

        /// Empty or only whitespace.
        public static let empty = Code(kind: .empty)
        /// Matches none of the accepted forms (including trailing garbage).
        public static let unrecognisedForm = Code(kind: .unrecognisedForm)
        /// The form is right but a field is not (month 13, February 30, hour 24, offset +16).
        public static let fieldOutOfRange = Code(kind: .fieldOutOfRange)
        /// The instant is outside years 0001–9999 (UTC).
        public static let outOfSupportedRange = Code(kind: .outOfSupportedRange)
        /// A numeric epoch with a fractional part.
        public static let notAnInteger = Code(kind: .notAnInteger)
        /// A numeric NaN or infinity.
        public static let notFinite = Code(kind: .notFinite)

        public var description: String {
            switch kind {
            case .empty: "empty"
            case .unrecognisedForm: "unrecognisedForm"
            case .fieldOutOfRange: "fieldOutOfRange"
            case .outOfSupportedRange: "outOfSupportedRange"
            case .notAnInteger: "notAnInteger"
            case .notFinite: "notFinite"
            }
        }
    }

    public let code: Code
    /// A human-readable reason, safe to log and to store with a dead letter.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    static let empty = RegistrationTimeError(.empty, "empty timestamp")
    static let unrecognised = RegistrationTimeError(.unrecognisedForm, "not a recognised timestamp form")
    static let outOfRange = RegistrationTimeError(.outOfSupportedRange, "outside the supported years 0001–9999")

    static func field(_ reason: String) -> RegistrationTimeError {
        RegistrationTimeError(.fieldOutOfRange, reason)
    }
}
