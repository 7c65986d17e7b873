import BlockingIO
import Logging
import Foundation
import Synchronization

/// A bounded queue from the capture thread (blocking libpq, decoding, encoding) to the task that appends to
/// the log. Bounded by bytes: when full, the thread waits (with a timeout, so that it can keep answering
/// the server meanwhile) — back-pressure, never buffering without limit. One item larger than the bound is
/// admitted when the queue is empty.
final class Handoff<Item: Sendable>: Sendable {
    private struct State {
        var items: [(Item, Int)] = []
        var bytes = 0
        var consumer: CheckedContinuation<Void, Never>?
        var closed = false
    }

    let maxBytes: Int
    private let state = Mutex(State())
    /// Wakes the producer thread when space frees up; a condition variable, because the producer is a
    /// plain thread that must block.
    private let space = NSCondition()

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Queues an item, waiting at most `timeout` for room. Returns false if there was no room in time (the
    /// caller does its periodic work and tries again) or the queue is closed.
    func put(_ item: Item, bytes: Int, timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        while true {
            let (accepted, consumer, closed): (Bool, CheckedContinuation<Void, Never>?, Bool) = state.withLock { state in
                if state.closed { return (false, nil, true) }
                guard state.items.isEmpty || state.bytes + bytes <= maxBytes else { return (false, nil, false) }
                state.items.append((item, bytes))
                state.bytes += bytes
                defer { state.consumer = nil }
                return (true, state.consumer, false)
            }
            consumer?.resume()
            if accepted || closed { return accepted }
            space.lock()
            let full = state.withLock { !$0.items.isEmpty && $0.bytes + bytes > maxBytes && !$0.closed }
            let signalled = full ? space.wait(until: deadline) : true
            space.unlock()
            if !signalled { return false }
        }
    }

    /// Everything queued (at least one item), waiting until there is something. Empty after `close()` once
    /// drained, or when the calling task is cancelled.
    func takeAll() async -> [Item] {
        while true {
            let taken: [Item]? = state.withLock { state in
                guard !state.items.isEmpty || state.closed else { return nil }
                let items = state.items.map(\.0)
                state.items.removeAll(keepingCapacity: true)
                state.bytes = 0
                return items
            }
            if let taken {
                wakeProducer()
                return taken
            }
            if Task.isCancelled { return [] }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.items.isEmpty || state.closed || Task.isCancelled { return true }
                        state.consumer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.consumer = nil }
                    return state.consumer
                }
                consumer?.resume()
            }
        }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Whether nothing is queued.
    var isEmpty: Bool { state.withLock { $0.items.isEmpty } }

    /// Stops the queue: producers get false, the consumer drains what is left and then gets empty arrays.
    func close() {
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
        wakeProducer()
    }

    private func wakeProducer() {
        space.withLock { space.broadcast() }
    }
}
