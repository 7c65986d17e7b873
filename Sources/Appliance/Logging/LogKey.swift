/// Metadata keys used in log lines: dotted names, one place, so that log queries stay stable.
public enum LogKey {
    public static let source = "source.name"
    public static let detail = "detail"
    public static let listenURL = "listen.url"
    public static let dataDirectory = "data.directory"
    public static let configFile = "config.file"
    public static let error = "error"
    public static let cluster = "cluster.name"
}
