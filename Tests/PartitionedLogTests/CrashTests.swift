import Foundation
import PostgresTestSupport
import Testing
@testable import PartitionedLog

/// A child process appends (plain appends and multi-partition atomic groups) until it is killed with
/// SIGKILL at a random moment; 20 times over the same log. After each kill the log is recovered and
/// checked: every acknowledged record is where its acknowledgement said, and no atomic group is partial.
@Suite("Partitioned log survives SIGKILL")
struct CrashTests {
    struct Ack: Hashable {
        var partition: TopicPartition
        var offset: Int64
        var value: String
    }

    @Test func killedAppenderLosesNoAcknowledgedRecordAndNoGroupIsPartial() async throws {
        try await killRepeatedly(runs: 20, streamed: false)
    }

    /// The same with streamed atomic groups too: groups of several parts, larger than the 64 KiB segments,
    /// and producers waiting behind them.
    @Test func killedStreamedGroupsAreAllOrNothing() async throws {
        try await killRepeatedly(runs: 12, streamed: true)
    }

    private func killRepeatedly(runs: Int, streamed: Bool) async throws {
        let directory = try makeTemporaryDirectory("log-sigkill")
        let logDirectory = "\(directory)/log"
        var acknowledged: [Ack] = []
        var random = SeededGenerator(seed: streamed ? 21 : 20)
        var groupsSeen = 0
        var streamedSeen = 0
        for run in 1...runs {
            let arguments = [logDirectory, "\(run)"] + (streamed ? ["streamed"] : [])
            let child = try ChildProcess(arguments, directory: directory, executable: "log-crash-child")
            // Let it get going (it prints as soon as appends are acknowledged), then kill it at a random moment.
            #expect(await eventually(timeout: .seconds(30)) { !child.stdout.isEmpty || !child.isRunning })
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...400, using: &random)))
            child.signal(SIGKILL)
            let status = await child.waitForExit(timeout: .seconds(30))
            #expect(status != nil)
            #expect(child.isRunning == false)
            let runAcks = parseAcks(child.stdout)
            #expect(!runAcks.isEmpty, "run \(run) acknowledged nothing: \(child.stderr)")
            acknowledged += runAcks

            let log = try await PartitionedLog.open(logDirectory)
            var stored: [Ack: Bool] = [:]
            var groups: [String: (count: Int, seen: Int)] = [:]
            for topic in log.topicNames {
                for number in 0..<(try log.partitionCount(of: topic)) {
                    let partition = TopicPartition(topic: topic, partition: number)
                    let records = try await log.readAll(partition)
                    #expect(records.map(\.offset) == Array(0..<Int64(records.count)), "offsets of \(partition) are dense")
                    for record in records {
                        let value = String(text(record.value)!.split(separator: " ")[0])
                        stored[Ack(partition: partition, offset: record.offset, value: value)] = true
                        let fields = value.split(separator: ".")
                        if fields[3] != "0" {
                            let group = String(fields[3])
                            groups[group, default: (Int(fields[5])!, 0)].seen += 1
                        }
                    }
                }
            }
            let missing = acknowledged.filter { stored[$0] == nil }
            #expect(missing.isEmpty, "run \(run): \(missing.count) acknowledged records missing, e.g. \(missing.prefix(3))")
            let partial = groups.filter { $0.value.seen != $0.value.count }
            #expect(partial.isEmpty, "run \(run): partial atomic groups \(partial.prefix(3))")
            groupsSeen = groups.count
            // Producers 6 and 7 write the streamed groups.
            streamedSeen = groups.keys.filter { Int($0).map { $0 % 1_000_000 / 100_000 >= 6 } ?? false }.count
            await log.close()
        }
        #expect(acknowledged.count > 1000, "the child appended too little to test anything")
        #expect(groupsSeen > 100)
        if streamed { #expect(streamedSeen > 20, "only \(streamedSeen) streamed groups were committed") }
    }

    private func parseAcks(_ output: String) -> [Ack] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            // A line cut by the kill is incomplete: only whole lines count.
            guard fields.count == 5, fields[0] == "ack", let partition = Int(fields[2]), let offset = Int64(fields[3]),
                fields[4].split(separator: ".").count == 6
            else { return nil }
            return Ack(partition: TopicPartition(topic: String(fields[1]), partition: partition), offset: offset, value: String(fields[4]))
        }
    }
}
