import PostgresCDC
import Testing

/// Text-format values → JSON, type by type.
@Suite("value mapping")
struct ValueMappingTests {
    @Test(arguments: [
        ("t", 16, "true"), ("f", 16, "false"),
        ("-32768", 21, "-32768"), ("2147483647", 23, "2147483647"), ("-9223372036854775808", 20, "-9223372036854775808"),
        ("4294967295", 26, "4294967295"), ("0", 23, "0"),
        ("1.5", 701, "1.5"), ("-0", 701, "-0"), ("1e+100", 701, "1e+100"), ("1.2345e-05", 700, "1.2345e-05"),
        ("NaN", 701, "\"NaN\""), ("Infinity", 700, "\"Infinity\""), ("-Infinity", 701, "\"-Infinity\""),
        ("12.340", 1700, "\"12.340\""), ("NaN", 1700, "\"NaN\""), ("-0.000001", 1700, "\"-0.000001\""),
        ("{\"a\": [1, 2.5, null]}", 3802, "{\"a\": [1, 2.5, null]}"), (" [1,\n2] ", 114, " [1,\n2] "), ("\"s\"", 114, "\"s\""),
        ("2024-01-02", 1082, "\"2024-01-02\""), ("0044-03-15 BC", 1082, "\"0044-03-15 BC\""), ("infinity", 1082, "\"infinity\""),
        ("03:04:05.5", 1083, "\"03:04:05.5\""), ("03:04:05+05:30", 1266, "\"03:04:05+05:30\""),
        ("hello", 25, "\"hello\""), ("abc  ", 1042, "\"abc  \""), ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", 2950,
                                                                   "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""),
        ("192.168.0.1/24", 869, "\"192.168.0.1/24\""), ("1 day 02:03:04", 1186, "\"1 day 02:03:04\""), ("happy", 99999, "\"happy\""),
    ] as [(String, UInt32, String)])
    func scalars(text: String, typeOID: UInt32, json: String) throws {
        #expect(try map(text, typeOID) == json)
    }

    @Test(arguments: [
        ("2024-01-02 03:04:05.123456", 1114, "\"2024-01-02T03:04:05.123456\""),
        ("2024-01-02 03:04:05", 1114, "\"2024-01-02T03:04:05\""),
        ("12345-01-02 03:04:05", 1114, "\"12345-01-02T03:04:05\""),
        ("2024-01-02 03:04:05.123+00", 1184, "\"2024-01-02T03:04:05.123Z\""),
        ("2024-01-02 03:04:05+00", 1184, "\"2024-01-02T03:04:05Z\""),
        ("2024-01-02 03:04:05.5+05:30", 1184, "\"2024-01-02T03:04:05.5+05:30\""),
        ("2024-01-02 03:04:05-08", 1184, "\"2024-01-02T03:04:05-08:00\""),
        ("1850-01-02 03:04:05+00:09:21", 1184, "\"1850-01-02T03:04:05+00:09:21\""),
        ("infinity", 1114, "\"infinity\""), ("-infinity", 1184, "\"-infinity\""),
        ("0044-03-15 12:00:00 BC", 1114, "\"0044-03-15 12:00:00 BC\""),
        ("0044-03-15 12:00:00+00 BC", 1184, "\"0044-03-15 12:00:00+00 BC\""),
    ] as [(String, UInt32, String)])
    func timestamps(text: String, typeOID: UInt32, json: String) throws {
        #expect(try map(text, typeOID) == json)
    }

    @Test func timestampsInAnotherDateStyleAreRefused() {
        for (text, oid) in [("Tue Jan 02 03:04:05 2024", UInt32(1114)), ("01/02/2024 03:04:05 UTC", 1184),
                            ("2024-01-02 03:04:05", 1184), ("2024-01-02T03:04:05", 1114)] {
            #expect(throws: EventEncodingError.self) { try map(text, oid) }
        }
    }

    @Test func stringsAreEscaped() throws {
        #expect(try map("a \"quoted\" \\ back", 25) == #""a \"quoted\" \\ back""#)
        #expect(try map("line\nnext\ttab\r\u{8}\u{C}", 25) == #""line\nnext\ttab\r\b\f""#)
        #expect(try map("\u{1}\u{1F}\u{7F}", 25) == "\"\\u0001\\u001f\u{7F}\"")
        #expect(try map("héllo wörld — 日本語 🎉", 1043) == "\"héllo wörld — 日本語 🎉\"")
        #expect(try map("", 25) == "\"\"")
    }

    @Test func invalidUTF8IsRefusedWithoutTheValue() {
        for bytes: [UInt8] in [[0x61, 0xFF], [0xC3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF]] {
            var output: [UInt8] = []
            let error = #expect(throws: EventEncodingError.self) {
                try ValueMapping.appendJSON(text: bytes, typeOID: 25, column: "secret_col", to: &output)
            }
            #expect(error?.code == .malformedValue && error?.column == "secret_col" && error?.message.contains("UTF-8") == true)
        }
    }

    @Test func malformedNumbersAndBooleansAreRefused() {
        for (text, oid) in [("", UInt32(23)), ("12a", 23), ("1.5", 16), ("true", 16), ("007", 20), ("1.", 701),
                            ("nan", 701), ("--1", 20), ("", 3802)] {
            #expect(throws: EventEncodingError.self) { try map(text, oid) }
        }
    }

    @Test func errorsNameTheColumnAndTypeButNotTheValue() {
        var output: [UInt8] = []
        do {
            try ValueMapping.appendJSON(text: Array("s3cr3t-value".utf8), typeOID: 23, column: "pin", to: &output)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("pin") && error.message.contains("23"))
            #expect(!error.message.contains("s3cr3t") && !"\(error)".contains("s3cr3t"))
        }
    }

    @Test func byteaBecomesBase64() throws {
        #expect(try map("\\x", 17) == "\"\"")
        #expect(try map("\\x66", 17) == "\"Zg==\"")
        #expect(try map("\\x666f", 17) == "\"Zm8=\"")
        #expect(try map("\\x666f6f", 17) == "\"Zm9v\"")
        #expect(try map("\\x00FFfe0a1b", 17) == "\"AP/+Chs=\"")
        // Escape format (bytea_output = escape): printable bytes as is, \\ and \ooo.
        #expect(try map("foo", 17) == "\"Zm9v\"")
        #expect(try map("\\000\\377a\\\\", 17) == "\"AP9hXA==\"")
        for bad in ["\\x6", "\\x6g", "\\9", "\\01", "a\\"] {
            #expect(throws: EventEncodingError.self) { try map(bad, 17) }
        }
    }

    @Test func arrays() throws {
        #expect(try map("{1,2,NULL,-3}", 1007) == "[1,2,null,-3]")
        #expect(try map("{}", 1007) == "[]")
        #expect(try map("{{1,2},{3,4}}", 1007) == "[[1,2],[3,4]]")
        #expect(try map("{{{1},{2}},{{3},{4}}}", 1016) == "[[[1],[2]],[[3],[4]]]")
        #expect(try map("[0:2]={7,8,9}", 1007) == "[7,8,9]")
        #expect(try map("[1:2][3:4]={{1,2},{3,4}}", 1005) == "[[1,2],[3,4]]")
        #expect(try map("{t,f,NULL}", 1000) == "[true,false,null]")
        #expect(try map(#"{a,"a \"b\"","c\\d","",NULL,"NULL",null, x y ,"{,}"}"#, 1009)
            == #"["a","a \"b\"","c\\d","",null,"NULL",null,"x y","{,}"]"#)
        #expect(try map(#"{"line\nbreak",é}"#, 1015) == #"["linenbreak","é"]"#)
        #expect(try map("{1.5,NaN,-Infinity}", 1022) == #"[1.5,"NaN","-Infinity"]"#)
        #expect(try map("{12.340,NaN}", 1231) == #"["12.340","NaN"]"#)
        #expect(try map(#"{"2024-01-02 03:04:05+00","infinity"}"#, 1185) == #"["2024-01-02T03:04:05Z","infinity"]"#)
        #expect(try map(#"{"2024-01-02 03:04:05.5",NULL}"#, 1115) == #"["2024-01-02T03:04:05.5",null]"#)
        #expect(try map("{2024-01-02,NULL}", 1182) == #"["2024-01-02",null]"#)
        #expect(try map(#"{"\\x0102",NULL}"#, 1001) == #"["AQI=",null]"#)
        #expect(try map(#"{"{\"a\": 1}","[2]",3}"#, 3807) == #"[{"a": 1},[2],3]"#)
        #expect(try map(#"{"{\"a\":1}",null}"#, 199) == #"[{"a":1},null]"#)
        #expect(try map("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", 2951) == #"["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]"#)
        #expect(try map("{1,2}", 1028) == "[1,2]")
        #expect(try map(#"{"ab ","c  "}"#, 1014) == #"["ab ","c  "]"#)
        #expect(try map("{pg_catalog}", 1003) == #"["pg_catalog"]"#)
        #expect(try map(#"{N\ULL}"#, 1009) == #"["NULL"]"#)
        #expect(try map(" { 1 , 2 } ", 1007) == "[1,2]")
    }

    @Test func unknownArrayTypesAreOneString() throws {
        // A user enum's array type: its OID says nothing, the literal goes as a string.
        #expect(try map("{happy,sad}", 16_500) == #""{happy,sad}""#)
    }

    @Test func malformedArraysAreRefused() {
        for text in ["", "1,2", "{1,2", "{1,2}}", "{1,{2}", "{\"a}", "[1:2]{1,2}", "{1,2} x", "{{{{{{{1}}}}}}}", "{a\"b}", "{1,}",
                     "{{1},2}x", "{12a}"] {
            #expect(throws: EventEncodingError.self, "\(text)") { try map(text, 1007) }
        }
    }

    private func map(_ text: String, _ typeOID: UInt32) throws -> String {
        var output: [UInt8] = []
        try ValueMapping.appendJSON(text: Array(text.utf8), typeOID: typeOID, column: "c", to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
