import StreamProcessing

extension IndexMapping {
    /// Applies a put-mapping: adds new fields and multi-fields, updates the updatable parameters, and refuses
    /// changes OpenSearch refuses (a field's type, its index analyzer, `index`, `doc_values`, `format`) with
    /// `illegal_argument_exception`. Root parameters change only where `other` set them explicitly.
    public mutating func merge(_ other: IndexMapping) throws(SearchError) {
        var merged = properties
        for (name, field) in other.properties {
            if var existing = merged[name] {
                try existing.merge(field, path: name)
                merged[name] = existing
            } else {
                merged[name] = field
            }
        }
        properties = merged
        for parameter in other.explicitParameters {
            switch parameter {
            case "dynamic": dynamic = other.dynamic
            case "date_detection": dateDetection = other.dateDetection
            case "numeric_detection": numericDetection = other.numericDetection
            case "dynamic_date_formats": dynamicDateFormats = other.dynamicDateFormats
            default: continue
            }
            explicitParameters.insert(parameter)
        }
        for (name, value) in other.metaFields.members {
            if let index = metaFields.members.firstIndex(where: { $0.name == name }) {
                metaFields.members[index].value = value
            } else {
                metaFields.members.append((name, value))
            }
        }
    }

    /// Adds the mappings dynamic mapping introduced (`ParsedDocument.dynamicMappings`, keyed by full dotted
    /// path; objects on the way are created when missing). A path already mapped with the same type is left
    /// alone; with another type it is a conflict (`illegal_argument_exception`).
    public mutating func addDynamicMappings(_ mappings: [String: FieldMapping]) throws(SearchError) {
        for (path, field) in mappings.sorted(by: { $0.key < $1.key }) {
            let components = path.split(separator: ".").map(String.init)
            guard !components.isEmpty else { continue }
            try Self.insert(field, components: components[...], path: path, into: &properties)
        }
    }

    private static func insert(_ field: FieldMapping, components: ArraySlice<String>, path: String, into properties: inout [String: FieldMapping]) throws(SearchError) {
        guard let name = components.first else { return }
        if components.count == 1 {
            if var existing = properties[name] {
                try existing.merge(field, path: path)
                properties[name] = existing
            } else {
                properties[name] = field
            }
            return
        }
        var object = properties[name] ?? FieldMapping(type: .object)
        guard object.type == .object else {
            throw SearchError.illegalArgument("can't merge a non object mapping [\(components.dropLast(components.count - 1).joined(separator: "."))] with an object mapping")
        }
        try insert(field, components: components.dropFirst(), path: path, into: &object.properties)
        properties[name] = object
    }
}

extension FieldMapping {
    /// Merges `other` (the same field in a put-mapping) into this one.
    mutating func merge(_ other: FieldMapping, path: String) throws(SearchError) {
        if type == .object || other.type == .object {
            guard type == other.type else { throw SearchError.illegalArgument("can't merge a non object mapping [\(path)] with an object mapping") }
            for (name, field) in other.properties {
                if var existing = properties[name] {
                    try existing.merge(field, path: path + "." + name)
                    properties[name] = existing
                } else {
                    properties[name] = field
                }
            }
            mergeOtherParameters(other.otherParameters)
            return
        }
        guard type == other.type else {
            throw SearchError.illegalArgument("mapper [\(path)] cannot be changed from type [\(type.rawValue)] to [\(other.type.rawValue)]")
        }
        var conflicts: [String] = []
        if (analyzer ?? "default") != (other.analyzer ?? "default") {
            conflicts.append("Cannot update parameter [analyzer] from [\(analyzer ?? "default")] to [\(other.analyzer ?? "default")]")
        }
        if index != other.index { conflicts.append("Cannot update parameter [index] from [\(index)] to [\(other.index)]") }
        if hasDocValues != other.hasDocValues { conflicts.append("Cannot update parameter [doc_values] from [\(hasDocValues)] to [\(other.hasDocValues)]") }
        if format != other.format, type == .date {
            conflicts.append("Cannot update parameter [format] from [\(format ?? DateFormat.defaultPattern)] to [\(other.format ?? DateFormat.defaultPattern)]")
        }
        guard conflicts.isEmpty else {
            throw SearchError.illegalArgument("Mapper for [\(path)] conflicts with existing mapper:\n\t" + conflicts.joined(separator: "\n\t"))
        }
        searchAnalyzer = other.searchAnalyzer
        ignoreAbove = other.ignoreAbove
        for (name, field) in other.fields {
            if var existing = fields[name] {
                try existing.merge(field, path: path + "." + name)
                fields[name] = existing
            } else {
                fields[name] = field
            }
        }
        mergeOtherParameters(other.otherParameters)
    }

    private mutating func mergeOtherParameters(_ other: JSONObject) {
        for (name, value) in other.members {
            if let index = otherParameters.members.firstIndex(where: { $0.name == name }) {
                otherParameters.members[index].value = value
            } else {
                otherParameters.members.append((name, value))
            }
        }
    }
}
