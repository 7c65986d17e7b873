import Foundation

/// Turns layered raw settings into a typed, validated `ApplianceConfig`, collecting every problem.
struct ConfigReader {
    let layers: ConfigLayers
    private(set) var errors: [ConfigError] = []
    /// Where each setting that was read came from, for `config print`.
    private(set) var origins: [String: ConfigOrigin] = [:]

    init(layers: ConfigLayers) {
        self.layers = layers
    }

    mutating func decode() -> ApplianceConfig {
        let dataDirectory = read("data_dir", Parse.nonEmpty) ?? "data"
        let analytics = AnalyticsConfig(
            communitySource: read("analytics.community_source", Parse.nonEmpty) ?? "community",
            communityTable: read("analytics.community_table", Parse.nonEmpty) ?? "",
            communityEmail: read("analytics.community_email", Parse.nonEmpty) ?? "",
            communityRegisteredAt: read("analytics.community_registered_at", Parse.nonEmpty) ?? "",
            sitesSource: read("analytics.sites_source", Parse.nonEmpty) ?? "sites",
            sitesTable: read("analytics.sites_table", Parse.nonEmpty) ?? "",
            sitesAdminEmail: read("analytics.sites_admin_email", Parse.nonEmpty) ?? "",
            sitesRegisteredAt: read("analytics.sites_registered_at", Parse.nonEmpty) ?? "",
            timeZone: read("analytics.time_zone", Parse.timeZone) ?? "UTC",
            emailFolding: read("analytics.email_folding", Parse.choice(AnalyticsConfig.EmailFolding.self)) ?? .none
        )
        let sources = layers.sourceNames.map { decodeSource($0, analytics: analytics) }
        let log = LogConfig(
            partitions: read("log.partitions", Parse.integer(1...256)) ?? 4,
            fsync: read("log.fsync", Parse.choice(LogConfig.FsyncPolicy.self)) ?? .always,
            fsyncInterval: read("log.fsync_interval", Parse.duration(.milliseconds(1)...(.seconds(60)))) ?? .milliseconds(100),
            segmentBytes: read("log.segment_bytes", Parse.byteSize(1 << 20...2 << 30)) ?? 128 << 20,
            segmentAge: read("log.segment_age", Parse.duration(.seconds(60)...(.seconds(30 * 86_400)))) ?? .seconds(86_400),
            retention: read("log.retention", Parse.retention) ?? .seconds(7 * 86_400),
            compression: read("log.compression", Parse.choice(LogConfig.Compression.self)) ?? LogConfig.Compression.none
        )
        let sinkPath = read("sink.sqlite.path", Parse.nonEmpty) ?? (dataDirectory as NSString).appendingPathComponent("moodle.sqlite")
        let index = IndexConfig(
            refreshInterval: read("index.refresh_interval", Parse.duration(.milliseconds(10)...(.seconds(3600)))) ?? .milliseconds(100),
            path: read("index.path", Parse.nonEmpty) ?? (dataDirectory as NSString).appendingPathComponent("search")
        )
        let apiKeyFile = read("http.api_key_file", Parse.secretFile)
        let basicAuthFile = read("http.basic_auth_file", Parse.secretFile)
        let authenticated = apiKeyFile != nil || basicAuthFile != nil
        let http = HTTPConfig(
            listen: readListen("http.listen", authenticated: authenticated), apiKeyFile: apiKeyFile, basicAuthFile: basicAuthFile,
            compatibility: read("http.compatibility", Parse.choice(HTTPConfig.Compatibility.self)) ?? .opensearch
        )
        let admin = AdminConfig(
            listen: readListen("admin.listen", authenticated: authenticated),
            sqlTimeout: read("admin.sql_timeout", Parse.duration(.milliseconds(10)...(.seconds(600)))) ?? .seconds(5),
            sqlMaxRows: read("admin.sql_max_rows", Parse.integer(1...1_000_000)) ?? 10_000,
            readyMaxLag: Int64(read("admin.ready_max_lag", Parse.integer(0...1_000_000_000)) ?? 50_000)
        )
        var config = ApplianceConfig(
            dataDirectory: dataDirectory, sources: sources, analytics: analytics, log: log,
            sink: SQLiteSinkConfig(path: sinkPath), index: index, http: http, admin: admin
        )
        config.sources.sort { $0.name < $1.name }
        checkSources(config)
        return config
    }

    private mutating func decodeSource(_ name: String, analytics: AnalyticsConfig) -> SourceConfig {
        let prefix = "sources.\(name)"
        let url = read("\(prefix).url", Parse.postgresURL)
        if url == nil, layers["\(prefix).url"] == nil {
            let origin = layers.values.filter { $0.key.hasPrefix(prefix + ".") }.map(\.value.origin).first ?? .defaultValue
            errors.append(ConfigError(.missing, key: "\(prefix).url", origin: origin, "required: the source's libpq URL (set it here or in \(ConfigSchema.environmentVariable(forPath: "\(prefix).url")))"))
        }
        var mappedTables: [String] = []
        if analytics.communitySource == name { mappedTables.append(analytics.communityTable) }
        if analytics.sitesSource == name { mappedTables.append(analytics.sitesTable) }
        var tables = read("\(prefix).tables", Parse.tables)
        if let explicit = tables, let origin = layers["\(prefix).tables"]?.origin {
            for table in mappedTables where !explicit.contains(table) {
                errors.append(ConfigError(.invalidValue, key: "\(prefix).tables", origin: origin, "must include \(table), which [analytics] reads from this source"))
            }
        } else if mappedTables.isEmpty {
            let origin = layers["\(prefix).url"]?.origin ?? .defaultValue
            errors.append(ConfigError(.missing, key: "\(prefix).tables", origin: origin, "required for a source that [analytics] does not read from: the tables to capture, as schema.table"))
        } else {
            tables = mappedTables
        }
        return SourceConfig(
            name: name,
            url: url ?? "",
            passwordFile: read("\(prefix).password_file", Parse.secretFile),
            tables: tables ?? [],
            slot: read("\(prefix).slot", Parse.slotName) ?? "moodle_pipeline_\(name)",
            publication: read("\(prefix).publication", Parse.identifier) ?? "moodle_pipeline_\(name)",
            sslMode: read("\(prefix).sslmode", Parse.choice(SSLMode.self)) ?? .prefer,
            onSlotLoss: read("\(prefix).on_slot_loss", Parse.choice(SlotLossPolicy.self)) ?? .fail,
            heartbeatInterval: read("\(prefix).heartbeat_interval", Parse.optionalDuration(.seconds(1)...(.seconds(3600)))) ?? .some(.seconds(10)),
            lagBudgetBytes: read("\(prefix).lag_budget", Parse.byteSize(1 << 20...(1 << 50))) ?? 1 << 30,
            snapshotChunkRows: read("\(prefix).snapshot_chunk_rows", Parse.integer(100...1_000_000)) ?? 10_000
        )
    }

    private mutating func checkSources(_ config: ApplianceConfig) {
        if config.sources.isEmpty {
            errors.append(ConfigError(.missing, key: "sources", origin: .defaultValue, "no source configured: add a [sources.<name>] section with a url, or set MOODLE_PIPELINE_SOURCES_<NAME>_URL"))
        }
        for (key, name) in [("analytics.community_source", config.analytics.communitySource), ("analytics.sites_source", config.analytics.sitesSource)]
        where !config.sources.isEmpty && config.source(named: name) == nil {
            let origin = layers[key]?.origin ?? .defaultValue
            let known = config.sources.map(\.name).joined(separator: ", ")
            errors.append(ConfigError(.invalidValue, key: key, origin: origin, "names source \(tomlQuoted(name)), which is not configured (configured: \(known))"))
        }
    }

    private mutating func readListen(_ path: String, authenticated: Bool) -> ListenAddress {
        let fallback = path == "http.listen" ? ListenAddress(host: "127.0.0.1", port: 9200) : ListenAddress(host: "127.0.0.1", port: 8080)
        guard let address = read(path, Parse.listenAddress) else { return fallback }
        if !address.isLoopback && !authenticated, let origin = layers[path]?.origin {
            errors.append(ConfigError(.insecureSecret, key: path, origin: origin, "listening beyond loopback (\(address)) requires authentication: set http.api_key_file or http.basic_auth_file"))
        }
        return address
    }

    /// Reads one key through `parse`, recording an error (and returning nil) when it does not parse.
    private mutating func read<T>(_ path: String, _ parse: (ConfigValue) -> Result<T, Problem>) -> T? {
        guard let (value, origin) = layers[path] else { return nil }
        switch parse(value) {
        case .success(let typed):
            origins[path] = origin
            return typed
        case .failure(let problem):
            errors.append(ConfigError(problem.code, key: path, origin: origin, problem.message))
            return nil
        }
    }
}
