import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line to standard output:
/// `{"ts":"2026-11-22T08:00:00.123Z","level":"info","logger":"moodle-pipeline","msg":"…", …metadata}`.
///
/// Used when standard output is not a terminal (a container, a service manager, a pipe). The
/// executable bootstraps it; libraries only take a `Logger`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        let merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged { fields[key] = Self.json(value) }
        fields["ts"] = Self.timestamp()
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["msg"] = "\(event.message)"
        if event.level >= .error { fields["src"] = "\(event.file):\(event.line)" }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(UInt8(ascii: "\n"))
        Self.output.withLock { _ in FileHandle.standardOutput.write(data) }
    }

    private static let output = Mutex<Void>(())

    private static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let array): return array.map(json)
        case .dictionary(let dictionary): return dictionary.mapValues(json)
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// How log lines are written.
public enum LogFormat: String, Sendable, CaseIterable {
    case json, text

    /// JSON when standard output is not a terminal, readable text when it is.
    public static var automatic: LogFormat { isatty(STDOUT_FILENO) == 1 ? .text : .json }
}
