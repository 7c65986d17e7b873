import StreamProcessing

/// An index's mapping: `mappings` as OpenSearch holds it. Parsing from and rendering to JSON, field
/// resolution (dotted paths, multi-fields) and dynamic mapping are in IndexMapping+*.swift.
public struct IndexMapping: Sendable, Hashable {
    public enum Dynamic: String, Sendable, Hashable {
        case `true`, `false`, strict
    }

    /// Top-level fields (objects nest their own `properties`).
    public var properties: [String: FieldMapping]
    public var dynamic: Dynamic
    public var dateDetection: Bool
    public var numericDetection: Bool
    public var dynamicDateFormats: [String]
    /// Root members the engine keeps and renders back without acting on them (`_source`, `_meta`,
    /// `_routing`, `dynamic_templates`), in the order given.
    public var metaFields: JSONObject = JSONObject()
    /// The root parameters (`dynamic`, `date_detection`, `numeric_detection`, `dynamic_date_formats`) given
    /// explicitly: they are rendered, and a put-mapping changes only these.
    public var explicitParameters: Set<String> = []

    /// OpenSearch's built-in `dynamic_date_formats` (`RootObjectMapper.Defaults`).
    public static let defaultDynamicDateFormats = ["strict_date_optional_time||epoch_millis", "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis"]

    public init(
        properties: [String: FieldMapping] = [:], dynamic: Dynamic = .true, dateDetection: Bool = true, numericDetection: Bool = false,
        dynamicDateFormats: [String] = IndexMapping.defaultDynamicDateFormats
    ) {
        self.properties = properties
        self.dynamic = dynamic
        self.dateDetection = dateDetection
        self.numericDetection = numericDetection
        self.dynamicDateFormats = dynamicDateFormats
    }
}
