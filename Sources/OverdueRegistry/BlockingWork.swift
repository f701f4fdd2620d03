import NIOPosix
public import OverdueCore

/// A bounded pool of threads of its own for synchronous SQLite work, so that slow queries and
/// fsyncs delay other queries, not the cooperative threads every call and timer runs on.
public final class BlockingWork: Sendable {
  private let pool: NIOThreadPool

  public init(threads: Int) {
    pool = NIOThreadPool(numberOfThreads: threads)
    pool.start()
  }

  /// Runs `body` on the pool. Work still queued when the calling task is cancelled is skipped.
  public func run<T: Sendable>(_ body: @escaping @Sendable () throws(RegistryError) -> T)
    async throws(RegistryError) -> T
  {
    let result: Result<T, RegistryError>
    do {
      result = try await pool.runIfActive { Result { () throws(RegistryError) in try body() } }
    } catch {
      throw RegistryError(
        .unavailable, reason: "NOT_RUN", message: "the request was not run; retry shortly")
    }
    return try result.get()
  }

  /// Runs `body` on the pool for its side effects; if the pool no longer runs work, nothing happens.
  public func runIgnoringFailure(_ body: @escaping @Sendable () -> Void) async {
    _ = try? await pool.runIfActive(body)
  }

  /// Stops the threads once the work queued has run.
  public func shutdown() async {
    try? await pool.shutdownGracefully()
  }
}
