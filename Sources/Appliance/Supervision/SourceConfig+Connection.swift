import Foundation
import Console
import PostgresCDC

extension SourceConfig {
    /// libpq settings for this source, with the password read from `password_file` when set.
    public func connectionSettings(applicationName: String = "moodle-pipeline") throws(ApplianceError) -> ConnectionSettings {
        var password: String?
        if let passwordFile {
            do {
                password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            } catch {
                throw ApplianceError(.sourceUnreachable, "source \(name): cannot read password_file \(passwordFile): \(ApplianceConfig.reason(error))")
            }
        }
        return ConnectionSettings(url: url, password: password, sslMode: sslMode.rawValue, applicationName: applicationName)
    }
}

extension SourceConfig {
    /// How the capture service reads this source.
    public func captureConfiguration(dataDirectory: String) throws(ApplianceError) -> CaptureConfiguration {
        var capture = CaptureConfiguration(
            sourceName: name, connection: try connectionSettings(applicationName: "moodle-pipeline-\(name)"),
            tables: tables.map { QualifiedName($0) }, slot: slot, publication: publication,
            spillDirectory: (dataDirectory as NSString).appendingPathComponent("cdc/\(name)"))
        capture.onSlotLoss = onSlotLoss == .resnapshot ? .resnapshot : .fail
        capture.heartbeatInterval = heartbeatInterval
        capture.lagBudgetBytes = Int64(lagBudgetBytes)
        capture.snapshotChunkRows = snapshotChunkRows
        return capture
    }
}

extension ComponentStatus {
    /// A source's readiness from its capture status.
    init(_ capture: CaptureStatus.Snapshot, name: String) {
        var detail = "\(capture.phase.rawValue): \(capture.detail)"
        if let alarm = capture.alarm { detail = "ALARM: \(alarm); " + detail }
        if !capture.unusableTables.isEmpty { detail += "; tables not captured: " + capture.unusableTables.joined(separator: "; ") }
        self.init(name: name, ready: capture.healthy, detail: detail)
    }
}

extension SourceConfig {
    /// Connection settings for a database named on the command line (`generate --community URL`), with
    /// the same rules as the configuration: no password in the URL, a password file readable by its owner
    /// only. Errors name the flag.
    public static func commandLineSettings(
        url: String, urlFlag: String, passwordFile: String?, passwordFlag: String
    ) throws -> ConnectionSettings {
        var errors: [ConfigError] = []
        var checkedURL = ""
        var password: String?
        switch Parse.postgresURL(.string(url)) {
        case .success(let value): checkedURL = value
        case .failure(let problem): errors.append(ConfigError(problem.code, key: "", origin: .flag(urlFlag), problem.message))
        }
        if let passwordFile {
            switch Parse.secretFile(.string(passwordFile)) {
            case .success(let path):
                password = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .newlines)
            case .failure(let problem):
                errors.append(ConfigError(problem.code, key: "", origin: .flag(passwordFlag), problem.message))
            }
        }
        guard errors.isEmpty else { throw ConfigErrors(errors: errors) }
        return ConnectionSettings(url: checkedURL, password: password, applicationName: "moodle-pipeline-generator")
    }
}

/// How to reach a database, as the command line hands it to the generator.
public typealias DatabaseSettings = ConnectionSettings
