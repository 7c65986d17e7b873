import BlockingIO

/// What a preflight checks: one source database, the tables the pipeline reads from it, and the names of
/// the replication slot and publication it will use.
public struct PreflightTarget: Sendable {
    /// A name for the report (e.g. the source's name in the configuration).
    public var name: String
    /// How the pipeline connects. A normal connection and a replication connection are both tried.
    public var settings: ConnectionSettings
    public var tables: [QualifiedName]
    public var slot: String
    public var publication: String

    public init(name: String, settings: ConnectionSettings, tables: [QualifiedName], slot: String, publication: String) {
        self.name = name
        self.settings = settings
        self.tables = tables
        self.slot = slot
        self.publication = publication
    }
}

/// The outcome of one check.
public struct PreflightFinding: Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        /// Fine; the message may carry information (versions, lag).
        case ok
        /// Works, but something will hurt later.
        case warning
        /// The pipeline cannot run until this is fixed.
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
        private var rank: Int {
            switch self {
            case .ok: 0
            case .warning: 1
            case .error: 2
            }
        }
    }

    /// Which check produced a finding: a short, stable id such as `wal_level`.
    public struct Check: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        /// A normal connection opens.
        public static let connection = Check("connection")
        /// The server is new enough (10 for pgoutput; 14 for streaming of large transactions).
        public static let serverVersion = Check("server_version")
        /// `wal_level` is `logical`.
        public static let walLevel = Check("wal_level")
        /// A replication slot is free (or ours exists).
        public static let replicationSlots = Check("replication_slots")
        /// A WAL sender is free.
        public static let walSenders = Check("wal_senders")
        /// The role has REPLICATION or is a superuser.
        public static let replicationRole = Check("replication_role")
        /// A replication connection opens and answers `IDENTIFY_SYSTEM`.
        public static let replicationConnection = Check("replication_connection")
        /// A configured table exists and is a table.
        public static let table = Check("table")
        /// The role may read a configured table.
        public static let tablePrivilege = Check("table_privilege")
        /// A configured table has a primary key or a replica identity that identifies rows.
        public static let replicaIdentity = Check("replica_identity")
        /// The publication exists with every table, or the role can create it.
        public static let publication = Check("publication")
        /// The replication slot, if it exists, fits (pgoutput, logical, this database, WAL kept, lag).
        public static let slot = Check("slot")
        public var description: String { rawValue }
    }

    public var severity: Severity
    public var check: Check
    /// The object checked when there is one (a table, the slot), e.g. `public.CommunityUsers`.
    public var subject: String?
    /// What was found; never a password or a row value.
    public var message: String
    /// The SQL or setting that fixes the problem, when there is one.
    public var fix: String?

    public init(_ severity: Severity, _ check: Check, subject: String? = nil, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.check = check
        self.subject = subject
        self.message = message
        self.fix = fix
    }

    public var description: String {
        var text = "[\(severity.rawValue)] \(check)"
        if let subject { text += " (\(subject))" }
        text += ": \(message)"
        if let fix { text += "\n  fix: \(fix)" }
        return text
    }
}

/// Every finding for one target.
public struct PreflightReport: Sendable {
    public var target: String
    public var findings: [PreflightFinding]

    public init(target: String, findings: [PreflightFinding]) {
        self.target = target
        self.findings = findings
    }

    /// True when no finding is an error (warnings do not fail a preflight).
    public var passed: Bool { !findings.contains { $0.severity == .error } }

    /// The findings of one check.
    public func findings(_ check: PreflightFinding.Check) -> [PreflightFinding] {
        findings.filter { $0.check == check }
    }
}

/// Checks that a PostgreSQL database is ready for logical replication by this pipeline, the engine of
/// the `doctor` command. Knows nothing of the tables' meaning: only PostgreSQL's requirements.
public enum Preflight {
    /// Runs every check against `target` on a dedicated thread. Never throws: a connection or query that
    /// fails is itself a finding. Checks that need a connection are skipped when none can be opened.
    public static func run(_ target: PreflightTarget) async -> PreflightReport {
        let findings: [PreflightFinding]
        do {
            findings = try await runBlocking(name: "moodle-pipeline.preflight") {
                var checks = PreflightChecks(target: target)
                checks.runAll()
                return checks.findings
            }
        } catch {
            findings = [PreflightFinding(.error, .connection, "the preflight could not run: \(error)")]
        }
        return PreflightReport(target: target.name, findings: findings)
    }
}
