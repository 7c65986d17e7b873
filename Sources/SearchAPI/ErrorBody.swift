import SearchEngine
import StreamProcessing

/// OpenSearch's error body: `{"error":{"root_cause":[{...}],"type":...,"reason":...,...},"status":N}`.
/// Clients (opensearch-py, elasticsearch-py) pick their exception class from `status` and read
/// `error.type` / `error.reason`; `root_cause` repeats the innermost causes.
public enum ErrorBody {
    public static func json(_ error: SearchError) -> JSONObject {
        var causes: [JSONValue] = []
        rootCauses(of: error, into: &causes)
        var body = cause(error)
        body.members.insert(("root_cause", .array(causes)), at: 0)
        return JSONObject([("error", .object(body)), ("status", .integer(Int64(error.status)))])
    }

    public static func bytes(_ error: SearchError) -> [UInt8] {
        var output: [UInt8] = []
        JSONWriter.append(.object(json(error)), to: &output)
        return output
    }

    private static func cause(_ error: SearchError) -> JSONObject {
        var members: [(name: String, value: JSONValue)] = [("type", .string(error.type)), ("reason", .string(error.reason))]
        for (name, value) in error.details { members.append((name, .string(value))) }
        if let index = error.index {
            members.append(("index_uuid", .string("_na_")))
            members.append(("index", .string(index)))
        }
        if let first = error.causedBy.first { members.append(("caused_by", .object(cause(first)))) }
        return JSONObject(members)
    }

    private static func rootCauses(of error: SearchError, into causes: inout [JSONValue]) {
        if error.causedBy.isEmpty {
            causes.append(.object(cause(error)))
        } else {
            for inner in error.causedBy { rootCauses(of: inner, into: &causes) }
        }
    }
}
