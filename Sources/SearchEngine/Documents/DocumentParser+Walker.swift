import StreamProcessing

/// One document's walk over its JSON bytes: resolves members against the compiled mapping (creating
/// dynamic mappings as needed) and accumulates each field's values in its slot. One pass, no JSON tree.
struct DocumentWalker {
    let id: String
    let compiled: CompiledMapping
    var reader: SourceReader
    var slots: [FieldValues]
    /// Fields in the order they first received a value.
    var touched: [Int] = []
    /// Nodes created by dynamic mapping in this document, by full path.
    var dynamicNodes: [String: CompiledNode] = [:]
    var dynamicFields: [CompiledField] = []
    var dynamicMappings: [String: FieldMapping] = [:]

    init(id: String, compiled: CompiledMapping, source: UnsafeBufferPointer<UInt8>) {
        self.id = id
        self.compiled = compiled
        self.reader = SourceReader(source)
        self.slots = Array(repeating: FieldValues(), count: compiled.fields.count)
    }

    mutating func walkDocument() throws(SearchError) {
        switch reader.peek() {
        case UInt8(ascii: "{")?: try walkObject(compiled.root, depth: 0)
        case nil: throw SearchError.mapperParsing("failed to parse, document is empty")
        default: throw reader.failure("a document must be a JSON object")
        }
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw reader.failure("unexpected bytes after the document") }
    }

    private mutating func walkObject(_ node: CompiledObject, depth: Int) throws(SearchError) {
        guard depth < SourceReader.maximumDepth else { throw reader.failure("nested deeper than \(SourceReader.maximumDepth)") }
        reader.index += 1
        if reader.peek() == UInt8(ascii: "}") {
            reader.index += 1
            return
        }
        repeat {
            let name = try reader.readName()
            try member(name, in: node, depth: depth + 1)
        } while try reader.next(closing: UInt8(ascii: "}"))
    }

    /// Metadata fields a document body may not carry (OpenSearch's `MapperService` meta fields).
    static let metadataFields: Set<String> = [
        "_id", "_index", "_source", "_routing", "_seq_no", "_primary_term", "_version", "_field_names", "_ignored", "_type", "_doc_count",
        "_data_stream_timestamp", "_size",
    ]

    private mutating func member(_ name: String, in node: CompiledObject, depth: Int) throws(SearchError) {
        guard !name.isEmpty else { throw SearchError.mapperParsing("field name cannot be an empty string") }
        if node.path.isEmpty, name.utf8.first == UInt8(ascii: "_"), Self.metadataFields.contains(name) {
            throw SearchError.mapperParsing(
                "Field [\(name)] is a metadata field and cannot be added inside a document. Use the index API request parameters.")
        }
        var resolved = node.children[name] ?? (dynamicNodes.isEmpty ? nil : dynamicNodes[node.childPath(name)])
        if resolved == nil, name.utf8.contains(UInt8(ascii: ".")) {
            try dottedMember(name, in: node, depth: depth)
            return
        }
        try value(name: name, in: node, resolved: &resolved, depth: depth)
    }

    /// `{"a.b": 1}` is `{"a": {"b": 1}}`.
    private mutating func dottedMember(_ name: String, in node: CompiledObject, depth: Int) throws(SearchError) {
        let components = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !components.contains(where: \.isEmpty) else {
            throw SearchError.mapperParsing("object field cannot contain only white spaces or dots: [\(name)]")
        }
        var current = node
        for component in components.dropLast() {
            switch current.children[component] ?? dynamicNodes[current.childPath(component)] {
            case .object(let object)?: current = object
            case .field(let field)?:
                throw SearchError.mapperParsing(
                    "Could not dynamically add mapping for field [\(name)]. Existing mapping for [\(field.path)] must be of type object but found [\(field.type.rawValue)].")
            case nil:
                guard let object = try dynamicObject(component, in: current) else { return try reader.skipValue(depth: depth) }
                current = object
            }
            guard current.enabled else { return try reader.skipValue(depth: depth) }
        }
        let last = components[components.count - 1]
        var resolved = current.children[last] ?? dynamicNodes[current.childPath(last)]
        try value(name: last, in: current, resolved: &resolved, depth: depth)
    }

    private mutating func value(name: String, in node: CompiledObject, resolved: inout CompiledNode?, depth: Int) throws(SearchError) {
        guard depth < SourceReader.maximumDepth else { throw reader.failure("nested deeper than \(SourceReader.maximumDepth)") }
        switch reader.peek() {
        case UInt8(ascii: "{")?:
            switch resolved {
            case .object(let child)?:
                if child.enabled { try walkObject(child, depth: depth) } else { try reader.skipValue(depth: depth) }
            case .field(let field)?:
                throw malformed(field)
            case nil:
                guard let child = try dynamicObject(name, in: node) else { return try reader.skipValue(depth: depth) }
                resolved = .object(child)
                try walkObject(child, depth: depth)
            }
        case UInt8(ascii: "[")?:
            reader.index += 1
            if reader.peek() == UInt8(ascii: "]") {
                reader.index += 1
                if resolved == nil, node.dynamic == .strict { _ = try dynamicObject(name, in: node) }
                return
            }
            repeat {
                try value(name: name, in: node, resolved: &resolved, depth: depth + 1)
            } while try reader.next(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "n")?:
            try reader.readLiteral("null")
            if case .field(let field)? = resolved, let nullValue = field.nullValue {
                try Self.withScalar(nullValue) { (scalar) throws(SearchError) in try index(scalar, into: field) }
            } else if resolved == nil, node.dynamic == .strict {
                _ = try dynamicObject(name, in: node)
            }
        case nil:
            throw reader.failure("unexpected end")
        default:
            try scalarValue(name: name, in: node, resolved: &resolved)
        }
    }

    private mutating func scalarValue(name: String, in node: CompiledObject, resolved: inout CompiledNode?) throws(SearchError) {
        let token = try readScalar()
        let scratch = reader.scratch
        let source = reader.bytes
        try scratch.withUnsafeBufferPointer { (scratchBytes) throws(SearchError) in
            let scalar = token.resolve(source: source, scratch: scratchBytes)
            switch resolved {
            case .field(let field)?: try index(scalar, into: field)
            case .object(let object)?:
                throw SearchError.mapperParsing("object mapping for [\(object.path)] tried to parse field [\(name)] as object, but found a concrete value")
            case nil:
                guard let field = try dynamicField(name, scalar, in: node) else { return }
                resolved = .field(field)
                try index(scalar, into: field)
            }
        }
    }

    private mutating func readScalar() throws(SearchError) -> ScalarToken {
        switch reader.bytes[reader.index] {
        case UInt8(ascii: "\""): return .string(try reader.readString())
        case UInt8(ascii: "t"):
            try reader.readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try reader.readLiteral("false")
            return .bool(false)
        default:
            let number = try reader.readNumber()
            return .number(start: number.start, end: number.end, integer: number.integer)
        }
    }

    func malformed(_ field: CompiledField, _ cause: String? = nil) -> SearchError {
        SearchError(
            "mapper_parsing_exception", "failed to parse field [\(field.path)] of type [\(field.type.rawValue)] in document with id '\(id)'",
            causedBy: cause.map { [SearchError.illegalArgument($0)] } ?? [])
    }

    /// The parsed document (without its source): one `IndexedField` per field with terms, one
    /// `DocValuesField` per field with doc values, in the order the fields first appeared.
    func finish() -> ParsedDocument {
        var indexed: [IndexedField] = []
        var docValues: [DocValuesField] = []
        indexed.reserveCapacity(touched.count)
        docValues.reserveCapacity(touched.count)
        for slot in touched {
            let field = slot < compiled.fields.count ? compiled.fields[slot] : dynamicFields[slot - compiled.fields.count]
            let values = slots[slot]
            if field.indexed, !values.tokens.isEmpty {
                let options: IndexOptions = field.type == .text ? .positions : .docs
                indexed.append(IndexedField(name: field.path, options: options, tokens: values.tokens, hasNorms: field.norms))
            }
            guard field.docValues else { continue }
            if !values.longs.isEmpty { docValues.append(DocValuesField(name: field.path, values: .longs(values.longs))) }
            if !values.doubles.isEmpty { docValues.append(DocValuesField(name: field.path, values: .doubles(values.doubles))) }
            if !values.keywords.isEmpty { docValues.append(DocValuesField(name: field.path, values: .keywords(values.keywords))) }
        }
        return ParsedDocument(id: id, source: [], indexedFields: indexed, docValues: docValues, dynamicMappings: dynamicMappings)
    }
}

/// A scalar as read: where its bytes are, before they are resolved to a buffer.
enum ScalarToken {
    case string(SourceReader.StringSlice)
    case number(start: Int, end: Int, integer: Int64?)
    case bool(Bool)

    func resolve(source: UnsafeBufferPointer<UInt8>, scratch: UnsafeBufferPointer<UInt8>) -> Scalar {
        switch self {
        case .string(let slice): .string(slice.escaped ? scratch : UnsafeBufferPointer(rebasing: source[slice.start..<slice.end]))
        case .number(let start, let end, let integer): .number(UnsafeBufferPointer(rebasing: source[start..<end]), integer: integer)
        case .bool(let flag): .bool(flag)
        }
    }
}

/// A scalar JSON value: string contents (unescaped UTF-8), a number's text (and its value when an
/// integer fitting Int64), or a boolean.
enum Scalar {
    case string(UnsafeBufferPointer<UInt8>)
    case number(UnsafeBufferPointer<UInt8>, integer: Int64?)
    case bool(Bool)
}

/// The values one field accumulates in one document.
struct FieldValues {
    var tokens: [Token] = []
    var valueCount: Int32 = 0
    /// Text: the position after the last token, and the offset base of the next value.
    var nextPosition: Int32 = 0
    var offsetBase: Int32 = 0
    var longs: [Int64] = []
    var doubles: [Double] = []
    var keywords: [TermBytes] = []
}
