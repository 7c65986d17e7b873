import Foundation

/// Runs the checks of one preflight in order on the calling thread (which must be a dedicated one:
/// every check blocks on libpq) and collects the findings.
struct PreflightChecks {
    let target: PreflightTarget
    private(set) var findings: [PreflightFinding] = []
    /// The connected role, once known.
    private var role: String?

    init(target: PreflightTarget) {
        self.target = target
    }

    mutating func runAll() {
        var settings = target.settings
        settings.replication = false
        let connection: PGConnection
        let facts: ServerFacts
        do {
            connection = try PGConnection(settings)
            facts = try ServerFacts(connection)
        } catch {
            findings.append(PreflightFinding(
                .error, .connection, "cannot connect: \(error.message)",
                fix: "check the host, port, database name, role and password, and that pg_hba.conf has a line for this database, role and client address"
            ))
            return
        }
        role = facts.role
        findings.append(PreflightFinding(
            .ok, .connection,
            "connected to database \(quoteIdentifier(facts.database)) as role \(quoteIdentifier(facts.role))\(facts.superuser ? " (superuser)" : "")"
        ))
        let inspector = PreflightInspector(target: target, connection: connection, facts: facts)
        collect(.serverVersion) { inspector.serverVersion() }
        collect(.walLevel, inspector.walLevel)
        collect(.replicationSlots, inspector.replicationSlots)
        collect(.walSenders, inspector.walSenders)
        collect(.replicationRole) { inspector.replicationRole() }
        collect(.replicationConnection) { inspector.replicationConnection() }
        var tables: [TableFacts] = []
        for table in target.tables {
            collect(.table, subject: table.description) { () throws(PostgresError) in
                let (found, tableFindings) = try inspector.table(table)
                if let found { tables.append(found) }
                return tableFindings
            }
        }
        collect(.publication, subject: target.publication) { () throws(PostgresError) in
            try inspector.publication(tables: tables)
        }
        collect(.slot, subject: target.slot, inspector.slot)
    }

    /// Adds a check's findings, or an error finding when one of its queries failed.
    private mutating func collect(
        _ check: PreflightFinding.Check,
        subject: String? = nil,
        _ body: () throws(PostgresError) -> [PreflightFinding]
    ) {
        do {
            findings += try body()
        } catch {
            var finding = PreflightFinding(.error, check, subject: subject, "could not check: \(error)")
            if error.sqlState == "42501", let role {
                // insufficient_privilege: most often a schema the role may not use.
                finding.fix = "grant \(quoteIdentifier(role)) the privilege the message names, e.g. GRANT USAGE ON SCHEMA <schema> TO \(quoteIdentifier(role));"
            }
            findings.append(finding)
        }
    }
}

/// Who and where we are, read once at the start.
struct ServerFacts {
    var role: String
    var database: String
    var version: Int
    var versionText: String
    var superuser: Bool
    var replication: Bool

    init(_ connection: PGConnection) throws(PostgresError) {
        let result = try connection.execute("""
            SELECT current_user, current_database(), current_setting('server_version'), r.rolsuper, r.rolreplication
            FROM pg_roles r WHERE r.rolname = current_user
            """)
        role = result.value("current_user") ?? connection.user
        database = result.value("current_database") ?? connection.database
        version = connection.serverVersion
        versionText = result.value("current_setting") ?? String(connection.serverVersion)
        superuser = result.value("rolsuper") == "t"
        replication = result.value("rolreplication") == "t"
    }
}

