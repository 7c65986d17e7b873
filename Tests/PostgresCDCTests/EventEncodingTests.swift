import Foundation
import PostgresTestSupport
import Testing

@testable import PostgresCDC

/// Debezium envelopes, keys, the TOAST cache, and the whole mapping against a real server's values.
@Suite("event encoding")
struct EventEncodingTests {
    let encoder = ChangeEventEncoder(sourceName: "moodle", database: "moodledb")
    let items = RelationSchema(oid: 16_384, schema: "public", table: "items", columns: [
        .init(name: "id", typeOID: 20, isKey: true), .init(name: "name", typeOID: 25), .init(name: "note", typeOID: 25),
    ])

    // MARK: - Envelopes

    @Test func insert() throws {
        let change = RowChange(op: .create, after: row("1", "one", nil), lsn: 4096, txId: 750,
                               sourceTimeMs: 1_700_000_000_000, eventTimeMs: 1_700_000_000_123)
        let (key, value) = try encoder.encode(change, relation: items)
        #expect(text(key) == #"{"id":1}"#)
        #expect(text(value) == #"{"before":null,"after":{"id":1,"name":"one","note":null},"source":{"version":"moodle-pipeline","#
            + #""connector":"postgresql","name":"moodle","ts_ms":1700000000000,"snapshot":"false","db":"moodledb","#
            + #""schema":"public","table":"items","txId":750,"lsn":4096},"op":"c","ts_ms":1700000000123}"#)
    }

    @Test func updateWithTheOldRow() throws {
        let change = RowChange(op: .update, before: row("2", "two", "x"), after: row("2", "dos", "x"), lsn: 8192, txId: 751,
                               sourceTimeMs: 5, eventTimeMs: 6)
        let (key, value) = try encoder.encode(change, relation: items)
        #expect(text(key) == #"{"id":2}"#)
        #expect(text(value) == #"{"before":{"id":2,"name":"two","note":"x"},"after":{"id":2,"name":"dos","note":"x"},"#
            + #""source":{"version":"moodle-pipeline","connector":"postgresql","name":"moodle","ts_ms":5,"snapshot":"false","#
            + #""db":"moodledb","schema":"public","table":"items","txId":751,"lsn":8192},"op":"u","ts_ms":6}"#)
    }

    @Test func deleteOfAKeyOnlyOldRow() throws {
        // pgoutput's key tuple: the key columns, nulls for the rest (what Debezium's `before` holds too).
        let change = RowChange(op: .delete, before: row("3", nil, nil), lsn: 1, txId: 752, sourceTimeMs: 7, eventTimeMs: 8)
        let (key, value) = try encoder.encode(change, relation: items)
        #expect(text(key) == #"{"id":3}"#)
        #expect(text(value) == #"{"before":{"id":3,"name":null,"note":null},"after":null,"#
            + #""source":{"version":"moodle-pipeline","connector":"postgresql","name":"moodle","ts_ms":7,"snapshot":"false","#
            + #""db":"moodledb","schema":"public","table":"items","txId":752,"lsn":1},"op":"d","ts_ms":8}"#)
    }

    @Test func truncateHasNoKey() throws {
        let (key, value) = try encoder.encode(RowChange(op: .truncate, lsn: 2, txId: 753, sourceTimeMs: 9, eventTimeMs: 10), relation: items)
        #expect(key == nil)
        #expect(text(value) == #"{"before":null,"after":null,"#
            + #""source":{"version":"moodle-pipeline","connector":"postgresql","name":"moodle","ts_ms":9,"snapshot":"false","#
            + #""db":"moodledb","schema":"public","table":"items","txId":753,"lsn":2},"op":"t","ts_ms":10}"#)
    }

    @Test func snapshotRead() throws {
        let encoder = ChangeEventEncoder(sourceName: "src \"q\"", database: "db", version: "1.2.3")
        let change = RowChange(op: .read, after: row("4", "four", nil), sourceTimeMs: 11, snapshot: .last, eventTimeMs: 12)
        let (key, value) = try encoder.encode(change, relation: items)
        #expect(text(key) == #"{"id":4}"#)
        #expect(text(value) == #"{"before":null,"after":{"id":4,"name":"four","note":null},"#
            + #""source":{"version":"1.2.3","connector":"postgresql","name":"src \"q\"","ts_ms":11,"snapshot":"last","#
            + #""db":"db","schema":"public","table":"items","txId":null,"lsn":null},"op":"r","ts_ms":12}"#)
        let yes = try encoder.encode(RowChange(op: .read, after: row("4", nil, nil), sourceTimeMs: 0, snapshot: .yes, eventTimeMs: 0),
                                     relation: items)
        #expect(text(yes.value).contains(#""snapshot":"true""#))
    }

    @Test func compositeAndMissingKeys() throws {
        let pair = RelationSchema(oid: 1, schema: "s", table: "pair", columns: [
            .init(name: "a", typeOID: 23, isKey: true), .init(name: "v", typeOID: 25), .init(name: "b", typeOID: 25, isKey: true),
        ])
        #expect(pair.keyIndices == [0, 2])
        #expect(pair.topic(sourceName: "moodle") == "moodle.s.pair")
        #expect(text(try encoder.encodeKey(row("1", "x", "k"), relation: pair)) == #"{"a":1,"b":"k"}"#)
        let keyless = RelationSchema(oid: 2, schema: "s", table: "log", columns: [.init(name: "line", typeOID: 25)])
        #expect(try encoder.encodeKey(row("x"), relation: keyless) == nil)
        #expect(try encoder.encode(RowChange(op: .create, after: row("x"), sourceTimeMs: 0, eventTimeMs: 0), relation: keyless).key == nil)
    }

    @Test func relationFromPgOutput() {
        let relation = PgOutputMessage.Relation(xid: nil, oid: 16_384, namespace: "public", name: "items", replicaIdentity: 100,
                                                columns: items.columns)
        #expect(RelationSchema(relation) == items)
    }

    @Test func refusesWhatItCannotEncode() {
        func code(_ change: RowChange, _ relation: RelationSchema? = nil) -> EventEncodingError.Code? {
            do {
                _ = try encoder.encode(change, relation: relation ?? items)
                return nil
            } catch {
                #expect(!error.message.contains("s3cr3t"))
                return error.code
            }
        }
        let toast = TupleData([.text(Array("1".utf8)), .text(Array("s3cr3t".utf8)), .unchangedToast])
        #expect(code(RowChange(op: .update, after: toast, sourceTimeMs: 0, eventTimeMs: 0)) == .unchangedToast)
        let binary = TupleData([.text(Array("1".utf8)), .binary([1]), .null])
        #expect(code(RowChange(op: .create, after: binary, sourceTimeMs: 0, eventTimeMs: 0)) == .binaryValue)
        #expect(code(RowChange(op: .create, sourceTimeMs: 0, eventTimeMs: 0)) == .missingTuple)
        #expect(code(RowChange(op: .delete, after: row("1", nil, nil), sourceTimeMs: 0, eventTimeMs: 0)) == .missingTuple)
        #expect(code(RowChange(op: .create, after: row("1", "s3cr3t"), sourceTimeMs: 0, eventTimeMs: 0)) == .columnCountMismatch)
        #expect(code(RowChange(op: .create, after: row("s3cr3t", nil, nil), sourceTimeMs: 0, eventTimeMs: 0)) == .malformedValue)
        do {
            _ = try encoder.encode(RowChange(op: .create, after: row("1x", nil, nil), sourceTimeMs: 0, eventTimeMs: 0), relation: items)
        } catch {
            #expect(error.column == "id" && error.typeOID == 20)
            #expect(error.message.contains("public.items") && error.message.contains("column id") && !error.message.contains("1x"))
        }
    }

    /// Prints the encoding rate of (bigint, text, text, varchar) rows; a debug build is several times slower.
    @Test func encodingRate() throws {
        let relation = RelationSchema(oid: 3, schema: "public", table: "mdl_user", columns: [
            .init(name: "id", typeOID: 20, isKey: true), .init(name: "username", typeOID: 25),
            .init(name: "email", typeOID: 25), .init(name: "city", typeOID: 1043),
        ])
        let rows = (0..<100_000).map { id in
            row(String(id), "user\(id)", "user\(id)@example.edu", id % 7 == 0 ? "Zürich \"Nord\"" : "Melbourne")
        }
        var bytes = 0
        let elapsed = try ContinuousClock().measure {
            for (index, after) in rows.enumerated() {
                let change = RowChange(op: .create, after: after, lsn: UInt64(index), txId: 9, sourceTimeMs: 1, eventTimeMs: 2)
                let encoded = try encoder.encode(change, relation: relation)
                bytes += encoded.value.count + (encoded.key?.count ?? 0)
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("encoded \(rows.count) rows (\(bytes) bytes) in \(elapsed): \(Int(Double(rows.count) / seconds)) rows/s")
    }

    // MARK: - TOAST cache

    @Test func toastCacheFillsEvictsAndForgets() {
        var cache = ToastCache(threshold: 10, maxBytes: 600)
        let big = String(repeating: "x", count: 100)
        let key1 = Array(#"{"id":1}"#.utf8), key2 = Array(#"{"id":2}"#.utf8), key3 = Array(#"{"id":3}"#.utf8)
        cache.remember(row("1", "small", big), relation: items, key: key1)
        cache.remember(row("2", "small", big), relation: items, key: key2)
        #expect(cache.count == 2 && cache.evictions == 0 && cache.bytes <= 600)

        var update = TupleData([.text(Array("1".utf8)), .unchangedToast, .unchangedToast])
        // `name` was small: not kept, so not filled; `note` was.
        #expect(cache.fill(&update, relation: items, key: key1) == ["name"])
        #expect(update.values[2] == .text(Array(big.utf8)) && update.values[1] == .unchangedToast)

        // Row 1 was just used, so row 2 is the least recently used and goes when row 3 comes.
        cache.remember(row("3", "small", big), relation: items, key: key3)
        #expect(cache.count == 2 && cache.evictions == 1 && cache.bytes <= 600)
        var row2 = TupleData([.text(Array("2".utf8)), .null, .unchangedToast])
        #expect(cache.fill(&row2, relation: items, key: key2) == ["note"])
        var row1 = TupleData([.text(Array("1".utf8)), .null, .unchangedToast])
        #expect(cache.fill(&row1, relation: items, key: key1) == [])

        // A row bigger than the bound is not kept at all.
        cache.remember(row("4", "small", String(repeating: "y", count: 1000)), relation: items, key: Array(#"{"id":4}"#.utf8))
        #expect(cache.count == 0 && cache.evictions == 4 && cache.bytes == 0)

        // Remembering a small value drops the big one kept before.
        cache.remember(row("1", "small", big), relation: items, key: key1)
        cache.remember(row("1", "small", "tiny"), relation: items, key: key1)
        #expect(cache.count == 0)

        cache.remember(row("1", "small", big), relation: items, key: key1)
        cache.forget(relation: items, key: key1)
        #expect(cache.count == 0 && cache.bytes == 0)
        cache.remember(row("1", "small", big), relation: items, key: key1)
        cache.remember(row("3", "small", big), relation: items, key: key3)
        cache.forgetRelation(items.oid)
        #expect(cache.count == 0 && cache.bytes == 0)
    }

    @Test func toastCacheFollowsColumnsByNameAndType() {
        var cache = ToastCache(threshold: 10)
        let big = String(repeating: "z", count: 50)
        let key = Array(#"{"id":1}"#.utf8)
        cache.remember(row("1", big, big), relation: items, key: key)
        // A column was added in front and `name` retyped: `note` is still found by name, `name` is not.
        let altered = RelationSchema(oid: items.oid, schema: "public", table: "items", columns: [
            .init(name: "added", typeOID: 25), .init(name: "id", typeOID: 20, isKey: true),
            .init(name: "name", typeOID: 1043), .init(name: "note", typeOID: 25),
        ])
        var tuple = TupleData([.null, .text(Array("1".utf8)), .unchangedToast, .unchangedToast])
        #expect(cache.fill(&tuple, relation: altered, key: key) == ["name"])
        #expect(tuple.values[3] == .text(Array(big.utf8)))
        // Another relation with the same key has nothing.
        let other = RelationSchema(oid: 99, schema: "public", table: "other", columns: items.columns)
        var otherTuple = TupleData([.text(Array("1".utf8)), .null, .unchangedToast])
        #expect(cache.fill(&otherTuple, relation: other, key: key) == ["note"])
    }

    // MARK: - Against a real server

    /// One row of every mapped type, as pgoutput sends it and as SELECT (the snapshot) reads it: the two
    /// must encode to the same bytes, and those bytes must say what was inserted.
    @Test func encodesWhatPostgreSQLSendsAndSelects() async throws {
        try await ThrowawayCluster.with { cluster in
            for statement in [
                "CREATE TYPE public.mood AS ENUM ('happy', 'sad')",
                Self.createTable,
                "CREATE PUBLICATION p FOR TABLE public.everything",
                "SELECT pg_create_logical_replication_slot('s', 'pgoutput')",
            ] {
                try await ThrowawayCluster.sql(cluster, statement)
            }
            let (changes, selected) = try await PGConnection.withConnection(ThrowawayCluster.superuserSettings(cluster)) { connection in
                // The session's settings format the values, in SQL decoding as in the walsender and the snapshot.
                for setting in ["TimeZone = 'UTC'", "DateStyle = 'ISO'", "bytea_output = 'hex'", "IntervalStyle = 'postgres'"] {
                    _ = try connection.execute("SET \(setting)")
                }
                // Test clusters run with synchronous_commit off, and decoding reads only flushed WAL: this
                // insert's commit must be flushed before the peek.
                _ = try connection.execute("SET synchronous_commit = on")
                _ = try connection.execute(Self.insert)
                let changes = try connection.execute("""
                    SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL,
                        'proto_version', '1', 'publication_names', 'p')
                    """)
                return (changes, try connection.execute("SELECT * FROM public.everything"))
            }
            var decoder = PgOutputDecoder()
            let messages = try changes.rows.map { try decoder.decode(hex($0[0] ?? "")) }
            let relation = try #require(messages.lazy.compactMap { if case .relation(let r) = $0 { r } else { nil } }.first)
            let inserted = try #require(messages.lazy.compactMap { if case .insert(_, _, let new) = $0 { new } else { nil } }.first)
            let schema = RelationSchema(relation)
            #expect(schema.columns.map(\.name) == selected.columns)

            let streamed = try encoder.encode(
                RowChange(op: .create, after: inserted, lsn: 1, txId: 2, sourceTimeMs: 3, eventTimeMs: 4), relation: schema)
            let snapshotRow = TupleData(selected.rows[0].map { $0.map { .text(Array($0.utf8)) } ?? .null })
            let read = try encoder.encode(
                RowChange(op: .create, after: snapshotRow, lsn: 1, txId: 2, sourceTimeMs: 3, eventTimeMs: 4), relation: schema)
            #expect(text(streamed.value) == text(read.value))
            #expect(text(streamed.key) == #"{"id":42}"#)

            let envelope = try #require(try JSONSerialization.jsonObject(with: Data(streamed.value)) as? [String: Any])
            let source = try #require(envelope["source"] as? [String: Any])
            #expect(source["table"] as? String == "everything" && source["schema"] as? String == "public")
            let after = try #require(envelope["after"] as? [String: Any])
            try Self.checkEverything(after, raw: text(streamed.value))
        }
    }

    /// The table of built-in array types agrees with the server's catalog.
    @Test func arrayElementTypesMatchTheCatalog() async throws {
        try await ThrowawayCluster.with { cluster in
            let table = ValueKind.arrayElementTypes
            let result = try await ThrowawayCluster.sql(cluster, """
                SELECT oid::int8, typelem::int8 FROM pg_type WHERE oid IN (\(table.keys.map(String.init).joined(separator: ",")))
                """)
            var catalog: [UInt32: UInt32] = [:]
            for row in result.rows { catalog[UInt32(row[0] ?? "") ?? 0] = UInt32(row[1] ?? "") ?? 0 }
            #expect(catalog == table)
        }
    }

    static let createTable = """
        CREATE TABLE public.everything (
            id bigint PRIMARY KEY, flag boolean, small smallint, regular integer, big bigint, f4 real, f8 double precision,
            f8nan double precision, f8inf double precision, amount numeric(10,3), amount_nan numeric, doc json, docb jsonb,
            blob bytea, ts timestamp, tstz timestamptz, day date, t time, ttz timetz, ts_inf timestamp, day_bc date,
            ints integer[], texts text[], grid integer[][], shifted integer[], tstzs timestamptz[], nums numeric[],
            blobs bytea[], docs jsonb[], note text, vc varchar(20), ch char(3), u uuid, addr inet, span interval,
            mood public.mood, moods public.mood[], nothing text, oids oid
        )
        """

    static let insert = #"""
        INSERT INTO public.everything VALUES (
            42, true, -7, 2147483647, 9007199254740993, 1.5, 0.1, 'NaN', '-Infinity', 12.34, 'NaN',
            '{"b": [1, 2], "a": "x"}', '{"b": [1, 2], "a": "x"}', '\x00ff10',
            '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123+02', '2024-02-29', '13:14:15', '13:14:15+05:30',
            'infinity', '0044-03-15 BC',
            '{1,2,NULL}', ARRAY['a "b"', 'c\d', NULL, 'NULL', 'x,y', '', 'é 🎉'], '{{1,2},{3,4}}', '[0:1]={5,6}',
            ARRAY['2024-01-02 03:04:05+00'::timestamptz, 'infinity'], '{1.50,NaN}', ARRAY['\x0102'::bytea, NULL],
            ARRAY['{"k": 1}'::jsonb, '[true]'],
            E'He said "hi"\nnew line\ttab \\ backslash \u0001 — ünïcødé 🎉', 'short', 'ab',
            'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.0.0.1/8', '1 day 02:03:04', 'happy', '{happy,sad}', NULL, 4000000000
        )
        """#

    static func checkEverything(_ after: [String: Any], raw: String) throws {
        #expect(after.count == 39)
        #expect(after["id"] as? Int == 42)
        #expect(after["flag"] as? Bool == true)
        #expect(after["small"] as? Int == -7)
        #expect(after["regular"] as? Int == 2_147_483_647)
        #expect(raw.contains(#""big":9007199254740993,"#))
        #expect(after["f4"] as? Double == 1.5)
        #expect(raw.contains(#""f8":0.1,"#))
        #expect(after["f8nan"] as? String == "NaN")
        #expect(after["f8inf"] as? String == "-Infinity")
        #expect(after["amount"] as? String == "12.340")
        #expect(after["amount_nan"] as? String == "NaN")
        #expect(raw.contains(#""doc":{"b": [1, 2], "a": "x"},"#))
        #expect(raw.contains(#""docb":{"a": "x", "b": [1, 2]},"#))
        #expect((after["docb"] as? NSDictionary) == (["a": "x", "b": [1, 2]] as NSDictionary))
        #expect(after["blob"] as? String == "AP8Q")
        #expect(after["ts"] as? String == "2024-01-02T03:04:05.123456")
        #expect(after["tstz"] as? String == "2024-01-02T01:04:05.123Z")
        #expect(after["day"] as? String == "2024-02-29")
        #expect(after["t"] as? String == "13:14:15")
        #expect(after["ttz"] as? String == "13:14:15+05:30")
        #expect(after["ts_inf"] as? String == "infinity")
        #expect(after["day_bc"] as? String == "0044-03-15 BC")
        #expect((after["ints"] as? NSArray) == ([1, 2, NSNull()] as NSArray))
        #expect((after["texts"] as? NSArray) == (["a \"b\"", "c\\d", NSNull(), "NULL", "x,y", "", "é 🎉"] as NSArray))
        #expect((after["grid"] as? NSArray) == ([[1, 2], [3, 4]] as NSArray))
        #expect((after["shifted"] as? NSArray) == ([5, 6] as NSArray))
        #expect((after["tstzs"] as? NSArray) == (["2024-01-02T03:04:05Z", "infinity"] as NSArray))
        #expect((after["nums"] as? NSArray) == (["1.50", "NaN"] as NSArray))
        #expect((after["blobs"] as? NSArray) == (["AQI=", NSNull()] as NSArray))
        #expect((after["docs"] as? NSArray) == ([["k": 1], [true]] as NSArray))
        #expect(after["note"] as? String == "He said \"hi\"\nnew line\ttab \\ backslash \u{1} — ünïcødé 🎉")
        #expect(after["vc"] as? String == "short")
        #expect(after["ch"] as? String == "ab ")
        #expect(after["u"] as? String == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        #expect(after["addr"] as? String == "10.0.0.1/8")
        #expect(after["span"] as? String == "1 day 02:03:04")
        #expect(after["mood"] as? String == "happy")
        #expect(after["moods"] as? String == "{happy,sad}")
        #expect(after["nothing"] is NSNull)
        #expect(raw.contains(#""oids":4000000000}"#))
    }

    // MARK: - Helpers

    private func row(_ values: String?...) -> TupleData {
        TupleData(values.map { $0.map { .text(Array($0.utf8)) } ?? .null })
    }

    private func text(_ bytes: [UInt8]?) -> String {
        bytes.map { String(decoding: $0, as: UTF8.self) } ?? "<nil>"
    }

    private func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) ?? 0)
        }
        return bytes
    }
}
