extension LoadedConfig {
    /// The effective configuration as TOML, each value annotated with where it came from.
    ///
    /// Secrets are never printed: the file holds no password (URLs with one are refused) and secret files
    /// are shown by path only.
    public func renderTOML() -> String {
        var out = "# Effective configuration of moodle-pipeline"
        out += filePath.map { " (file: \($0))" } ?? " (no file)"
        out += "\n# Precedence: command-line flags > environment > file > defaults.\n\n"
        let config = self.config
        out += line("data_dir", tomlQuoted(config.dataDirectory))
        for source in config.sources {
            let prefix = "sources.\(source.name)"
            out += "\n[\(prefix)]\n"
            out += line("\(prefix).url", tomlQuoted(source.url))
            out += line("\(prefix).password_file", source.passwordFile.map { tomlQuoted($0) + "  # secret: contents not shown" })
            out += line("\(prefix).tables", "[" + source.tables.map(tomlQuoted).joined(separator: ", ") + "]")
            out += line("\(prefix).slot", tomlQuoted(source.slot))
            out += line("\(prefix).publication", tomlQuoted(source.publication))
            out += line("\(prefix).sslmode", tomlQuoted(source.sslMode.rawValue))
        }
        let analytics = config.analytics
        out += "\n[analytics]\n"
        for (key, value) in [
            ("community_source", analytics.communitySource), ("community_table", analytics.communityTable),
            ("community_email", analytics.communityEmail), ("community_registered_at", analytics.communityRegisteredAt),
            ("sites_source", analytics.sitesSource), ("sites_table", analytics.sitesTable),
            ("sites_admin_email", analytics.sitesAdminEmail), ("sites_registered_at", analytics.sitesRegisteredAt),
            ("time_zone", analytics.timeZone), ("email_folding", analytics.emailFolding.rawValue),
        ] {
            out += line("analytics.\(key)", tomlQuoted(value))
        }
        out += "\n[log]\n"
        out += line("log.partitions", String(config.log.partitions))
        out += line("log.fsync", tomlQuoted(config.log.fsync.rawValue))
        out += line("log.fsync_interval", tomlQuoted(Parse.format(config.log.fsyncInterval)))
        out += line("log.segment_bytes", String(config.log.segmentBytes))
        out += line("log.segment_age", tomlQuoted(Parse.format(config.log.segmentAge)))
        out += line("log.retention", tomlQuoted(config.log.retention.map(Parse.format) ?? "forever"))
        out += line("log.compression", tomlQuoted(config.log.compression.rawValue))
        out += "\n[sink.sqlite]\n" + line("sink.sqlite.path", tomlQuoted(config.sink.path))
        out += "\n[index]\n" + line("index.refresh_interval", tomlQuoted(Parse.format(config.index.refreshInterval)))
        out += line("index.path", tomlQuoted(config.index.path))
        out += "\n[http]\n" + line("http.listen", tomlQuoted(config.http.listen.description))
        out += line("http.api_key_file", config.http.apiKeyFile.map { tomlQuoted($0) + "  # secret: contents not shown" })
        out += line("http.basic_auth_file", config.http.basicAuthFile.map { tomlQuoted($0) + "  # secret: contents not shown" })
        out += line("http.compatibility", tomlQuoted(config.http.compatibility.rawValue))
        out += "\n[admin]\n" + line("admin.listen", tomlQuoted(config.admin.listen.description))
        out += line("admin.sql_timeout", tomlQuoted(Parse.format(config.admin.sqlTimeout)))
        out += line("admin.sql_max_rows", String(config.admin.sqlMaxRows))
        out += line("admin.ready_max_lag", String(config.admin.readyMaxLag))
        return out
    }

    private func line(_ path: String, _ literal: String?) -> String {
        let key = path.split(separator: ".").last.map(String.init) ?? path
        guard let literal else { return "# \(key) is not set\n" }
        let origin = origins[path].map { "\($0)" } ?? "(default)"
        let comment = literal.contains("#") ? "" : "  # \(origin)"
        return "\(key) = \(literal)\(comment)\n"
    }
}
