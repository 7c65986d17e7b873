import SearchEngine
import StreamProcessing

/// Single-document APIs: `_doc` (index, get, exists, delete), `_create`, `_source`, `_update`.
extension RestAPI {
    func documentRoute(_ index: String, _ id: String?, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        switch request.method {
        case .put, .post:
            let create = try Self.isCreate(request.parameter("op_type"))
            return try await indexDocument(index, id: id, request, create: create)
        case .delete: return try await deleteDocument(index, id: id ?? "", request)
        default: return try getDocument(index, id: id ?? "", request)
        }
    }

    private static func isCreate(_ opType: String?) throws(SearchError) -> Bool {
        switch opType {
        case nil, "index": return false
        case "create": return true
        case let other?: throw .illegalArgument("opType must be 'create' or 'index', found: [\(other)]")
        }
    }

    /// `PUT|POST /{index}/_doc/{id}`, `POST /{index}/_doc` (generated id), `PUT|POST /{index}/_create/{id}`.
    func indexDocument(_ indexName: String, id: String?, _ request: RestRequest, create: Bool) async throws(SearchError) -> RestResponse {
        guard let source = request.content else { throw RestErrors.bodyRequired }
        try Self.refuseExternalVersioning(request)
        let refresh = try RefreshPolicy(parameter: request.parameter("refresh"))
        let (ifSeqNo, ifPrimaryTerm) = try Self.concurrencyParameters(request)
        let index = try await indexForWriting(indexName)
        let id = id ?? GeneratedID.documentID(nowMillis: WallClock.nowMillis())
        let operation = DocumentOperation(id: id, kind: create ? .create(source: source) : .index(source: source), ifSeqNo: ifSeqNo, ifPrimaryTerm: ifPrimaryTerm)
        let result = try await writeOne(operation, to: index, refresh: refresh)
        return .json(Self.writeResponse(index: index, id: id, result, refresh: refresh), status: result.status)
    }

    /// `DELETE /{index}/_doc/{id}`: 200 `deleted`, or 404 `not_found`; a missing index is 404.
    func deleteDocument(_ indexName: String, id: String, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        guard let index = engine.index(indexName) else { throw .indexNotFound(indexName) }
        try Self.refuseExternalVersioning(request)
        let refresh = try RefreshPolicy(parameter: request.parameter("refresh"))
        let (ifSeqNo, ifPrimaryTerm) = try Self.concurrencyParameters(request)
        let operation = DocumentOperation(id: id, kind: .delete, ifSeqNo: ifSeqNo, ifPrimaryTerm: ifPrimaryTerm)
        let result = try await writeOne(operation, to: index, refresh: refresh)
        return .json(Self.writeResponse(index: index, id: id, result, refresh: refresh), status: result.status)
    }

    /// `GET|HEAD /{index}/_doc/{id}` (realtime: sees writes not yet refreshed).
    func getDocument(_ indexName: String, id: String, _ request: RestRequest) throws(SearchError) -> RestResponse {
        guard let index = engine.index(indexName) else { throw .indexNotFound(indexName) }
        guard let document = index.get(id) else {
            return .json(JSONObject([("_index", .string(index.name)), ("_id", .string(id)), ("found", .bool(false))]), status: 404)
        }
        if request.method == .head { return RestResponse(body: .empty) }
        var members: [(name: String, value: JSONValue)] = [
            ("_index", .string(index.name)), ("_id", .string(id)), ("_version", .integer(document.version)),
            ("_seq_no", .integer(document.seqNo)), ("_primary_term", .integer(document.primaryTerm)), ("found", .bool(true)),
        ]
        let filter = try RestSourceFilter(parameters: request.parameters)
        if filter?.fetch ?? true {
            members.append(("_source", .object(try Self.source(document.source, filter: filter))))
        }
        return .json(JSONObject(members))
    }

    /// `GET|HEAD /{index}/_source/{id}`: the source alone.
    func getSource(_ indexName: String, id: String, _ request: RestRequest) throws(SearchError) -> RestResponse {
        guard let index = engine.index(indexName) else { throw .indexNotFound(indexName) }
        guard let document = index.get(id) else {
            throw SearchError("resource_not_found_exception", "Document not found [\(index.name)]/[\(id)]", status: 404)
        }
        if request.method == .head { return RestResponse(body: .empty) }
        return .json(try Self.source(document.source, filter: RestSourceFilter(parameters: request.parameters)))
    }

    /// `POST /{index}/_update/{id}`: `doc` (merged), `upsert`, `doc_as_upsert`, `detect_noop`; scripts are
    /// refused. `_source` (parameter or body) returns the updated document under `get`.
    func update(_ indexName: String, id: String, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let body = try request.requiredJSONObject()
        let refresh = try RefreshPolicy(parameter: request.parameter("refresh"))
        let (ifSeqNo, ifPrimaryTerm) = try Self.concurrencyParameters(request)
        let parsed = try UpdateBody(body)
        var filter = parsed.sourceFilter
        if filter == nil { filter = try RestSourceFilter(parameters: request.parameters) }
        let wantsSource = parsed.sourceFilter != nil || request.parameters.keys.contains { $0.hasPrefix("_source") }
        let index = try await indexForWriting(indexName)
        let operation = DocumentOperation(id: id, kind: parsed.kind, ifSeqNo: ifSeqNo, ifPrimaryTerm: ifPrimaryTerm)
        let result = try await writeOne(operation, to: index, refresh: refresh)
        var response = Self.writeResponse(index: index, id: id, result, refresh: refresh)
        if wantsSource, filter?.fetch ?? true, let document = index.get(id) {
            response.members.append(("get", .object(JSONObject([
                ("_seq_no", .integer(document.seqNo)), ("_primary_term", .integer(document.primaryTerm)), ("found", .bool(true)),
                ("_source", .object(try Self.source(document.source, filter: filter))),
            ]))))
        }
        return .json(response, status: result.status)
    }

    // MARK: Helpers

    /// Writes one operation through the log; its error, if any, is the response.
    private func writeOne(_ operation: DocumentOperation, to index: SearchIndex, refresh: RefreshPolicy) async throws(SearchError) -> DocumentResult {
        let results = try await writer.write([operation], to: index, refresh: refresh)
        guard let result = results.first else { throw RestErrors.internalError(SearchError("exception", "the write returned no result")) }
        if let error = result.error { throw error }
        return result
    }

    /// The body of an index, create, update or delete response (also a bulk item, with `status`).
    static func writeResponse(index: SearchIndex, id: String, _ result: DocumentResult, refresh: RefreshPolicy) -> JSONObject {
        var members: [(name: String, value: JSONValue)] = [
            ("_index", .string(index.name)), ("_id", .string(id)), ("_version", .integer(result.version)),
            ("result", .string(result.outcome?.rawValue ?? "noop")),
        ]
        if refresh == .immediate, result.outcome != .noop { members.append(("forced_refresh", .bool(true))) }
        members.append(("_shards", writeShards(index, successful: result.outcome != .noop)))
        members.append(("_seq_no", .integer(result.seqNo)))
        members.append(("_primary_term", .integer(result.primaryTerm)))
        return JSONObject(members)
    }

    static func source(_ bytes: [UInt8], filter: RestSourceFilter?) throws(SearchError) -> JSONObject {
        let object = try RestJSON.object(bytes)
        return filter?.apply(object) ?? object
    }

    /// `if_seq_no` and `if_primary_term`, which OpenSearch requires together.
    static func concurrencyParameters(_ request: RestRequest) throws(SearchError) -> (Int64?, Int64?) {
        let seqNo = try request.long("if_seq_no")
        let primaryTerm = try request.long("if_primary_term")
        if let seqNo, seqNo < 0 { throw RestErrors.validation(["ifSeqNo must be non negative"]) }
        if seqNo != nil, (primaryTerm ?? 0) <= 0 { throw RestErrors.validation(["ifSeqNo is set, but primary term is [0]"]) }
        if seqNo == nil, primaryTerm != nil { throw RestErrors.validation(["ifPrimaryTerm is set, but seq_no is unassigned"]) }
        return (seqNo, primaryTerm)
    }

    /// `version` / `version_type=external` are not supported (documents are versioned internally).
    static func refuseExternalVersioning(_ request: RestRequest) throws(SearchError) {
        if request.parameter("version") != nil || request.parameter("version_type").map({ $0 != "internal" }) ?? false {
            throw .illegalArgument("external versioning ([version], [version_type]) is not supported by this server; use [if_seq_no] and [if_primary_term]")
        }
    }
}

/// The body of an update (`_update`, or a bulk `update` line).
struct UpdateBody {
    var kind: DocumentOperation.Kind
    var sourceFilter: RestSourceFilter?

    init(_ body: JSONObject) throws(SearchError) {
        var doc: [UInt8]?
        var upsert: [UInt8]?
        var docAsUpsert = false
        var detectNoop = true
        for (key, value) in body.members {
            switch key {
            case "doc": doc = try Self.objectBytes(value, key)
            case "upsert": upsert = try Self.objectBytes(value, key)
            case "doc_as_upsert": docAsUpsert = try Self.bool(value, key)
            case "detect_noop": detectNoop = try Self.bool(value, key)
            case "_source": sourceFilter = try RestSourceFilter(json: value)
            case "script", "scripted_upsert": throw RestErrors.unsupportedScript()
            default: throw SearchError("x_content_parse_exception", "[UpdateRequest] unknown field [\(key)]", status: 400)
            }
        }
        guard doc != nil else { throw RestErrors.validation(["script or doc is missing"]) }
        if doc == nil, docAsUpsert { throw RestErrors.validation(["doc must be specified if doc_as_upsert is enabled"]) }
        kind = .update(doc: doc, upsert: upsert, docAsUpsert: docAsUpsert, detectNoop: detectNoop)
    }

    private static func objectBytes(_ value: JSONValue, _ key: String) throws(SearchError) -> [UInt8] {
        guard case .object = value else {
            throw SearchError("x_content_parse_exception", "[UpdateRequest] [\(key)] must be an object", status: 400)
        }
        var bytes: [UInt8] = []
        JSONWriter.append(value, to: &bytes)
        return bytes
    }

    private static func bool(_ value: JSONValue, _ key: String) throws(SearchError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default: throw SearchError("x_content_parse_exception", "[UpdateRequest] failed to parse field [\(key)]", status: 400)
        }
    }
}
