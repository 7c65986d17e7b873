import StreamProcessing

extension IndexMapping {
    /// The mapping of a field by full dotted path: `user.name` through objects, `title.keyword` for a
    /// multi-field. Objects resolve too (type `object`).
    public func field(_ path: String) -> FieldMapping? {
        if let direct = properties[path] { return direct }
        var level = properties
        var remaining = Substring(path)
        while let dot = remaining.firstIndex(of: ".") {
            guard let field = level[String(remaining[..<dot])] else { return nil }
            remaining = remaining[remaining.index(after: dot)...]
            if field.type == .object {
                level = field.properties
                if let found = level[String(remaining)] { return found }
            } else {
                return field.fields[String(remaining)]
            }
        }
        return level[String(remaining)]
    }

    /// Every leaf field with its full path, multi-fields included (`title`, `title.keyword`), sorted by path.
    public func allFields() -> [(path: String, mapping: FieldMapping)] {
        var result: [(path: String, mapping: FieldMapping)] = []
        Self.collect(properties, prefix: "", into: &result)
        return result.sorted { $0.path < $1.path }
    }

    private static func collect(_ fields: [String: FieldMapping], prefix: String, into result: inout [(path: String, mapping: FieldMapping)]) {
        for (name, field) in fields {
            let path = prefix + name
            if field.type == .object {
                collect(field.properties, prefix: path + ".", into: &result)
            } else {
                result.append((path, field))
                for (subName, subField) in field.fields { result.append((path + "." + subName, subField)) }
            }
        }
    }

    /// The analyzer for query text against `path`: a text field's `search_analyzer`, else its `analyzer`,
    /// else `standard`; for every other type (keyword, numbers, unmapped) `keyword` (the text as one term).
    public func searchAnalyzer(for path: String) -> Analyzer {
        guard let field = field(path) else { return .keyword }
        return field.searchAnalyzerValue
    }
}

extension FieldMapping {
    /// The analyzer values are indexed with (`standard` for text unless set, `keyword` otherwise).
    public var indexAnalyzer: Analyzer {
        guard type == .text else { return .keyword }
        return analyzer.flatMap { try? Analyzer.named($0) } ?? .standard
    }

    /// The analyzer query text is analyzed with.
    public var searchAnalyzerValue: Analyzer {
        guard type == .text else { return .keyword }
        if let searchAnalyzer, let analyzer = try? Analyzer.named(searchAnalyzer) { return analyzer }
        return indexAnalyzer
    }

    /// The date format in effect (`strict_date_optional_time||epoch_millis` unless set).
    public var effectiveFormat: String { format ?? DateFormat.defaultPattern }
}
