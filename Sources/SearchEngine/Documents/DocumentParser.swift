import Synchronization

/// Turns a document's JSON `_source` into what the index stores (`ParsedDocument`), following the index
/// mapping: objects become dotted paths, arrays give a field several values (text positions 100 apart),
/// `null` gives none, arrays of objects are flattened (OpenSearch `object` semantics). Unmapped fields are
/// mapped dynamically (`dynamicMappings`), ignored (`dynamic: false`) or refused (`strict`).
///
/// Keep one `DocumentParser` per mapping version: building it compiles the mapping. The static `parse`
/// keeps the last few compiled mappings.
public struct DocumentParser: Sendable {
    public let mapping: IndexMapping
    let compiled: CompiledMapping

    public init(mapping: IndexMapping) {
        self.mapping = mapping
        self.compiled = CompiledMapping(mapping)
    }

    /// Parses one document with `mapping` (compiled mappings are cached, keyed by the mapping).
    public static func parse(id: String, source: [UInt8], mapping: IndexMapping) throws(SearchError) -> ParsedDocument {
        try cached(mapping).parse(id: id, source: source)
    }

    public func parse(id: String, source: [UInt8]) throws(SearchError) -> ParsedDocument {
        let (document, compact) = try source.withUnsafeBufferPointer { (bytes) throws(SearchError) in
            var walker = DocumentWalker(id: id, compiled: compiled, source: bytes)
            try walker.walkDocument()
            return (walker.finish(), !walker.reader.sawWhitespace)
        }
        var parsed = document
        parsed.source = compact ? source : Self.compacted(source)
        return parsed
    }

    /// `bytes` (valid JSON) without the whitespace between tokens.
    static func compacted(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                continue
            }
            output.append(byte)
        }
        return output
    }

    private static let cache = Mutex<[DocumentParser]>([])

    private static func cached(_ mapping: IndexMapping) -> DocumentParser {
        if let hit = cache.withLock({ parsers in parsers.first { $0.mapping == mapping } }) { return hit }
        let parser = DocumentParser(mapping: mapping)
        cache.withLock { parsers in
            parsers.insert(parser, at: 0)
            if parsers.count > 8 { parsers.removeLast() }
        }
        return parser
    }
}
