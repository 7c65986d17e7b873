import Foundation

/// RFC 4180 CSV: CRLF line ends; a field with a comma, quote or line break is quoted, quotes doubled.
enum CSV {
    static func render(header: [String], rows: [[String]]) -> String {
        var out = ""
        for row in [header] + rows {
            out += row.map(field).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
