import ServiceLifecycle

/// A service that knows nothing of graceful shutdown (the certificate reloader), cancelled when
/// one begins, so that its group can finish shutting down.
struct CancelledOnShutdown<Base: Service>: Service {
  let base: Base

  /// Runs the base service; its cancellation at shutdown is the normal end, not a failure.
  func run() async throws {
    do {
      try await cancelWhenGracefulShutdown { try await base.run() }
    } catch is CancellationError {
      return
    }
  }
}
