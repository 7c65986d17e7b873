import Dispatch
import Logging
import Synchronization

extension SearchIndex {
    /// Applies operations in order, as the single writer; one result per operation. `consumed` (opaque
    /// source offsets, e.g. log positions) is merged key by key into `appliedOffsets` and recorded by the
    /// next commit.
    public func apply(_ operations: [DocumentOperation], consumed: [String: Int64]) -> [DocumentResult] {
        let (results, heapBytes) = writer.withLock { state -> ([DocumentResult], Int) in
            guard !state.closed else {
                return (operations.map { _ in DocumentResult(outcome: nil, error: .indexNotFound(name), version: -1, seqNo: -2, primaryTerm: 0) }, 0)
            }
            let mappingVersion = state.mappingVersion
            var results: [DocumentResult] = []
            results.reserveCapacity(operations.count)
            for operation in operations {
                results.append(state.apply(operation, index: name))
                if state.buffer.byteSize > SearchLimits.indexingBufferBytes { moveBufferLogging(&state) }
            }
            state.applied.merge(consumed) { $1 }
            let applied = state.applied
            let mapping = state.mappingVersion != mappingVersion ? state.mapping : nil
            published.withLock {
                $0.applied = applied
                if let mapping { $0.mapping = mapping }
            }
            return (results, state.heapSegmentBytes)
        }
        if heapBytes > SearchLimits.maxHeapSegmentBytes { flushHeapSegmentsLogging() }
        return results
    }

    /// Deletes every live document whose `_id` matches (TRUNCATE of a source table). Returns how many.
    public func deleteDocuments(where predicate: (String) -> Bool, consumed: [String: Int64]) -> Int {
        writer.withLock { state in
            guard !state.closed else { return 0 }
            let count = state.deleteDocuments(where: predicate)
            state.applied.merge(consumed) { $1 }
            let applied = state.applied
            published.withLock { $0.applied = applied }
            return count
        }
    }

    func moveBufferLogging(_ state: inout WriterState) {
        do {
            try state.moveBufferToSegment()
        } catch {
            logger.error("failed to build a segment from the indexing buffer", metadata: ["error": "\(error)"])
        }
    }
}

/// The async callers' way in: `apply`, `refresh` and `deleteDocuments` may build and fsync segment files, so
/// they run on a dispatch queue of the engine's, never on a thread of the cooperative pool.
extension SearchIndex {
    /// Concurrent: indices are independent; each index's writer lock still serialises its own writes.
    static let writerQueue = DispatchQueue(label: "search.writer", attributes: .concurrent)

    /// Runs writer work of the caller's own (e.g. several `apply` calls in a row) on the writer queue.
    public static func performOnWriterQueue<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await SearchEngine.run(on: writerQueue, work)
    }

    public func applyOnWriterQueue(_ operations: [DocumentOperation], consumed: [String: Int64]) async -> [DocumentResult] {
        await SearchEngine.run(on: Self.writerQueue) { self.apply(operations, consumed: consumed) }
    }

    public func refreshOnWriterQueue() async {
        await SearchEngine.run(on: Self.writerQueue) { self.refresh() }
    }

    public func deleteDocumentsOnWriterQueue(where predicate: @escaping @Sendable (String) -> Bool, consumed: [String: Int64]) async -> Int {
        await SearchEngine.run(on: Self.writerQueue) { self.deleteDocuments(where: predicate, consumed: consumed) }
    }
}
