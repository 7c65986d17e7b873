import Foundation
import StreamProcessing

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP exchange's answer.
public struct HTTPResult: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    public func headers(_ name: String) -> [String] { headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value) }
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (an empty object when it is not one).
    public var json: JSONObject {
        guard case .object(let object)? = try? JSONParser.parse(body) else { return JSONObject() }
        return object
    }

    public var errorType: String? { json["error"]?.objectValue?["type"]?.stringValue }
}

/// A minimal HTTP/1.1 client (one connection per request, `Connection: close`) on its own thread, so tests
/// control every header and byte and never block the cooperative pool.
public struct APIClient: Sendable {
    public let port: Int
    public var authorization: String?

    public init(port: Int, authorization: String? = nil) {
        self.port = port
        self.authorization = authorization
    }

    public func get(_ path: String) async throws -> HTTPResult { try await send("GET", path) }
    public func head(_ path: String) async throws -> HTTPResult { try await send("HEAD", path) }
    public func delete(_ path: String, json: String? = nil) async throws -> HTTPResult { try await send("DELETE", path, body: json) }
    public func put(_ path: String, json: String? = nil) async throws -> HTTPResult { try await send("PUT", path, body: json) }
    public func post(_ path: String, json: String? = nil) async throws -> HTTPResult { try await send("POST", path, body: json) }

    public func bulk(_ path: String, _ lines: [String]) async throws -> HTTPResult {
        try await send("POST", path, body: lines.joined(separator: "\n") + "\n", contentType: "application/x-ndjson")
    }

    public func bulk(_ lines: [String]) async throws -> HTTPResult { try await bulk("/_bulk", lines) }

    public func send(
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

    public struct ClientError: Error, CustomStringConvertible {
        public var description: String
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

