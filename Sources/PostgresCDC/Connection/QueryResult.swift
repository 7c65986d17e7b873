import CLibPQ

/// The rows of a finished statement, copied out of libpq, every value in text format (nil for NULL).
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// The command tag, e.g. `INSERT 0 3`.
    public var commandTag: String

    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
        commandTag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    public init(columns: [String], rows: [[String?]], commandTag: String = "") {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }

    /// Rows affected, from the command tag (`INSERT 0 3` → 3, `COPY 10` → 10).
    public var affectedRows: Int? { commandTag.split(separator: " ").last.flatMap { Int($0) } }

    /// The first column of the first row, if any.
    public var scalar: String? { rows.first?.first ?? nil }

    /// The value of the named column in row `row`.
    public func value(_ column: String, row: Int = 0) -> String? {
        guard let index = columns.firstIndex(of: column), row < rows.count else { return nil }
        return rows[row][index]
    }
}
