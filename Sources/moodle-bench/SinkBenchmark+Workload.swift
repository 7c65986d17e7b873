/// The sink benchmark's change stream: `rows` Debezium events on one Moodle-sites-shaped table
/// (`id bigint` key, `admin_email text`, `username text`, `registration_timestamp varchar(64)`), a share of
/// them updates of rows already created, deterministic from a seed. Event `i` either creates the next id
/// (`admin<id>@example.org`, `user<id>`) or updates a random existing id (new email `admin<id>.v<i>@…`,
/// same username); both carry the registration time `timestamp(i)`, spread over 2020–2023 (≈ 209 weeks).
struct SinkWorkload {
    struct Event {
        var index: Int
        var id: Int64
        var isUpdate: Bool
    }

    let rows: Int
    let updatePercent: Int
    private var random: SplitMix64
    private var nextIndex = 0
    /// Ids created so far (ids are 1...created).
    private(set) var created: Int64 = 0
    /// Per id (index id - 1): the last event that wrote it, as `i` for a create and `-(i + 1)` for an update.
    private(set) var lastEvent: [Int32] = []

    init(rows: Int, updatePercent: Int, seed: UInt64 = 0x73_696e_6b) {
        self.rows = rows
        self.updatePercent = updatePercent
        random = SplitMix64(seed: seed)
        lastEvent.reserveCapacity(rows)
    }

    /// The next event, nil after `rows`.
    mutating func next() -> Event? {
        guard nextIndex < rows else { return nil }
        let index = nextIndex
        nextIndex += 1
        let isUpdate = created > 0 && random.next(below: 100) < updatePercent
        let id: Int64
        if isUpdate {
            id = 1 + Int64(random.next(below: Int(created)))
            lastEvent[Int(id - 1)] = -Int32(index + 1)
        } else {
            created += 1
            id = created
            lastEvent.append(Int32(index))
        }
        return Event(index: index, id: id, isUpdate: isUpdate)
    }

    // MARK: Values

    static func email(id: Int64, index: Int, isUpdate: Bool) -> String {
        isUpdate ? "admin\(id).v\(index)@example.org" : "admin\(id)@example.org"
    }

    static func username(id: Int64) -> String { "user\(id)" }

    /// `YYYY-MM-DD hh:mm:ss`, a pseudo-random second of 2020-01-01 … 2023-12-30 (UTC) fixed by `index`.
    static func timestamp(_ index: Int) -> String {
        let span: UInt64 = 4 * 365 * 86_400
        let second = Int64((UInt64(index) &* 2_654_435_761 &+ 12_345) % span)
        let days = 18_262 + second / 86_400  // 2020-01-01
        let (year, month, day) = civil(daysSinceEpoch: days)
        let time = second % 86_400
        return "\(year)-\(two(month))-\(two(day)) \(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60))"
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Proleptic Gregorian date of a day number (days since 1970-01-01), Howard Hinnant's `civil_from_days`.
    private static func civil(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    // MARK: Log records

    /// The relation record the capture writes to `_cdc.<source>` before a table's first event.
    static let relationKey = Array("relation:public.SitesUsers".utf8)
    static let relationValue = Array((
        #"{"schema":"public","table":"SitesUsers","topic":"bench.public.SitesUsers","columns":["#
            + #"{"name":"id","type_oid":20,"type_modifier":-1,"key":true},"#
            + #"{"name":"admin_email","type_oid":25,"type_modifier":-1,"key":false},"#
            + #"{"name":"username","type_oid":25,"type_modifier":-1,"key":false},"#
            + #"{"name":"registration_timestamp","type_oid":1043,"type_modifier":68,"key":false}]}"#
    ).utf8)

    /// The record key, `{"id":<id>}`.
    static func key(_ event: Event) -> [UInt8] { Array("{\"id\":\(event.id)}".utf8) }

    /// The Debezium envelope of `event` with the given column texts.
    static func value(_ event: Event, email: String, username: String, timestamp: String) -> [UInt8] {
        var text = "{\"before\":null,\"after\":{\"id\":\(event.id),\"admin_email\":\"\(email)\",\"username\":\"\(username)\""
        text += ",\"registration_timestamp\":\"\(timestamp)\"},\"source\":{\"version\":\"moodle-pipeline\",\"connector\":\"postgresql\""
        text += ",\"name\":\"bench\",\"ts_ms\":0,\"snapshot\":\"false\",\"db\":\"sites\",\"schema\":\"public\",\"table\":\"SitesUsers\""
        text += ",\"txId\":\(event.index + 1),\"lsn\":\(event.index + 1)},\"op\":\"\(event.isUpdate ? "u" : "c")\",\"ts_ms\":0}"
        return Array(text.utf8)
    }

    // MARK: The expected table

    /// The FNV-1a checksum `sqlite_baseline_checksum` computes, over the rows the events leave (ids
    /// 1...created in order; columns id INTEGER, then the three TEXT columns).
    func expectedChecksum() -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func fold(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        func fold(integer value: Int64) {
            fold(1)
            for shift in stride(from: 0, to: 64, by: 8) { fold(UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> UInt64(shift))) }
        }
        func fold(text: String) {
            fold(3)
            let bytes = Array(text.utf8)
            for shift in stride(from: 0, to: 32, by: 8) { fold(UInt8(truncatingIfNeeded: UInt32(bytes.count) >> UInt32(shift))) }
            for byte in bytes { fold(byte) }
        }
        for (offset, last) in lastEvent.enumerated() {
            let id = Int64(offset + 1)
            let isUpdate = last < 0
            let index = isUpdate ? Int(-last) - 1 : Int(last)
            fold(integer: id)
            fold(text: Self.email(id: id, index: index, isUpdate: isUpdate))
            fold(text: Self.username(id: id))
            fold(text: Self.timestamp(index))
        }
        return hash
    }
}

/// The same events as the baseline's input: ids and the three column texts of every row, contiguous, and
/// each event's log partition.
struct BaselineRows: Sendable {
    var ids: [Int64] = []
    var text: [UInt8] = []
    /// `3 × count + 1` offsets into `text`: row i's column c is `text[offsets[3i + c] ..< offsets[3i + c + 1]]`.
    var offsets: [Int64] = [0]
    /// The log partition of each row's event.
    var partitions: [UInt8] = []

    init(capacity: Int) {
        ids.reserveCapacity(capacity)
        partitions.reserveCapacity(capacity)
        text.reserveCapacity(capacity * 56)
        offsets.reserveCapacity(3 * capacity + 1)
    }

    mutating func append(id: Int64, partition: Int, _ columns: String...) {
        ids.append(id)
        partitions.append(UInt8(partition))
        for column in columns {
            text.append(contentsOf: column.utf8)
            offsets.append(Int64(text.count))
        }
    }
}
