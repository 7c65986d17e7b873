import Foundation

/// An identifier quoted for SQLite: in double quotes, inner double quotes doubled — so names with quotes,
/// spaces, dots and reserved words (`"order"`, `"my ""odd"" table"`) are safe. NUL cannot appear in one
/// (PostgreSQL forbids it in names).
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
