import StreamProcessing

/// How OpenSearch writes numbers and dates into aggregation responses.
enum AggregationFormatting {
    /// Java's `Double.toString`: `100.0`, `0.001`, `1.0E7`, `1.234E-5`, `NaN`, `Infinity` — the text of range keys.
    static func javaDouble(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (digits, exponent) = decimalDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        if magnitude >= 1e-3, magnitude < 1e7 {
            // exponent: the power of ten of the first digit.
            if exponent >= 0 {
                let whole = digits.count > exponent + 1 ? String(digits.prefix(exponent + 1)) : digits + String(repeating: "0", count: exponent + 1 - digits.count)
                let fraction = digits.count > exponent + 1 ? String(digits.dropFirst(exponent + 1)) : "0"
                return sign + whole + "." + fraction
            }
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        let fraction = digits.count > 1 ? String(digits.dropFirst()) : "0"
        return sign + String(digits.prefix(1)) + "." + fraction + "E" + String(exponent)
    }

    /// The shortest round-trip decimal digits of a positive finite double and the power of ten of the first one.
    private static func decimalDigits(_ value: Double) -> (String, Int) {
        let text = "\(value)"  // Swift prints the shortest round-trip form: "123.45", "1e-05", "1.5e+20"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition: Int?
        for character in mantissa {
            if character == "." { pointPosition = digits.count } else { digits.append(character) }
        }
        let integerDigits = pointPosition ?? digits.count
        var leadingZeros = 0
        for character in digits {
            if character == "0" { leadingZeros += 1 } else { break }
        }
        var significant = String(digits.dropFirst(leadingZeros))
        while significant.count > 1, significant.last == "0" { significant.removeLast() }
        return (significant.isEmpty ? "0" : significant, integerDigits - leadingZeros - 1 + exponent)
    }

    /// A date printed with `format` in `zone` (the offset that zone has at that instant).
    static func date(_ millis: Int64, format: DateFormat, zone: ZoneRules) -> String {
        if let fixed = zone.fixedOffset {
            return format.format(millis, zone: fixed == 0 ? .utc : .fixed(seconds: Int(fixed / 1000)))
        }
        zone.prepare(from: millis, to: millis)
        let offset = zone.offset(at: millis)
        return format.format(millis, zone: offset == 0 ? .utc : .fixed(seconds: Int(offset / 1000)))
    }

    /// A value as a double JSON number, or null when it is not finite (OpenSearch writes no value then).
    static func number(_ value: Double) -> JSONValue {
        value.isFinite ? .double(value) : .null
    }
}
