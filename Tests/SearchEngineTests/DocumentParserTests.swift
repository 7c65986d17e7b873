import SearchEngine
import StreamProcessing
import Testing

@Suite struct DocumentParserTests {
    private func mapping(_ json: String) throws -> IndexMapping {
        guard case .object(let object) = try JSONParser.parse(Array(json.utf8)) else { throw SearchError.parsing("not an object") }
        return try IndexMapping.parse(object)
    }

    private func parse(_ json: String, _ mapping: IndexMapping, id: String = "1") throws -> ParsedDocument {
        try DocumentParser.parse(id: id, source: Array(json.utf8), mapping: mapping)
    }

    private func field(_ document: ParsedDocument, _ name: String) -> IndexedField? {
        document.indexedFields.first { $0.name == name }
    }

    private func terms(_ document: ParsedDocument, _ name: String) -> [String] {
        field(document, name)?.tokens.map { String(decoding: $0.term, as: UTF8.self) } ?? []
    }

    private func longs(_ document: ParsedDocument, _ name: String) -> [Int64]? {
        for values in document.docValues where values.name == name {
            if case .longs(let longs) = values.values { return longs }
        }
        return nil
    }

    @Test func nestedDocumentWithArrays() throws {
        let mapping = try mapping(
            """
            {"properties":{"title":{"type":"text","fields":{"keyword":{"type":"keyword"}}},"tags":{"type":"keyword"},
            "user":{"properties":{"name":{"type":"text"},"age":{"type":"integer"}}},"when":{"type":"date"},"score":{"type":"float"},
            "published":{"type":"boolean"}}}
            """)
        let source = """
            {"title":["Hello World","Second value"],"tags":["a","b",null],"user":[{"name":"Ann Lee","age":"31"},{"name":"Bob","age":40}],
            "when":"2024-01-05T10:00:00Z","score":1.5,"published":"true","extra":null}
            """
        let document = try parse(source, mapping)
        #expect(document.id == "1")
        #expect(document.dynamicMappings.isEmpty)
        #expect(document.source == Array(source.utf8).filter { $0 != 0x0A })
        let title = try #require(field(document, "title"))
        #expect(title.options == .positions)
        #expect(title.hasNorms)
        #expect(title.tokens.map(\.position) == [0, 1, 102, 103])
        #expect(title.tokens.map(\.startOffset) == [0, 6, 12, 19])
        #expect(terms(document, "title.keyword") == ["Hello World", "Second value"])
        #expect(terms(document, "tags") == ["a", "b"])
        #expect(terms(document, "user.name") == ["ann", "lee", "bob"])
        #expect(field(document, "user.name")?.tokens.map(\.position) == [0, 1, 102])
        #expect(longs(document, "user.age") == [31, 40])
        #expect(field(document, "user.age")?.tokens.map(\.term) == [SortableNumber.encode(31 as Int64), SortableNumber.encode(40 as Int64)])
        #expect(longs(document, "when") == [1_704_448_800_000])
        #expect(longs(document, "published") == [1])
        #expect(field(document, "extra") == nil)
        let score = document.docValues.first { $0.name == "score" }
        if case .doubles(let values)? = score?.values { #expect(values == [1.5]) } else { Issue.record("no score doc values") }
        let keywords = document.docValues.first { $0.name == "tags" }
        if case .keywords(let values)? = keywords?.values { #expect(values == [Array("a".utf8), Array("b".utf8)]) } else { Issue.record("no tags doc values") }
        #expect(document.docValues.contains { $0.name == "title" } == false)
    }

    @Test func dynamicMappingOfASampleDocument() throws {
        let document = try parse(
            #"{"name":"Ann","age":31,"ratio":0.5,"active":true,"joined":"2024-01-05","slash":"2015/09/02","code":"12","address":{"city":"Paris"},"a.b":1,"none":null}"#,
            IndexMapping())
        let dynamic = document.dynamicMappings
        #expect(dynamic["name"] == FieldMapping(type: .text, fields: ["keyword": FieldMapping(type: .keyword, ignoreAbove: 256)]))
        #expect(dynamic["age"]?.type == .long)
        #expect(dynamic["ratio"]?.type == .float)
        #expect(dynamic["active"]?.type == .boolean)
        #expect(dynamic["joined"] == FieldMapping(type: .date))
        #expect(dynamic["slash"] == FieldMapping(type: .date, format: "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis"))
        #expect(dynamic["code"]?.type == .text)
        #expect(dynamic["address"]?.type == .object)
        #expect(dynamic["address.city"]?.type == .text)
        #expect(dynamic["a.b"]?.type == .long)
        #expect(dynamic["none"] == nil)
        #expect(terms(document, "name.keyword") == ["Ann"])
        #expect(longs(document, "joined") == [1_704_412_800_000])
        var merged = IndexMapping()
        try merged.addDynamicMappings(dynamic)
        #expect(merged.field("address.city.keyword")?.ignoreAbove == 256)
        // The merged mapping parses the next document without new dynamic mappings.
        #expect(try parse(#"{"name":"Bo","address":{"city":"Rome"}}"#, merged).dynamicMappings.isEmpty)
    }

    @Test func strictAndFalseDynamic() throws {
        let strict = try mapping(#"{"dynamic":"strict","properties":{"known":{"type":"keyword"},"obj":{"properties":{"x":{"type":"long"}}}}}"#)
        do {
            _ = try parse(#"{"known":"a","other":1}"#, strict)
            Issue.record("expected an error")
        } catch let error as SearchError {
            #expect(error.type == "strict_dynamic_mapping_exception")
            #expect(error.reason == "mapping set to strict, dynamic introduction of [other] within [_doc] is not allowed")
        }
        do {
            _ = try parse(#"{"obj":{"y":1}}"#, strict)
            Issue.record("expected an error")
        } catch let error as SearchError {
            #expect(error.reason == "mapping set to strict, dynamic introduction of [y] within [obj] is not allowed")
        }
        let off = try mapping(#"{"dynamic":false,"properties":{"known":{"type":"keyword"}}}"#)
        let document = try parse(#"{"known":"a","other":{"deep":1}}"#, off)
        #expect(document.dynamicMappings.isEmpty)
        #expect(document.indexedFields.map(\.name) == ["known"])
        #expect(String(decoding: document.source, as: UTF8.self) == #"{"known":"a","other":{"deep":1}}"#)
    }

    @Test func malformedValuesNameFieldButNotValue() throws {
        let mapping = try mapping(#"{"properties":{"n":{"type":"long"},"i":{"type":"integer"},"b":{"type":"boolean"},"d":{"type":"date"},"o":{"properties":{"x":{"type":"long"}}}}}"#)
        for source in [#"{"n":"twelve"}"#, #"{"n":"99999999999999999999"}"#, #"{"i":3000000000}"#, #"{"b":"yes"}"#, #"{"d":"last tuesday"}"#, #"{"n":{"x":1}}"#] {
            do {
                _ = try parse(source, mapping, id: "doc-7")
                Issue.record("expected an error for \(source)")
            } catch let error as SearchError {
                #expect(error.type == "mapper_parsing_exception")
                #expect(error.reason.hasPrefix("failed to parse field ["))
                #expect(error.reason.hasSuffix("in document with id 'doc-7'"))
                for secret in ["twelve", "9999", "3000000000", "yes", "tuesday"] { #expect(!error.description.contains(secret)) }
            }
        }
        #expect(throws: SearchError.self) { try parse(#"{"o":5}"#, mapping) }
        #expect(throws: SearchError.self) { try parse(#"{"n":1"#, mapping) }
        let coerced = try parse(#"{"n":"12","i":7.9,"b":"false","d":1704448800000}"#, mapping)
        #expect(longs(coerced, "n") == [12])
        #expect(longs(coerced, "i") == [7])
        #expect(longs(coerced, "b") == [0])
        #expect(longs(coerced, "d") == [1_704_448_800_000])
    }

    @Test func ignoreAboveAndSourceCompaction() throws {
        let mapping = try mapping(#"{"properties":{"k":{"type":"keyword","ignore_above":3}}}"#)
        let document = try parse("{ \"k\" : [\"abc\", \"abcd\"] }", mapping)
        #expect(terms(document, "k") == ["abc"])
        #expect(String(decoding: document.source, as: UTF8.self) == #"{"k":["abc","abcd"]}"#)
    }

    @Test func mappingParametersActOnValues() throws {
        let mapping = try mapping(
            """
            {"properties":{"meta":{"type":"object","dynamic":false,"properties":{"kept":{"type":"keyword"}}},
            "blob":{"type":"object","enabled":false},"n":{"type":"long","null_value":-1,"ignore_malformed":true},
            "first":{"type":"text","copy_to":"all"},"last":{"type":"text","copy_to":["all"]},"all":{"type":"text"},
            "gap":{"type":"text","position_increment_gap":0},"k":{"type":"keyword","index":false}}}
            """)
        let document = try parse(
            #"{"meta":{"kept":"x","extra":1},"blob":{"anything":[1,{"a":"b"}]},"n":null,"first":"Ann","last":"Lee","gap":["a b","c"],"k":"v"}"#, mapping)
        #expect(document.dynamicMappings.isEmpty)
        #expect(terms(document, "meta.kept") == ["x"])
        #expect(field(document, "meta.extra") == nil)
        #expect(document.indexedFields.contains { $0.name.hasPrefix("blob") } == false)
        #expect(longs(document, "n") == [-1])
        #expect(try parse(#"{"n":"oops"}"#, mapping).indexedFields.isEmpty)
        #expect(terms(document, "all") == ["ann", "lee"])
        #expect(field(document, "all")?.tokens.map(\.position) == [0, 101])
        #expect(field(document, "gap")?.tokens.map(\.position) == [0, 1, 2])
        #expect(field(document, "k") == nil)
        #expect(document.docValues.contains { $0.name == "k" })
    }

    @Test func escapesDottedNamesAndRefusals() throws {
        let mapping = try mapping(#"{"properties":{"user":{"properties":{"name":{"type":"text"}}}}}"#)
        let document = try parse(#"{"user.name":"Caf\u00e9 \"Noir\""}"#, mapping)
        #expect(terms(document, "user.name") == ["café", "noir"])
        #expect(field(document, "user.name")?.tokens.map(\.startOffset) == [0, 7])
        #expect(String(decoding: document.source, as: UTF8.self) == #"{"user.name":"Caf\u00e9 \"Noir\""}"#)
        for bad in [#"{"_id":"x"}"#, #"[1,2]"#, #"{"a":1}x"#, #"{"a":"\ud800"}"#, ""] {
            #expect(throws: SearchError.self, "\(bad)") { try parse(bad, mapping) }
        }
        let invalidUTF8: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: SearchError.self) { try DocumentParser.parse(id: "1", source: invalidUTF8, mapping: mapping) }
    }

    /// Mutated sources either parse or throw a SearchError; none traps, and what parses keeps compact JSON.
    @Test func mutatedSourcesNeverTrap() throws {
        let mapping = try mapping(#"{"properties":{"t":{"type":"text"},"n":{"type":"long"},"d":{"type":"date"},"o":{"properties":{"k":{"type":"keyword"}}}}}"#)
        let original = Array(#"{"t":"Héllo wörld \u00e9","n":[1,2.5,"3"],"d":"2024-01-05T10:00:00Z","o":{"k":["a","b"]},"x":{"y":[true,null,1e3]}}"#.utf8)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,\ "0123456789.eE-+tfnul\u00e9"#.utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        for _ in 0..<2000 {
            var source = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<source.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: source[position] = alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
                case 1: source.remove(at: position)
                default: source.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)], at: position)
                }
                if source.isEmpty { source = original }
            }
            if let document = try? DocumentParser.parse(id: "m", source: source, mapping: mapping) {
                #expect((try? JSONParser.parse(document.source)) != nil)
            }
        }
    }
}
