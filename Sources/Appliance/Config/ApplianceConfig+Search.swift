import MoodleAnalytics
import PostgresCDC
import SearchAPI
import SQLiteSink
import StreamProcessing

extension ApplianceConfig {
    /// The pipeline's indices and the topics that keep them current: the two answer tables as they are
    /// (`community_users`, `sites`: one document per row, `_id` = primary key), the join rows
    /// (`community_site_admins`, `_id` = `<community user id>|<site id>`), and both weekly series in one
    /// index (`weekly_metrics`, `_id` = `<metric>:<week start>`, with `count` and `running_total` so that one
    /// chart query serves both).
    var searchFeeds: [IndexFeed] {
        let mapping = analytics.mapping
        // One node: no replicas, so the indices (and `_cluster/health`) are green.
        let settings = JSONObject([("index", .object(JSONObject([
            ("refresh_interval", .string(Parse.format(index.refreshInterval))), ("number_of_replicas", .string("0")),
        ])))])
        let feeds: [IndexFeed] = [
            .changeEvents(topic: mapping.community.topic, index: "community_users"),
            .changeEvents(topic: mapping.sites.topic, index: "sites"),
            .changelog(topic: DerivedTopic.communitySiteAdmins, index: "community_site_admins", mappings: Self.adminMappings),
            .changelog(topic: DerivedTopic.weeklySiteRegistrations, index: "weekly_metrics", mappings: Self.weeklyMappings, idPrefix: "site_registrations:") { _, value in
                Self.weeklyDocument(metric: "site_registrations", value, count: "sites_registered", total: "sites_total")
            },
            .changelog(topic: DerivedTopic.weeklyCommunityAdmins, index: "weekly_metrics", mappings: Self.weeklyMappings, idPrefix: "community_admins:") { _, value in
                Self.weeklyDocument(metric: "community_admins", value, count: "new_admins", total: "admins_total")
            },
        ]
        return feeds.map { feed in
            var feed = feed
            feed.settings = settings
            return feed
        }
    }

    private static func weeklyDocument(metric: String, _ value: JSONObject, count: String, total: String) -> JSONObject {
        var document = JSONObject([("metric", .string(metric))])
        document.members += value.members
        document.members.append(("count", value[count] ?? .null))
        document.members.append(("running_total", value[total] ?? .null))
        return document
    }

    private static let weeklyMappings = JSONObject([("properties", .object(JSONObject([
        ("metric", .object(JSONObject([("type", .string("keyword"))]))),
        ("week_start", .object(JSONObject([("type", .string("date"))]))),
        ("count", .object(JSONObject([("type", .string("long"))]))),
        ("running_total", .object(JSONObject([("type", .string("long"))]))),
    ])))])

    private static let adminMappings = JSONObject([("properties", .object(JSONObject([
        ("email", .object(JSONObject([("type", .string("keyword"))]))),
        ("since", .object(JSONObject([("type", .string("date"))]))),
    ])))])
}
