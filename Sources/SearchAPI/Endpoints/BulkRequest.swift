import SearchEngine
import StreamProcessing

/// A parsed `_bulk` body: NDJSON action lines (`index`, `create`, `update`, `delete`), each but `delete`
/// followed by its source line. A malformed action line fails the whole request (400), as in OpenSearch; a
/// problem with one item (an invalid index name, a script) becomes that item's error.
struct BulkRequest {
    enum Action: String, Sendable {
        case index, create, update, delete
    }

    struct Item {
        var action: Action
        var index: String
        var id: String
        var operation: DocumentOperation?
        /// Set when the item fails before it is written.
        var error: SearchError?
    }

    var items: [Item] = []

    private static let actionParameters: Set<String> = [
        "_index", "_id", "routing", "if_seq_no", "if_primary_term", "version", "version_type", "pipeline", "require_alias",
        "_source", "retry_on_conflict", "op_type", "_type", "dynamic_templates",
    ]

    /// Parses `body`; `defaultIndex` is the `{index}` of `/{index}/_bulk`.
    init(_ body: [UInt8], defaultIndex: String?, nowMillis: Int64) throws(SearchError) {
        guard !body.isEmpty else { throw RestErrors.bodyRequired }
        guard body.last == UInt8(ascii: "\n") else { throw .illegalArgument("The bulk request must be terminated by a newline [\\n]") }
        var lines = LineReader(body)
        var lineNumber = 0
        var missingIndex = false
        while let (actionLine, number) = lines.next() {
            lineNumber = number
            let (action, parameters) = try Self.parseAction(actionLine, line: lineNumber)
            let index = parameters["_index"]?.stringValue ?? defaultIndex
            if index == nil { missingIndex = true }
            var item = Item(action: action, index: index ?? "", id: parameters["_id"].flatMap(Self.text) ?? "")
            var source: [UInt8] = []
            if action != .delete {
                guard let (sourceLine, _) = lines.next() else {
                    throw .illegalArgument("Action/metadata line [\(lineNumber)] is not followed by a source line")
                }
                source = Array(sourceLine)
            }
            if item.id.isEmpty, action == .index || action == .create {
                item.id = GeneratedID.documentID(nowMillis: nowMillis)
            } else if item.id.isEmpty {
                throw RestErrors.validation(["id is missing"])
            }
            do {
                item.operation = try Self.operation(action, id: item.id, source: source, parameters: parameters)
            } catch {
                item.error = error
            }
            items.append(item)
        }
        if missingIndex { throw RestErrors.validation(["index is missing"]) }
        if items.isEmpty { throw RestErrors.validation(["no requests added"]) }
    }

    private static func parseAction(_ line: ArraySlice<UInt8>, line number: Int) throws(SearchError) -> (Action, JSONObject) {
        guard case .object(let object) = try RestJSON.value(Array(line)) else {
            throw .illegalArgument("Malformed action/metadata line [\(number)], expected START_OBJECT or END_OBJECT")
        }
        guard object.members.count == 1, let (name, value) = object.members.first, let action = Action(rawValue: name) else {
            let found = object.members.first?.name ?? ""
            throw .illegalArgument("Malformed action/metadata line [\(number)], expected one of [create, delete, index, update] but found [\(found)]")
        }
        guard case .object(let parameters) = value else {
            throw .illegalArgument("Malformed action/metadata line [\(number)], expected START_OBJECT but found [\(value.jsonText)]")
        }
        for (key, _) in parameters.members where !actionParameters.contains(key) {
            throw .illegalArgument("Action/metadata line [\(number)] contains an unknown parameter [\(key)]")
        }
        return (action, parameters)
    }

    private static func operation(_ action: Action, id: String, source: [UInt8], parameters: JSONObject) throws(SearchError) -> DocumentOperation {
        if parameters["version"] != nil { throw .illegalArgument("external versioning ([version]) is not supported by this server") }
        let ifSeqNo = try parameters["if_seq_no"].map { (value) throws(SearchError) in try integer(value, "if_seq_no") }
        let ifPrimaryTerm = try parameters["if_primary_term"].map { (value) throws(SearchError) in try integer(value, "if_primary_term") }
        let kind: DocumentOperation.Kind
        switch action {
        case .index: kind = parameters["op_type"]?.stringValue == "create" ? .create(source: source) : .index(source: source)
        case .create: kind = .create(source: source)
        case .delete: kind = .delete
        case .update: kind = try UpdateBody(RestJSON.object(source)).kind
        }
        return DocumentOperation(id: id, kind: kind, ifSeqNo: ifSeqNo, ifPrimaryTerm: ifPrimaryTerm)
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        default: nil
        }
    }

    private static func integer(_ value: JSONValue, _ name: String) throws(SearchError) -> Int64 {
        switch value {
        case .integer(let number): return number
        case .string(let text): if let number = Int64(text) { return number }
        default: break
        }
        throw .illegalArgument("[\(name)] must be a number")
    }
}

/// Non-empty lines of an NDJSON body, with their 1-based line numbers.
struct LineReader {
    private let bytes: [UInt8]
    private var position = 0
    private var line = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> (ArraySlice<UInt8>, Int)? {
        while position < bytes.count {
            let start = position
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            position = end + 1
            line += 1
            var trimmedEnd = end
            if trimmedEnd > start, bytes[trimmedEnd - 1] == UInt8(ascii: "\r") { trimmedEnd -= 1 }
            let slice = bytes[start..<trimmedEnd]
            if slice.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) { return (slice, line) }
        }
        return nil
    }
}
