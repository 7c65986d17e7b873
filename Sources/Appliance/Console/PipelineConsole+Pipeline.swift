import Console
import Foundation
import PartitionedLog
import PostgresCDC
import SQLiteSink
import SearchAPI
import Synchronization

extension PipelineConsole {
    func pipeline() async -> PipelineView {
        let deadLetters = (try? await sink.database.deadLetterCount()) ?? 0
        let progress = sink.status
        let sinkView = SinkView(
            name: "sqlite", path: sink.database.path, ready: progress.ready, lastCommit: progress.lastCommit.map { $0.formatted(.iso8601) },
            batches: progress.batches, records: progress.records, deadLetters: deadLetters, lastBatchSeconds: progress.lastBatchSeconds,
            lastError: progress.lastError)
        let indexed = search?.indexer.status
        return PipelineView(
            components: status.snapshot(), sources: sources(), topics: topics(), consumers: consumers(), sinks: [sinkView],
            search: SearchView(indices: await searchIndices(), documentsIndexed: indexed?.documents ?? 0, rejected: indexed?.rejected ?? 0))
    }

    func sources() -> [SourceView] { captures.map(source) }

    private func source(_ capture: ChangeCapture) -> SourceView {
        let snapshot = capture.status.snapshot
        let configuration = capture.configuration
        return SourceView(
            name: configuration.sourceName, connected: snapshot.phase == .streaming || snapshot.phase == .snapshot,
            phase: snapshot.phase.rawValue, detail: snapshot.detail, slot: configuration.slot,
            flushedLSN: snapshot.flushedLSN?.description, lastCommitLSN: snapshot.lastCommitLSN?.description,
            lagBytes: snapshot.slotLagBytes, lagBudgetBytes: configuration.lagBudgetBytes, alarm: snapshot.alarm,
            events: snapshot.events, transactions: snapshot.transactions,
            eventsPerSecond: rate(of: configuration.sourceName, count: snapshot.events),
            snapshot: snapshot.snapshotTables.map { .init(table: $0.table, rows: $0.rows, estimate: $0.estimate, done: $0.done) },
            unusableTables: snapshot.unusableTables)
    }

    /// The rate over the last sample interval (at least a second; the console asks every second).
    private func rate(of name: String, count: Int) -> Double {
        let now = ContinuousClock.now
        return rates.withLock { samples in
            guard let previous = samples[name] else {
                samples[name] = RateSample(at: now, count: count, perSecond: 0)
                return 0
            }
            let elapsed = (now - previous.at).seconds
            guard elapsed >= 0.9 else { return previous.perSecond }
            let perSecond = Double(max(0, count - previous.count)) / elapsed
            samples[name] = RateSample(at: now, count: count, perSecond: perSecond)
            return perSecond
        }
    }

    func topics() -> [TopicView] {
        log.describe().map { topic in
            TopicView(
                name: topic.name, cleanup: topic.configuration.cleanup.rawValue,
                partitions: topic.partitions.map {
                    .init(partition: $0.partition, startOffset: $0.startOffset, endOffset: $0.endOffset, sizeBytes: $0.sizeBytes,
                          recordsPerSecond: $0.recordsPerSecond)
                })
        }
    }

    func consumers() -> [ConsumerView] {
        log.consumerGroups.map { group in
            let committed = log.committedOffsets(group)
            let partitions = log.lag(group).sorted { $0.key < $1.key }.map { partition, lag in
                let end = (try? log.offsets(partition).end) ?? 0
                return ConsumerView.Partition(
                    topic: partition.topic, partition: partition.partition, committed: committed[partition] ?? end - lag, end: end, lag: lag)
            }
            return ConsumerView(group: group, partitions: partitions)
        }
    }
}
