// MARK: - The publication

extension PreflightInspector {
    /// If the publication exists it must publish inserts, updates and deletes of every configured table;
    /// if it does not, the role must be able to create it. `tables` are the configured tables that exist.
    func publication(tables: [TableFacts]) throws(PostgresError) -> [PreflightFinding] {
        let publication = quoteIdentifier(target.publication)
        let truncate = facts.version >= 110_000 ? "p.pubtruncate" : "true"
        let result = try connection.query("""
            SELECT pg_has_role(p.pubowner, 'USAGE') AS owned, pg_get_userbyid(p.pubowner) AS owner,
                   p.pubinsert AND p.pubupdate AND p.pubdelete AS complete, \(truncate) AS truncates
            FROM pg_publication p WHERE p.pubname = $1
            """, [target.publication])
        guard !result.rows.isEmpty else { return try missingPublication(tables: tables) }

        let owned = facts.superuser || result.value("owned") == "t"
        let owner = quoteIdentifier(result.value("owner") ?? "?")
        var findings: [PreflightFinding] = []
        let published = try publishedTables()
        let missing = tables.map(\.name).filter { !published.contains($0) }
        if !missing.isEmpty {
            let asOwner = owned ? "" : " -- as the publication's owner, \(owner)"
            findings.append(PreflightFinding(
                .error, .publication, subject: target.publication,
                "publication \(publication) lacks \(missing.map(\.sql).joined(separator: ", "))",
                fix: "ALTER PUBLICATION \(publication) ADD TABLE \(missing.map(\.sql).joined(separator: ", "));\(asOwner)"
            ))
        } else if !owned {
            findings.append(PreflightFinding(
                .warning, .publication, subject: target.publication,
                "publication \(publication) is owned by \(owner), so the pipeline cannot add tables to it later",
                fix: "ALTER PUBLICATION \(publication) OWNER TO \(role);"
            ))
        }
        if result.value("complete") != "t" {
            findings.append(PreflightFinding(
                .error, .publication, subject: target.publication,
                "publication \(publication) does not publish all of inserts, updates and deletes",
                fix: "ALTER PUBLICATION \(publication) SET (publish = 'insert, update, delete, truncate');"
            ))
        } else if result.value("truncates") != "t" {
            findings.append(PreflightFinding(
                .warning, .publication, subject: target.publication,
                "publication \(publication) does not publish TRUNCATE, so truncated rows stay in the pipeline",
                fix: "ALTER PUBLICATION \(publication) SET (publish = 'insert, update, delete, truncate');"
            ))
        }
        findings += try rowFilters()
        if !findings.contains(where: { $0.severity != .ok }) {
            findings.append(PreflightFinding(
                .ok, .publication, subject: target.publication,
                "publication \(publication) publishes every configured table (\(tables.count))"
            ))
        }
        return findings
    }

    private func publishedTables() throws(PostgresError) -> Set<QualifiedName> {
        let rows = try connection.query(
            "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1", [target.publication]
        ).rows
        return Set(rows.map { QualifiedName(schema: $0[0] ?? "", table: $0[1] ?? "") })
    }

    /// Row filters (PostgreSQL 15) drop changes the answers need.
    private func rowFilters() throws(PostgresError) -> [PreflightFinding] {
        guard facts.version >= 150_000 else { return [] }
        let rows = try connection.query(
            "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1 AND rowfilter IS NOT NULL ORDER BY 1, 2",
            [target.publication]
        ).rows
        let configured = Set(target.tables)
        return rows.map { QualifiedName(schema: $0[0] ?? "", table: $0[1] ?? "") }.filter(configured.contains).map { table in
            PreflightFinding(
                .warning, .publication, subject: target.publication,
                "publication \(quoteIdentifier(target.publication)) filters the rows of \(table.sql): filtered changes never reach the pipeline",
                fix: "ALTER PUBLICATION \(quoteIdentifier(target.publication)) SET TABLE <every table, without WHERE clauses>;"
            )
        }
    }

    /// Creating `FOR TABLE …` needs CREATE on the database and ownership of each table, or superuser.
    private func missingPublication(tables: [TableFacts]) throws(PostgresError) -> [PreflightFinding] {
        let publication = quoteIdentifier(target.publication)
        let tableList = tables.map(\.name.sql).joined(separator: ", ")
        let create = "CREATE PUBLICATION \(publication) FOR TABLE \(tableList);"
        if facts.superuser {
            return [PreflightFinding(.ok, .publication, subject: target.publication, "publication \(publication) does not exist yet; the pipeline will create it")]
        }
        let mayCreate = try connection.execute("SELECT has_database_privilege(current_database(), 'CREATE')").scalar == "t"
        let notOwned = tables.filter { !$0.owned }.map(\.name)
        if mayCreate && notOwned.isEmpty {
            return [PreflightFinding(.ok, .publication, subject: target.publication, "publication \(publication) does not exist yet; role \(role) can create it")]
        }
        var reasons: [String] = []
        if !mayCreate { reasons.append("lacks CREATE on database \(quoteIdentifier(facts.database))") }
        if !notOwned.isEmpty { reasons.append("does not own \(notOwned.map(\.sql).joined(separator: ", "))") }
        let fix = tables.isEmpty
            ? "create the configured tables first"
            : notOwned.isEmpty
            ? "GRANT CREATE ON DATABASE \(quoteIdentifier(facts.database)) TO \(role);"
            : "-- as a superuser:\n\(create)\nALTER PUBLICATION \(publication) OWNER TO \(role);"
        return [PreflightFinding(
            .error, .publication, subject: target.publication,
            "publication \(publication) does not exist and role \(role) cannot create it: it \(reasons.joined(separator: " and "))",
            fix: fix
        )]
    }
}
