import Console
import Foundation
import Logging
import PartitionedLog
import SearchAPI
import SearchEngine
import ServiceLifecycle

extension ApplianceRunner {
    /// The search side: the engine over `[index] path`, the pipeline's indices fed from the log, the
    /// translog of API writes, background maintenance, and the OpenSearch-compatible listener.
    /// What `searchServices` builds: the services, what the console reads, and the API's authenticator.
    typealias SearchSide = (
        services: [ServiceGroupConfiguration.ServiceConfiguration], parts: PipelineConsole.SearchParts, authenticator: Authenticator?
    )

    func searchServices(log: PartitionedLog, status: PipelineStatus) throws -> SearchSide {
        let engine: SearchEngine
        do {
            engine = try SearchEngine(directory: config.index.path, logger: logger)
        } catch {
            throw ApplianceError(.search, "cannot open the search indices at \(config.index.path): \(error)")
        }
        let indexer = LogIndexer(feeds: config.searchFeeds, log: log, engine: engine, logger: logger)
        let translog = DocumentLog(log: log, engine: engine, logger: logger)
        var apiConfiguration = SearchAPIConfiguration()
        apiConfiguration.host = config.http.listen.host
        apiConfiguration.port = config.http.listen.port
        apiConfiguration.elasticsearchCompatibility = config.http.compatibility == .elasticsearch
        if let keyFile = config.http.apiKeyFile {
            do {
                apiConfiguration.apiKey = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ApplianceError(.search, "cannot read http.api_key_file \(keyFile): \(error)")
            }
        }
        if let authFile = config.http.basicAuthFile {
            let text: String
            do {
                text = try String(contentsOfFile: authFile, encoding: .utf8)
            } catch {
                throw ApplianceError(.search, "cannot read http.basic_auth_file \(authFile): \(error)")
            }
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw ApplianceError(.search, "http.basic_auth_file \(authFile) must hold one line user:password")
            }
            apiConfiguration.basicAuth = (user: String(line[..<colon]), password: String(line[line.index(after: colon)...]))
        }
        let server: SearchServer
        do {
            server = try SearchServer(configuration: apiConfiguration, engine: engine, writer: translog, logger: logger)
        } catch {
            throw ApplianceError(.search, "cannot start the search API on \(config.http.listen): \(error)")
        }
        let maxLag = config.admin.readyMaxLag
        status.track("search") {
            let progress = indexer.status
            let detail = "\(engine.indices.count) indices; \(progress.documents) documents indexed from the log, \(progress.rejected) rejected"
            return ReadinessBounds.consumer(LogIndexer.consumerGroup, of: log, maxLag: maxLag, name: "search", ready: true, detail: detail)
        }
        let logger = self.logger
        let listen = config.http.listen
        let announce = AnnounceListener(server: server, logger: logger, host: listen.host)
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: SearchMaintenance(engine: engine), failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: indexer, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: translog, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: server, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: announce, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore),
        ]
        return (services, PipelineConsole.SearchParts(engine: engine, indexer: indexer, server: server), Authenticator(apiConfiguration))
    }
}

/// Logs the search listener's URL once it listens.
private struct AnnounceListener: Service {
    let server: SearchServer
    let logger: Logger
    let host: String

    func run() async throws {
        let port = await server.boundPort()
        logger.info("search API listener ready", metadata: [LogKey.listenURL: "http://\(ListenAddress(host: host, port: port))/"])
    }
}
