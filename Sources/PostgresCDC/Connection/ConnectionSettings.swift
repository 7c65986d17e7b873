import Foundation

/// How to reach one PostgreSQL server.
///
/// `url` is a libpq connection string or URI; keywords set here (password, sslmode, …) are passed to
/// libpq as separate parameters, so nothing is spliced into strings. The password never appears in
/// `description`.
public struct ConnectionSettings: Sendable, CustomStringConvertible {
    public var url: String
    public var password: String?
    /// libpq `sslmode` (disable, allow, prefer, require, verify-ca, verify-full); nil leaves libpq's default.
    public var sslMode: String?
    public var applicationName: String
    /// Open a replication connection (`replication=database`) instead of a normal one.
    public var replication: Bool
    public var connectTimeoutSeconds: Int
    /// Session settings sent at start-up (libpq `options`, `-c name=value`), e.g. the formats that the
    /// change events rely on (`ConnectionSettings.changeCaptureSessionSettings`).
    public var sessionSettings: [(String, String)] = []

    public init(
        url: String,
        password: String? = nil,
        sslMode: String? = nil,
        applicationName: String = "moodle-pipeline",
        replication: Bool = false,
        connectTimeoutSeconds: Int = 10
    ) {
        self.url = url
        self.password = password
        self.sslMode = sslMode
        self.applicationName = applicationName
        self.replication = replication
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Value formats that change events depend on, set on every capture session (replication and snapshot),
    /// so that the stream and the snapshot render values identically whatever the server's defaults:
    /// ISO dates in UTC, hex `bytea`, floats that round-trip.
    public static let changeCaptureSessionSettings: [(String, String)] = [
        ("DateStyle", "ISO, YMD"), ("TimeZone", "UTC"), ("IntervalStyle", "iso_8601"),
        ("bytea_output", "hex"), ("extra_float_digits", "3"), ("client_encoding", "UTF8"),
    ]

    /// The same server with the capture session settings.
    public var forChangeCapture: ConnectionSettings {
        var copy = self
        copy.sessionSettings = Self.changeCaptureSessionSettings
        return copy
    }

    /// The same server, over a replication connection.
    public var forReplication: ConnectionSettings {
        var copy = self
        copy.replication = true
        return copy
    }

    var keywords: [(String, String)] {
        var pairs: [(String, String)] = [
            ("dbname", url),
            ("application_name", applicationName),
            ("connect_timeout", String(connectTimeoutSeconds)),
            // Detect a dead server on an idle connection.
            ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
        ]
        if let password { pairs.append(("password", password)) }
        if let sslMode { pairs.append(("sslmode", sslMode)) }
        if replication { pairs.append(("replication", "database")) }
        if !sessionSettings.isEmpty {
            // libpq splits `options` on spaces; a backslash escapes one.
            let options = sessionSettings.map { name, value in
                "-c \(name)=" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: " ", with: "\\ ")
            }
            pairs.append(("options", options.joined(separator: " ")))
        }
        return pairs
    }

    public var description: String {
        "ConnectionSettings(url: \(redactedURL(url)), password: \(password == nil ? "none" : "***"), sslmode: \(sslMode ?? "default"), replication: \(replication))"
    }
}

/// The URL with any password in it replaced by `***`.
public func redactedURL(_ url: String) -> String {
    // postgresql://user:secret@host/db → postgresql://user:***@host/db
    guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
    let userInfo = url[scheme.upperBound..<at]
    guard let colon = userInfo.firstIndex(of: ":") else { return url }
    return String(url[..<colon]) + ":***" + String(url[at...])
}
