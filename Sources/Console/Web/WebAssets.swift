import HTTPTypes
import Hummingbird

/// The console's page, style sheet and scripts, compiled into the binary (SwiftPM `embedInCode`): no files
/// on disk, no CDN, works offline.
enum WebAssets {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    static let page = Asset(bytes: PackageResources.index_html, contentType: "text/html; charset=UTF-8")
    static let files: [String: Asset] = [
        "console.css": Asset(bytes: PackageResources.console_css, contentType: "text/css; charset=UTF-8"),
        "charts.js": Asset(bytes: PackageResources.charts_js, contentType: "text/javascript; charset=UTF-8"),
        "console.js": Asset(bytes: PackageResources.console_js, contentType: "text/javascript; charset=UTF-8"),
    ]

    static func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in serve(page) }
        router.get("/index.html") { _, _ in serve(page) }
        router.get("/assets/:file") { _, context in
            guard let name = context.parameters.get("file"), let asset = files[name] else {
                return ConsoleJSON.error(.notFound("no asset [\(context.parameters.get("file") ?? "")]"))
            }
            return serve(asset)
        }
    }

    private static func serve(_ asset: Asset) -> Response {
        var response = ConsoleJSON.bytes(asset.bytes, contentType: asset.contentType)
        // The assets change only with the binary; the page reloads them after an upgrade.
        response.headers[.cacheControl] = "no-cache"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
        return response
    }
}
