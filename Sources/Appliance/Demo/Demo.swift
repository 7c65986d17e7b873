import Foundation
import LocalPostgres
import Logging
import PostgresCDC
import ServiceLifecycle

/// `moodle-pipeline demo`: two local PostgreSQL clusters with generated Moodle data and a generator that
/// keeps writing, plus everything `serve` runs, stopped together on Ctrl-C.
///
/// The clusters live under `<data_dir>/demo/` and are reused by the next run, with their data.
public struct Demo: Sendable {
    public let dataDirectory: String
    public let logger: Logger
    /// Rows in the community table on the first run (sites get a quarter as many).
    public var initialRows = 20_000
    /// Changes per second written while the demo runs.
    public var rate = 2.0

    public init(dataDirectory: String, logger: Logger) {
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    var clusters: DemoClusters {
        DemoClusters(root: (dataDirectory as NSString).appendingPathComponent("demo"), logger: logger)
    }

    /// Starts the clusters and returns them with the settings that point the pipeline at them.
    public func start() async throws -> DemoSession {
        let running = try await clusters.start()
        var overrides = [ConfigOverride(path: "data_dir", value: dataDirectory, origin: .flag("--data-dir"))]
        for name in DemoClusters.names {
            guard let cluster = running[name] else { continue }
            overrides.append(ConfigOverride(path: "sources.\(name).url", value: cluster.url(database: name), origin: .flag("demo")))
            overrides.append(ConfigOverride(path: "sources.\(name).password_file", value: cluster.cluster.passwordFile, origin: .flag("demo")))
        }
        return DemoSession(demo: self, running: running, overrides: overrides)
    }
}

/// A started demo: its clusters, and the configuration overrides that point at them.
public struct DemoSession: Sendable {
    let demo: Demo
    let running: [String: RunningCluster]
    public let overrides: [ConfigOverride]

    /// Loads the data on the first run, then runs the pipeline and the generator until SIGINT or SIGTERM,
    /// then stops the clusters.
    public func run(config: ApplianceConfig) async throws {
        do {
            try await runPipeline(config: config)
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// Stops the clusters.
    public func stop() async {
        await demo.clusters.stop(running)
    }

    private func runPipeline(config: ApplianceConfig) async throws {
        guard let community = config.source(named: "community"), let sites = config.source(named: "sites") else {
            throw ApplianceError(.demo, "the demo needs the sources 'community' and 'sites'")
        }
        let generator = Generator(
            options: GeneratorOptions(
                community: try community.connectionSettings(applicationName: "moodle-pipeline-generator"),
                sites: try sites.connectionSettings(applicationName: "moodle-pipeline-generator"),
                rows: demo.initialRows, rate: demo.rate
            ),
            logger: demo.logger
        )
        printBanner(config: config)
        try await ApplianceRunner(config: config, logger: demo.logger)
            .run(extraServices: [(name: "generator", service: GeneratorService(generator: generator, logger: demo.logger))])
    }

    private func printBanner(config: ApplianceConfig) {
        var lines = ["", "moodle-pipeline demo", ""]
        lines.append("  readiness       http://\(config.admin.listen)/readyz")
        lines.append("  health          http://\(config.admin.listen)/healthz")
        lines.append("  search API      http://\(config.http.listen)/_cat/indices?v   (OpenSearch-compatible)")
        lines.append("  weekly answers  curl 'http://\(config.http.listen)/weekly_metrics/_search?q=metric:site_registrations&sort=week_start&size=100'")
        for name in DemoClusters.names {
            guard let cluster = running[name] else { continue }
            lines.append("  \(name.padding(toLength: 14, withPad: " ", startingAt: 0))  PGPASSWORD=$(cat \(cluster.cluster.passwordFile)) psql \(cluster.url(database: name))")
        }
        lines += ["", "  A generator writes \(demo.rate) changes per second into both sources. Ctrl-C stops everything.", ""]
        // On standard error, so that standard output stays pure JSON lines when logs are JSON.
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

/// Runs the generator as a service: the initial load, then changes until shutdown.
struct GeneratorService: Service {
    let generator: Generator
    let logger: Logger

    func run() async throws {
        do {
            let summary = try await cancelWhenGracefulShutdown { try await generator.run() }
            logger.info("generator stopped", metadata: ["changes": "\(summary.changes.total)"])
        } catch is CancellationError {
            return
        }
    }
}
