import Logging
import PostgresCDC
import ServiceLifecycle

/// Watches that a source is reachable and set up for logical replication, and reports it as the
/// source's readiness. Checks every few seconds while healthy, more often while not.
///
/// This is the source's place in the service group until the CDC reader takes it over; it opens a short
/// connection per check and holds nothing between checks.
struct SourceMonitor: Service {
    let source: SourceConfig
    let status: PipelineStatus
    let logger: Logger
    var healthyInterval: Duration = .seconds(10)
    var unhealthyInterval: Duration = .seconds(2)

    var componentName: String { "source \(source.name)" }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var lastDetail: String?
                while !Task.isCancelled {
                    let (ready, detail) = await check()
                    status.update(componentName, ready: ready, detail: detail)
                    if detail != lastDetail {
                        let level: Logger.Level = ready ? .info : .warning
                        logger.log(level: level, "source \(ready ? "ready" : "not ready")", metadata: [LogKey.source: "\(source.name)", LogKey.detail: "\(detail)"])
                        lastDetail = detail
                    }
                    try await Task.sleep(for: ready ? healthyInterval : unhealthyInterval)
                }
            }
        } catch is CancellationError {
            return
        }
    }

    private func check() async -> (Bool, String) {
        do {
            let settings = try source.connectionSettings(applicationName: "moodle-pipeline-monitor")
            let (version, walLevel) = try await PGConnection.withConnection(settings) { connection in
                let walLevel = try connection.execute("SELECT current_setting('wal_level')").scalar ?? "?"
                return (connection.serverVersion, walLevel)
            }
            let versionText = "\(version / 10000).\(version % 10000)"
            guard walLevel == "logical" else {
                return (false, "wal_level is \(walLevel), logical replication needs 'logical' (see: moodle-pipeline doctor)")
            }
            return (true, "connected (PostgreSQL \(versionText), wal_level=logical)")
        } catch is CancellationError {
            return (false, "stopping")
        } catch {
            return (false, "\(error)")
        }
    }
}
