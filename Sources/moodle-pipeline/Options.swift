import Appliance
import ArgumentParser
import Foundation
import Logging

/// `--config`: which file to read.
struct ConfigFileOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (TOML).", discussion: "Default: $MOODLE_PIPELINE_CONFIG, else ./appliance.conf when present.", valueName: "path"))
    var config: String?
}

/// `--log-format`, `--log-level`.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("json or text (default: text on a terminal, json otherwise).", valueName: "format"))
    var logFormat: LogFormat?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    /// Bootstraps swift-log for the process and returns the root logger.
    func bootstrap() -> Logger {
        let format = logFormat ?? .automatic
        let level = logLevel
        LoggingSystem.bootstrap { label in
            switch format {
            case .json: return JSONLogHandler(label: label, level: level)
            case .text:
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "moodle-pipeline")
    }
}

extension LogFormat: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Loads the configuration, or prints every problem (one line each) and exits with status 2.
func loadConfiguration(file: String?, overrides: [ConfigOverride] = []) throws -> LoadedConfig {
    do {
        return try ApplianceConfig.load(filePath: file, environment: ProcessInfo.processInfo.environment, overrides: overrides)
    } catch {
        for problem in error.errors { printError("\(problem)") }
        throw ExitCode(2)
    }
}

/// Prints an error for a person: `moodle-pipeline: <message>` on standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("moodle-pipeline: \(message)\n".utf8))
}

/// Runs a command body, turning an error into one clear line on stderr and exit status 1.
func reportingFailure(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch is CancellationError {
        return
    } catch {
        printError("\(error)")
        throw ExitCode.failure
    }
}
