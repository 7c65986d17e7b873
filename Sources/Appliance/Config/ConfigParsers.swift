import Foundation

/// Parsers from raw values to typed settings; each failure says what was expected.
enum Parse {
    static func nonEmpty(_ value: ConfigValue) -> Result<String, Problem> {
        guard case .string(let string) = value else { return .failure(Problem("expected a string")) }
        let trimmed = string.trimmingWhitespace()
        return trimmed.isEmpty ? .failure(Problem("must not be empty")) : .success(trimmed)
    }

    static func integer(_ range: ClosedRange<Int>) -> (ConfigValue) -> Result<Int, Problem> {
        { value in
            guard case .integer(let integer) = value else { return .failure(Problem("expected an integer")) }
            return range.contains(integer) ? .success(integer) : .failure(Problem("expected an integer from \(range.lowerBound) to \(range.upperBound), got \(integer)"))
        }
    }

    static func choice<T: RawRepresentable & CaseIterable>(_: T.Type) -> (ConfigValue) -> Result<T, Problem> where T.RawValue == String {
        { value in
            let allowed = T.allCases.map { tomlQuoted($0.rawValue) }.joined(separator: ", ")
            guard case .string(let string) = value, let choice = T(rawValue: string.trimmingWhitespace()) else {
                return .failure(Problem("expected one of \(allowed), got \(value.tomlLiteral)"))
            }
            return .success(choice)
        }
    }

    /// `500ms`, `10s`, `5m`, `12h`, `7d`.
    static func duration(_ range: ClosedRange<Duration>) -> (ConfigValue) -> Result<Duration, Problem> {
        { value in
            let expected = "expected a duration like \"500ms\", \"10s\", \"5m\", \"12h\" or \"7d\" from \(format(range.lowerBound)) to \(format(range.upperBound))"
            guard case .string(let string) = value, let duration = parseDuration(string) else {
                return .failure(Problem("\(expected), got \(value.tomlLiteral)"))
            }
            return range.contains(duration) ? .success(duration) : .failure(Problem("\(expected), got \(value.tomlLiteral)"))
        }
    }

    /// A duration of at least one second, or `forever` (nil).
    /// A duration in `range`, or "off" (nil).
    static func optionalDuration(_ range: ClosedRange<Duration>) -> (ConfigValue) -> Result<Duration?, Problem> {
        { value in
            if case .string("off") = value { return .success(nil) }
            return duration(range)(value).map { $0 }
        }
    }

    static func retention(_ value: ConfigValue) -> Result<Duration?, Problem> {
        if case .string(let string) = value, string.trimmingWhitespace() == "forever" { return .success(nil) }
        guard case .string(let string) = value, let duration = parseDuration(string), duration >= .seconds(1) else {
            return .failure(Problem("expected a duration of at least 1s like \"12h\" or \"7d\", or \"forever\", got \(value.tomlLiteral)"))
        }
        return .success(duration)
    }

    /// Bytes as an integer, or a string with a unit: `64MiB`, `1GiB`, `500KB`.
    static func byteSize(_ range: ClosedRange<Int>) -> (ConfigValue) -> Result<Int, Problem> {
        { value in
            let expected = "expected a size from \(range.lowerBound) to \(range.upperBound) bytes, as an integer or with a unit (\"64MiB\", \"1GiB\")"
            let bytes: Int?
            switch value {
            case .integer(let integer): bytes = integer
            case .string(let string): bytes = parseByteSize(string)
            default: bytes = nil
            }
            guard let bytes, range.contains(bytes) else { return .failure(Problem("\(expected), got \(value.tomlLiteral)")) }
            return .success(bytes)
        }
    }

    /// `host:port` or `[v6]:port`.
    static func listenAddress(_ value: ConfigValue) -> Result<ListenAddress, Problem> {
        let expected = "expected host:port with a port from 1 to 65535 (e.g. \"127.0.0.1:9200\", \"[::1]:9200\")"
        guard case .string(let raw) = value else { return .failure(Problem(expected)) }
        let string = raw.trimmingWhitespace()
        var host: Substring
        var portText: Substring
        if string.hasPrefix("["), let close = string.firstIndex(of: "]") {
            host = string[string.index(after: string.startIndex)..<close]
            let rest = string[string.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(Problem("\(expected), got \(tomlQuoted(raw))")) }
            portText = rest.dropFirst()
        } else {
            guard let colon = string.lastIndex(of: ":") else { return .failure(Problem("\(expected), got \(tomlQuoted(raw))")) }
            host = string[..<colon]
            portText = string[string.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(" "), let port = Int(portText), (1...65535).contains(port) else {
            return .failure(Problem("\(expected), got \(tomlQuoted(raw))"))
        }
        return .success(ListenAddress(host: String(host), port: port))
    }

    static func timeZone(_ value: ConfigValue) -> Result<String, Problem> {
        guard case .string(let string) = value, TimeZone(identifier: string.trimmingWhitespace()) != nil else {
            return .failure(Problem("expected an IANA time zone such as \"UTC\" or \"Europe/Madrid\", got \(value.tomlLiteral)"))
        }
        return .success(string.trimmingWhitespace())
    }

    /// A libpq URI or keyword string that holds no password.
    static func postgresURL(_ value: ConfigValue) -> Result<String, Problem> {
        guard case .string(let raw) = value else { return .failure(Problem("expected a string")) }
        let url = raw.trimmingWhitespace()
        guard !url.isEmpty else { return .failure(Problem("must not be empty: a libpq URL such as \"postgresql://moodle@db.example:5432/community\"")) }
        let lower = url.lowercased()
        var hasPassword = lower.contains("password=")
        if let scheme = url.range(of: "://") {
            let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") { hasPassword = true }
        } else if !lower.contains("=") {
            return .failure(Problem("expected a libpq URI (postgresql://user@host:port/db) or keyword string (host=... dbname=...)"))
        }
        // The value is not repeated: it holds a password.
        if hasPassword {
            return .failure(Problem("holds a password; passwords come from password_file, its MOODLE_PIPELINE_..._PASSWORD_FILE variable, or libpq's PGPASSWORD/~/.pgpass", code: .insecureSecret))
        }
        return .success(url)
    }

    /// Replication slot names: lower-case letters, digits and `_`, at most 63 characters.
    static func slotName(_ value: ConfigValue) -> Result<String, Problem> {
        guard case .string(let string) = value, !string.isEmpty, string.utf8.count <= 63,
              string.allSatisfy({ ($0.isASCII && $0.isLowercase) || $0.isASCII && $0.isNumber || $0 == "_" }) else {
            return .failure(Problem("expected a slot name of 1-63 lower-case letters, digits or '_', got \(value.tomlLiteral)"))
        }
        return .success(string)
    }

    /// A PostgreSQL identifier (used quoted): 1-63 bytes.
    static func identifier(_ value: ConfigValue) -> Result<String, Problem> {
        guard case .string(let string) = value, !string.trimmingWhitespace().isEmpty, string.utf8.count <= 63 else {
            return .failure(Problem("expected a name of 1 to 63 bytes, got \(value.tomlLiteral)"))
        }
        return .success(string)
    }

    /// A non-empty list of `schema.table` or `table` names.
    static func tables(_ value: ConfigValue) -> Result<[String], Problem> {
        guard case .list(let items) = value else { return .failure(Problem("expected an array of table names")) }
        var tables: [String] = []
        for item in items {
            guard case .string(let name) = item, !name.trimmingWhitespace().isEmpty,
                  name.split(separator: ".", omittingEmptySubsequences: false).count <= 2,
                  !name.hasPrefix("."), !name.hasSuffix(".") else {
                return .failure(Problem("expected table names as \"schema.table\", got \(item.tomlLiteral)"))
            }
            tables.append(name.trimmingWhitespace())
        }
        return tables.isEmpty ? .failure(Problem("must name at least one table")) : .success(tables)
    }

    /// A file that holds a secret: it must exist and be readable by its owner only (like libpq's .pgpass).
    static func secretFile(_ value: ConfigValue) -> Result<String, Problem> {
        guard case .string(let raw) = value, !raw.trimmingWhitespace().isEmpty else { return .failure(Problem("expected a file path")) }
        let path = raw.trimmingWhitespace()
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(Problem("cannot read \(path): \(String(cString: strerror(errno)))", code: .unreadableFile))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(Problem("\(path) is not a regular file", code: .unreadableFile)) }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            return .failure(Problem(
                "\(path) has permissions \(String(format: "%04o", permissions)); a file holding a secret must be readable by its owner only (chmod 600 \(path))",
                code: .insecureSecret
            ))
        }
        guard access(path, R_OK) == 0 else {
            return .failure(Problem("cannot read \(path): \(String(cString: strerror(errno)))", code: .unreadableFile))
        }
        return .success(path)
    }

    // MARK: - Units

    static func parseDuration(_ text: String) -> Duration? {
        let string = text.trimmingWhitespace()
        let digits = string.prefix { $0.isASCII && $0.isNumber }
        guard let amount = Int64(digits), amount >= 0 else { return nil }
        switch string.dropFirst(digits.count) {
        case "ms": return .milliseconds(amount)
        case "s": return .seconds(amount)
        case "m": return .seconds(amount * 60)
        case "h": return .seconds(amount * 3600)
        case "d": return .seconds(amount * 86_400)
        default: return nil
        }
    }

    static func parseByteSize(_ text: String) -> Int? {
        let string = text.trimmingWhitespace()
        let digits = string.prefix { $0.isASCII && $0.isNumber }
        guard let amount = Int(digits) else { return nil }
        let units: [String: Int] = ["": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "KB": 1000, "MB": 1_000_000, "GB": 1_000_000_000]
        guard let unit = units[string.dropFirst(digits.count).trimmingWhitespace()] else { return nil }
        let (bytes, overflow) = amount.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 86_400_000 == 0 { return "\(milliseconds / 86_400_000)d" }
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
