import StreamProcessing

/// The field types the engine indexes (OpenSearch's names).
public enum FieldType: String, Sendable, Hashable, CaseIterable {
    case text, keyword
    case long, integer, short, byte
    case double, float
    case halfFloat = "half_float"
    case boolean, date
    case object

    public var isNumeric: Bool {
        switch self {
        case .long, .integer, .short, .byte, .double, .float, .halfFloat: true
        default: false
        }
    }

    public var isFloatingPoint: Bool { self == .double || self == .float || self == .halfFloat }
}

/// One field's mapping, as in `mappings.properties.<name>`. Parsing, rendering, defaults and dynamic mapping
/// live in `IndexMapping` (Mapping/IndexMapping.swift).
public struct FieldMapping: Sendable, Hashable {
    public var type: FieldType
    /// text: index and search analyzer names (`standard` when nil).
    public var analyzer: String?
    public var searchAnalyzer: String?
    /// date: the `format` (`strict_date_optional_time||epoch_millis` when nil).
    public var format: String?
    /// Whether the field is searchable (`index: false` keeps doc values only).
    public var index: Bool
    /// Whether the field has doc values (nil: the type's default — true for all but text).
    public var docValues: Bool?
    /// keyword: values longer than this (in characters) are neither indexed nor given doc values.
    public var ignoreAbove: Int?
    /// Multi-fields (`fields`), e.g. `keyword` under a dynamic text field.
    public var fields: [String: FieldMapping]
    /// object: sub-fields.
    public var properties: [String: FieldMapping]
    /// Parameters the engine accepts and echoes back but does not act on (e.g. `norms`, `copy_to`).
    public var otherParameters: JSONObject

    public init(
        type: FieldType, analyzer: String? = nil, searchAnalyzer: String? = nil, format: String? = nil, index: Bool = true,
        docValues: Bool? = nil, ignoreAbove: Int? = nil, fields: [String: FieldMapping] = [:], properties: [String: FieldMapping] = [:],
        otherParameters: JSONObject = JSONObject()
    ) {
        self.type = type
        self.analyzer = analyzer
        self.searchAnalyzer = searchAnalyzer
        self.format = format
        self.index = index
        self.docValues = docValues
        self.ignoreAbove = ignoreAbove
        self.fields = fields
        self.properties = properties
        self.otherParameters = otherParameters
    }

    public var hasDocValues: Bool { docValues ?? (type != .text && type != .object) }
}
