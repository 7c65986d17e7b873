import Console
import Logging
import SearchAPI
import ServiceLifecycle

extension ApplianceRunner {
    /// The admin listener: the console over `console`, `/metrics` from the process's registry, the probes
    /// over `status`, and — when the search API authenticates — the same credentials.
    func adminListener(_ console: PipelineConsole, status: PipelineStatus, authenticator: Authenticator?) -> some Service {
        let admin = config.admin.listen
        let logger = self.logger
        let authentication = authenticator.map { authenticator in
            AdminAuthentication(challenges: authenticator.challenges) { authenticator.accepts(authorization: $0) }
        }
        return AdminServer.makeApplication(
            host: admin.host, port: admin.port, readiness: status, backend: console, metrics: Telemetry.registry,
            authentication: authentication, sqlLimits: SQLLimits(maxRows: config.admin.sqlMaxRows, timeout: config.admin.sqlTimeout),
            logger: logger
        ) { port in
            logger.info("admin listener ready", metadata: [LogKey.listenURL: "http://\(ListenAddress(host: admin.host, port: port))/"])
        }
    }
}
