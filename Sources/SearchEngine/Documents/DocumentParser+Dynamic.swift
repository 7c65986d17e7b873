import StreamProcessing

/// Dynamic mapping, as OpenSearch does it for a field the mapping does not know: under `strict` the
/// document is refused, under `false` the value stays in `_source` only, under `true` a mapping is made
/// from the first value — objects → object; integers → long; fractions → float; booleans → boolean;
/// strings → date when `date_detection` finds a `dynamic_date_formats` match (never for pure numbers),
/// long/float when `numeric_detection` is on and they parse as numbers, else text with a `keyword`
/// multi-field (`ignore_above` 256). New mappings are reported by full path in `dynamicMappings`.
extension DocumentWalker {
    /// The dynamic object for an unmapped member `name` of `node`, or nil under `dynamic: false`.
    mutating func dynamicObject(_ name: String, in node: CompiledObject) throws(SearchError) -> CompiledObject? {
        guard try allowsDynamic(name, in: node) else { return nil }
        let path = node.childPath(name)
        var unusedSlots = 0
        let object = CompiledObject(path: path, properties: [:], dynamic: node.dynamic, enabled: true, nextSlot: &unusedSlots)
        dynamicNodes[path] = .object(object)
        dynamicMappings[path] = FieldMapping(type: .object)
        return object
    }

    /// The dynamic field for an unmapped member `name` of `node` whose first value is `value`, or nil under
    /// `dynamic: false`.
    mutating func dynamicField(_ name: String, _ value: Scalar, in node: CompiledObject) throws(SearchError) -> CompiledField? {
        guard try allowsDynamic(name, in: node) else { return nil }
        let path = node.childPath(name)
        let mapping = dynamicMapping(for: value)
        var nextSlot = compiled.fields.count + dynamicFields.count
        let field = CompiledField(path: path, mapping: mapping, nextSlot: &nextSlot)
        field.appendWithSubFields(to: &dynamicFields)
        while slots.count < nextSlot { slots.append(FieldValues()) }
        dynamicNodes[path] = .field(field)
        dynamicMappings[path] = mapping
        return field
    }

    private func allowsDynamic(_ name: String, in node: CompiledObject) throws(SearchError) -> Bool {
        switch node.dynamic {
        case .true: return true
        case .false: return false
        case .strict:
            throw SearchError(
                "strict_dynamic_mapping_exception",
                "mapping set to strict, dynamic introduction of [\(name)] within [\(node.path.isEmpty ? "_doc" : node.path)] is not allowed")
        }
    }

    func dynamicMapping(for value: Scalar) -> FieldMapping {
        switch value {
        case .bool: FieldMapping(type: .boolean)
        case .number(_, let integer): FieldMapping(type: integer == nil ? .float : .long)
        case .string(let text): dynamicMapping(forString: String(decoding: text, as: UTF8.self))
        }
    }

    private func dynamicMapping(forString text: String) -> FieldMapping {
        let parsesAsLong = Int64(text) != nil
        let parsesAsDouble = Self.javaParsesDouble(text)
        if compiled.numericDetection {
            if parsesAsLong { return FieldMapping(type: .long) }
            if parsesAsDouble { return FieldMapping(type: .float) }
        }
        if compiled.dateDetection, !parsesAsLong, !parsesAsDouble {
            for (pattern, format) in compiled.dynamicDateFormats where format.parse(text) != nil {
                return FieldMapping(type: .date, format: pattern == DateFormat.defaultPattern ? nil : pattern)
            }
        }
        return FieldMapping(type: .text, fields: ["keyword": FieldMapping(type: .keyword, ignoreAbove: 256)])
    }

    /// Whether Java's `Double.parseDouble` accepts `text` (decimal forms; `NaN`/`Infinity` too).
    static func javaParsesDouble(_ text: String) -> Bool {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 < 0x80 }) else { return false }
        if ["NaN", "Infinity", "+Infinity", "-Infinity"].contains(trimmed) { return true }
        let lowered = trimmed.lowercased()
        guard !lowered.contains("n"), !lowered.contains("x"), Double(trimmed) != nil else { return false }
        return true
    }
}
