import Foundation
import BlockingIO
import Logging
/// Applies resume filters (see `ResumeFilter`): drops a streamed change when the snapshot that resumed an
/// interrupted initial snapshot already saw its transaction and read its row.
///
/// Whether a row was read by that snapshot depends on its key's place in the primary-key order the
/// snapshot read in; the server compares keys (`ROW(…) > ROW(…)` with the key columns' types), so the
/// order is exactly the server's, collations included. Only transactions that committed between the
/// slot's consistent point and the resume are ever checked: a short window right after a restart.
final class KeyComparer {
    let connection: PGConnection
    /// Per table (`schema.table`), the key columns in the order the snapshot read by (the primary key's or
    /// the identity index's order, which can differ from the columns' order): boundaries are in that order.
    let keyColumns: [String: [String]]
    private var keyTypes: [UInt32: [String]] = [:]

    init(connection: PGConnection, keyColumns: [String: [String]]) {
        self.connection = connection
        self.keyColumns = keyColumns
    }

    func drop(
        from records: inout CaptureWork.Records, since first: Int, message: PgOutputMessage, transaction: OpenTransaction,
        filters: [ResumeFilter], builder: EventBuilder
    ) throws {
        guard records.count > first else { return }
        let oid: UInt32
        let row: TupleData
        switch message {
        case .insert(_, let relation, let new), .update(_, let relation, _, let new):
            oid = relation
            row = new
        case .delete(_, let relation, .key(let old)), .delete(_, let relation, .full(let old)):
            oid = relation
            row = old
        default:
            return
        }
        let relation = try builder.relation(oid)
        let table = "\(relation.schema).\(relation.table)"
        for filter in filters where transaction.commitLSN < (LSN(filter.walLSN) ?? .zero) {
            guard let boundary = filter.boundaries[table], Self.visible(transaction.xid, in: filter.snapshot) else { continue }
            if try boundary.map({ try isGreater(row, than: $0, relation: relation) }) ?? true {
                records.removeSubrange(first...)
                return
            }
        }
    }

    /// Whether `xid` committed before the snapshot `xmin:xmax:xip,…` was taken (`pg_visible_in_snapshot`),
    /// comparing 32-bit xids modulo wraparound as PostgreSQL does.
    static func visible(_ xid: UInt32, in snapshot: String) -> Bool {
        let parts = snapshot.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let xmin = UInt64(parts[0]), let xmax = UInt64(parts[1]) else { return false }
        func precedes(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
        if precedes(xid, UInt32(truncatingIfNeeded: xmin)) { return true }
        if !precedes(xid, UInt32(truncatingIfNeeded: xmax)) { return false }
        let inProgress = parts[2].split(separator: ",").compactMap { UInt64($0) }.map { UInt32(truncatingIfNeeded: $0) }
        return !inProgress.contains(xid)
    }

    private func isGreater(_ row: TupleData, than boundary: [String?], relation: RelationSchema) throws -> Bool {
        let keyIndices = keyOrder(relation)
        let types = try keyTypes(relation, keyIndices)
        let parameters = keyIndices.map(row.text(at:)) + boundary
        let count = keyIndices.count
        let left = (0..<count).map { "$\($0 + 1)::\(types[$0])" }.joined(separator: ", ")
        let right = (0..<count).map { "$\($0 + 1 + count)::\(types[$0])" }.joined(separator: ", ")
        let result = try connection.query("SELECT ROW(\(left)) > ROW(\(right))", parameters)
        return result.scalar == "t"
    }

    /// The relation's key columns, as indices, in the snapshot's key order.
    private func keyOrder(_ relation: RelationSchema) -> [Int] {
        guard let names = keyColumns["\(relation.schema).\(relation.table)"] else { return relation.keyIndices }
        return names.compactMap { name in relation.columns.firstIndex { $0.name == name } }
    }

    private func keyTypes(_ relation: RelationSchema, _ keyIndices: [Int]) throws -> [String] {
        if let known = keyTypes[relation.oid] { return known }
        var types: [String] = []
        for column in keyIndices.map({ relation.columns[$0] }) {
            let result = try connection.query("SELECT format_type($1::oid, $2::int4)", [String(column.typeOID), String(column.typeModifier)])
            types.append(result.scalar ?? "text")
        }
        keyTypes[relation.oid] = types
        return types
    }
}
