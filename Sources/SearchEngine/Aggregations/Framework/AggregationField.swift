import StreamProcessing

/// How an aggregation reads a field's doc values.
enum AggregationValueType: Sendable, Equatable {
    case keyword, long, double, date, boolean

    var isNumeric: Bool { self != .keyword }

    init?(_ type: FieldType) {
        switch type {
        case .keyword: self = .keyword
        case .long, .integer, .short, .byte: self = .long
        case .double, .float, .halfFloat: self = .double
        case .date: self = .date
        case .boolean: self = .boolean
        case .text, .object: return nil
        }
    }
}

/// The field of an aggregation resolved against the mapping of every index searched.
struct AggregationField {
    let name: String
    /// The field's type in each snapshot (nil where it is unmapped).
    let types: [AggregationValueType?]
    /// The type the response is rendered with: the first index that maps the field.
    let type: AggregationValueType?
    /// For dates: the format keys and values are printed with (`format` of the request, else the field's).
    let dateFormat: DateFormat?

    /// Resolves `spec.field`; `aggregation` is the type name for error messages, `accepts` the types it works on.
    init(_ spec: ValueSourceSpec, aggregation: String, environment: AggregationEnvironment, accepts: (AggregationValueType) -> Bool) throws(SearchError) {
        name = spec.field
        var types: [AggregationValueType?] = []
        var mappedFormat: String?
        for snapshot in environment.snapshots {
            guard let mapping = snapshot.mapping.field(spec.field), mapping.type != .object else {
                types.append(nil)
                continue
            }
            guard mapping.type != .text else { throw Self.textFieldError(spec.field) }
            guard let type = AggregationValueType(mapping.type), accepts(type) else {
                throw .illegalArgument("Field [\(spec.field)] of type [\(mapping.type.rawValue)] is not supported for aggregation [\(aggregation)]")
            }
            if type == .date, mappedFormat == nil { mappedFormat = mapping.effectiveFormat }
            types.append(type)
        }
        self.types = types
        type = types.lazy.compactMap { $0 }.first
        if type == .date || (spec.format != nil && type != .keyword) {
            dateFormat = try DateFormat(pattern: spec.format ?? mappedFormat ?? DateFormat.defaultPattern)
        } else {
            dateFormat = nil
        }
    }

    static func textFieldError(_ field: String) -> SearchError {
        .illegalArgument(
            "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [\(field)] in order to load field data by uninverting the inverted index. Note that this can use significant memory.")
    }

    /// The field's numeric column in a segment (nil when unmapped there or no document has a value).
    func numericValues(in segment: AggregationSegment) -> (any NumericDocValues)? {
        guard let type = types[segment.snapshotIndex], type.isNumeric else { return nil }
        return segment.reader.numericDocValues(name)
    }

    /// The field's keyword column in a segment.
    func keywordValues(in segment: AggregationSegment) -> (any SortedSetDocValues)? {
        guard types[segment.snapshotIndex] == .keyword else { return nil }
        return segment.reader.sortedSetDocValues(name)
    }

    /// Whether the segment's values are doubles stored as sortable bits.
    func isDouble(in segment: AggregationSegment) -> Bool { types[segment.snapshotIndex] == .double }

    /// A `missing` value (or a range bound) as a number of this field: epoch millis for dates (parsed with the
    /// field's format and date math), 0/1 for booleans.
    func number(_ value: JSONValue, now: Int64, zone: ZoneRules? = nil, asDate: Bool = false) throws(SearchError) -> Double? {
        switch (asDate ? .date : type, value) {
        case (.date?, .string(let text)):
            // The analysis side's date math (`now-1M/M`, `2024-01-01||+1d`), in the aggregation's zone.
            let zoneID = zone.map { $0.fixedOffset.map(ZoneRules.offsetID) ?? $0.id }
            return Double(try DateMath.parse(text, now: now, format: dateFormat ?? .default, roundUp: false, timeZone: zoneID))
        case (.boolean?, .bool(let flag)): return flag ? 1 : 0
        case (.boolean?, .string("true")): return 1
        case (.boolean?, .string("false")): return 0
        default:
            guard let number = value.aggregationNumber else {
                throw .parsing("failed to parse [\(value.jsonText)] as a number for field [\(name)]")
            }
            return number
        }
    }
}
