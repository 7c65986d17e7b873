import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one keep-alive connection to 127.0.0.1, for the search
/// benchmark: it sends prepared bytes and reads the response with as little work of its own as possible
/// (no URLSession, no header dictionaries), so that it is not what the benchmark measures. Used by one
/// thread at a time (not `Sendable`); blocking calls belong on a dedicated thread (`onDedicatedThread`).
final class SearchHTTPClient {
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    private let port: Int
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 256 * 1024)

    init(port: Int) throws {
        self.port = port
        try connect()
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    func request(_ method: String, _ path: String, contentType: String = "application/json", body: [UInt8] = []) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if !body.isEmpty || method == "POST" || method == "PUT" {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        if socket < 0 { try connect() }
        try send(Array(head.utf8))
        if !body.isEmpty { try send(body) }
        let response = try readResponse()
        return response
    }

    // MARK: Connection

    private func connect() throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = failure("connect to 127.0.0.1:\(port)")
            close(descriptor)
            throw error
        }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        socket = descriptor
        buffer = []
        start = 0
    }

    private func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw failure("send") }
            sent += written
        }
    }

    /// Reads more bytes into the buffer (first dropping what was consumed); false at end of stream.
    private func fill() throws -> Bool {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure("recv") }
            if count == 0 { return false }
            buffer += chunk[0..<count]
            return true
        }
    }

    // MARK: Responses

    private func readResponse() throws -> Response {
        let headerEnd = try readUntilHeaderEnd()
        let head = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
        start = headerEnd + 4
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."),
              let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw BenchmarkFailure(description: "not an HTTP response: \(head.prefix(80))")
        }
        var length: Int?
        var chunked = false
        var closes = false
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].lowercased()
            let value = parts[1].trimmingCharacters(in: .whitespaces).lowercased()
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.contains("chunked") { chunked = true }
            if name == "connection", value == "close" { closes = true }
        }
        let body: [UInt8] = if chunked { try readChunked() } else { try readExactly(length ?? 0) }
        if closes {
            close(socket)
            socket = -1
        }
        return Response(status: status, body: body)
    }

    /// The index of the `\r\n\r\n` ending the head that starts at `start`.
    private func readUntilHeaderEnd() throws -> Int {
        var scanned = 0  // bytes after `start` already searched (`fill` moves `start`, not this)
        while true {
            var index = start + max(0, scanned - 3)
            while index + 3 < buffer.count {
                if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 { return index }
                index += 1
            }
            scanned = buffer.count - start
            guard try fill() else { throw BenchmarkFailure(description: "the server closed the connection before a response") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count - start < count {
            guard try fill() else { throw BenchmarkFailure(description: "the server closed the connection mid-body") }
        }
        let body = Array(buffer[start..<(start + count)])
        start += count
        return body
    }

    private func readLine() throws -> String {
        while true {
            var index = start
            while index + 1 < buffer.count {
                if buffer[index] == 13, buffer[index + 1] == 10 {
                    let line = String(decoding: buffer[start..<index], as: UTF8.self)
                    start = index + 2
                    return line
                }
                index += 1
            }
            guard try fill() else { throw BenchmarkFailure(description: "the server closed the connection mid-chunk") }
        }
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine()
            guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                throw BenchmarkFailure(description: "bad chunk size \(sizeLine.prefix(20))")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            body += try readExactly(size)
            _ = try readLine()
        }
    }

    private func failure(_ operation: String) -> BenchmarkFailure {
        BenchmarkFailure(description: "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}

/// CPU time of the calling thread so far, in seconds (user + system; Linux `RUSAGE_THREAD`).
func threadCPUSeconds() -> Double {
    var usage = rusage()
    let rusageThread: Int32 = 1  // RUSAGE_THREAD (Linux), not exported to Swift without _GNU_SOURCE
    guard getrusage(__rusage_who_t(rusageThread), &usage) == 0 else { return .nan }
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
