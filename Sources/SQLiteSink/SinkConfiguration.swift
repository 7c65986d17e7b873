import MoodleAnalytics

/// What the SQLite sink consumes and how.
public struct SinkConfiguration: Sendable {
    /// The database file (`[sink.sqlite] path`; default `<data-dir>/moodle.sqlite`).
    public var path: String
    /// Source names: the sink mirrors every topic `<source>.<schema>.<table>` and reads each source's
    /// relation records from `_cdc.<source>`.
    public var sources: [String]
    /// The two answers' inputs; nil mirrors only.
    public var analytics: AnalyticsMapping?
    /// At most this many records per SQLite transaction (with `maxBatchBytes`, bounds memory and commit
    /// latency; a batch never waits for more records, so changes are visible as soon as it commits).
    public var maxBatchRecords: Int = 20_000
    public var maxBatchBytes: Int = 16 << 20
    /// How long an idle sink waits before looking for new records again.
    public var idlePoll: Duration = .milliseconds(20)
    /// The log consumer group the sink registers, so retention keeps what it has not consumed.
    public var consumerGroup: String = "sqlite-sink"

    public init(path: String, sources: [String], analytics: AnalyticsMapping?) {
        self.path = path
        self.sources = sources
        self.analytics = analytics
    }
}

/// The derived topics (keyed, compacted): the answers for other consumers.
public enum DerivedTopic {
    public static let weeklySiteRegistrations = "moodle.weekly_site_registrations"
    public static let weeklyCommunityAdmins = "moodle.weekly_community_admins"
    public static let communitySiteAdmins = "moodle.community_site_admins"
    public static let all = [weeklySiteRegistrations, weeklyCommunityAdmins, communitySiteAdmins]
}
