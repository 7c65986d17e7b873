/// The checks themselves, over one open connection. Each returns its findings or throws when a query
/// fails (which `PreflightChecks` turns into an error finding).
struct PreflightInspector {
    let target: PreflightTarget
    let connection: PGConnection
    let facts: ServerFacts

    var role: String { quoteIdentifier(facts.role) }
}

// MARK: - Server settings and the role

extension PreflightInspector {
    /// pgoutput needs 10; streaming of large in-progress transactions (protocol version 2) needs 14.
    func serverVersion() -> [PreflightFinding] {
        let version = "PostgreSQL \(facts.versionText)"
        if facts.version < 100_000 {
            return [PreflightFinding(
                .error, .serverVersion, "\(version) is too old: logical replication with pgoutput needs PostgreSQL 10 or newer",
                fix: "upgrade the server to PostgreSQL 14 or newer"
            )]
        }
        if facts.version < 140_000 {
            return [PreflightFinding(
                .warning, .serverVersion,
                "\(version) cannot stream large in-progress transactions (needs 14): the server decodes each transaction whole before sending it",
                fix: "upgrade the server to PostgreSQL 14 or newer"
            )]
        }
        return [PreflightFinding(.ok, .serverVersion, version)]
    }

    func walLevel() throws(PostgresError) -> [PreflightFinding] {
        let level = try connection.execute("SELECT current_setting('wal_level')").scalar ?? "unknown"
        guard level == "logical" else {
            return [PreflightFinding(
                .error, .walLevel, "wal_level is \(level); logical decoding needs logical",
                fix: "ALTER SYSTEM SET wal_level = logical; -- then restart the server"
            )]
        }
        return [PreflightFinding(.ok, .walLevel, "wal_level is logical")]
    }

    /// A free slot is needed unless ours exists already.
    func replicationSlots() throws(PostgresError) -> [PreflightFinding] {
        let result = try connection.query("""
            SELECT current_setting('max_replication_slots')::int AS maximum,
                   (SELECT count(*) FROM pg_replication_slots) AS used,
                   EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1) AS ours
            """, [target.slot])
        let maximum = Int(result.value("maximum") ?? "") ?? 0
        let used = Int(result.value("used") ?? "") ?? 0
        let summary = "\(used) of \(maximum) replication slots in use"
        if result.value("ours") == "t" {
            return [PreflightFinding(.ok, .replicationSlots, "\(summary), ours among them")]
        }
        guard used < maximum else {
            return [PreflightFinding(
                .error, .replicationSlots, "\(summary): none is free for slot \(target.slot)",
                fix: "ALTER SYSTEM SET max_replication_slots = \(used + 1); -- then restart the server\n-- or drop a slot no longer used: SELECT pg_drop_replication_slot('<name>');"
            )]
        }
        return [PreflightFinding(.ok, .replicationSlots, summary)]
    }

    /// The reader holds one WAL sender; one already serving our slot counts as ours.
    func walSenders() throws(PostgresError) -> [PreflightFinding] {
        let result = try connection.query("""
            SELECT current_setting('max_wal_senders')::int AS maximum,
                   (SELECT count(*) FROM pg_stat_replication
                    WHERE pid IS DISTINCT FROM (SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1)) AS used
            """, [target.slot])
        let maximum = Int(result.value("maximum") ?? "") ?? 0
        let used = Int(result.value("used") ?? "") ?? 0
        let summary = "\(used) of \(maximum) WAL senders in use by others"
        guard used < maximum else {
            return [PreflightFinding(
                .error, .walSenders, "\(summary): none is free for the reader",
                fix: "ALTER SYSTEM SET max_wal_senders = \(used + 2); -- then restart the server"
            )]
        }
        return [PreflightFinding(.ok, .walSenders, summary)]
    }

    func replicationRole() -> [PreflightFinding] {
        if facts.superuser { return [PreflightFinding(.ok, .replicationRole, "role \(role) is a superuser")] }
        if facts.replication { return [PreflightFinding(.ok, .replicationRole, "role \(role) has REPLICATION")] }
        return [PreflightFinding(
            .error, .replicationRole, "role \(role) has neither REPLICATION nor superuser, so it cannot open a replication connection",
            fix: "ALTER ROLE \(role) WITH REPLICATION;"
        )]
    }
}
