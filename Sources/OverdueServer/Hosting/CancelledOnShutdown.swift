import ServiceLifecycle

/// A service that knows nothing of graceful shutdown (the certificate reloader), cancelled when
/// one begins, so that its group can finish shutting down.
struct CancelledOnShutdown<Base: Service>: Service {
  let base: Base

  func run() async throws {
    try await cancelWhenGracefulShutdown { try await base.run() }
  }
}
