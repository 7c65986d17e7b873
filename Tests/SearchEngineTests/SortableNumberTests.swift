import SearchEngine
import Testing

@Suite struct SortableNumberTests {
    @Test func longTermsSortAsNumbers() {
        let values: [Int64] = [.min, -1_000_000, -1, 0, 1, 42, 1 << 40, .max]
        let terms = values.map(SortableNumber.encode)
        #expect(terms == terms.sorted { $0.lexicographicallyPrecedes($1) })
        for (value, term) in zip(values, terms) { #expect(SortableNumber.decodeLong(term) == value) }
    }

    @Test func doubleTermsSortAsNumbers() {
        let values: [Double] = [-.infinity, -1e300, -2.5, -0.0, 0.0, 1e-300, 3.25, .infinity]
        let terms = values.map { SortableNumber.encode($0) }
        #expect(terms == terms.sorted { $0.lexicographicallyPrecedes($1) })
        for value in values {
            #expect(SortableNumber.double(fromSortableBits: SortableNumber.sortableBits(value)) == (value == 0 ? 0 : value))
        }
    }
}
