import Foundation

/// Every configuration key the appliance knows: its section, the TOML shape of its value, its default and
/// what it means. The shipped `appliance.conf` documents the same keys; a test keeps the two
/// in step (`ConfigTests.shippedFileDocumentsEveryKey`).
struct ConfigSchema {
    /// The TOML type a key takes. Environment variables and flags are strings, converted by this shape.
    enum Shape: Sendable {
        case string
        case integer
        /// An integer, or a string with a unit (`"64MiB"`).
        case integerOrString
        /// An array of strings; comma-separated in the environment.
        case stringList
    }

    struct Key: Sendable {
        /// `""` for top-level keys, `"log"`, `"sink.sqlite"`, or `"sources.*"` for every source.
        var section: String
        var name: String
        var shape: Shape
        /// nil: no default (required, or optional with a computed meaning described in `summary`).
        var defaultValue: ConfigValue?
        var summary: String

        func path(source: String? = nil) -> String {
            let sectionPath = source.map { "sources.\($0)" } ?? section
            return sectionPath.isEmpty ? name : "\(sectionPath).\(name)"
        }
    }

    static let sourceSection = "sources.*"

    static let keys: [Key] = [
        Key(section: "", name: "data_dir", shape: .string, defaultValue: .string("data"),
            summary: "directory for the log, the SQLite sink, the index and the lock file"),

        Key(section: sourceSection, name: "url", shape: .string, defaultValue: nil,
            summary: "libpq URI or keyword string, without a password (required)"),
        Key(section: sourceSection, name: "password_file", shape: .string, defaultValue: nil,
            summary: "file (mode 0600) holding the password; unset leaves it to libpq (PGPASSWORD, ~/.pgpass)"),
        Key(section: sourceSection, name: "tables", shape: .stringList, defaultValue: nil,
            summary: "captured tables as schema.table; default: the [analytics] table mapped to this source"),
        Key(section: sourceSection, name: "slot", shape: .string, defaultValue: nil,
            summary: "logical replication slot; default moodle_pipeline_<source>"),
        Key(section: sourceSection, name: "publication", shape: .string, defaultValue: nil,
            summary: "publication; default moodle_pipeline_<source>"),
        Key(section: sourceSection, name: "sslmode", shape: .string, defaultValue: .string("prefer"),
            summary: "libpq sslmode: disable, allow, prefer, require, verify-ca, verify-full"),

        Key(section: sourceSection, name: "on_slot_loss", shape: .string, defaultValue: .string("fail"),
            summary: "when the slot in use disappears: fail (report, source unhealthy) or resnapshot (new slot and snapshot)"),
        Key(section: sourceSection, name: "heartbeat_interval", shape: .string, defaultValue: .string("10s"),
            summary: "how often a heartbeat message lets an idle source's slot advance (1s-1h), or \"off\""),
        Key(section: sourceSection, name: "lag_budget", shape: .integerOrString, defaultValue: .string("1GiB"),
            summary: "slot lag (WAL the server keeps for us) above which an alarm is raised on /readyz and in the log"),
        Key(section: sourceSection, name: "snapshot_chunk_rows", shape: .integer, defaultValue: .integer(10_000),
            summary: "rows per initial-snapshot chunk, each durable with its progress (100-1000000)"),

        Key(section: "analytics", name: "community_source", shape: .string, defaultValue: .string("community"),
            summary: "the source holding the community users"),
        Key(section: "analytics", name: "community_table", shape: .string, defaultValue: .string("public.CommunityUsers"),
            summary: "community users table"),
        Key(section: "analytics", name: "community_email", shape: .string, defaultValue: .string("email"),
            summary: "community users' email column"),
        Key(section: "analytics", name: "community_registered_at", shape: .string, defaultValue: .string("registration_timestamp"),
            summary: "community users' registration time column"),
        Key(section: "analytics", name: "sites_source", shape: .string, defaultValue: .string("sites"),
            summary: "the source holding the registered sites"),
        Key(section: "analytics", name: "sites_table", shape: .string, defaultValue: .string("public.SitesUsers"),
            summary: "registered sites table"),
        Key(section: "analytics", name: "sites_admin_email", shape: .string, defaultValue: .string("admin_email"),
            summary: "sites' administrator email column"),
        Key(section: "analytics", name: "sites_registered_at", shape: .string, defaultValue: .string("registration_timestamp"),
            summary: "sites' registration time column"),
        Key(section: "analytics", name: "time_zone", shape: .string, defaultValue: .string("UTC"),
            summary: "IANA time zone in which weeks start (Monday 00:00)"),
        Key(section: "analytics", name: "email_folding", shape: .string, defaultValue: .string("none"),
            summary: "beyond trimming and lower-casing emails: none, or plus_tags (ann+x@y.org matches ann@y.org)"),

        Key(section: "log", name: "partitions", shape: .integer, defaultValue: .integer(4),
            summary: "partitions per topic (1-256)"),
        Key(section: "log", name: "fsync", shape: .string, defaultValue: .string("always"),
            summary: "always: every acknowledged append is on disk; interval: fsync every fsync_interval (a crash may lose that much)"),
        Key(section: "log", name: "fsync_interval", shape: .string, defaultValue: .string("100ms"),
            summary: "with fsync = \"interval\": how often (1ms-1m)"),
        Key(section: "log", name: "segment_bytes", shape: .integerOrString, defaultValue: .string("128MiB"),
            summary: "segment size before rolling (1MiB-2GiB), bytes or with a unit"),
        Key(section: "log", name: "segment_age", shape: .string, defaultValue: .string("1d"),
            summary: "roll a segment this old even if not full, so retention reaches quiet topics (1m-30d)"),
        Key(section: "log", name: "compression", shape: .string, defaultValue: .string("none"),
            summary: "per-batch compression of new batches: none or zlib"),
        Key(section: "log", name: "retention", shape: .string, defaultValue: .string("7d"),
            summary: "how long records are kept (e.g. 12h, 7d) or \"forever\"; never before durable consumers committed them"),

        Key(section: "sink.sqlite", name: "path", shape: .string, defaultValue: nil,
            summary: "SQLite database file; default <data_dir>/moodle.sqlite"),

        Key(section: "index", name: "refresh_interval", shape: .string, defaultValue: .string("100ms"),
            summary: "how soon the pipeline's indexed documents become searchable (10ms-1h)"),
        Key(section: "index", name: "path", shape: .string, defaultValue: nil,
            summary: "directory of the search indices; default <data_dir>/search"),

        Key(section: "http", name: "listen", shape: .string, defaultValue: .string("127.0.0.1:9200"),
            summary: "OpenSearch-compatible API listener, host:port; beyond loopback needs api_key_file"),
        Key(section: "http", name: "api_key_file", shape: .string, defaultValue: nil,
            summary: "file (mode 0600) holding the API key clients must send; enables authentication"),
        Key(section: "http", name: "basic_auth_file", shape: .string, defaultValue: nil,
            summary: "file (mode 0600) holding user:password for HTTP basic authentication; enables authentication"),
        Key(section: "http", name: "compatibility", shape: .string, defaultValue: .string("opensearch"),
            summary: "\"elasticsearch\" adds X-Elastic-Product: Elasticsearch to every response (for elasticsearch-py)"),

        Key(section: "admin", name: "listen", shape: .string, defaultValue: .string("127.0.0.1:8080"),
            summary: "console, /metrics, /healthz, /readyz listener, host:port; beyond loopback needs http.api_key_file"),
        Key(section: "admin", name: "sql_timeout", shape: .string, defaultValue: .string("5s"),
            summary: "the console's SQL page: longest a statement may run before it is interrupted (10ms-10m)"),
        Key(section: "admin", name: "sql_max_rows", shape: .integer, defaultValue: .integer(10_000),
            summary: "the console's SQL page: most rows a statement returns (1-1000000)"),
        Key(section: "admin", name: "ready_max_lag", shape: .integer, defaultValue: .integer(50_000),
            summary: "/readyz: a sink is caught up when at most this many log records behind (0-1000000000)"),
    ]

    /// Sections that hold keys (`sources.*` stands for every source).
    static let sections: [String] = {
        var seen: [String] = []
        for key in keys where !seen.contains(key.section) { seen.append(key.section) }
        return seen
    }()

    /// The key spec for a dotted path, if the path names a known key.
    static func key(forPath path: String) -> Key? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, parts[0] == "sources" {
            return keys.first { $0.section == sourceSection && $0.name == parts[2] }
        }
        let section = parts.dropLast().joined(separator: ".")
        return keys.first { $0.section == section && $0.name == parts.last }
    }

    /// The environment variable for a key: `MOODLE_PIPELINE_<SECTION>_<KEY>`, dots as underscores.
    static func environmentVariable(forPath path: String) -> String {
        "MOODLE_PIPELINE_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
