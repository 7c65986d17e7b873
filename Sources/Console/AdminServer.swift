import Hummingbird
import Logging
import Prometheus

/// The admin listener: the console (page and assets embedded in the binary), its JSON API under `/api/v1`
/// with live updates, `/metrics` (Prometheus text format), `/healthz` and `/readyz`.
///
/// `/healthz` answers 200 while the process serves requests. `/readyz` answers 200 when every component
/// is ready and 503 with a JSON reason otherwise, as load balancers and orchestrators expect. With
/// `authentication` every other route needs the same credentials as the search API.
public enum AdminServer {
    public static func makeApplication(
        host: String,
        port: Int,
        readiness: any ReadinessProvider,
        backend: any ConsoleBackend,
        metrics: PrometheusCollectorRegistry,
        authentication: AdminAuthentication? = nil,
        sqlLimits: SQLLimits = SQLLimits(),
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware())
        if let authentication { router.add(middleware: AdminAuthMiddleware(authentication: authentication)) }
        router.get("/healthz") { _, _ in
            ConsoleJSON.response(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            let report = await readiness.readiness()
            return ConsoleJSON.response(report, status: report.isReady ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(64 << 10)
            metrics.emit(into: &buffer)
            return ConsoleJSON.bytes(buffer, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        ConsoleAPI(backend: backend, sqlLimits: sqlLimits).register(on: router)
        WebAssets.register(on: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "moodle-pipeline"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
