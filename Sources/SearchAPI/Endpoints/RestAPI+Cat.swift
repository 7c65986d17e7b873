import SearchEngine
import StreamProcessing

/// `_cat/indices` and `_cat/health`: aligned text tables (`v` for headers, `h` to pick columns, `s` to sort,
/// `bytes` for a unit), or `format=json` (an array of objects whose values are all strings).
extension RestAPI {
    func catIndices(_ expression: String?, _ request: RestRequest) throws(SearchError) -> RestResponse {
        let indices = try resolve(expression, request)
        let bytesUnit = try ByteSize.Unit(parameter: request.parameter("bytes"))
        let rows = indices.map { index -> [String] in
            let stats = index.stats
            let size = ByteSize.format(stats.storeSizeBytes, unit: bytesUnit)
            return [
                Self.health(index).name, "open", index.name, index.uuid, String(index.numberOfShards), String(index.numberOfReplicas),
                String(stats.docsCount), String(stats.docsDeleted), size, size,
            ]
        }
        let table = CatTable(columns: [
            .init("health", aliases: ["h"]), .init("status", aliases: ["s"]), .init("index", aliases: ["i", "idx"]),
            .init("uuid", aliases: ["id"]), .init("pri", aliases: ["p", "shards.primary", "shardsPrimary"], numeric: true),
            .init("rep", aliases: ["r", "shards.replica", "shardsReplica"], numeric: true),
            .init("docs.count", aliases: ["dc", "docsCount"], numeric: true), .init("docs.deleted", aliases: ["dd", "docsDeleted"], numeric: true),
            .init("store.size", aliases: ["ss", "storeSize"], numeric: true, bytes: true),
            .init("pri.store.size", aliases: [], numeric: true, bytes: true),
        ], rows: rows)
        return try table.response(request)
    }

    func catHealth(_ request: RestRequest) throws(SearchError) -> RestResponse {
        let report = healthReport(nil)
        let now = WallClock.nowMillis() / 1000
        let total = report.primaries + report.unassigned
        let percent = total == 0 ? "100.0%" : "\(Double(report.primaries * 1000 / total) / 10)%"
        let row = [
            String(now), CatTable.clockTime(now), Self.clusterName, report.status.name, "1", "1", "true", String(report.primaries),
            String(report.primaries), "0", "0", String(report.unassigned), "0", "-", percent,
        ]
        let table = CatTable(columns: [
            .init("epoch", aliases: ["t", "time"], numeric: true), .init("timestamp", aliases: ["ts", "hms", "hhmmss"]),
            .init("cluster", aliases: ["cl"]), .init("status", aliases: ["st"]), .init("node.total", aliases: ["nt", "nodeTotal"], numeric: true),
            .init("node.data", aliases: ["nd", "nodeData"], numeric: true),
            .init("discovered_cluster_manager", aliases: ["dcm", "discovered_master", "dm"]),
            .init("shards", aliases: ["t", "sh", "shards.total", "shardsTotal"], numeric: true),
            .init("pri", aliases: ["p", "shards.primary", "shardsPrimary"], numeric: true),
            .init("relo", aliases: ["r", "shards.relocating", "shardsRelocating"], numeric: true),
            .init("init", aliases: ["i", "shards.initializing", "shardsInitializing"], numeric: true),
            .init("unassign", aliases: ["u", "shards.unassigned", "shardsUnassigned"], numeric: true),
            .init("pending_tasks", aliases: ["pt", "pendingTasks"], numeric: true),
            .init("max_task_wait_time", aliases: ["mtwt", "maxTaskWaitTime"], numeric: true),
            .init("active_shards_percent", aliases: ["asp", "activeShardsPercent"], numeric: true),
        ], rows: [row])
        return try table.response(request)
    }
}

/// A `_cat` table and its two renderings.
struct CatTable {
    struct Column {
        var name: String
        var aliases: [String]
        var numeric = false
        var bytes = false

        init(_ name: String, aliases: [String], numeric: Bool = false, bytes: Bool = false) {
            self.name = name
            self.aliases = aliases
            self.numeric = numeric
            self.bytes = bytes
        }
    }

    var columns: [Column]
    var rows: [[String]]

    func response(_ request: RestRequest) throws(SearchError) -> RestResponse {
        let selected = try selectColumns(request.parameter("h"))
        let sorted = try sortRows(request.parameter("s"))
        switch request.parameter("format")?.lowercased() {
        case nil, "text", "txt":
            return RestResponse(body: .text(text(selected, sorted, headers: try request.flag("v"))))
        case "json":
            let objects = sorted.map { row in
                JSONValue.object(JSONObject(selected.map { (columns[$0].name, .string(row[$0])) }))
            }
            return RestResponse(body: .json(.array(objects)))
        case let other?:
            throw .illegalArgument("unsupported format [\(other)]")
        }
    }

    private func column(named name: String) -> Int? {
        columns.firstIndex { $0.name == name || $0.aliases.contains(name) }
    }

    private func selectColumns(_ parameter: String?) throws(SearchError) -> [Int] {
        guard let parameter, !parameter.isEmpty else { return Array(columns.indices) }
        var selected: [Int] = []
        for name in parameter.split(separator: ",").map(String.init) {
            if name.contains("*") {
                selected += columns.indices.filter { GlobPattern.matches(name, columns[$0].name) }
            } else if let index = column(named: name) {
                selected.append(index)
            } else {
                throw .illegalArgument("Unknown column [\(name)]")
            }
        }
        return selected
    }

    /// `s=index,docs.count:desc`: numbers compare as numbers (sizes by bytes), text as text.
    private func sortRows(_ parameter: String?) throws(SearchError) -> [[String]] {
        guard let parameter, !parameter.isEmpty else { return rows }
        var keys: [(column: Int, descending: Bool)] = []
        for part in parameter.split(separator: ",") {
            let pieces = part.split(separator: ":")
            guard let name = pieces.first, let index = column(named: String(name)) else {
                throw .illegalArgument("Unable to sort by unknown sort key `\(part)`")
            }
            keys.append((index, pieces.count > 1 && pieces[1].lowercased() == "desc"))
        }
        return rows.sorted { left, right in
            for key in keys {
                let order = compare(left[key.column], right[key.column], column: columns[key.column])
                if order != 0 { return key.descending ? order > 0 : order < 0 }
            }
            return false
        }
    }

    private func compare(_ left: String, _ right: String, column: Column) -> Int {
        if column.bytes, let l = ByteSize.parse(left), let r = ByteSize.parse(right) { return l < r ? -1 : (l > r ? 1 : 0) }
        if column.numeric, let l = Double(left.filter { $0 != "%" }), let r = Double(right.filter { $0 != "%" }) {
            return l < r ? -1 : (l > r ? 1 : 0)
        }
        return left < right ? -1 : (left > right ? 1 : 0)
    }

    /// Columns padded to their widest cell, separated by one space; numbers right-aligned.
    private func text(_ selected: [Int], _ rows: [[String]], headers: Bool) -> String {
        var lines: [[String]] = []
        if headers { lines.append(selected.map { columns[$0].name }) }
        lines += rows.map { row in selected.map { row[$0] } }
        guard !lines.isEmpty else { return "" }
        let widths = selected.indices.map { position in lines.map { $0[position].count }.max() ?? 0 }
        var output = ""
        for (number, line) in lines.enumerated() {
            var cells: [String] = []
            for (position, cell) in line.enumerated() {
                let padding = String(repeating: " ", count: widths[position] - cell.count)
                let rightAligned = columns[selected[position]].numeric && !(headers && number == 0)
                cells.append(rightAligned ? padding + cell : cell + padding)
            }
            output += cells.joined(separator: " ") + "\n"
        }
        return output
    }

    /// `HH:mm:ss` (UTC) of epoch seconds.
    static func clockTime(_ seconds: Int64) -> String {
        let day = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60))"
    }
}

/// Byte sizes as OpenSearch prints them (`ByteSizeValue`: `5.2kb`, one decimal, truncated) or in a fixed unit.
enum ByteSize {
    enum Unit: Sendable {
        case human, b, kb, mb, gb, tb, pb

        init(parameter: String?) throws(SearchError) {
            switch parameter?.lowercased() {
            case nil: self = .human
            case "b": self = .b
            case "k", "kb": self = .kb
            case "m", "mb": self = .mb
            case "g", "gb": self = .gb
            case "t", "tb": self = .tb
            case "p", "pb": self = .pb
            case let other?: throw .illegalArgument("failed to parse [\(other)] as a byte size unit")
            }
        }
    }

    private static let suffixes = ["b", "kb", "mb", "gb", "tb", "pb"]

    static func format(_ bytes: Int64, unit: Unit) -> String {
        let fixed: Int? = switch unit {
        case .human: nil
        case .b: 0
        case .kb: 1
        case .mb: 2
        case .gb: 3
        case .tb: 4
        case .pb: 5
        }
        if let fixed { return String(bytes >> Int64(10 * fixed)) }
        var power = 0
        while power < suffixes.count - 1, bytes >= Int64(1) << Int64(10 * (power + 1)) { power += 1 }
        if power == 0 { return "\(bytes)b" }
        let value = Double(bytes) / Double(Int64(1) << Int64(10 * power))
        let tenths = Int64(value * 10) % 10
        let whole = Int64(value)
        return tenths == 0 ? "\(whole)\(suffixes[power])" : "\(whole).\(tenths)\(suffixes[power])"
    }

    /// Bytes of a formatted size (for sorting).
    static func parse(_ text: String) -> Double? {
        for (power, suffix) in suffixes.enumerated().reversed() where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)) else { return nil }
            return number * Double(Int64(1) << Int64(10 * power))
        }
        return Double(text)
    }
}
