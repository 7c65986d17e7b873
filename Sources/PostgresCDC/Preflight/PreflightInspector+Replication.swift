// MARK: - The replication connection

extension PreflightInspector {
    /// Opens a `replication=database` connection and runs `IDENTIFY_SYSTEM`, which is what the reader
    /// does first. Catches what the catalog cannot show: pg_hba.conf rules, authentication, sender limits.
    func replicationConnection() -> [PreflightFinding] {
        do {
            let replication = try PGConnection(target.settings.forReplication)
            let identity = try replication.execute("IDENTIFY_SYSTEM")
            guard let database = identity.value("dbname") else {
                return [PreflightFinding(
                    .error, .replicationConnection, "the replication connection is not tied to a database",
                    fix: "connect with replication=database (the pipeline does so itself)"
                )]
            }
            let system = identity.value("systemid") ?? "?"
            let timeline = identity.value("timeline") ?? "?"
            let position = identity.value("xlogpos") ?? "?"
            return [PreflightFinding(
                .ok, .replicationConnection,
                "replication connection to \(quoteIdentifier(database)) works: system \(system), timeline \(timeline), WAL at \(position)"
            )]
        } catch {
            return [PreflightFinding(
                .error, .replicationConnection, "a replication connection fails: \(error.message)", fix: fix(forReplicationFailure: error)
            )]
        }
    }

    private func fix(forReplicationFailure error: PostgresError) -> String {
        let message = error.message
        if message.contains("superuser or replication role") || message.contains("permission denied to start WAL sender") {
            return "ALTER ROLE \(role) WITH REPLICATION;"
        }
        if message.contains("max_wal_senders") || message.contains("standby connections") {
            return "ALTER SYSTEM SET max_wal_senders = 10; -- then restart the server"
        }
        if message.contains("pg_hba.conf") {
            // Logical replication connections match pg_hba.conf lines by database name; the `replication`
            // keyword matches only physical replication.
            return "add a pg_hba.conf line for this database and role, e.g. host \(quoteIdentifier(facts.database)) \(role) <client address>/32 scram-sha-256, then SELECT pg_reload_conf();"
        }
        return "check that the server accepts replication connections from this role (pg_hba.conf, max_wal_senders, REPLICATION)"
    }
}
