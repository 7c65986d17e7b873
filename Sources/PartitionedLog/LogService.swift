import Logging
import ServiceLifecycle

/// Runs the log's background work as a service: periodic syncs (interval policy), retention and
/// compaction; fails when the log fails (fail-stop), and closes the log on graceful shutdown. Put it
/// first in the service group, so that it stops after the stages that append to and read from it.
public struct LogService: Service {
    public let log: PartitionedLog

    public init(log: PartitionedLog) {
        self.log = log
    }

    public func run() async throws {
        let log = self.log
        let configuration = log.context.configuration
        let failure: LogError? = await withTaskGroup(of: LogError?.self) { group in
            group.addTask { await log.waitForFailure() }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: configuration.maintenanceInterval)
                    guard !Task.isCancelled else { break }
                    do {
                        try await log.runMaintenance()
                    } catch {
                        log.context.logger.error("log maintenance failed", metadata: ["error": "\(error)"])
                    }
                }
                return nil
            }
            if case .interval(let interval) = configuration.fsync {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        log.syncNow()
                    }
                    return nil
                }
            }
            group.addTask {
                try? await gracefulShutdown()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await log.close()
        if let failure { throw failure }
    }
}
