import HTTPTypes
import Hummingbird

/// The admin listener's credentials check: the search API's (API key and/or basic auth), handed in by the
/// appliance as a closure so both listeners accept exactly the same credentials.
public struct AdminAuthentication: Sendable {
    /// True when the `Authorization` header value is acceptable.
    public var accepts: @Sendable (String?) -> Bool
    /// `WWW-Authenticate` challenges for a 401 (a browser asks for basic-auth credentials on `Basic`).
    public var challenges: [String]

    public init(challenges: [String], accepts: @escaping @Sendable (String?) -> Bool) {
        self.accepts = accepts
        self.challenges = challenges
    }
}

/// Answers 401 (OpenSearch-shaped) to requests without acceptable credentials, except the probes
/// `/healthz` and `/readyz`, which orchestrators call without credentials and which reveal only status.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let authentication: AdminAuthentication

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/healthz" || path == "/readyz" || authentication.accepts(request.headers[.authorization]) {
            return try await next(request, context)
        }
        var response = ConsoleJSON.error(ConsoleError(
            status: 401, type: "security_exception", reason: "missing or wrong authentication credentials for REST request [\(path)]"))
        for challenge in authentication.challenges {
            response.headers.append(HTTPField(name: .wwwAuthenticate, value: challenge))
        }
        return response
    }
}

/// Times every request by route pattern (low cardinality) and status, up to the response head (a live
/// stream's duration would say nothing but how long a page stayed open).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        HTTPMetrics.record(listener: "admin", route: context.endpointPath ?? "unmatched", status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}
