import CBenchBaseline
import Foundation

/// The C baselines (`CBenchBaseline`), run on a thread of their own: they block in `write` and `fdatasync`,
/// which must not happen on Swift's cooperative pool.
enum Baseline {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var errno: Int32
        var description: String { "\(operation) on \(path) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
    }

    struct AppendRun: Sendable {
        var batches: Int
        var recordsPerBatch: Int
        var seconds: Double
        var latency: LatencySummary
        var recordsPerSecond: Double { seconds > 0 ? Double(batches * recordsPerBatch) / seconds : 0 }
    }

    /// `samples` 4 KiB writes, each followed by a timed `fdatasync`: the disk's own durability latency.
    static func fdatasyncLatency(path: String, samples: Int) async throws -> LatencySummary {
        let (status, latencies) = await onDedicatedThread { () -> (Int32, [UInt64]) in
            var latencies = [UInt64](repeating: 0, count: samples)
            let status = latencies.withUnsafeMutableBufferPointer { buffer in
                baseline_fdatasync_latency(path, Int32(samples), buffer.baseAddress)
            }
            return (status, latencies)
        }
        guard status == 0 else { throw Failure(operation: "baseline_fdatasync_latency", path: path, errno: status) }
        return LatencySummary(nanoseconds: latencies)
    }

    /// `batches` batches of `records` records of `recordBytes` bytes, each written and `fdatasync`ed.
    static func append(path: String, batches: Int, records: Int, recordBytes: Int) async throws -> AppendRun {
        let (status, seconds, latencies) = await onDedicatedThread { () -> (Int32, Double, [UInt64]) in
            var latencies = [UInt64](repeating: 0, count: batches)
            var seconds = 0.0
            let status = latencies.withUnsafeMutableBufferPointer { buffer in
                baseline_append(path, Int32(batches), Int32(records), Int32(recordBytes), buffer.baseAddress, &seconds)
            }
            return (status, seconds, latencies)
        }
        guard status == 0 else { throw Failure(operation: "baseline_append", path: path, errno: status) }
        return AppendRun(
            batches: batches, recordsPerBatch: records, seconds: seconds, latency: LatencySummary(nanoseconds: latencies))
    }

    /// Appends batches of `records` for about `seconds`, and never more records than `maxRecords` (the run
    /// being compared wrote that many) nor fewer than 50 batches: a short pilot run sizes the real one.
    static func append(
        path: String, records: Int, recordBytes: Int, aboutSeconds seconds: Double, maxRecords: Int
    ) async throws -> AppendRun {
        let pilot = try await append(path: path, batches: 20, records: records, recordBytes: recordBytes)
        let perBatch = max(pilot.seconds / Double(pilot.batches), 1e-6)
        let sameTotal = (maxRecords + records - 1) / records
        let batches = min(max(Int(seconds / perBatch), 50), max(sameTotal, 50))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await append(path: path, batches: batches, records: records, recordBytes: recordBytes)
    }
}

/// Runs `body` on a new thread and returns its result.
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}
