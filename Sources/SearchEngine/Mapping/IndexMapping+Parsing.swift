import StreamProcessing

extension IndexMapping {
    /// Parses a `mappings` object (as given to create-index or put-mapping). A single `_doc` member
    /// wrapping the mapping (the typed form) is unwrapped.
    public static func parse(_ json: JSONObject) throws(SearchError) -> IndexMapping {
        var root = json
        if root.members.count == 1, root.members[0].name == "_doc", case .object(let inner) = root.members[0].value { root = inner }
        var mapping = IndexMapping()
        var unsupported: [String] = []
        for (name, value) in root.members {
            switch name {
            case "properties":
                guard case .object(let properties) = value else { throw SearchError.mapperParsing("Expected map for property [properties] on field [_doc] but got a class java.lang.String") }
                mapping.properties = try parseProperties(properties, parent: nil)
            case "dynamic":
                mapping.dynamic = try parseDynamic(value)
                mapping.explicitParameters.insert(name)
            case "date_detection":
                mapping.dateDetection = try parseBool(value, parameter: name, field: "_doc")
                mapping.explicitParameters.insert(name)
            case "numeric_detection":
                mapping.numericDetection = try parseBool(value, parameter: name, field: "_doc")
                mapping.explicitParameters.insert(name)
            case "dynamic_date_formats":
                mapping.dynamicDateFormats = try parseDateFormats(value)
                mapping.explicitParameters.insert(name)
            case "_source", "_meta", "_routing", "dynamic_templates", "_field_names", "_size", "_index", "_id":
                mapping.metaFields.members.append((name, value))
            default:
                unsupported.append("\(name) : \(value.jsonText)")
            }
        }
        if !unsupported.isEmpty {
            throw SearchError.mapperParsing("Root mapping definition has unsupported parameters:  " + unsupported.map { "[\($0)]" }.joined(separator: " "))
        }
        return mapping
    }

    static func parseDynamic(_ value: JSONValue) throws(SearchError) -> Dynamic {
        switch value {
        case .bool(let flag): return flag ? .true : .false
        case .string(let text):
            if let dynamic = Dynamic(rawValue: text.lowercased()) { return dynamic }
        default: break
        }
        throw SearchError.mapperParsing("Could not convert [dynamic] to boolean")
    }

    static func parseDateFormats(_ value: JSONValue) throws(SearchError) -> [String] {
        var formats: [String] = []
        switch value {
        case .string(let format): formats = [format]
        case .array(let values):
            for element in values {
                guard case .string(let format) = element else { throw SearchError.mapperParsing("Failed to parse mapping: dynamic_date_formats must be strings") }
                formats.append(format)
            }
        default: throw SearchError.mapperParsing("Dynamic date formats should be an array or a string")
        }
        for format in formats {
            if format.hasPrefix("epoch_") { throw SearchError.mapperParsing("Epoch [\(format)] is not supported as dynamic date format") }
            do { _ = try DateFormat(pattern: format) } catch { throw SearchError.mapperParsing("Invalid format: [\(format)]: \(error.reason)") }
        }
        return formats
    }

    static func parseBool(_ value: JSONValue, parameter: String, field: String) throws(SearchError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default:
            throw SearchError.mapperParsing("Failed to parse mapping: Failed to parse value [\(value.stringValue ?? value.jsonText)] as only [true] or [false] are allowed. (parameter [\(parameter)] on field [\(field)])")
        }
    }

    /// Parses `properties`; dotted names (`"a.b": {...}`) are expanded into objects, as OpenSearch does.
    static func parseProperties(_ json: JSONObject, parent: String?) throws(SearchError) -> [String: FieldMapping] {
        var properties: [String: FieldMapping] = [:]
        for (name, value) in json.members {
            guard !name.isEmpty, !name.hasPrefix("."), !name.hasSuffix("."), !name.contains("..") else {
                throw SearchError.mapperParsing("field name cannot be an empty string")
            }
            guard case .object(let definition) = value else {
                throw SearchError.mapperParsing("Expected map for property [fields] on field [\(name)] but got a class java.lang.String")
            }
            let components = name.split(separator: ".").map(String.init)
            let leafPath = (parent.map { $0 + "." } ?? "") + name
            var field = try FieldMapping.parse(definition, path: leafPath)
            // Wrap the leaf in objects for every dotted component but the first.
            var leafName = components[components.count - 1]
            for component in components.dropLast().dropFirst().reversed() {
                field = FieldMapping(type: .object, properties: [leafName: field])
                leafName = component
            }
            if components.count > 1 { field = FieldMapping(type: .object, properties: [leafName: field]) }
            let key = components[0]
            if let existing = properties[key] {
                var merged = existing
                try merged.merge(field, path: (parent.map { $0 + "." } ?? "") + key)
                properties[key] = merged
            } else {
                properties[key] = field
            }
        }
        return properties
    }
}

extension FieldMapping {
    /// Parses one field's definition (`{"type": "...", ...}`) found at `path`.
    static func parse(_ json: JSONObject, path: String) throws(SearchError) -> FieldMapping {
        let type = try parseType(json, path: path)
        var field = FieldMapping(type: type)
        for (name, value) in json.members {
            switch name {
            case "type": continue
            case "analyzer", "search_analyzer": try field.parseAnalyzer(name, value, path: path)
            case "format":
                guard type == .date else { throw unknownParameter(name, path: path, type: type) }
                guard case .string(let format) = value else { throw SearchError.mapperParsing("Error parsing [format] on field [\(path)]: expected a string") }
                do { _ = try DateFormat(pattern: format) } catch {
                    throw SearchError.mapperParsing("Error parsing [format] on field [\(path)]: Invalid format: [\(format)]: \(error.reason)")
                }
                field.format = format
            case "index": field.index = try IndexMapping.parseBool(value, parameter: name, field: path)
            case "doc_values": field.docValues = try IndexMapping.parseBool(value, parameter: name, field: path)
            case "ignore_above":
                guard type == .keyword else { throw unknownParameter(name, path: path, type: type) }
                field.ignoreAbove = try parseIgnoreAbove(value, path: path)
            case "fields":
                guard type != .object else { throw unknownParameter(name, path: path, type: type) }
                field.fields = try parseMultiFields(value, path: path)
            case "properties":
                guard type == .object else { throw unknownParameter(name, path: path, type: type) }
                guard case .object(let properties) = value else { throw SearchError.mapperParsing("Expected map for property [properties] on field [\(path)]") }
                field.properties = try IndexMapping.parseProperties(properties, parent: path)
            case "dynamic":
                guard type == .object else { throw unknownParameter(name, path: path, type: type) }
                _ = try IndexMapping.parseDynamic(value)
                field.otherParameters.members.append((name, value))
            default:
                field.otherParameters.members.append((name, value))
            }
        }
        return field
    }

    private static func parseType(_ json: JSONObject, path: String) throws(SearchError) -> FieldType {
        guard let typeValue = json["type"] else {
            if json["properties"] != nil || (json.members.count == 1 && json["enabled"] != nil) || json.members.isEmpty { return .object }
            throw SearchError.mapperParsing("No type specified for field [\(path)]")
        }
        guard case .string(let name) = typeValue, let type = FieldType(rawValue: name) else {
            throw SearchError.mapperParsing("No handler for type [\(typeValue.stringValue ?? typeValue.jsonText)] declared on field [\(path)]")
        }
        return type
    }

    private mutating func parseAnalyzer(_ name: String, _ value: JSONValue, path: String) throws(SearchError) {
        guard type == .text else { throw Self.unknownParameter(name, path: path, type: type) }
        guard case .string(let analyzerName) = value else { throw SearchError.mapperParsing("analyzer [\(value.jsonText)] has not been configured in mappings") }
        do { _ = try Analyzer.named(analyzerName) } catch { throw SearchError.mapperParsing("analyzer [\(analyzerName)] has not been configured in mappings") }
        if name == "analyzer" { analyzer = analyzerName } else { searchAnalyzer = analyzerName }
    }

    private static func parseIgnoreAbove(_ value: JSONValue, path: String) throws(SearchError) -> Int {
        var number: Int?
        switch value {
        case .integer(let integer): number = Int(exactly: integer)
        case .string(let text): number = Int(text)
        default: number = nil
        }
        guard let number, number >= 0 else { throw SearchError.mapperParsing("Failed to parse mapping: [ignore_above] on field [\(path)] must be a non-negative integer") }
        return number
    }

    private static func parseMultiFields(_ value: JSONValue, path: String) throws(SearchError) -> [String: FieldMapping] {
        guard case .object(let fields) = value else { throw SearchError.mapperParsing("Expected map for property [fields] on field [\(path)]") }
        var result: [String: FieldMapping] = [:]
        for (name, definition) in fields.members {
            guard case .object(let object) = definition else { throw SearchError.mapperParsing("Expected map for property [fields] on field [\(path).\(name)]") }
            let field = try parse(object, path: path + "." + name)
            guard field.type != .object else { throw SearchError.mapperParsing("Type [object] cannot be used in multi field") }
            result[name] = field
        }
        return result
    }

    static func unknownParameter(_ name: String, path: String, type: FieldType) -> SearchError {
        SearchError.mapperParsing("unknown parameter [\(name)] on mapper [\(path)] of type [\(type.rawValue)]")
    }
}
