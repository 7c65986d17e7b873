/// DESIGN.md's two answers as PostgreSQL SQL over the source tables — the independent oracle the tests and
/// the end-to-end benchmark compare the pipeline with. The community rows must be in the same database as
/// the sites (copy them into a temporary table: the two sources share no server).
///
/// Agrees with `RegistrationTime` and `EmailNormalizer` for the forms the tests generate: integer epoch text
/// (milliseconds from 10^11), ISO dates and date-times with optional offset (read in the session's zone, so
/// the session must `SET TimeZone` to `timeZone`); email trimmed of ASCII whitespace and lower-cased (PostgreSQL
/// `lower()` follows the collation, so non-ASCII case folding may differ; `+tag` folding is not expressed).
/// Where PostgreSQL is laxer than `RegistrationTime` (`24:00:00`, ISO week dates), the oracle would accept
/// what the pipeline refuses — generate neither.
public struct AnswerSQL: Sendable {
    /// Quoted table names (e.g. `"SitesUsers"`, `pg_temp.oracle_users`).
    public var usersTable: String
    public var sitesTable: String
    /// Quoted column names.
    public var usersEmail: String
    public var usersRegistered: String
    public var sitesEmail: String
    public var sitesRegistered: String
    public var usersID: String
    public var sitesID: String
    public var timeZone: String

    public init(usersTable: String, sitesTable: String, usersEmail: String = "email", usersRegistered: String = "registration_timestamp",
                sitesEmail: String = "admin_email", sitesRegistered: String = "registration_timestamp",
                usersID: String = "id", sitesID: String = "id", timeZone: String = "UTC") {
        (self.usersTable, self.sitesTable, self.usersEmail, self.usersRegistered) = (usersTable, sitesTable, usersEmail, usersRegistered)
        (self.sitesEmail, self.sitesRegistered, self.usersID, self.sitesID, self.timeZone) = (sitesEmail, sitesRegistered, usersID, sitesID, timeZone)
    }

    /// Creates `pg_temp.mp_ts(text) → timestamptz`, NULL for anything that is not an accepted form.
    public static let parseFunction = #"""
        CREATE OR REPLACE FUNCTION pg_temp.mp_ts(t text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
        DECLARE s text := btrim(t, E' \t\n\r\f\v');
        BEGIN
          IF s ~ '^-?[0-9]{1,18}$' THEN
            IF abs(s::numeric) >= 100000000000 THEN RETURN to_timestamp(s::numeric / 1000); END IF;
            RETURN to_timestamp(s::numeric);
          END IF;
          IF s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$' THEN
            RETURN s::timestamptz;
          END IF;
          RETURN NULL;
        EXCEPTION WHEN others THEN RETURN NULL;
        END $$
        """#

    private func normalized(_ column: String) -> String { #"lower(btrim(\#(column)::text, E' \t\n\r\f\v'))"# }

    /// Every week from the first to the last with an instant of `times` (a query with a column `t`):
    /// `week_start`, count, running total — all as text.
    private func weekly(_ times: String) -> String {
        """
        WITH w AS (SELECT date_trunc('week', t AT TIME ZONE '\(timeZone)')::date AS wk, count(*) AS n FROM (\(times)) x
                   WHERE t IS NOT NULL GROUP BY 1),
        r AS (SELECT generate_series(min(wk), max(wk), interval '7 days')::date AS wk FROM w)
        SELECT r.wk::text, coalesce(w.n, 0)::text, (sum(coalesce(w.n, 0)) OVER (ORDER BY r.wk))::text
        FROM r LEFT JOIN w USING (wk) ORDER BY r.wk
        """
    }

    /// The join: `uid`, `sid`, `email` (normalised), `since` (timestamptz).
    public var pairs: String {
        """
        SELECT u.id AS uid, s.id AS sid, u.e AS email, greatest(u.t, s.t) AS since
        FROM (SELECT \(usersID) AS id, \(normalized(usersEmail)) AS e, pg_temp.mp_ts(\(usersRegistered)::text) AS t FROM \(usersTable)) u
        JOIN (SELECT \(sitesID) AS id, \(normalized(sitesEmail)) AS e, pg_temp.mp_ts(\(sitesRegistered)::text) AS t FROM \(sitesTable)) s
          ON u.e = s.e AND u.e <> '' WHERE u.t IS NOT NULL AND s.t IS NOT NULL
        """
    }

    /// Q1 rows: week_start, sites_registered, sites_total.
    public var q1: String { weekly("SELECT pg_temp.mp_ts(\(sitesRegistered)::text) AS t FROM \(sitesTable)") }

    /// Q2 rows: week_start, new_admins, admins_total.
    public var q2: String { weekly("SELECT min(since) AS t FROM (\(pairs)) p GROUP BY uid") }

    /// Join rows ordered by user and site: uid, sid, email, since as epoch microseconds — all as text.
    public var joinRows: String {
        "SELECT uid::text, sid::text, email, (extract(epoch FROM since) * 1000000)::bigint::text FROM (\(pairs)) p ORDER BY p.uid, p.sid"
    }

    /// Ids of rows whose registration time is not accepted, per side.
    public var invalidUsers: String { "SELECT \(usersID)::text FROM \(usersTable) WHERE pg_temp.mp_ts(\(usersRegistered)::text) IS NULL" }
    public var invalidSites: String { "SELECT \(sitesID)::text FROM \(sitesTable) WHERE pg_temp.mp_ts(\(sitesRegistered)::text) IS NULL" }
}
