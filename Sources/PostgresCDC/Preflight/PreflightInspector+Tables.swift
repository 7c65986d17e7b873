/// What the catalog says about one configured table.
struct TableFacts {
    var name: QualifiedName
    /// Owned by the role (or a role it is a member of).
    var owned: Bool
}

// MARK: - Configured tables

extension PreflightInspector {
    /// Existence, the SELECT privilege and a way to identify rows in updates and deletes. Returns the
    /// table's facts when it exists, for the publication check.
    func table(_ name: QualifiedName) throws(PostgresError) -> (TableFacts?, [PreflightFinding]) {
        let subject = name.description
        // to_regclass takes the quoted name, so case and dots inside names are kept.
        let result = try connection.query("""
            SELECT c.relkind::text AS kind, c.relreplident::text AS identity,
                   pg_has_role(c.relowner, 'USAGE') AS owned,
                   has_table_privilege(c.oid, 'SELECT') AS readable,
                   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_key,
                   (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                     WHERE i.indrelid = c.oid AND i.indisreplident) AS identity_index,
                   (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                     WHERE i.indrelid = c.oid AND i.indisunique AND i.indimmediate AND i.indpred IS NULL
                       AND i.indexprs IS NULL
                       AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                       WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey) AND NOT a.attnotnull)
                     ORDER BY ic.relname LIMIT 1) AS candidate_index
            FROM pg_class c WHERE c.oid = to_regclass($1)
            """, [name.sql])
        guard !result.rows.isEmpty else {
            return (nil, [PreflightFinding(
                .error, .table, subject: subject, "table \(name.sql) does not exist in database \(quoteIdentifier(facts.database))",
                fix: "create the table, or correct the table name in the configuration (names are case-sensitive)"
            )])
        }
        let kind = result.value("kind") ?? ""
        guard kind == "r" || kind == "p" else {
            return (nil, [PreflightFinding(
                .error, .table, subject: subject, "\(name.sql) is not a table (relkind \(kind)); only tables can be published",
                fix: "configure the underlying table instead"
            )])
        }
        var findings = [PreflightFinding(.ok, .table, subject: subject, "table \(name.sql) exists")]
        if result.value("readable") == "t" {
            findings.append(PreflightFinding(.ok, .tablePrivilege, subject: subject, "role \(role) may read \(name.sql)"))
        } else {
            findings.append(PreflightFinding(
                .error, .tablePrivilege, subject: subject, "role \(role) may not read \(name.sql), which the initial snapshot needs",
                fix: "GRANT SELECT ON \(name.sql) TO \(role);"
            ))
        }
        findings.append(replicaIdentity(name, result))
        return (TableFacts(name: name, owned: result.value("owned") == "t"), findings)
    }

    /// Updates and deletes carry the old row's key only when the table has a replica identity: the primary
    /// key (the default), a unique index, or the full row.
    private func replicaIdentity(_ name: QualifiedName, _ result: QueryResult) -> PreflightFinding {
        let subject = name.description
        let hasKey = result.value("has_key") == "t"
        let identityIndex = result.value("identity_index")
        let identity = result.value("identity")
        // What identifies the old row when the table's identity is not the default (the primary key).
        let explicit: String? = switch identity {
        case "f": "the full row"
        case "i": identityIndex.map { "the unique index \(quoteIdentifier($0))" }
        default: nil
        }
        if hasKey && (identity == "d" || explicit != nil) {
            return PreflightFinding(.ok, .replicaIdentity, subject: subject, "\(name.sql) has a primary key")
        }
        if let explicit {
            return PreflightFinding(
                .warning, .replicaIdentity, subject: subject,
                "\(name.sql) has no primary key; rows are identified by \(explicit), so change events are keyed by it",
                fix: "ALTER TABLE \(name.sql) ADD PRIMARY KEY (<key columns>);"
            )
        }
        let state = identity == "n" ? "REPLICA IDENTITY NOTHING" : "no primary key and no replica identity"
        if hasKey {
            return PreflightFinding(
                .error, .replicaIdentity, subject: subject,
                "\(name.sql) has \(state): updates and deletes cannot be replicated",
                fix: "ALTER TABLE \(name.sql) REPLICA IDENTITY DEFAULT;"
            )
        }
        var fix = "ALTER TABLE \(name.sql) ADD PRIMARY KEY (<key columns>);"
        if let candidate = result.value("candidate_index") {
            fix += "\n-- or: ALTER TABLE \(name.sql) REPLICA IDENTITY USING INDEX \(quoteIdentifier(candidate));"
        }
        fix += "\n-- or, when no columns identify a row: ALTER TABLE \(name.sql) REPLICA IDENTITY FULL;"
        return PreflightFinding(
            .error, .replicaIdentity, subject: subject,
            "\(name.sql) has \(state): updates and deletes cannot be replicated",
            fix: fix
        )
    }
}
