import HTTPTypes
import Hummingbird
import Logging
import Metrics
import SearchEngine
import StreamProcessing

/// Turns HTTP requests into `RestRequest`s and `RestResponse`s back into HTTP: authentication, routing
/// (400 "no handler", 405), the body limit (413), content types (406), rendering (`pretty`, `filter_path`,
/// compatibility headers) and the request metrics. One place for everything every endpoint shares.
struct SearchResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let api: RestAPI
    let configuration: SearchAPIConfiguration
    let logger: Logger
    let authenticator: Authenticator?

    init(api: RestAPI, configuration: SearchAPIConfiguration, logger: Logger) {
        self.api = api
        self.configuration = configuration
        self.logger = logger
        authenticator = Authenticator(configuration)
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        var rest = RestRequest(method: RestMethod(request.method.rawValue), rawPath: request.uri.path, query: request.uri.query)
        rest.compatibleWith = MediaType.compatibleVersion(contentType: request.headers[.contentType], accept: request.headers[.accept])
        let route = Route.match(rest.segments)
        let response = await handle(request, &rest, route: route)
        let routeName = route?.metricName ?? "unknown"
        // The same metric as the admin listener's (Console.HTTPMetrics), with listener "search".
        Timer(label: "http_request_duration_seconds", dimensions: [("listener", "search"), ("route", routeName), ("status", String(response.status))])
            .record(duration: ContinuousClock.now - start)
        return render(response, for: rest)
    }

    private func handle(_ request: Request, _ rest: inout RestRequest, route: Route?) async -> RestResponse {
        if let authenticator, let failure = authenticator.check(authorization: request.headers[.authorization], path: rest.rawPath) {
            var response = RestResponse.error(failure)
            for challenge in authenticator.challenges { response.headers.append(("WWW-Authenticate", challenge)) }
            return response
        }
        guard let route else {
            return .json(JSONObject([("error", .string("no handler found for uri [\(rest.rawPath)] and method [\(rest.method)]"))]), status: 400)
        }
        guard route.methods.contains(rest.method) else {
            let allowed = route.methods.map(\.description)
            var uri = rest.rawPath
            if let query = request.uri.query { uri += "?" + query }
            var response = RestResponse.simpleError(
                "Incorrect HTTP method for uri [\(uri)] and method [\(rest.method)], allowed: [\(allowed.joined(separator: ", "))]", status: 405)
            response.headers.append(("Allow", allowed.joined(separator: ",")))
            return response
        }
        do {
            rest.body = try await collectBody(request)
        } catch {
            var response = RestResponse.error(error)
            // The rest of an oversized body is not read: the connection cannot be reused.
            response.headers.append(("Connection", "close"))
            return response
        }
        if !rest.body.isEmpty, let contentType = request.headers[.contentType], MediaType(contentType) == nil {
            return .simpleError("Content-Type header [\(contentType)] is not supported", status: 406)
        }
        do {
            return try await api.handle(route, rest)
        } catch {
            if error.status >= 500 {
                logger.error("search API request failed", metadata: ["route": "\(route.metricName)", "error": "\(error)"])
            }
            return .error(error)
        }
    }

    /// The whole body, refused with 413 beyond `maxContentLength` (checked against `Content-Length` first,
    /// then while reading, for chunked bodies).
    private func collectBody(_ request: Request) async throws(SearchError) -> [UInt8] {
        let limit = configuration.maxContentLength
        var bytes: [UInt8] = []
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }) {
            guard declared <= limit else { throw RestErrors.contentTooLong(length: declared, limit: limit) }
            bytes.reserveCapacity(declared)
        }
        do {
            for try await buffer in request.body {
                guard bytes.count + buffer.readableBytes <= limit else {
                    throw RestErrors.contentTooLong(length: bytes.count + buffer.readableBytes, limit: limit)
                }
                bytes += buffer.readableBytesView
            }
        } catch let error as SearchError {
            throw error
        } catch {
            throw SearchError("parse_exception", "could not read the request body: \(error)", status: 400)
        }
        return bytes
    }

    // MARK: Rendering

    private func render(_ response: RestResponse, for request: RestRequest) -> Response {
        var headers = HTTPFields()
        var bytes: [UInt8]
        switch response.body {
        case .json(let value):
            let filtered = FilterPath(request.parameters["filter_path"])?.apply(value) ?? value
            if request.parameters["pretty"].map({ $0 != "false" }) ?? false {
                bytes = ResponseRendering.pretty(filtered)
            } else {
                bytes = []
                JSONWriter.append(filtered, to: &bytes)
            }
            headers[.contentType] = jsonContentType(for: request)
        case .text(let text):
            bytes = Array(text.utf8)
            headers[.contentType] = "text/plain; charset=UTF-8"
        case .empty:
            bytes = []
        }
        if configuration.elasticsearchCompatibility { headers.append(HTTPField(name: .elasticProduct, value: "Elasticsearch")) }
        for (name, value) in response.headers {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: response.status)
        let http = Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        return request.method == .head ? http.createHeadResponse() : http
    }

    private func jsonContentType(for request: RestRequest) -> String {
        if configuration.elasticsearchCompatibility, let version = request.compatibleWith {
            return "application/vnd.elasticsearch+json;compatible-with=\(version)"
        }
        return "application/json; charset=UTF-8"
    }
}

extension HTTPField.Name {
    static var elasticProduct: HTTPField.Name { HTTPField.Name("X-Elastic-Product")! }
}
