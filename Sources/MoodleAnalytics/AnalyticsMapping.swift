import Foundation

/// Where the two answers read their inputs: for each side the change topic of its table and the columns
/// holding the email and the registration time; the zone weeks are cut in; how emails are normalised.
public struct AnalyticsMapping: Sendable, Equatable {
    public struct Side: Sendable, Equatable {
        /// The table's change topic, `<source>.<schema>.<table>`.
        public var topic: String
        public var emailColumn: String
        public var registeredColumn: String

        public init(topic: String, emailColumn: String, registeredColumn: String) {
            self.topic = topic
            self.emailColumn = emailColumn
            self.registeredColumn = registeredColumn
        }
    }

    public var community: Side
    public var sites: Side
    public var timeZone: TimeZone
    public var normalizer: EmailNormalizer

    public init(community: Side, sites: Side, timeZone: TimeZone = .gmt, normalizer: EmailNormalizer = EmailNormalizer()) {
        self.community = community
        self.sites = sites
        self.timeZone = timeZone
        self.normalizer = normalizer
    }
}

/// Which table of the two answers a row belongs to.
public enum AnswerSide: String, Sendable, Hashable {
    case community
    case sites
}
