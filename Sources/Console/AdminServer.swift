import Hummingbird
import Logging

/// The admin listener: `/healthz` and `/readyz` (later also the console, the pipeline API and `/metrics`).
///
/// `/healthz` answers 200 while the process serves requests. `/readyz` answers 200 when every component
/// is ready and 503 with a JSON reason otherwise, as load balancers and orchestrators expect.
public enum AdminServer {
    public static func makeApplication(
        host: String,
        port: Int,
        readiness: any ReadinessProvider,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ -> HealthResponse in
            HealthResponse(status: "ok")
        }
        router.get("/readyz") { _, _ -> EditedResponse<ReadinessReport> in
            let report = await readiness.readiness()
            return EditedResponse(status: report.isReady ? .ok : .serviceUnavailable, response: report)
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "moodle-pipeline"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}

struct HealthResponse: ResponseCodable {
    var status: String
}

extension ReadinessReport: ResponseCodable {}
