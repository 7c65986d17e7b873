import StreamProcessing

extension IndexMapping {
    /// The mapping as GET `_mapping` shows it under `mappings`: meta fields, explicitly set root parameters,
    /// then `properties` (sorted by name, as OpenSearch sorts them); `{}` for an empty mapping.
    public func json() -> JSONObject {
        var members = metaFields.members
        if explicitParameters.contains("dynamic") { members.append(("dynamic", .string(dynamic.rawValue))) }
        if explicitParameters.contains("dynamic_date_formats") { members.append(("dynamic_date_formats", .array(dynamicDateFormats.map { .string($0) }))) }
        if explicitParameters.contains("date_detection") { members.append(("date_detection", .bool(dateDetection))) }
        if explicitParameters.contains("numeric_detection") { members.append(("numeric_detection", .bool(numericDetection))) }
        if !properties.isEmpty { members.append(("properties", .object(Self.render(properties)))) }
        return JSONObject(members)
    }

    static func render(_ fields: [String: FieldMapping]) -> JSONObject {
        JSONObject(fields.sorted { $0.key < $1.key }.map { ($0.key, .object($0.value.json())) })
    }
}

extension FieldMapping {
    /// This field as `_mapping` renders it: `type` first, then only the parameters that were set.
    public func json() -> JSONObject {
        var members: [(name: String, value: JSONValue)] = []
        if type == .object {
            // OpenSearch names the type of an object only when it has no properties to show it.
            if properties.isEmpty { members.append(("type", .string("object"))) }
            members += otherParameters.members
            if !properties.isEmpty { members.append(("properties", .object(IndexMapping.render(properties)))) }
            return JSONObject(members)
        }
        members.append(("type", .string(type.rawValue)))
        if let analyzer { members.append(("analyzer", .string(analyzer))) }
        if let searchAnalyzer { members.append(("search_analyzer", .string(searchAnalyzer))) }
        if let format, format != DateFormat.defaultPattern { members.append(("format", .string(format))) }
        if !index { members.append(("index", .bool(false))) }
        if let docValues, docValues != (type != .text) { members.append(("doc_values", .bool(docValues))) }
        if let ignoreAbove { members.append(("ignore_above", .integer(Int64(ignoreAbove)))) }
        let copyTo = otherParameters.members.filter { $0.name == "copy_to" }
        members += otherParameters.members.filter { $0.name != "copy_to" }
        if !fields.isEmpty { members.append(("fields", .object(IndexMapping.render(fields)))) }
        members += copyTo
        return JSONObject(members)
    }
}
