import Console
import Logging
import PostgresCDC
import PartitionedLog
import SQLiteSink
import ServiceLifecycle
import UnixSignals

/// Builds the appliance's services from a configuration and runs them in one `ServiceGroup`.
///
/// SIGTERM or SIGINT starts a graceful shutdown that ends within `shutdownBudget`; a service that fails
/// stops the whole group and `run` rethrows its error. The data directory stays locked while running.
public struct ApplianceRunner: Sendable {
    public let config: ApplianceConfig
    public let logger: Logger
    /// How long a graceful shutdown may take before the services are cancelled, and how long after that.
    /// Together under 10 s, the budget a container runtime gives before SIGKILL.
    public var shutdownBudget: (graceful: Duration, cancellation: Duration) = (.seconds(7), .seconds(2))

    public init(config: ApplianceConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Runs until a signal or a failure. `extraServices` run alongside (the demo's generator).
    public func run(extraServices: [(name: String, service: any Service)] = []) async throws {
        let lock = try DataDirectoryLock(dataDirectory: config.dataDirectory)
        defer { withExtendedLifetime(lock) {} }
        let maxLag = config.admin.readyMaxLag
        let status = PipelineStatus(components: ["log", "sink", "search"] + config.sources.map { "source \($0.name)" })

        let log: PartitionedLog
        do {
            log = try await PartitionedLog.open(config.logConfiguration, logger: logger)
        } catch {
            throw ApplianceError(.log, "cannot open the log at \(config.logConfiguration.directory): \(error)")
        }
        status.track("log") {
            if let failure = log.failure { return ComponentStatus(name: "log", ready: false, detail: "failed: \(failure)") }
            return ComponentStatus(name: "log", ready: true, detail: "open at \(log.directory): \(log.topicNames.count) topics")
        }

        let sink: SQLiteSink
        do {
            sink = try SQLiteSink(configuration: config.sinkConfiguration, log: log, logger: logger)
        } catch {
            await log.close()
            throw ApplianceError(.sink, "cannot open the SQLite sink at \(config.sink.path): \(error)")
        }
        status.track("sink") {
            let progress = sink.status
            if let error = progress.lastError { return ComponentStatus(name: "sink", ready: false, detail: "batch failed, retrying: \(error)") }
            let detail = "\(sink.database.path): \(progress.batches) batches, \(progress.records) records"
            return ReadinessBounds.consumer(
                sink.configuration.consumerGroup, of: log, maxLag: maxLag, name: "sink", ready: progress.ready, detail: detail)
        }

        // The log first: services stop in reverse order, so it closes after every stage that uses it.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: LogService(log: log), failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        var captures: [ChangeCapture] = []
        for source in config.sources {
            let capture = ChangeCapture(
                configuration: try source.captureConfiguration(dataDirectory: config.dataDirectory), log: log,
                topicConfiguration: config.topicDefaults, logger: logger)
            let name = "source \(source.name)"
            status.track(name) { ComponentStatus(capture.status.snapshot, name: name) }
            captures.append(capture)
            services.append(.init(service: capture, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        services.append(.init(service: sink, failureTerminationBehavior: .gracefullyShutdownGroup))
        let search: SearchSide
        do {
            search = try searchServices(log: log, status: status)
        } catch {
            await log.close()
            throw error
        }
        services += search.services
        let console = PipelineConsole(log: log, sink: sink, captures: captures, search: search.parts, status: status)
        services.append(.init(service: adminListener(console, status: status, authenticator: search.authenticator),
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        for extra in extraServices {
            services.append(.init(service: extra.service, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup))
        }

        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = shutdownBudget.graceful
        groupConfiguration.maximumCancellationDuration = shutdownBudget.cancellation
        logger.info("moodle-pipeline starting", metadata: [
            LogKey.dataDirectory: "\(config.dataDirectory)",
            "sources": "\(config.sources.map(\.name).joined(separator: ","))",
        ])
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("moodle-pipeline stopped")
    }
}
