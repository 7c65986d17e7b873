import Foundation
import Logging
import PartitionedLog
import PostgresTestSupport
import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

/// One HTTP exchange's answer.
struct HTTPResult: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    func headers(_ name: String) -> [String] { headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value) }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (an empty object when it is not one).
    var json: JSONObject {
        guard case .object(let object)? = try? JSONParser.parse(body) else { return JSONObject() }
        return object
    }

    var errorType: String? { json["error"]?.objectValue?["type"]?.stringValue }
}

/// A minimal HTTP/1.1 client (one connection per request, `Connection: close`) on its own thread, so tests
/// control every header and byte and never block the cooperative pool.
struct APIClient: Sendable {
    let port: Int
    var authorization: String?

    init(port: Int, authorization: String? = nil) {
        self.port = port
        self.authorization = authorization
    }

    func get(_ path: String) async throws -> HTTPResult { try await send("GET", path) }
    func head(_ path: String) async throws -> HTTPResult { try await send("HEAD", path) }
    func delete(_ path: String, json: String? = nil) async throws -> HTTPResult { try await send("DELETE", path, body: json) }
    func put(_ path: String, json: String? = nil) async throws -> HTTPResult { try await send("PUT", path, body: json) }
    func post(_ path: String, json: String? = nil) async throws -> HTTPResult { try await send("POST", path, body: json) }

    func bulk(_ path: String, _ lines: [String]) async throws -> HTTPResult {
        try await send("POST", path, body: lines.joined(separator: "\n") + "\n", contentType: "application/x-ndjson")
    }

    func bulk(_ lines: [String]) async throws -> HTTPResult { try await bulk("/_bulk", lines) }

    func send(
        _ method: String, _ path: String, body: String? = nil, contentType: String? = "application/json",
        headers extra: [(String, String)] = [], declaredLength: Int? = nil
    ) async throws -> HTTPResult {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        let bytes = body.map { Array($0.utf8) } ?? []
        if body != nil, let contentType { head += "Content-Type: \(contentType)\r\n" }
        if body != nil || declaredLength != nil { head += "Content-Length: \(declaredLength ?? bytes.count)\r\n" }
        if let authorization { head += "Authorization: \(authorization)\r\n" }
        for (name, value) in extra { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + bytes
        let port = self.port
        let raw = try await Self.onThread { try Self.exchange(request, port: port) }
        return try Self.parse(raw)
    }

    private static func onThread(_ work: @escaping @Sendable () throws -> [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.start()
        }
    }

    struct ClientError: Error, CustomStringConvertible {
        var description: String
    }

    private static func exchange(_ request: [UInt8], port: Int) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClientError(description: "connect failed: \(errno)") }
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { break }  // the server may answer (413) and close before reading everything
            sent += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return response
    }

    private static func parse(_ raw: [UInt8]) throws -> HTTPResult {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, raw.count - 3)).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) }) else {
            throw ClientError(description: "no HTTP response head in \(raw.count) bytes")
        }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ClientError(description: "bad status line \(lines[0])") }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(raw[(end + 4)...])
        if let length = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }), body.count > length {
            body = Array(body.prefix(length))
        }
        if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased() == "chunked" }) {
            body = dechunk(body)
        }
        return HTTPResult(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        while position < bytes.count {
            guard let lineEnd = (position..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else { break }
            let size = Int(String(decoding: bytes[position..<lineEnd], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            output += bytes[(lineEnd + 2)..<min(bytes.count, lineEnd + 2 + size)]
            position = lineEnd + 2 + size + 2
        }
        return output
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
