/// Which segments to merge next: a simplified tiered policy (Lucene's `TieredMergePolicy`). Segments are
/// grouped in tiers by live size (powers of ten above `floorSegmentBytes`); a tier holding
/// `segmentsPerTier` segments merges its smallest `maxMergeAtOnce`. A segment that is mostly deletes is
/// rewritten alone; one with only deletes is dropped. Segments too large to merge are left alone.
/// Pure: a list of candidates in, names out — tested without I/O.
enum MergePolicy {
    struct Candidate: Equatable {
        var name: String
        var bytes: Int
        var maxDoc: Int
        var deleted: Int

        var deletedFraction: Double { maxDoc == 0 ? 1 : Double(deleted) / Double(maxDoc) }
        var liveBytes: Int { Int(Double(bytes) * (1 - deletedFraction)) }
    }

    static func select(_ candidates: [Candidate]) -> [String]? {
        if let empty = candidates.first(where: { $0.deleted >= $0.maxDoc }) { return [empty.name] }
        let mergeable = candidates.filter { $0.liveBytes < SearchLimits.maxMergedSegmentBytes / 2 }
        if let mostlyDeleted = mergeable.first(where: { $0.deletedFraction > SearchLimits.maxDeletedFraction }) { return [mostlyDeleted.name] }
        var tiers: [Int: [Candidate]] = [:]
        for candidate in mergeable { tiers[tier(candidate.liveBytes), default: []].append(candidate) }
        for level in tiers.keys.sorted() {
            guard let members = tiers[level], members.count >= SearchLimits.segmentsPerTier else { continue }
            let chosen = members.sorted { $0.liveBytes < $1.liveBytes }.prefix(SearchLimits.maxMergeAtOnce)
            var total = 0
            var names: [String] = []
            for candidate in chosen where total + candidate.liveBytes <= SearchLimits.maxMergedSegmentBytes {
                total += candidate.liveBytes
                names.append(candidate.name)
            }
            if names.count >= 2 { return names }
        }
        return nil
    }

    static func tier(_ bytes: Int) -> Int {
        var level = 0
        var size = max(bytes, SearchLimits.floorSegmentBytes) / SearchLimits.floorSegmentBytes
        while size >= 10 {
            size /= 10
            level += 1
        }
        return level
    }
}
