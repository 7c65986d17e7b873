// MARK: - The replication slot

extension PreflightInspector {
    /// Lag beyond this is worth a warning: the server keeps that much WAL for the slot.
    static let lagWarningBytes: Int64 = 1 << 30

    /// A slot that exists must be a logical pgoutput slot of this database whose WAL is still there.
    func slot() throws(PostgresError) -> [PreflightFinding] {
        let slot = target.slot
        guard Self.isValidSlotName(slot) else {
            return [PreflightFinding(
                .error, .slot, subject: slot, "\(quoteLiteral(slot)) is not a valid slot name",
                fix: "name the slot with lower-case letters, digits and underscores only (at most 63)"
            )]
        }
        let walStatus = facts.version >= 130_000 ? "wal_status" : "NULL::text"
        let result = try connection.query("""
            SELECT plugin, slot_type, database, active, active_pid, \(walStatus) AS wal_status,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS lag
            FROM pg_replication_slots WHERE slot_name = $1
            """, [slot])
        guard !result.rows.isEmpty else {
            return [PreflightFinding(.ok, .slot, subject: slot, "slot \(slot) does not exist yet; the pipeline will create it")]
        }
        let drop = "SELECT pg_drop_replication_slot(\(quoteLiteral(slot))); -- the pipeline then makes a new slot and a new initial snapshot"
        if let problem = mismatch(result) {
            return [PreflightFinding(.error, .slot, subject: slot, problem, fix: drop)]
        }
        var findings: [PreflightFinding] = []
        switch result.value("wal_status") {
        case "lost":
            findings.append(PreflightFinding(
                .error, .slot, subject: slot, "slot \(slot) has lost WAL it needs: changes were missed", fix: drop
            ))
        case "unreserved":
            findings.append(PreflightFinding(
                .warning, .slot, subject: slot, "slot \(slot) is about to lose WAL (wal_status unreserved)",
                fix: "let the pipeline catch up, or raise max_slot_wal_keep_size"
            ))
        default: break
        }
        if result.value("active") == "t" {
            findings.append(PreflightFinding(
                .warning, .slot, subject: slot,
                "slot \(slot) is in use by server process \(result.value("active_pid") ?? "?") (is the pipeline already running?)"
            ))
        }
        findings.append(lagFinding(result.value("lag").flatMap { Int64($0) }))
        return findings
    }

    private func mismatch(_ result: QueryResult) -> String? {
        let slot = target.slot
        if result.value("slot_type") != "logical" {
            return "slot \(slot) is a \(result.value("slot_type") ?? "?") slot, not a logical one"
        }
        if result.value("plugin") != "pgoutput" {
            return "slot \(slot) uses the output plugin \(result.value("plugin") ?? "?"), not pgoutput"
        }
        if let database = result.value("database"), database != facts.database {
            return "slot \(slot) belongs to database \(quoteIdentifier(database)), not \(quoteIdentifier(facts.database))"
        }
        return nil
    }

    private func lagFinding(_ lag: Int64?) -> PreflightFinding {
        let slot = target.slot
        guard let lag else {
            return PreflightFinding(.ok, .slot, subject: slot, "slot \(slot) exists (no confirmed position yet)")
        }
        let text = "slot \(slot) is \(Self.formatBytes(lag)) behind the current WAL position"
        if lag > Self.lagWarningBytes {
            return PreflightFinding(
                .warning, .slot, subject: slot, "\(text); the server keeps that WAL until the pipeline consumes it",
                fix: "start the pipeline so it catches up, or drop the slot if it is no longer used"
            )
        }
        return PreflightFinding(.ok, .slot, subject: slot, text)
    }

    /// Slot names: lower-case letters, digits and underscores, at most 63 bytes.
    static func isValidSlotName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 63
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    static func formatBytes(_ bytes: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(bytes) bytes" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10)) \(units[unit])"
    }
}
