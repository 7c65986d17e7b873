import StreamProcessing

extension SearchExecutor {
    /// One hit as OpenSearch renders it: `_index`, `_id`, [`_version`, `_seq_no`, `_primary_term`],
    /// `_score`, `_source`, [`fields`], [`highlight`], [`sort`].
    static func render(_ hit: CollectedHit, _ request: SearchRequest, _ prepared: PreparedIndex, showsScores: Bool) throws(SearchError) -> JSONValue {
        let view = prepared.snapshot.segments[hit.segment]
        let segment = view.segment
        var members: [(name: String, value: JSONValue)] = [("_index", .string(prepared.snapshot.indexName))]
        if !request.storedFieldsNone { members.append(("_id", .string(segment.id(hit.doc)))) }
        if request.version { members.append(("_version", .integer(segment.version(hit.doc)))) }
        if request.seqNoPrimaryTerm {
            members.append(("_seq_no", .integer(segment.seqNo(hit.doc))))
            members.append(("_primary_term", .integer(1)))
        }
        members.append(("_score", showsScores ? SearchResponse.float(hit.score) : .null))
        var source: JSONObject?
        if request.source.fetch && !request.storedFieldsNone || request.highlight != nil {
            if case .object(let object)? = try? JSONParser.parse(segment.source(hit.doc)) { source = object }
        }
        if request.source.fetch && !request.storedFieldsNone, let source {
            members.append(("_source", .object(request.source.filter(source))))
        }
        if !request.docvalueFields.isEmpty {
            let fields = docValueFields(request.docvalueFields, prepared.snapshot.mapping, segment, hit.doc)
            if !fields.members.isEmpty { members.append(("fields", .object(fields))) }
        }
        if let highlight = request.highlight, let source {
            let highlighter = Highlighter(request: highlight, mapping: prepared.snapshot.mapping, terms: prepared.highlightTerms)
            if let fragments = highlighter.highlight(source) { members.append(("highlight", .object(fragments))) }
        }
        if !request.sort.isEmpty && !request.hidesAllSortValues {
            let shown = request.hiddenTiebreaker ? hit.keys.count - 1 : hit.keys.count
            members.append(("sort", .array((0..<shown).map { prepared.sort.sortValue(hit.keys[$0], $0) })))
        }
        return .object(JSONObject(members))
    }

    /// `docvalue_fields`: each field's doc values (keywords as strings, dates formatted, booleans as
    /// booleans), field names with `*` expanded over the mapping.
    static func docValueFields(_ patterns: [String], _ mapping: IndexMapping, _ segment: any SegmentReading, _ doc: Int32) -> JSONObject {
        var result = JSONObject()
        var names: [String] = []
        for pattern in patterns {
            if pattern.contains("*") {
                names += mapping.allFields().filter { $0.mapping.hasDocValues && SourceFilter.glob(pattern, $0.path) }.map(\.path)
            } else {
                names.append(pattern)
            }
        }
        for name in names where result[name] == nil {
            guard let field = mapping.field(name) else { continue }
            var values: [JSONValue] = []
            switch field.type {
            case .keyword:
                if let column = segment.sortedSetDocValues(name) {
                    values = column.ordinals(doc).map { .string(String(decoding: column.term(forOrdinal: $0), as: UTF8.self)) }
                }
            case .double, .float, .halfFloat:
                if let column = segment.numericDocValues(name) {
                    values = column.values(doc).map { .double(SortableNumber.double(fromSortableBits: $0)) }
                }
            case .date:
                if let column = segment.numericDocValues(name) {
                    let format = (try? DateFormat(pattern: field.effectiveFormat)) ?? .default
                    values = column.values(doc).map { .string(format.format($0)) }
                }
            case .boolean:
                if let column = segment.numericDocValues(name) { values = column.values(doc).map { .bool($0 != 0) } }
            case .long, .integer, .short, .byte:
                if let column = segment.numericDocValues(name) { values = column.values(doc).map { .integer($0) } }
            case .text, .object: break
            }
            if !values.isEmpty { result.members.append((name, .array(values))) }
        }
        return result
    }
}
