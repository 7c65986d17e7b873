import Foundation
import MoodleAnalytics
import PostgresCDC
import SQLiteSink

extension ApplianceConfig {
    /// The SQLite sink: every source mirrored, the two answers from the `[analytics]` mapping.
    var sinkConfiguration: SinkConfiguration {
        SinkConfiguration(path: sink.path, sources: sources.map(\.name), analytics: analytics.mapping)
    }
}

extension AnalyticsConfig {
    /// The change topics and columns the answers read. Tables are `schema.table` (`public` when unqualified).
    var mapping: AnalyticsMapping {
        func topic(_ source: String, _ table: String) -> String {
            let name = QualifiedName(table)
            return changeTopicName(source: source, schema: name.schema, table: name.table)
        }
        return AnalyticsMapping(
            community: .init(topic: topic(communitySource, communityTable), emailColumn: communityEmail, registeredColumn: communityRegisteredAt),
            sites: .init(topic: topic(sitesSource, sitesTable), emailColumn: sitesAdminEmail, registeredColumn: sitesRegisteredAt),
            timeZone: TimeZone(identifier: timeZone) ?? .gmt,
            normalizer: EmailNormalizer(foldPlusTags: emailFolding == .plusTags))
    }
}
