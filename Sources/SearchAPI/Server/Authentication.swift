import Foundation
import SearchEngine

/// Checks `Authorization` headers against the configured API key and basic-auth credentials. The accepted
/// credential texts are computed once; comparisons take the same time whatever the bytes (no early exit), so
/// response timing does not reveal how much of a guess was right. Public so that the admin listener accepts
/// exactly the same credentials.
public struct Authenticator: Sendable {
    /// Accepted texts after `ApiKey `: the key itself and its base64 form.
    private let apiKeys: [[UInt8]]
    /// Accepted text after `Basic `: base64 of `user:password`.
    private let basic: [UInt8]?

    public init?(_ configuration: SearchAPIConfiguration) {
        guard configuration.requiresAuthentication else { return nil }
        if let key = configuration.apiKey {
            apiKeys = [Array(key.utf8), Array(Data(key.utf8).base64EncodedString().utf8)]
        } else {
            apiKeys = []
        }
        basic = configuration.basicAuth.map { Array(Data("\($0.user):\($0.password)".utf8).base64EncodedString().utf8) }
    }

    /// The challenge clients get with a 401 (one header per scheme).
    public var challenges: [String] {
        var values: [String] = []
        if basic != nil { values.append("Basic realm=\"security\" charset=\"UTF-8\"") }
        if !apiKeys.isEmpty { values.append("ApiKey") }
        return values
    }

    /// True when the `Authorization` header value carries acceptable credentials.
    public func accepts(authorization: String?) -> Bool {
        check(authorization: authorization, path: "") == nil
    }

    /// nil when the request may proceed; otherwise the `security_exception` to answer with (401).
    func check(authorization: String?, path: String) -> SearchError? {
        guard let authorization, let space = authorization.firstIndex(of: " ") else {
            return SearchError("security_exception", "missing authentication credentials for REST request [\(path)]", status: 401)
        }
        let scheme = authorization[..<space].lowercased()
        let credentials = Array(authorization[authorization.index(after: space)...].utf8.drop(while: { $0 == UInt8(ascii: " ") }))
        var accepted = false
        switch scheme {
        case "apikey":
            for key in apiKeys where Self.constantTimeEquals(credentials, key) { accepted = true }
        case "basic":
            if let basic, Self.constantTimeEquals(credentials, basic) { accepted = true }
        default:
            break
        }
        if accepted { return nil }
        return SearchError("security_exception", "unable to authenticate with provided credentials for REST request [\(path)]", status: 401)
    }

    /// Equal lengths and bytes, examining every byte of the longer input whatever the outcome.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        let length = max(lhs.count, rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
