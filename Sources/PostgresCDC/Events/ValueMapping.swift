/// PostgreSQL values in text format (what pgoutput and COPY/SELECT text send) as JSON.
///
/// The mapping goes by built-in type OID; anything it does not know (text, varchar, uuid, inet, interval,
/// enums, domains, user types) becomes a JSON string. Both the stream and the snapshot read values with the
/// same session settings (`DateStyle=ISO`, `TimeZone=UTC`, `bytea_output=hex`, default
/// `extra_float_digits` and `IntervalStyle`), so the same value maps to the same JSON whichever way it came.
///
/// | type | JSON |
/// |------|------|
/// | bool | `true` / `false` |
/// | int2, int4, int8, oid | number, as sent |
/// | float4, float8 | number; `NaN`, `Infinity`, `-Infinity` as strings |
/// | numeric | exact string (`"12.340"`, `"NaN"`) |
/// | json, jsonb | embedded as is |
/// | bytea | base64 string (hex or escape format in) |
/// | timestamp | `"2024-01-02T03:04:05.123456"` |
/// | timestamptz | `"2024-01-02T03:04:05.123Z"`, other offsets as `+05:30` |
/// | infinite or BC timestamps, date, time, timetz | string as sent |
/// | arrays of the above | JSON arrays (nested for several dimensions; lower bounds dropped) |
/// | everything else | string |
public enum ValueMapping {
    /// Appends the JSON for one text-format value of type `typeOID`. Errors name `column` and the type,
    /// never the value.
    public static func appendJSON(text: [UInt8], typeOID: UInt32, column: String = "?",
                                  to output: inout [UInt8]) throws(EventEncodingError) {
        let kind = ValueKind(typeOID: typeOID)
        do {
            try text.withUnsafeBufferPointer { bytes throws(ValueMappingFailure) in try kind.append(bytes, to: &output) }
        } catch {
            throw EventEncodingError(error.code, "column \(column) (type oid \(typeOID)): \(error.reason)",
                                     column: column, typeOID: typeOID)
        }
    }
}

/// How the values of one scalar type map to JSON.
enum ScalarKind: UInt8, Sendable, Equatable {
    case bool, integer, float, numeric, json, bytea, timestamp, timestamptz, string

    init(typeOID: UInt32) {
        switch typeOID {
        case 16: self = .bool
        case 20, 21, 23, 26: self = .integer
        case 700, 701: self = .float
        case 1700: self = .numeric
        case 114, 3802: self = .json
        case 17: self = .bytea
        case 1114: self = .timestamp
        case 1184: self = .timestamptz
        default: self = .string
        }
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) throws(ValueMappingFailure) {
        switch self {
        case .string, .numeric: try JSONBytes.appendString(bytes, to: &output)
        case .integer: try ScalarMapping.appendInteger(bytes, to: &output)
        case .bool: try ScalarMapping.appendBool(bytes, to: &output)
        case .float: try ScalarMapping.appendFloat(bytes, to: &output)
        case .json: try ScalarMapping.appendJSON(bytes, to: &output)
        case .bytea: try ByteaMapping.appendBase64(bytes, to: &output)
        case .timestamp: try TimestampMapping.append(bytes, withZone: false, to: &output)
        case .timestamptz: try TimestampMapping.append(bytes, withZone: true, to: &output)
        }
    }
}

/// How the values of one column map to JSON: a scalar, or an array of scalars.
enum ValueKind: Sendable, Equatable {
    case scalar(ScalarKind)
    case array(element: ScalarKind)

    init(typeOID: UInt32) {
        if let element = ValueKind.arrayElementTypes[typeOID] {
            self = .array(element: ScalarKind(typeOID: element))
        } else {
            self = .scalar(ScalarKind(typeOID: typeOID))
        }
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) throws(ValueMappingFailure) {
        switch self {
        case .scalar(let kind): try kind.append(bytes, to: &output)
        case .array(let element): try ArrayLiteralParser.append(bytes, element: element, to: &output)
        }
    }

    /// Built-in array type OIDs and their element types (`pg_type.typelem`, PostgreSQL 12-17). Arrays of
    /// other types (user enums, domains, extension types) are not known from the OID alone: they map to
    /// the literal as one string.
    static let arrayElementTypes: [UInt32: UInt32] = [
        1000: 16,     // _bool
        1001: 17,     // _bytea
        1002: 18,     // _char
        1003: 19,     // _name
        1016: 20,     // _int8
        1005: 21,     // _int2
        1007: 23,     // _int4
        1009: 25,     // _text
        1028: 26,     // _oid
        199: 114,     // _json
        143: 142,     // _xml
        1021: 700,    // _float4
        1022: 701,    // _float8
        791: 790,     // _money
        1040: 829,    // _macaddr
        775: 774,     // _macaddr8
        1041: 869,    // _inet
        651: 650,     // _cidr
        1014: 1042,   // _bpchar
        1015: 1043,   // _varchar
        1182: 1082,   // _date
        1183: 1083,   // _time
        1115: 1114,   // _timestamp
        1185: 1184,   // _timestamptz
        1187: 1186,   // _interval
        1270: 1266,   // _timetz
        1561: 1560,   // _bit
        1563: 1562,   // _varbit
        1231: 1700,   // _numeric
        2951: 2950,   // _uuid
        3807: 3802,   // _jsonb
        4073: 4072,   // _jsonpath
        3643: 3614,   // _tsvector
        3645: 3615,   // _tsquery
        2211: 2206,   // _regtype
        2210: 2205,   // _regclass
    ]
}

/// The scalar types whose text is checked and copied: booleans, numbers and JSON.
enum ScalarMapping {
    static func appendBool(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) throws(ValueMappingFailure) {
        guard bytes.count == 1 else { throw ValueMappingFailure("expected t or f") }
        switch bytes[0] {
        case UInt8(ascii: "t"): JSONBytes.append("true", to: &output)
        case UInt8(ascii: "f"): JSONBytes.append("false", to: &output)
        default: throw ValueMappingFailure("expected t or f")
        }
    }

    static func appendInteger(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) throws(ValueMappingFailure) {
        guard JSONBytes.isNumber(bytes) else { throw ValueMappingFailure("not an integer") }
        output.append(contentsOf: bytes)
    }

    /// PostgreSQL writes floats as JSON-compatible numbers (`1.5`, `1e+20`, `-0`) except the specials.
    static func appendFloat(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) throws(ValueMappingFailure) {
        if JSONBytes.isNumber(bytes) {
            output.append(contentsOf: bytes)
        } else if JSONBytes.equals(bytes, "NaN") || JSONBytes.equals(bytes, "Infinity") || JSONBytes.equals(bytes, "-Infinity") {
            JSONBytes.appendPlainString(bytes, to: &output)
        } else {
            throw ValueMappingFailure("not a floating-point number")
        }
    }

    /// json and jsonb text is valid JSON (the server checked it on input); it is embedded as is.
    static func appendJSON(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) throws(ValueMappingFailure) {
        guard !bytes.isEmpty else { throw ValueMappingFailure("empty JSON text") }
        output.append(contentsOf: bytes)
    }
}
