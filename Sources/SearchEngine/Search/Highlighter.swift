import StreamProcessing

/// The `highlight` request member.
public struct HighlightRequest: Sendable {
    public struct Field: Sendable {
        public var pattern: String
        var options: Options
    }

    struct Options: Sendable {
        var preTags = ["<em>"]
        var postTags = ["</em>"]
        var fragmentSize = 100
        var numberOfFragments = 5
        var requireFieldMatch = true
        var scoreOrder = false
        var noMatchSize = 0
        var htmlEncode = false
    }

    public var fields: [Field] = []
    var highlightQuery: ParsedQuery?

    static func parse(_ value: JSONValue) throws(SearchError) -> HighlightRequest {
        guard case .object(let object) = value else { throw SearchError.parsing("[highlight] must be an object") }
        var request = HighlightRequest()
        var defaults = Options()
        var fieldMembers: [(name: String, value: JSONValue)] = []
        for (key, member) in object {
            switch key {
            case "fields":
                switch member {
                case .object(let fields): fieldMembers = fields.members
                case .array(let entries):
                    for entry in entries {
                        guard case .object(let single) = entry, single.members.count == 1 else {
                            throw SearchError.parsing("[highlight] fields in an array must be objects with one field each")
                        }
                        fieldMembers.append(single.members[0])
                    }
                default: throw SearchError.parsing("[highlight] [fields] must be an object or an array")
                }
            case "highlight_query": request.highlightQuery = try QueryParser.parse(member)
            default: try readOption(key, member, into: &defaults)
            }
        }
        for (name, member) in fieldMembers {
            var options = defaults
            guard case .object(let fieldOptions) = member else { throw SearchError.parsing("[highlight] field [\(name)] must be an object") }
            for (key, value) in fieldOptions { try readOption(key, value, into: &options) }
            request.fields.append(Field(pattern: name, options: options))
        }
        return request
    }

    private static func readOption(_ key: String, _ value: JSONValue, into options: inout Options) throws(SearchError) {
        switch key {
        case "pre_tags": options.preTags = try DSLValue.strings(value, "highlight", key)
        case "post_tags": options.postTags = try DSLValue.strings(value, "highlight", key)
        case "fragment_size": options.fragmentSize = try DSLValue.int(value, "highlight", key)
        case "number_of_fragments": options.numberOfFragments = try DSLValue.int(value, "highlight", key)
        case "require_field_match": options.requireFieldMatch = try DSLValue.bool(value, "highlight", key)
        case "no_match_size": options.noMatchSize = try DSLValue.int(value, "highlight", key)
        case "order": options.scoreOrder = try DSLValue.string(value, "highlight", key) == "score"
        case "encoder": options.htmlEncode = try DSLValue.string(value, "highlight", key) == "html"
        case "tags_schema":
            if try DSLValue.string(value, "highlight", key) == "styled" {
                options.preTags = (1...10).map { "<em class=\"hlt\(1 + ($0 - 1) % 10)\">" }
                options.postTags = ["</em>"]
            }
        case "type", "fragmenter", "boundary_scanner", "boundary_chars", "boundary_max_scan", "boundary_scanner_locale",
            "phrase_limit", "matched_fields", "highlight_filter", "force_source", "max_analyzed_offset", "fragment_offset":
            break
        default: throw SearchError.parsing("[highlight] unknown field [\(key)]")
        }
    }
}

/// The plain highlighter: re-analyzes the field's text from `_source` with the field's index analyzer and
/// wraps every token the query matched (its terms, prefixes, wildcards, fuzzy expansions — phrase terms
/// wherever they occur, not only inside the phrase) in the tags. Fragments follow Lucene's
/// `SimpleFragmenter` (a new fragment starts at the token crossing the next multiple of `fragment_size`),
/// best fragments by distinct matched terms, returned in text order (or by score with `order: score`).
struct Highlighter {
    let request: HighlightRequest
    let mapping: IndexMapping
    /// Matched terms per field (from the query, or `highlight_query`).
    let terms: [String: HighlightTerms]

    func highlight(_ source: JSONObject) -> JSONObject? {
        var result = JSONObject()
        for field in request.fields {
            for path in paths(for: field.pattern) {
                guard result[path] == nil else { continue }
                let fieldTerms = field.options.requireFieldMatch ? terms[path] : allTerms
                let values = Self.values(at: path, in: source)
                guard !values.isEmpty else { continue }
                var fragments: [String] = []
                if let fieldTerms, let mapped = mapping.field(path) {
                    fragments = highlight(values, analyzer: mapped.indexAnalyzer, terms: fieldTerms, options: field.options)
                }
                if fragments.isEmpty && field.options.noMatchSize > 0, let first = values.first {
                    fragments = [String(first.prefix(field.options.noMatchSize))]
                }
                if !fragments.isEmpty { result.members.append((path, .array(fragments.map(JSONValue.string)))) }
            }
        }
        return result.members.isEmpty ? nil : result
    }

    private var allTerms: HighlightTerms? {
        guard !terms.isEmpty else { return nil }
        var union = HighlightTerms()
        for entry in terms.values {
            union.exact.formUnion(entry.exact)
            union.matchers += entry.matchers
            union.fuzzy += entry.fuzzy
        }
        return union
    }

    private func paths(for pattern: String) -> [String] {
        guard pattern.contains("*") else { return [pattern] }
        return mapping.allFields().filter { $0.mapping.type == .text || $0.mapping.type == .keyword }.map(\.path)
            .filter { SourceFilter.glob(pattern, $0) }
    }

    /// String values at a dotted path (through objects and arrays; multi-fields read their parent's value).
    static func values(at path: String, in source: JSONObject) -> [String] {
        var found: [String] = []
        collect(.object(source), Substring(path), into: &found)
        if found.isEmpty, let dot = path.lastIndex(of: ".") {
            collect(.object(source), path[..<dot], into: &found)
        }
        return found
    }

    private static func collect(_ value: JSONValue, _ path: Substring, into found: inout [String]) {
        switch value {
        case .array(let elements): for element in elements { collect(element, path, into: &found) }
        case .object(let object):
            guard !path.isEmpty else { return }
            if let direct = object[String(path)] {
                collect(direct, "", into: &found)
                return
            }
            var end = path.firstIndex(of: ".")
            while let dot = end {
                if let inner = object[String(path[..<dot])] { collect(inner, path[path.index(after: dot)...], into: &found) }
                end = path[path.index(after: dot)...].firstIndex(of: ".")
            }
        default:
            if path.isEmpty, let text = DSLValue.text(value) { found.append(text) }
        }
    }

    private struct Fragment {
        var text: String
        var score: Int
        var occurrences: Int
        var order: Int
    }

    private func highlight(_ values: [String], analyzer: Analyzer, terms: HighlightTerms, options: HighlightRequest.Options) -> [String] {
        var fragments: [Fragment] = []
        for value in values {
            let tokens = analyzer.analyze(value)
            let bytes = Array(value.utf8)
            let matched = tokens.filter { terms.matches($0.term) }
            guard !matched.isEmpty else { continue }
            if options.numberOfFragments == 0 {
                fragments.append(Fragment(text: mark(bytes, 0, bytes.count, matched, options), score: 1, occurrences: 1, order: fragments.count))
                continue
            }
            for range in Self.fragmentRanges(tokens, length: bytes.count, size: max(1, options.fragmentSize)) {
                let inside = matched.filter { Int($0.startOffset) >= range.lowerBound && Int($0.endOffset) <= range.upperBound }
                guard !inside.isEmpty else { continue }
                let distinct = Set(inside.map(\.term)).count
                fragments.append(Fragment(text: mark(bytes, range.lowerBound, range.upperBound, inside, options), score: distinct,
                                          occurrences: inside.count, order: fragments.count))
            }
        }
        if options.numberOfFragments == 0 { return fragments.map(\.text) }
        let best = fragments.sorted { ($0.score, $0.occurrences, -$0.order) > ($1.score, $1.occurrences, -$1.order) }.prefix(options.numberOfFragments)
        return (options.scoreOrder ? Array(best) : best.sorted { $0.order < $1.order }).map(\.text)
    }

    /// Lucene's `SimpleFragmenter`: fragment `k` ends before the first token whose end reaches `k · size`.
    static func fragmentRanges(_ tokens: [Token], length: Int, size: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var fragmentCount = 1
        for token in tokens where Int(token.endOffset) >= size * fragmentCount {
            let boundary = Int(token.startOffset)
            if boundary > start {
                ranges.append(start..<boundary)
                start = boundary
            }
            fragmentCount = Int(token.endOffset) / size + 1
        }
        if start < length { ranges.append(start..<length) }
        return ranges
    }

    private func mark(_ bytes: [UInt8], _ start: Int, _ end: Int, _ tokens: [Token], _ options: HighlightRequest.Options) -> String {
        var output: [UInt8] = []
        var cursor = start
        for (index, token) in tokens.enumerated() where Int(token.startOffset) >= cursor {
            output += encode(bytes[cursor..<Int(token.startOffset)], options)
            let tag = index % max(1, options.preTags.count)
            if !options.preTags.isEmpty { output += Array(options.preTags[tag].utf8) }
            output += encode(bytes[Int(token.startOffset)..<Int(token.endOffset)], options)
            if !options.postTags.isEmpty { output += Array(options.postTags[min(tag, options.postTags.count - 1)].utf8) }
            cursor = Int(token.endOffset)
        }
        output += encode(bytes[cursor..<end], options)
        return String(decoding: output, as: UTF8.self)
    }

    private func encode(_ bytes: ArraySlice<UInt8>, _ options: HighlightRequest.Options) -> [UInt8] {
        guard options.htmlEncode else { return Array(bytes) }
        var output: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "<"): output += Array("&lt;".utf8)
            case UInt8(ascii: ">"): output += Array("&gt;".utf8)
            case UInt8(ascii: "&"): output += Array("&amp;".utf8)
            case UInt8(ascii: "\""): output += Array("&quot;".utf8)
            case UInt8(ascii: "'"): output += Array("&#x27;".utf8)
            default: output.append(byte)
            }
        }
        return output
    }
}
