import PostgresCDC
import PostgresTestSupport
import Testing

@Suite("pgoutput and replication messages")
struct PgOutputTests {
    /// Real pgoutput bytes from a real server (through `pg_logical_slot_peek_binary_changes`), decoded.
    @Test func decodesWhatPostgreSQLSends() async throws {
        try await ThrowawayCluster.with { cluster in
            // One statement per call: each its own transaction (a slot cannot be made after writes).
            for statement in [
                "CREATE TABLE public.items (id bigint PRIMARY KEY, name text, note text)",
                "CREATE PUBLICATION p FOR TABLE public.items",
                "SELECT pg_create_logical_replication_slot('s', 'pgoutput')",
                // Random-looking text so that it stays TOASTed out of line rather than compressed inline.
                "INSERT INTO public.items VALUES (1, 'one', NULL), (2, 'two', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 4000) g))",
                "UPDATE public.items SET name = 'uno' WHERE id = 1",
                "UPDATE public.items SET name = 'dos' WHERE id = 2",
                "DELETE FROM public.items WHERE id = 1",
                "SELECT pg_logical_emit_message(true, 'moodle-pipeline', 'heartbeat')",
                "TRUNCATE public.items",
            ] {
                try await ThrowawayCluster.sql(cluster, statement)
            }
            let result = try await ThrowawayCluster.sql(cluster, """
                SELECT encode(data, 'hex') AS data FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL,
                    'proto_version', '1', 'publication_names', 'p', 'messages', 'true')
                """)
            var decoder = PgOutputDecoder()
            let messages = try result.rows.map { try decoder.decode(hex($0[0]!)) }

            let relations = messages.compactMap { if case .relation(let relation) = $0 { relation } else { nil } }
            #expect(relations.first?.name == "items" && relations.first?.namespace == "public")
            #expect(relations.first?.columns.map(\.name) == ["id", "name", "note"])
            #expect(relations.first?.columns.map(\.isKey) == [true, false, false])
            #expect(relations.first?.columns.map(\.typeOID) == [20, 25, 25])

            let inserts = messages.compactMap { if case .insert(_, _, let new) = $0 { new } else { nil } }
            #expect(inserts.count == 2)
            #expect(inserts.first?.values == [.text(Array("1".utf8)), .text(Array("one".utf8)), .null])
            let updates = messages.compactMap { if case .update(_, _, let old, let new) = $0 { (old, new) } else { nil } }
            #expect(updates.count == 2)
            #expect(updates[0].1.values[1] == .text(Array("uno".utf8)))
            // The 128 kB note was TOASTed and did not change: the server sends "unchanged", not the value.
            #expect(updates[1].1.values[2] == .unchangedToast)
            let deletes = messages.compactMap { if case .delete(_, _, let old) = $0 { old } else { nil } }
            #expect(deletes == [.key(TupleData([.text(Array("1".utf8)), .null, .null]))])
            #expect(messages.contains { if case .message(_, true, _, "moodle-pipeline", Array("heartbeat".utf8)) = $0 { true } else { false } })
            #expect(messages.contains { if case .truncate(_, _, let oids) = $0 { oids == [relations[0].oid] } else { false } })
            let begins = messages.filter { if case .begin = $0 { true } else { false } }
            let commits = messages.compactMap { if case .commit(let lsn, let end, _) = $0 { (lsn, end) } else { nil } }
            #expect(begins.count == commits.count && commits.count >= 5)
            #expect(commits.allSatisfy { $0.0 < $0.1 })
        }
    }

    @Test func decodesStreamedTransactionsWithTheirXids() throws {
        var decoder = PgOutputDecoder()
        var start: [UInt8] = [UInt8(ascii: "S")]
        start.appendBE(UInt32(777))
        start.append(1)
        #expect(try decoder.decode(start) == .streamStart(xid: 777, firstSegment: true))
        var insert: [UInt8] = [UInt8(ascii: "I")]
        insert.appendBE(UInt32(778))  // subtransaction
        insert.appendBE(UInt32(16384))
        insert.append(UInt8(ascii: "N"))
        insert.appendBE(Int16(1))
        insert.append(UInt8(ascii: "t"))
        insert.appendBE(Int32(2))
        insert += Array("42".utf8)
        #expect(try decoder.decode(insert) == .insert(xid: 778, relation: 16384, new: TupleData([.text(Array("42".utf8))])))
        #expect(try decoder.decode([UInt8(ascii: "E")]) == .streamStop)
        #expect(decoder.inStreamBlock == false)
        var abort: [UInt8] = [UInt8(ascii: "A")]
        abort.appendBE(UInt32(777))
        abort.appendBE(UInt32(778))
        #expect(try decoder.decode(abort) == .streamAbort(xid: 777, subxid: 778))
        var commit: [UInt8] = [UInt8(ascii: "c")]
        commit.appendBE(UInt32(777))
        commit.append(0)
        commit.appendBE(UInt64(0x1_0000_0010))
        commit.appendBE(UInt64(0x1_0000_0020))
        commit.appendBE(Int64(5))
        #expect(try decoder.decode(commit) == .streamCommit(xid: 777, commitLSN: LSN(0x1_0000_0010), endLSN: LSN(0x1_0000_0020), commitTime: 5))
    }

    @Test func rejectsTruncatedAndUnknownMessages() {
        var decoder = PgOutputDecoder()
        #expect(throws: ReplicationProtocolError.self) { try decoder.decode([UInt8(ascii: "B"), 0, 0]) }
        #expect(throws: ReplicationProtocolError.self) { try decoder.decode([UInt8(ascii: "Z")]) }
        #expect(throws: ReplicationProtocolError.self) { try decoder.decode([UInt8(ascii: "E"), 0]) }
        #expect(throws: ReplicationProtocolError.self) { try ReplicationMessage.decode([UInt8(ascii: "k"), 1]) }
    }

    @Test func keepalivesStatusUpdatesAndLSNs() throws {
        var keepalive: [UInt8] = [UInt8(ascii: "k")]
        keepalive.appendBE(UInt64(0x16_B374_D848))
        keepalive.appendBE(Int64(99))
        keepalive.append(1)
        #expect(try ReplicationMessage.decode(keepalive) == .keepalive(walEnd: LSN(0x16_B374_D848), sentAt: 99, replyRequested: true))
        let update = ReplicationMessage.statusUpdate(written: LSN(1), flushed: LSN(2), applied: LSN(3), clock: 4)
        #expect(update.count == 34 && update[0] == UInt8(ascii: "r") && update[16] == 2 && update[33] == 0)
        #expect(LSN("16/B374D848") == LSN(0x16_B374_D848))
        #expect(LSN(0x16_B374_D848).description == "16/B374D848")
        #expect(LSN("16/") == nil && LSN("x/1") == nil && LSN("123456789/0") == nil)
    }

    private func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        }
        return bytes
    }
}

extension Array where Element == UInt8 {
    mutating func appendBE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
