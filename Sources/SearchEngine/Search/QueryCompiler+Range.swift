import StreamProcessing

/// `range`: byte ranges over terms for text and keyword; inclusive numeric bounds for numbers, dates (date
/// math, the field's or the query's `format`, `time_zone`, rounding up for `gt`/`lte`) and booleans.
extension QueryCompiler {
    func range(_ spec: RangeQuerySpec) throws(SearchError) -> CompiledQuery {
        let query: CompiledQuery
        switch resolve(spec.field) {
        case .text, .keyword, .id:
            let kind = TermMatcher.Kind.range(
                lower: spec.lower.flatMap(DSLValue.text).map { Array($0.utf8) }, upper: spec.upper.flatMap(DSLValue.text).map { Array($0.utf8) },
                includeLower: spec.includeLower, includeUpper: spec.includeUpper)
            query = .multiTerm(field: spec.field, matcher: TermMatcher(kind: kind))
        case .integer(let type): query = try integerRange(spec, type: type)
        case .floating(let type): query = try floatingRange(spec, type: type)
        case .date(let field): query = try dateRange(spec, field: field)
        case .boolean:
            let lower = try spec.lower.map { (value) throws(SearchError) in try Self.boolean(value) ? Int64(1) : 0 }
            let upper = try spec.upper.map { (value) throws(SearchError) in try Self.boolean(value) ? Int64(1) : 0 }
            query = numeric(spec.field, lower.map { spec.includeLower ? $0 : $0 + 1 } ?? 0, upper.map { spec.includeUpper ? $0 : $0 - 1 } ?? 1, isDouble: false)
        case .index, .object, .unmapped: query = .matchNone
        }
        return .boosted(query, spec.options.boost)
    }

    private func numeric(_ field: String, _ lower: Int64, _ upper: Int64, isDouble: Bool) -> CompiledQuery {
        lower > upper ? .matchNone : .numericRange(field: field, lower: lower, upper: upper, isDouble: isDouble)
    }

    /// Bounds rounded inward to whole numbers (`gte: 1.5` → 2, `lt: 1.5` → 1), as OpenSearch does for longs.
    private func integerRange(_ spec: RangeQuerySpec, type: FieldType) throws(SearchError) -> CompiledQuery {
        var lower = Int64.min
        var upper = Int64.max
        if let value = spec.lower {
            let number = try Self.floating(value, type: .double)
            if let exact = try? Self.integer(value, type: .long) {
                guard spec.includeLower || exact < .max else { return .matchNone }
                lower = spec.includeLower ? exact : exact + 1
            } else {
                let bound = spec.includeLower ? number.rounded(.up) : number.rounded(.down) + 1
                guard bound <= 9.2e18 else { return .matchNone }
                lower = bound < -9.2e18 ? .min : Int64(bound)
            }
        }
        if let value = spec.upper {
            let number = try Self.floating(value, type: .double)
            if let exact = try? Self.integer(value, type: .long) {
                guard spec.includeUpper || exact > .min else { return .matchNone }
                upper = spec.includeUpper ? exact : exact - 1
            } else {
                let bound = spec.includeUpper ? number.rounded(.down) : number.rounded(.up) - 1
                guard bound >= -9.2e18 else { return .matchNone }
                upper = bound > 9.2e18 ? .max : Int64(bound)
            }
        }
        return numeric(spec.field, lower, upper, isDouble: false)
    }

    /// Bounds as sortable bits; exclusive bounds move to the next representable value of the field's type.
    private func floatingRange(_ spec: RangeQuerySpec, type: FieldType) throws(SearchError) -> CompiledQuery {
        var lower = SortableNumber.sortableBits(-.infinity)
        var upper = SortableNumber.sortableBits(.infinity)
        if let value = spec.lower {
            var number = try Self.floating(value, type: .double)
            if type == .double {
                if !spec.includeLower { number = number.nextUp }
            } else {
                var single = Float(number)
                if !spec.includeLower || Double(single) < number { single = single.nextUp }
                number = Double(single)
            }
            lower = SortableNumber.sortableBits(number)
        }
        if let value = spec.upper {
            var number = try Self.floating(value, type: .double)
            if type == .double {
                if !spec.includeUpper { number = number.nextDown }
            } else {
                var single = Float(number)
                if !spec.includeUpper || Double(single) > number { single = single.nextDown }
                number = Double(single)
            }
            upper = SortableNumber.sortableBits(number)
        }
        return numeric(spec.field, lower, upper, isDouble: true)
    }

    private func dateRange(_ spec: RangeQuerySpec, field: FieldMapping) throws(SearchError) -> CompiledQuery {
        let format = try DateFormat(pattern: spec.format ?? field.effectiveFormat)
        var lower = Int64.min
        var upper = Int64.max
        if let value = spec.lower {
            let millis = try DateMath.parse(DSLValue.text(value) ?? "", now: now, format: format, roundUp: !spec.includeLower, timeZone: spec.timeZone)
            guard spec.includeLower || millis < .max else { return .matchNone }
            lower = spec.includeLower ? millis : millis + 1
        }
        if let value = spec.upper {
            let millis = try DateMath.parse(DSLValue.text(value) ?? "", now: now, format: format, roundUp: spec.includeUpper, timeZone: spec.timeZone)
            guard spec.includeUpper || millis > .min else { return .matchNone }
            upper = spec.includeUpper ? millis : millis - 1
        }
        return numeric(spec.field, lower, upper, isDouble: false)
    }
}
