import Logging
import PosixFiles
import Synchronization

/// Background merges. The writer lock is held only to choose segments and to swap the result in; the
/// merge itself reads immutable segments and writes a new file. Deletes made meanwhile are carried over to
/// the merged segment. Searches keep their snapshots and never wait.
extension SearchIndex {
    struct MergePlan {
        var name: String
        var sources: [MergeSource]
    }

    /// Runs one merge if the policy finds one; returns whether it did.
    @discardableResult
    public func maybeMerge() -> Bool {
        guard let plan = planMerge() else { return false }
        return executeMerge(plan)
    }

    /// Merges a planned set of segments (tests plan, write, then execute, to interleave).
    @discardableResult
    func executeMerge(_ plan: MergePlan) -> Bool {
        if plan.sources.allSatisfy({ $0.segment.maxDoc == ($0.liveDocs?.deletedCount ?? 0) }) {
            finishMerge(plan, merged: nil, docMaps: [])
            return true
        }
        let path = segmentPath(plan.name)
        let temporary = path + ".tmp"
        do {
            let merger = SegmentMerger(plan.sources)
            do {
                let file = try StorageFile(path: temporary, flags: O_WRONLY_CREATE_TRUNCATE)
                try merger.write(to: file)
            }
            try StorageFiles.rename(temporary, path)
            try StorageFiles.syncDirectory(directory)
            let merged = try Segment(name: plan.name, path: path)
            finishMerge(plan, merged: merged, docMaps: merger.docMaps)
            logger.debug("merged segments", metadata: ["search.segments": "\(plan.sources.map(\.segment.name))", "search.merged": "\(plan.name)", "search.docs": "\(merged.maxDoc)"])
            return true
        } catch {
            logger.error("merge failed", metadata: ["search.segments": "\(plan.sources.map(\.segment.name))", "error": "\(error)"])
            try? StorageFiles.remove(temporary)
            writer.withLock { state in
                state.reservedNames.remove(plan.name)
                for source in plan.sources {
                    if let index = state.index(ofSegment: source.segment.name) { state.segments[index].merging = false }
                }
            }
            return false
        }
    }

    func planMerge() -> MergePlan? {
        writer.withLock { state -> MergePlan? in
            guard !state.closed else { return nil }
            let candidates = state.segments.filter { !$0.merging }.map {
                MergePolicy.Candidate(name: $0.segment.name, bytes: $0.segment.byteSize, maxDoc: $0.segment.maxDoc, deleted: $0.deletedCount)
            }
            guard let names = MergePolicy.select(candidates) else { return nil }
            var sources: [MergeSource] = []
            for name in names {
                guard let index = state.index(ofSegment: name) else { continue }
                state.segments[index].merging = true
                sources.append(MergeSource(segment: state.segments[index].segment, liveDocs: state.segments[index].liveDocs))
            }
            return MergePlan(name: state.allocateSegmentName(), sources: sources)
        }
    }

    /// Swaps the merged segment in for its sources, with the deletes made since the merge began. Publishes
    /// at once when nothing else is waiting for a refresh (what searches see does not change).
    private func finishMerge(_ plan: MergePlan, merged: Segment?, docMaps: [[Int32]]) {
        writer.withLock { state in
            state.reservedNames.remove(plan.name)
            var liveDocs: LiveDocs?
            var position = state.segments.count
            for (sourceIndex, source) in plan.sources.enumerated() {
                guard let index = state.index(ofSegment: source.segment.name) else { continue }
                position = min(position, index)
                guard let merged, let current = state.segments[index].liveDocs else { continue }
                for doc in 0..<Int32(source.segment.maxDoc) where !current.contains(doc) && (source.liveDocs?.contains(doc) ?? true) {
                    let new = docMaps[sourceIndex][Int(doc)]
                    if new >= 0 {
                        if liveDocs == nil { liveDocs = LiveDocs(maxDoc: merged.maxDoc) }
                        liveDocs?.delete(new)
                    }
                }
            }
            let names = Set(plan.sources.map(\.segment.name))
            state.segments.removeAll { names.contains($0.segment.name) }
            if let merged { state.segments.insert(SegmentEntry(segment: merged, liveDocs: liveDocs), at: min(position, state.segments.count)) }
            if !state.unrefreshed && state.buffer.isEmpty { publish(&state) }
        }
    }
}
