import SearchEngine
import StreamProcessing
import Testing

@Suite struct MappingTests {
    private func object(_ json: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(Array(json.utf8)) else { throw SearchError.parsing("not an object") }
        return object
    }

    private func mapping(_ json: String) throws -> IndexMapping {
        try IndexMapping.parse(object(json))
    }

    @Test func parsesAndRendersAsGetMappingShowsIt() throws {
        let fields = """
            "title":{"type":"text","analyzer":"simple","fields":{"raw":{"type":"keyword","ignore_above":100}}},
            "created":{"type":"date","format":"yyyy-MM-dd HH:mm:ss||epoch_millis"},"views":{"type":"long","doc_values":false,"null_value":0}
            """
        #expect(throws: SearchError.self) { try mapping(#"{"properties":{"#+fields+#","price":{"type":"scaled_float_x"}}}"#) }
        let valid = #"{"dynamic":"strict","_source":{"enabled":true},"properties":{"# + fields + "}}"
        let parsed = try mapping(valid)
        #expect(parsed.dynamic == .strict)
        #expect(parsed.field("title")?.analyzer == "simple")
        #expect(parsed.field("title.raw")?.type == .keyword)
        #expect(parsed.field("title.raw")?.ignoreAbove == 100)
        #expect(parsed.field("views")?.hasDocValues == false)
        let rendered = parsed.json().text
        #expect(
            rendered
                == #"{"_source":{"enabled":true},"dynamic":"strict","properties":{"created":{"type":"date","format":"yyyy-MM-dd HH:mm:ss||epoch_millis"},"title":{"type":"text","analyzer":"simple","fields":{"raw":{"type":"keyword","ignore_above":100}}},"views":{"type":"long","doc_values":false,"null_value":0}}}"#
        )
        #expect(try IndexMapping.parse(parsed.json()) == parsed)
    }

    @Test func objectsAndDottedNames() throws {
        let parsed = try mapping(#"{"properties":{"user":{"properties":{"name":{"type":"keyword"}}},"a.b.c":{"type":"integer"},"empty":{"type":"object"}}}"#)
        #expect(parsed.field("user")?.type == .object)
        #expect(parsed.field("user.name")?.type == .keyword)
        #expect(parsed.field("a.b.c")?.type == .integer)
        #expect(parsed.field("a.b")?.type == .object)
        #expect(parsed.field("user.missing") == nil)
        #expect(parsed.allFields().map(\.path) == ["a.b.c", "user.name"])
        #expect(
            parsed.json().text
                == #"{"properties":{"a":{"properties":{"b":{"properties":{"c":{"type":"integer"}}}}},"empty":{"type":"object"},"user":{"properties":{"name":{"type":"keyword"}}}}}"#
        )
        #expect(IndexMapping().json().text == "{}")
    }

    @Test func errorsNameTheField() throws {
        do {
            _ = try mapping(#"{"properties":{"f":{"type":"nested_thing"}}}"#)
            Issue.record("expected an error")
        } catch let error as SearchError {
            #expect(error.type == "mapper_parsing_exception")
            #expect(error.reason == "No handler for type [nested_thing] declared on field [f]")
        }
        do {
            _ = try mapping(#"{"properties":{"f":{"type":"text","analyzer":"klingon"}}}"#)
            Issue.record("expected an error")
        } catch let error as SearchError {
            #expect(error.type == "mapper_parsing_exception")
            #expect(error.reason == "analyzer [klingon] has not been configured in mappings")
        }
        #expect(throws: SearchError.self) { try mapping(#"{"properties":{"f":{"type":"date","format":"yyyy-qq"}}}"#) }
        #expect(throws: SearchError.self) { try mapping(#"{"properties":{"f":{"index":true}}}"#) }
        #expect(throws: SearchError.self) { try mapping(#"{"unknown_root":1}"#) }
    }

    @Test func mergeAddsFieldsAndRefusesTypeChanges() throws {
        var base = try mapping(#"{"properties":{"count":{"type":"long"},"title":{"type":"text"}}}"#)
        try base.merge(mapping(#"{"properties":{"title":{"type":"text","fields":{"keyword":{"type":"keyword"}}},"tags":{"type":"keyword"}}}"#))
        #expect(base.field("title.keyword")?.type == .keyword)
        #expect(base.field("tags")?.type == .keyword)
        #expect(base.field("count")?.type == .long)
        do {
            try base.merge(mapping(#"{"properties":{"count":{"type":"text"}}}"#))
            Issue.record("expected a conflict")
        } catch let error as SearchError {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.reason == "mapper [count] cannot be changed from type [long] to [text]")
        }
        #expect(base.field("count")?.type == .long)
        try base.merge(mapping(#"{"dynamic":false}"#))
        #expect(base.dynamic == .false)
        #expect(base.field("title") != nil)
    }

    @Test func dynamicMappingsMergeByPath() throws {
        var base = IndexMapping()
        let text = FieldMapping(type: .text, fields: ["keyword": FieldMapping(type: .keyword, ignoreAbove: 256)])
        try base.addDynamicMappings(["user": FieldMapping(type: .object), "user.name": text, "age": FieldMapping(type: .long)])
        #expect(
            base.json().text
                == #"{"properties":{"age":{"type":"long"},"user":{"properties":{"name":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}}}}}}"#
        )
        #expect(throws: SearchError.self) { try base.addDynamicMappings(["age": FieldMapping(type: .text)]) }
    }

    @Test func searchAnalyzers() throws {
        let parsed = try mapping(#"{"properties":{"a":{"type":"text","analyzer":"whitespace","search_analyzer":"simple"},"b":{"type":"text"},"c":{"type":"keyword"}}}"#)
        #expect(parsed.searchAnalyzer(for: "a") == .simple)
        #expect(parsed.field("a")?.indexAnalyzer == .whitespace)
        #expect(parsed.searchAnalyzer(for: "b") == .standard)
        #expect(parsed.searchAnalyzer(for: "c") == .keyword)
        #expect(parsed.searchAnalyzer(for: "nope") == .keyword)
    }
}

extension JSONObject {
    fileprivate var text: String { JSONValue.object(self).jsonText }
}
