import Foundation
import Logging
import PartitionedLog
import PostgresCDC
import PostgresTestSupport
import SQLiteSink
import Testing

/// The two answers against SQL on the sources, row for row, with the pipeline running (`serve`) while a
/// random workload changes both sources — once undisturbed, once killed with SIGKILL and restarted.
@Suite(.serialized) struct AnswerOracleTests {
    static let steps = 900

    @Test func answersEqualTheSQLOracle() async throws {
        try await withRig { rig in
            var workload = try await AnswerWorkload.run(AnswerWorkload(seed: 0x5EED_0001), steps: 0..<150, of: Self.steps, rig: rig)
            let (serve, port) = try rig.startServe()
            try await rig.waitUntilReady(serve, port: port)
            workload = try await AnswerWorkload.run(workload, steps: 150..<Self.steps, of: Self.steps, rig: rig)
            try await Self.expectConverged(rig, serve)
            try await Self.expectDeadLetters(rig)
            try await Self.expectIndicesConverged(rig, serve: serve)
            let sink = try SinkDatabase(path: rig.sinkPath)
            let q1 = try sink.weeklySiteRegistrations()
            try await rig.stopGracefully(serve)
            try await Self.expectDerivedTopic(rig, matches: q1)
            _ = workload
        }
    }

    @Test func answersSurviveKill9Restarts() async throws {
        try await withRig { rig in
            let workload = try await AnswerWorkload.run(AnswerWorkload(seed: 0x5EED_0002), steps: 0..<100, of: Self.steps, rig: rig)
            var (serve, port) = try rig.startServe()
            try await rig.waitUntilReady(serve, port: port)
            let writer = Task { try await AnswerWorkload.run(workload, steps: 100..<Self.steps, of: Self.steps, rig: rig, pause: .milliseconds(8)) }
            for round in 0..<4 {
                try await Task.sleep(for: .milliseconds(1200 + 400 * round))
                serve.signal(SIGKILL)
                guard await serve.waitForExit(timeout: .seconds(10)) != nil else { throw ChildProcessError(message: "serve survived SIGKILL") }
                (serve, port) = try rig.startServe()
                try await rig.waitUntilReady(serve, port: port, timeout: .seconds(90))
            }
            _ = try await writer.value
            try await Self.expectConverged(rig, serve)
            try await Self.expectDeadLetters(rig)
            try await Self.expectIndicesConverged(rig, serve: serve)
            try await rig.stopGracefully(serve)
        }
    }

    private func withRig(_ body: (AnswerRig) async throws -> Void) async throws {
        try await ThrowawayCluster.with { community in
            try await ThrowawayCluster.with { sites in
                try await body(try await AnswerRig.make(community: community, sites: sites))
            }
        }
    }

    /// Waits (up to two minutes after the sources went quiet) until the sink equals the oracle; then checks it.
    static func expectConverged(_ rig: AnswerRig, _ serve: ChildProcess) async throws {
        let expected = try await rig.oracle()
        let sink = try SinkDatabase(path: rig.sinkPath)
        var last = try AnswerRig.answers(sink)
        var mirror: String?
        let converged = await eventually(timeout: .seconds(120)) {
            guard let answers = try? AnswerRig.answers(sink) else { return false }
            last = answers
            mirror = try? await rig.mirrorDifference(sink)
            return answers.q1 == expected.q1 && answers.q2 == expected.q2 && answers.pairs == expected.pairs && mirror == nil
        }
        #expect(converged, "the sink did not converge: \(last) vs oracle \(expected); stderr: \(serve.stderr.suffix(1500))")
        #expect(last.q1 == expected.q1, "Q1 differs: first differing row \(String(describing: zip(last.q1, expected.q1).first { $0 != $1 }))")
        #expect(last.q2 == expected.q2, "Q2 differs: first differing row \(String(describing: zip(last.q2, expected.q2).first { $0 != $1 }))")
        #expect(last.pairs == expected.pairs, "join rows differ: \(Set(last.pairs.map { $0.joined(separator: "|") }).symmetricDifference(expected.pairs.map { $0.joined(separator: "|") }).sorted().prefix(6))")
        #expect(mirror == nil, "\(mirror ?? "")")
        // The workload must have exercised what it claims to.
        #expect(expected.q1.count > 20 && expected.q2.count > 10 && expected.pairs.count > 20)
        #expect(!expected.invalidCommunity.isEmpty && !expected.invalidSites.isEmpty)
    }

    /// Every row whose time does not parse now has a dead letter for it; no dead letter is recorded twice; no
    /// reason repeats the value.
    static func expectDeadLetters(_ rig: AnswerRig) async throws {
        let expected = try await rig.oracle()
        let sink = try SinkDatabase(path: rig.sinkPath)
        let letters = try await sink.deadLetters(limit: 100_000)
        for (side, topic, ids) in [("community", "community.public.CommunityUsers", expected.invalidCommunity), ("sites", "sites.public.SitesUsers", expected.invalidSites)] {
            let keys = Set(letters.filter { $0.topic == topic }.compactMap(\.key))
            let missing = ids.filter { !keys.contains("{\"id\":\($0)}") }
            #expect(missing.isEmpty, "\(side): rows with invalid times but no dead letter: \(missing.sorted().prefix(5))")
        }
        let places = letters.map { "\($0.topic)/\($0.partition)/\($0.offset)" }
        #expect(Set(places).count == places.count, "a dead letter was recorded twice")
        #expect(letters.allSatisfy { !$0.reason.contains("not a date") && !$0.reason.contains("31/12/2023") })
        #expect(letters.allSatisfy { $0.source == "community" || $0.source == "sites" })
    }

    /// The derived topic, folded by key (latest value per week, tombstones removing), equals the table.
    static func expectDerivedTopic(_ rig: AnswerRig, matches q1: [WeeklySiteRegistrations]) async throws {
        let log = try await PartitionedLog.open(LogConfiguration(directory: "\(rig.dataDirectory)/log"), logger: .init(label: "test"))
        var latest: [String: String] = [:]
        let partition = TopicPartition(topic: DerivedTopic.weeklySiteRegistrations, partition: 0)
        var offset = try log.offsets(partition).start
        while offset < (try log.offsets(partition).end) {
            let result = try await log.read(partition, from: offset, maxRecords: 10_000, maxBytes: 16 << 20)
            for record in result.records {
                let key = String(decoding: record.key ?? [], as: UTF8.self)
                latest[key] = record.value.map { String(decoding: $0, as: UTF8.self) }
            }
            offset = result.nextOffset
        }
        await log.close()
        let expected = Dictionary(uniqueKeysWithValues: q1.map {
            ("{\"week_start\":\"\($0.weekStart)\"}",
             "{\"week_start\":\"\($0.weekStart)\",\"sites_registered\":\($0.sitesRegistered),\"sites_total\":\($0.sitesTotal)}")
        })
        #expect(latest.compactMapValues { $0 } == expected)
    }
}

extension AnswerRig {
    func stopGracefully(_ serve: ChildProcess) async throws {
        serve.signal(SIGTERM)
        let status = await serve.waitForExit(timeout: .seconds(15))
        guard status == 0 else {
            throw ChildProcessError(message: "serve exited with \(String(describing: status)) after SIGTERM; stderr: \(serve.stderr.suffix(2000))")
        }
    }
}
