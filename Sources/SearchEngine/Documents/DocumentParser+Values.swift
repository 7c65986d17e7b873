import StreamProcessing

/// Converting one scalar to a field's terms and doc values, with OpenSearch's coercions: numbers from
/// strings (`"12"`), fractions truncated for integer types, booleans from `"true"`/`"false"`, dates through
/// the field's format (JSON numbers as their text, so `epoch_millis` reads them), any scalar as text for
/// text/keyword. Empty strings are null for numbers, booleans and dates.
extension DocumentWalker {
    /// Indexes `value` into `field`, its multi-fields and (when `copying`) its `copy_to` targets.
    mutating func index(_ value: Scalar, into field: CompiledField, copying: Bool = true) throws(SearchError) {
        switch field.kind {
        case .text(let analyzer):
            if field.indexed { Self.withText(value) { addText($0, analyzer: analyzer, field: field) } }
        case .keyword:
            Self.withText(value) { text in
                if field.ignoreAbove.map({ Self.utf16Count(text) <= $0 }) ?? true { addKeyword(text, field: field) }
            }
        case .integral(let min, let max):
            switch Self.integral(value, min: min, max: max, coerce: field.coerce) {
            case .value(let number): addLong(number, field: field)
            case .null: break
            case .malformed(let reason): if !field.ignoreMalformed { throw malformed(field, reason) }
            }
        case .floating(let type):
            switch Self.floating(value, type: type, coerce: field.coerce) {
            case .value(let number): addDouble(number, field: field)
            case .null: break
            case .malformed(let reason): if !field.ignoreMalformed { throw malformed(field, reason) }
            }
        case .boolean:
            switch Self.boolean(value) {
            case .value(let flag): addLong(flag ? 1 : 0, field: field)
            case .null: break
            case .malformed(let reason): if !field.ignoreMalformed { throw malformed(field, reason) }
            }
        case .date(let format):
            switch Self.date(value, format: format) {
            case .value(let millis): addLong(millis, field: field)
            case .null: break
            case .malformed(let reason): if !field.ignoreMalformed { throw malformed(field, reason) }
            }
        }
        for sub in field.subFields { try index(value, into: sub, copying: copying) }
        guard copying else { return }
        for target in field.copyTo {
            // copy_to is not transitive: the target's own copy_to is not followed. Unmapped targets are skipped.
            if let targetField = compiled.fieldsByPath[target] { try index(value, into: targetField, copying: false) }
        }
    }

    private mutating func touch(_ slot: Int) {
        if slots[slot].valueCount == 0 { touched.append(slot) }
        slots[slot].valueCount &+= 1
    }

    private mutating func addText(_ text: UnsafeBufferPointer<UInt8>, analyzer: Analyzer, field: CompiledField) {
        let slot = field.slot
        var values = slots[slot]
        slots[slot] = FieldValues()
        if values.valueCount > 0 {
            values.nextPosition &+= field.positionIncrementGap
        } else {
            touched.append(slot)
        }
        values.valueCount &+= 1
        let offsetBase = values.offsetBase
        values.nextPosition = analyzer.analyze(utf8: text, into: &values.tokens, positionBase: values.nextPosition, offsetBase: offsetBase)
        values.offsetBase = offsetBase &+ Int32(truncatingIfNeeded: text.count) &+ 1
        slots[slot] = values
    }

    private mutating func addKeyword(_ text: UnsafeBufferPointer<UInt8>, field: CompiledField) {
        touch(field.slot)
        let bytes = Array(text)
        if field.indexed {
            let position = slots[field.slot].valueCount &- 1
            slots[field.slot].tokens.append(Token(term: bytes, position: position, startOffset: 0, endOffset: Int32(truncatingIfNeeded: bytes.count)))
        }
        if field.docValues { slots[field.slot].keywords.append(bytes) }
    }

    private mutating func addLong(_ number: Int64, field: CompiledField) {
        touch(field.slot)
        if field.indexed {
            slots[field.slot].tokens.append(Token(term: SortableNumber.encode(number), position: slots[field.slot].valueCount &- 1, startOffset: 0, endOffset: 0))
        }
        if field.docValues { slots[field.slot].longs.append(number) }
    }

    private mutating func addDouble(_ number: Double, field: CompiledField) {
        touch(field.slot)
        if field.indexed {
            slots[field.slot].tokens.append(Token(term: SortableNumber.encode(number), position: slots[field.slot].valueCount &- 1, startOffset: 0, endOffset: 0))
        }
        if field.docValues { slots[field.slot].doubles.append(number) }
    }

    // MARK: Conversions

    enum Converted<Value> {
        case value(Value)
        case null
        case malformed(String)
    }

    private static let trueBytes: StaticString = "true"
    private static let falseBytes: StaticString = "false"

    /// A scalar's text (numbers as written, booleans as `true`/`false`).
    static func withText(_ value: Scalar, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        switch value {
        case .string(let bytes), .number(let bytes, _): body(bytes)
        case .bool(let flag):
            let word = flag ? trueBytes : falseBytes
            body(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
        }
    }

    /// Java's `String.length()` of UTF-8 text: scalars, two for those beyond the BMP.
    static func utf16Count(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        for byte in bytes where byte & 0xC0 != 0x80 { count += byte >= 0xF0 ? 2 : 1 }
        return count
    }

    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    static func integral(_ value: Scalar, min: Int64, max: Int64, coerce: Bool) -> Converted<Int64> {
        switch value {
        case .number(_, let integer?):
            return integer >= min && integer <= max ? .value(integer) : .malformed("the value is out of range for the field type")
        case .number(let text, nil):
            guard let number = Double(string(text)) else { return .malformed("the value is out of range for the field type") }
            guard coerce || number == number.rounded(.towardZero) else { return .malformed("the value has a decimal part") }
            return truncated(number, min: min, max: max)
        case .string(let text):
            if text.isEmpty { return .null }
            guard coerce else { return .malformed("strings are not accepted when coerce is false") }
            let trimmed = string(text).trimmingSpaces
            if let number = Int64(trimmed) {
                return number >= min && number <= max ? .value(number) : .malformed("the value is out of range for the field type")
            }
            guard isDecimal(trimmed), let number = Double(trimmed) else { return .malformed("the value is not a number") }
            return truncated(number, min: min, max: max)
        case .bool:
            return .malformed("the value is not a number")
        }
    }

    private static func truncated(_ number: Double, min: Int64, max: Int64) -> Converted<Int64> {
        let whole = number.rounded(.towardZero)
        guard whole.isFinite, whole >= -9_223_372_036_854_775_808.0, whole < 9_223_372_036_854_775_808.0 else {
            return .malformed("the value is out of range for the field type")
        }
        let integer = Int64(whole)
        return integer >= min && integer <= max ? .value(integer) : .malformed("the value is out of range for the field type")
    }

    /// Decimal notation only (Swift's `Double` also reads hex floats and `nan`/`inf`, which OpenSearch refuses).
    static func isDecimal(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 &- 0x30 < 10 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || $0 | 0x20 == UInt8(ascii: "e") }
    }

    static func floating(_ value: Scalar, type: FieldType, coerce: Bool) -> Converted<Double> {
        var number: Double
        switch value {
        case .number(_, let integer?): number = Double(integer)
        case .number(let text, nil):
            guard let parsed = Double(string(text)) else { return .malformed("the value is not a number") }
            number = parsed
        case .string(let text):
            if text.isEmpty { return .null }
            guard coerce else { return .malformed("strings are not accepted when coerce is false") }
            let trimmed = string(text).trimmingSpaces
            guard isDecimal(trimmed), let parsed = Double(trimmed) else { return .malformed("the value is not a number") }
            number = parsed
        case .bool:
            return .malformed("the value is not a number")
        }
        switch type {
        case .float: number = Double(Float(number))
        case .halfFloat: number = Double(Float16(Float(number)))
        default: break
        }
        guard number.isFinite else { return .malformed("[\(type.rawValue)] supports only finite values") }
        return .value(number)
    }

    static func boolean(_ value: Scalar) -> Converted<Bool> {
        switch value {
        case .bool(let flag): return .value(flag)
        case .string(let text):
            if text.isEmpty { return .null }
            if text.elementsEqual("true".utf8) { return .value(true) }
            if text.elementsEqual("false".utf8) { return .value(false) }
            return .malformed("only [true] or [false] are allowed")
        case .number: return .malformed("only [true] or [false] are allowed")
        }
    }

    static func date(_ value: Scalar, format: DateFormat) -> Converted<Int64> {
        switch value {
        case .string(let text):
            if text.isEmpty { return .null }
            guard let millis = format.parse(utf8: text) else { return .malformed("the value does not match the format [\(format.pattern)]") }
            return .value(millis)
        case .number(let text, _):
            guard let millis = format.parse(utf8: text) else { return .malformed("the value does not match the format [\(format.pattern)]") }
            return .value(millis)
        case .bool:
            return .malformed("the value is not a date")
        }
    }

    /// A `null_value` from the mapping, as a scalar.
    static func withScalar(_ json: JSONValue, _ body: (Scalar) throws(SearchError) -> Void) throws(SearchError) {
        switch json {
        case .string(let text):
            try Array(text.utf8).withUnsafeBufferPointer { (bytes) throws(SearchError) in try body(.string(bytes)) }
        case .integer(let number):
            try Array(String(number).utf8).withUnsafeBufferPointer { (bytes) throws(SearchError) in try body(.number(bytes, integer: number)) }
        case .double(let number):
            try Array("\(number)".utf8).withUnsafeBufferPointer { (bytes) throws(SearchError) in try body(.number(bytes, integer: nil)) }
        case .bool(let flag): try body(.bool(flag))
        default: break
        }
    }
}
