import Foundation
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
