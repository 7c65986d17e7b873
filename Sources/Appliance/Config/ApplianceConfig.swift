/// The appliance's whole configuration, typed and validated.
///
/// Built by `ApplianceConfig.load` from, in order of precedence: command-line flags, the environment
/// (`MOODLE_PIPELINE_<SECTION>_<KEY>`), the TOML file (`appliance.conf`), and the defaults documented in
/// `ConfigSchema` and in the shipped `appliance.conf`.
public struct ApplianceConfig: Sendable {
    /// Where the appliance keeps its state: the log, the SQLite sink, the index, the lock file.
    public var dataDirectory: String
    /// The PostgreSQL sources, sorted by name.
    public var sources: [SourceConfig]
    public var analytics: AnalyticsConfig
    public var log: LogConfig
    public var sink: SQLiteSinkConfig
    public var index: IndexConfig
    public var http: HTTPConfig
    public var admin: AdminConfig

    /// The source with this name, if configured.
    public func source(named name: String) -> SourceConfig? { sources.first { $0.name == name } }
}

/// One PostgreSQL database captured by change-data-capture (`[sources.<name>]`).
public struct SourceConfig: Sendable, Equatable {
    /// The name used in topics (`<name>.<schema>.<table>`), metrics and logs.
    public var name: String
    /// libpq connection URI or keyword string, without a password.
    public var url: String
    /// A 0600 file holding the password; nil leaves it to libpq (PGPASSWORD, ~/.pgpass, peer auth).
    public var passwordFile: String?
    /// Captured tables, as `schema.table`.
    public var tables: [String]
    /// The logical replication slot's name.
    public var slot: String
    /// The publication's name.
    public var publication: String
    /// libpq `sslmode`.
    public var sslMode: SSLMode
    /// What to do when the slot this pipeline was using disappears.
    public var onSlotLoss: SlotLossPolicy
    /// How often a heartbeat message is written to the source so that an idle slot advances; nil: never.
    public var heartbeatInterval: Duration?
    /// Slot lag beyond which an alarm is raised (log and /readyz).
    public var lagBudgetBytes: Int
    /// Rows per initial-snapshot chunk (one atomic append with its progress).
    public var snapshotChunkRows: Int
}

/// `on_slot_loss`: `fail` (report, stop the source) or `resnapshot` (new slot, new initial snapshot).
public enum SlotLossPolicy: String, Sendable, CaseIterable {
    case fail, resnapshot
}

/// libpq's `sslmode` values.
public enum SSLMode: String, Sendable, CaseIterable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"
}

/// Where the two answers read their columns (`[analytics]`).
public struct AnalyticsConfig: Sendable, Equatable {
    public var communitySource: String
    public var communityTable: String
    public var communityEmail: String
    public var communityRegisteredAt: String
    public var sitesSource: String
    public var sitesTable: String
    public var sitesAdminEmail: String
    public var sitesRegisteredAt: String
    /// IANA time zone in which weeks start (Monday 00:00).
    public var timeZone: String
    /// Email folding beyond trim and lower-case.
    public var emailFolding: EmailFolding

    public enum EmailFolding: String, Sendable, CaseIterable {
        case none
        /// `ann+moodle@x.org` is `ann@x.org`.
        case plusTags = "plus_tags"
    }
}

/// The partitioned log (`[log]`).
public struct LogConfig: Sendable, Equatable {
    public enum FsyncPolicy: String, Sendable, CaseIterable {
        /// Every acknowledged append is on disk (group commit keeps this cheap).
        case always
        /// fsync every `fsyncInterval`: a crash may lose up to that much acknowledged data.
        case interval
    }

    public enum Compression: String, Sendable, CaseIterable {
        case none
        case zlib
    }

    public var partitions: Int
    public var fsync: FsyncPolicy
    public var fsyncInterval: Duration
    public var segmentBytes: Int
    /// Roll a segment this old even if it is not full.
    public var segmentAge: Duration
    /// How long records are kept; nil keeps them forever.
    public var retention: Duration?
    public var compression: Compression
}

/// The SQLite sink (`[sink.sqlite]`).
public struct SQLiteSinkConfig: Sendable, Equatable {
    public var path: String
}

/// The embedded search index (`[index]`).
public struct IndexConfig: Sendable, Equatable {
    public var refreshInterval: Duration
    /// Directory of the indices (segments, commit points).
    public var path: String
}

/// The OpenSearch-compatible API listener (`[http]`).
public struct HTTPConfig: Sendable, Equatable {
    public var listen: ListenAddress
    /// A 0600 file holding the API key that clients must send; required to listen beyond loopback.
    public var apiKeyFile: String?
    /// A 0600 file holding `user:password` for HTTP basic authentication (as an alternative or in addition to
    /// the API key).
    public var basicAuthFile: String?
    public var compatibility: Compatibility

    public enum Compatibility: String, Sendable, CaseIterable {
        /// Plain OpenSearch responses.
        case opensearch
        /// Also `X-Elastic-Product: Elasticsearch` on every response, which elasticsearch-py requires.
        case elasticsearch
    }
}

/// The admin listener: console, /metrics, /healthz, /readyz (`[admin]`).
public struct AdminConfig: Sendable, Equatable {
    public var listen: ListenAddress
    /// The SQL page's statement time limit (default 5 s).
    public var sqlTimeout: Duration = .seconds(5)
    /// The SQL page's row limit (default 10,000: a table a browser still renders).
    public var sqlMaxRows: Int = 10_000
    /// `/readyz`: the most log records a sink may be behind and still be ready (default 50,000; a batch is up
    /// to 20,000, so a healthy sink under load stays within it).
    public var readyMaxLag: Int64 = 50_000
}

/// A `host:port` to listen on; IPv6 hosts in brackets (`[::1]:8080`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Whether only this machine can connect.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
