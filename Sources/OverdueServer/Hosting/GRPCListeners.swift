import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// The two gRPC listeners as one lifecycle service. On graceful shutdown both stop accepting
/// (GOAWAY), streams are ended at once, unary calls have the grace period to finish; then whatever
/// remains is ended, a moment later the listeners are cancelled, and a moment after that serving
/// is abandoned: a stream whose client never reads can hold its connection open whatever is
/// cancelled (its final status cannot be flushed, and the transport waits for the stream to close).
struct GRPCListeners: Service {
  let publicServer: GRPCServer<SupervisedTransport<HTTP2ServerTransport.Posix>>
  let memberServer: GRPCServer<SupervisedTransport<HTTP2ServerTransport.Posix>>
  let calls: RunningCalls
  let grace: Duration
  let logger: Logger
  /// Called once both listeners are bound.
  let onListening: @Sendable () async throws -> Void

  func run() async throws {
    let serving = Task {
      try await withThrowingDiscardingTaskGroup { servers in
        servers.addTask { try await publicServer.serve() }
        servers.addTask { try await memberServer.serve() }
        try await onListening()
      }
    }
    // How serving ended: by itself (with its result), or abandoned after the grace period.
    let (endings, ending) = AsyncStream.makeStream(of: Result<Void, any Error>?.self)
    let watcher = Task { ending.yield(await serving.result) }
    defer { watcher.cancel() }
    let graceTimer = Task {
      try await gracefulShutdown()
      try await Task.sleep(for: grace)
      logger.notice(
        "shutdown grace period over; ending calls", metadata: ["calls": "\(calls.count)"])
      calls.cancelAll()
      try await Task.sleep(for: .seconds(1))
      serving.cancel()
      try await Task.sleep(for: .seconds(1))
      logger.warning("connections still open after the grace period; leaving them")
      ending.yield(nil)
    }
    defer { graceTimer.cancel() }
    try await withGracefulShutdownHandler {
      try await withTaskCancellationHandler {
        for await ended in endings {
          try ended?.get()
          break
        }
      } onCancel: {
        serving.cancel()
      }
    } onGracefulShutdown: {
      logger.info("shutting down gracefully", metadata: ["calls": "\(calls.count)"])
      publicServer.beginGracefulShutdown()
      memberServer.beginGracefulShutdown()
      calls.beginShutdown()
    }
  }
}
