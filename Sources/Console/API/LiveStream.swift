import HTTPTypes
import Hummingbird
import ServiceLifecycle
import Synchronization

/// `GET /api/v1/stream`: server-sent events for the live pages.
///
/// - `answers`: the `/api/v1/answers` object, on connect and whenever the committed answers change (the
///   sink's revision is looked at every `answersPoll`; unchanged answers are not re-sent).
/// - `pipeline`: the `/api/v1/pipeline` object, on connect and every `pipelineInterval` — which also tells
///   the server within that time when the client has gone (the write fails).
///
/// The stream ends when the client goes or the appliance shuts down gracefully.
struct LiveStream: Sendable {
    let backend: any ConsoleBackend
    /// How often the sink's revision is checked: the live charts lag a commit by at most this.
    static let answersPoll: Duration = .milliseconds(200)
    static let pipelineInterval: Duration = .seconds(1)

    func response() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=UTF-8", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: ResponseBody { writer in
                let stopping = Atomic(false)
                try await withGracefulShutdownHandler {
                    try await self.stream(&writer, until: stopping)
                } onGracefulShutdown: {
                    stopping.store(true, ordering: .relaxed)
                }
                try await writer.finish(nil)
            })
    }

    private func stream(_ writer: inout any ResponseBodyWriter, until stopping: borrowing Atomic<Bool>) async throws {
        // Reconnect quickly after a restart of the appliance.
        try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
        var last: (q1: [WeeklyRegistrationsRow], q2: [WeeklyAdminsRow])?
        var revision = Int.min
        var nextPipeline = ContinuousClock.now
        while !Task.isCancelled, !stopping.load(ordering: .relaxed) {
            let current = backend.answersRevision
            if current != revision {
                revision = current
                if let answers = try? await backend.answers() {
                    // `version` and `as_of` change with every commit; only real changes are sent.
                    if last?.q1 != answers.q1 || last?.q2 != answers.q2 {
                        last = (answers.q1, answers.q2)
                        try await writer.write(Self.event("answers", ConsoleJSON.encode(answers)))
                    }
                }
            }
            if ContinuousClock.now >= nextPipeline {
                try await writer.write(Self.event("pipeline", ConsoleJSON.encode(await backend.pipeline())))
                nextPipeline = ContinuousClock.now + Self.pipelineInterval
            }
            try await Task.sleep(for: Self.answersPoll)
        }
    }

    /// One event; the JSON has no line breaks (JSONEncoder without pretty printing), so one `data:` line.
    static func event(_ name: String, _ json: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("event: \(name)\ndata: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}
