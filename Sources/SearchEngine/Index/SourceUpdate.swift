import StreamProcessing

/// The partial-update merge of OpenSearch's `XContentHelper.update`: members of `changes` replace or add to
/// `source`; where both sides are objects the merge recurses. Returns whether anything changed (for
/// `detect_noop`): equal values replaced by themselves are no change; a changed or new member is.
enum SourceUpdate {
    static func merge(_ changes: JSONObject, into source: inout JSONObject) -> Bool {
        var modified = false
        for (name, value) in changes.members {
            guard let index = source.members.firstIndex(where: { $0.name == name }) else {
                source.members.append((name, value))
                modified = true
                continue
            }
            let old = source.members[index].value
            if case .object(var oldObject) = old, case .object(let newObject) = value {
                if merge(newObject, into: &oldObject) { modified = true }
                source.members[index].value = .object(oldObject)
            } else {
                if old != value { modified = true }
                source.members[index].value = value
            }
        }
        return modified
    }

    /// Parses a `_source` or an update's `doc`, which must be a JSON object.
    static func object(_ bytes: [UInt8]) throws(SearchError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .mapperParsing("failed to parse, document is malformed: \(error.description)")
        }
        guard case .object(let object) = value else { throw .mapperParsing("failed to parse, document is empty") }
        return object
    }

    static func bytes(_ object: JSONObject) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.append(.object(object), to: &out)
        return out
    }
}
