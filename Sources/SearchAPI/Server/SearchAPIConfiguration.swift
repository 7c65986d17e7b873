/// The OpenSearch-compatible listener's settings.
public struct SearchAPIConfiguration: Sendable {
    /// Address to listen on. A non-loopback address requires `apiKey` or `basicAuth` (see `SearchServer.init`).
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 picks a free port (read it back with `SearchServer.boundPort()`).
    public var port: Int = 9200
    /// When set, requests must carry `Authorization: ApiKey <key>` (the key itself, or base64 of it).
    public var apiKey: String?
    /// When set, requests may authenticate with `Authorization: Basic <base64(user:password)>`.
    public var basicAuth: (user: String, password: String)?
    /// Answer as Elasticsearch clients expect too: `X-Elastic-Product: Elasticsearch` on every response, the
    /// `application/vnd.elasticsearch+json` media type echoed back, and a 7.x-compatible `GET /`.
    public var elasticsearchCompatibility: Bool = false
    /// Largest request body accepted (OpenSearch's `http.max_content_length`); larger ones get 413.
    public var maxContentLength: Int = SearchAPILimits.defaultMaxContentLength

    public init(
        host: String = "127.0.0.1", port: Int = 9200, apiKey: String? = nil, basicAuth: (user: String, password: String)? = nil,
        elasticsearchCompatibility: Bool = false, maxContentLength: Int = SearchAPILimits.defaultMaxContentLength
    ) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.basicAuth = basicAuth
        self.elasticsearchCompatibility = elasticsearchCompatibility
        self.maxContentLength = maxContentLength
    }

    /// Whether any authentication is configured.
    public var requiresAuthentication: Bool { apiKey != nil || basicAuth != nil }
}
