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

    public init(
        properties: [String: FieldMapping] = [:], dynamic: Dynamic = .true, dateDetection: Bool = true, numericDetection: Bool = false,
        dynamicDateFormats: [String] = ["strict_date_optional_time", "yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z"]
    ) {
        self.properties = properties
        self.dynamic = dynamic
        self.dateDetection = dateDetection
        self.numericDetection = numericDetection
        self.dynamicDateFormats = dynamicDateFormats
    }
}
