import StreamProcessing

/// The mapping prepared for parsing documents: objects as trees of children keyed by member name, leaf
/// fields with their analyzer/format resolved and a slot number (the index of their value accumulator),
/// so that parsing a document does no per-value path building or mapping lookups by full path.
final class CompiledMapping: Sendable {
    let root: CompiledObject
    /// Every leaf field and multi-field, by slot.
    let fields: [CompiledField]
    /// Leaf fields by full path, for `copy_to` targets.
    let fieldsByPath: [String: CompiledField]
    let dateDetection: Bool
    let numericDetection: Bool
    let dynamicDateFormats: [(pattern: String, format: DateFormat)]

    init(_ mapping: IndexMapping) {
        var nextSlot = 0
        root = CompiledObject(path: "", properties: mapping.properties, dynamic: mapping.dynamic, enabled: true, nextSlot: &nextSlot)
        var fields: [CompiledField] = []
        fields.reserveCapacity(nextSlot)
        Self.collect(root, into: &fields)
        self.fields = fields.sorted { $0.slot < $1.slot }
        fieldsByPath = Dictionary(fields.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        dateDetection = mapping.dateDetection
        numericDetection = mapping.numericDetection
        dynamicDateFormats = mapping.dynamicDateFormats.compactMap { pattern in (try? DateFormat(pattern: pattern)).map { (pattern, $0) } }
    }

    private static func collect(_ object: CompiledObject, into fields: inout [CompiledField]) {
        for child in object.children.values {
            switch child {
            case .object(let inner): collect(inner, into: &fields)
            case .field(let field): field.appendWithSubFields(to: &fields)
            }
        }
    }
}

enum CompiledNode: Sendable {
    case object(CompiledObject)
    case field(CompiledField)
}

final class CompiledObject: Sendable {
    /// Full dotted path (`""` for the document root).
    let path: String
    let dynamic: IndexMapping.Dynamic
    /// `enabled: false` objects are kept in `_source` only.
    let enabled: Bool
    let children: [String: CompiledNode]

    init(path: String, properties: [String: FieldMapping], dynamic: IndexMapping.Dynamic, enabled: Bool, nextSlot: inout Int) {
        self.path = path
        self.dynamic = dynamic
        self.enabled = enabled
        var children: [String: CompiledNode] = [:]
        for (name, mapping) in properties.sorted(by: { $0.key < $1.key }) {
            let childPath = path.isEmpty ? name : path + "." + name
            if mapping.type == .object {
                let childDynamic = mapping.otherParameters["dynamic"].flatMap { try? IndexMapping.parseDynamic($0) } ?? dynamic
                let childEnabled = mapping.otherParameters["enabled"].flatMap { try? IndexMapping.parseBool($0, parameter: "enabled", field: childPath) } ?? true
                children[name] = .object(CompiledObject(path: childPath, properties: mapping.properties, dynamic: childDynamic, enabled: childEnabled, nextSlot: &nextSlot))
            } else {
                children[name] = .field(CompiledField(path: childPath, mapping: mapping, nextSlot: &nextSlot))
            }
        }
        self.children = children
    }

    /// The path of a child named `name`.
    func childPath(_ name: String) -> String { path.isEmpty ? name : path + "." + name }
}

final class CompiledField: Sendable {
    enum Kind: Sendable {
        case text(Analyzer)
        case keyword
        case integral(min: Int64, max: Int64)
        case floating(FieldType)
        case boolean
        case date(DateFormat)
    }

    let path: String
    let type: FieldType
    let kind: Kind
    let slot: Int
    let indexed: Bool
    let docValues: Bool
    let norms: Bool
    let ignoreAbove: Int?
    let coerce: Bool
    let ignoreMalformed: Bool
    let nullValue: JSONValue?
    /// text: the position gap between the values of an array (`position_increment_gap`, default 100).
    let positionIncrementGap: Int32
    /// `copy_to` targets (full paths): each value is also indexed into them.
    let copyTo: [String]
    let subFields: [CompiledField]

    /// Compiles `mapping` found at `path`; the field takes slot `nextSlot`, its multi-fields the next ones.
    init(path: String, mapping: FieldMapping, nextSlot: inout Int) {
        self.path = path
        type = mapping.type
        kind = Self.kind(of: mapping)
        indexed = mapping.index
        docValues = mapping.hasDocValues && mapping.type != .text
        norms = mapping.type == .text && Self.flag(mapping, "norms", path: path, default: true)
        ignoreAbove = mapping.type == .keyword ? mapping.ignoreAbove : nil
        coerce = Self.flag(mapping, "coerce", path: path, default: true)
        ignoreMalformed = Self.flag(mapping, "ignore_malformed", path: path, default: false)
        nullValue = mapping.otherParameters["null_value"].flatMap { $0 == .null ? nil : $0 }
        if case .integer(let gap)? = mapping.otherParameters["position_increment_gap"], gap >= 0, gap <= Int64(Int32.max / 2) {
            positionIncrementGap = Int32(gap)
        } else {
            positionIncrementGap = Analyzer.positionIncrementGap
        }
        switch mapping.otherParameters["copy_to"] {
        case .string(let target)?: copyTo = [target]
        case .array(let targets)?: copyTo = targets.compactMap(\.stringValue)
        default: copyTo = []
        }
        slot = nextSlot
        nextSlot += 1
        var subFields: [CompiledField] = []
        for (name, sub) in mapping.fields.sorted(by: { $0.key < $1.key }) {
            subFields.append(CompiledField(path: path + "." + name, mapping: sub, nextSlot: &nextSlot))
        }
        self.subFields = subFields
    }

    private static func flag(_ mapping: FieldMapping, _ name: String, path: String, default value: Bool) -> Bool {
        mapping.otherParameters[name].flatMap { try? IndexMapping.parseBool($0, parameter: name, field: path) } ?? value
    }

    func appendWithSubFields(to fields: inout [CompiledField]) {
        fields.append(self)
        for sub in subFields { sub.appendWithSubFields(to: &fields) }
    }

    private static func kind(of mapping: FieldMapping) -> Kind {
        switch mapping.type {
        case .text: .text(mapping.indexAnalyzer)
        case .keyword: .keyword
        case .long: .integral(min: .min, max: .max)
        case .integer: .integral(min: Int64(Int32.min), max: Int64(Int32.max))
        case .short: .integral(min: Int64(Int16.min), max: Int64(Int16.max))
        case .byte: .integral(min: Int64(Int8.min), max: Int64(Int8.max))
        case .double, .float, .halfFloat: .floating(mapping.type)
        case .boolean: .boolean
        case .date: .date((try? DateFormat(pattern: mapping.effectiveFormat)) ?? .default)
        case .object: .keyword
        }
    }
}
