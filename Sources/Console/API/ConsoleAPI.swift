import Foundation
import Hummingbird

/// The JSON API under `/api/v1` (documented in the README): the two answers (also as CSV), the pipeline,
/// topics and records, consumers, dead letters, read-only SQL and search. Errors are OpenSearch-shaped.
struct ConsoleAPI: Sendable {
    let backend: any ConsoleBackend
    let sqlLimits: SQLLimits
    /// The largest body accepted (SQL text, search bodies).
    static let maxBodyBytes = 1 << 20

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.get("answers") { _, _ in await self.handle { try await ConsoleJSON.response(self.backend.answers()) } }
        api.get("answers/:series") { request, context in
            await self.handle { try await self.series(request, context) }
        }
        api.get("stream") { _, _ in LiveStream(backend: self.backend).response() }
        api.get("pipeline") { _, _ in ConsoleJSON.response(await self.backend.pipeline()) }
        api.get("sources") { _, _ in ConsoleJSON.response(["sources": self.backend.sources()]) }
        api.get("topics") { _, _ in ConsoleJSON.response(["topics": self.backend.topics()]) }
        api.get("consumers") { _, _ in ConsoleJSON.response(["consumers": self.backend.consumers()]) }
        api.get("topics/:topic/records") { request, context in
            await self.handle { try await self.records(request, context) }
        }
        api.get("dead-letters") { request, _ in
            await self.handle {
                let limit = try Self.integer(request, "limit", default: 200, range: 1...10_000)
                return try await ConsoleJSON.response(["dead_letters": self.backend.deadLetters(limit: limit)])
            }
        }
        api.post("sql") { request, _ in await self.handle { try await self.sql(request) } }
        api.get("search/indices") { _, _ in ConsoleJSON.response(["indices": await self.backend.searchIndices()]) }
        api.post("search/:index") { request, context in
            await self.handle {
                let index = try Self.parameter(context, "index")
                let body = try await Self.body(request)
                let answer = await self.backend.search(index: index, body: body)
                return ConsoleJSON.bytes(answer.body, status: HTTPResponse.Status(code: answer.status))
            }
        }
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .head, .patch] {
            api.on("**", method: method) { request, _ in
                ConsoleJSON.error(.notFound("no handler found for uri [\(request.uri.path)] and method [\(request.method)]"))
            }
        }
    }

    /// Runs a handler, turning a `ConsoleError` (or anything else) into an error response.
    private func handle(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as ConsoleError {
            return ConsoleJSON.error(error)
        } catch {
            return ConsoleJSON.error(ConsoleError(status: 500, type: "internal_error", reason: "\(error)"))
        }
    }

    // MARK: Answers

    /// `q1` or `q2` alone, optionally within `from`/`to` (week starts, inclusive), as JSON or `format=csv`.
    private func series(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try Self.parameter(context, "series")
        let from = try Self.date(request, "from"), to = try Self.date(request, "to")
        let inRange = { (week: String) in (from.map { week >= $0 } ?? true) && (to.map { week <= $0 } ?? true) }
        let answers = try await backend.answers()
        let csv: Bool
        switch request.uri.queryParameters.get("format") {
        case nil, "json": csv = false
        case "csv": csv = true
        case let other?: throw ConsoleError.badRequest("format must be json or csv, not [\(other)]")
        }
        let header: [String], rows: [[String]], json: Response
        switch name {
        case "q1":
            let selected = answers.q1.filter { inRange($0.weekStart) }
            header = ["week_start", "sites_registered", "sites_total"]
            rows = selected.map { [$0.weekStart, String($0.sitesRegistered), String($0.sitesTotal)] }
            json = ConsoleJSON.response(["series": selected])
        case "q2":
            let selected = answers.q2.filter { inRange($0.weekStart) }
            header = ["week_start", "new_admins", "admins_total"]
            rows = selected.map { [$0.weekStart, String($0.newAdmins), String($0.adminsTotal)] }
            json = ConsoleJSON.response(["series": selected])
        default:
            throw ConsoleError.notFound("no answer series [\(name)]: the series are q1 and q2")
        }
        guard csv else { return json }
        var response = ConsoleJSON.bytes(Array(CSV.render(header: header, rows: rows).utf8), contentType: "text/csv; charset=UTF-8")
        response.headers[.contentDisposition] = "attachment; filename=\"moodle-\(name).csv\""
        return response
    }

    // MARK: Records

    /// A page of a partition (`partition`, `offset`, `limit`), or with `key` the newest records with that key.
    private func records(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let topic = try Self.parameter(context, "topic")
        if let key = request.uri.queryParameters.get("key") {
            let limit = try Self.integer(request, "limit", default: 20, range: 1...1_000)
            return try await ConsoleJSON.response(backend.findRecords(topic: topic, key: key, limit: limit))
        }
        let partition = try Self.integer(request, "partition", default: 0, range: 0...Int(Int32.max))
        let offset = try Self.integer(request, "offset", default: 0, range: 0...Int.max)
        let limit = try Self.integer(request, "limit", default: 50, range: 1...1_000)
        return try await ConsoleJSON.response(backend.records(topic: topic, partition: partition, offset: Int64(offset), limit: limit))
    }

    // MARK: SQL

    private struct SQLRequest: Decodable {
        var sql: String
        var maxRows: Int?
    }

    private func sql(_ request: Request) async throws -> Response {
        let body = try await Self.body(request)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let parsed: SQLRequest
        do {
            parsed = try decoder.decode(SQLRequest.self, from: Data(body))
        } catch {
            throw ConsoleError.badRequest("the body must be JSON {\"sql\": \"SELECT …\", \"max_rows\": 1000}")
        }
        var limits = sqlLimits
        if let rows = parsed.maxRows {
            guard rows > 0 else { throw ConsoleError.badRequest("max_rows must be positive") }
            limits.maxRows = min(rows, sqlLimits.maxRows)
        }
        return try await ConsoleJSON.response(backend.sql(parsed.sql, limits: limits))
    }

    // MARK: Parameters

    private static func parameter(_ context: BasicRequestContext, _ name: String) throws(ConsoleError) -> String {
        guard let value = context.parameters.get(name), let decoded = value.removingPercentEncoding, !decoded.isEmpty else {
            throw ConsoleError.badRequest("missing path parameter [\(name)]")
        }
        return decoded
    }

    private static func integer(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws(ConsoleError) -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConsoleError.badRequest("[\(name)] must be an integer in \(range.lowerBound)...\(range.upperBound), not [\(text)]")
        }
        return number
    }

    /// A `YYYY-MM-DD` query parameter (compared as text with week starts, which have that form).
    private static func date(_ request: Request, _ name: String) throws(ConsoleError) -> String? {
        guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
        let bytes = Array(text.utf8)
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { $0 < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }
        guard bytes.count == 10, digits, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
            throw ConsoleError.badRequest("[\(name)] must be a date YYYY-MM-DD, not [\(text)]")
        }
        return text
    }

    private static func body(_ request: Request) async throws -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch {
            throw ConsoleError(status: 413, type: "content_too_long_exception", reason: "request body exceeds \(maxBodyBytes) bytes")
        }
    }
}
