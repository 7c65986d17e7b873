import Foundation
import Logging
import PartitionedLog
import PostgresTestSupport
import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

/// The API in-process, as the appliance runs it: a log in a temp directory, the engine, the `DocumentLog`
/// translog and the `SearchServer` on a free port, all running until `body` returns.
enum APITest {
    static func run<T: Sendable>(
        _ configuration: SearchAPIConfiguration = SearchAPIConfiguration(port: 0),
        _ body: @Sendable (APIClient, SearchEngine) async throws -> T
    ) async throws -> T {
        let directory = try makeTemporaryDirectory("search-api")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "search-api-test")
        logger.logLevel = .warning
        let log = try await PartitionedLog.open(LogConfiguration(directory: "\(directory)/log"), logger: logger)
        let engine = try SearchEngine(directory: "\(directory)/search", logger: logger)
        let translog = DocumentLog(log: log, engine: engine, logger: logger)
        let server = try SearchServer(configuration: configuration, engine: engine, writer: translog, logger: logger)
        let result = try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await translog.run(); return nil }
            group.addTask { try await server.run(); return nil }
            let port = await server.boundPort()
            try #require(port > 0, "the server did not start")
            let result = try await body(APIClient(port: port), engine)
            group.cancelAll()
            return result
        }
        engine.close()
        await log.close()
        return result
    }
}

extension JSONObject {
    /// `object["a.b.c"]`-style access for assertions (array elements by number: `hits.hits.0._id`).
    func path(_ dotted: String) -> JSONValue? {
        var current: JSONValue = .object(self)
        for part in dotted.split(separator: ".") {
            switch current {
            case .object(let object):
                guard let next = object[String(part)] else { return nil }
                current = next
            case .array(let values):
                guard let index = Int(part), index < values.count else { return nil }
                current = values[index]
            default:
                return nil
            }
        }
        return current
    }

    func int(_ dotted: String) -> Int64? {
        if case .integer(let value)? = path(dotted) { return value }
        return nil
    }

    func string(_ dotted: String) -> String? { path(dotted)?.stringValue }

    func bool(_ dotted: String) -> Bool? {
        if case .bool(let value)? = path(dotted) { return value }
        return nil
    }

    func array(_ dotted: String) -> [JSONValue] {
        if case .array(let values)? = path(dotted) { return values }
        return []
    }
}
