import GRPCCore
import Synchronization

/// Caps how long a call that brought no deadline (`grpc-timeout`) may run: past `limit` (within a
/// quarter of it, at most a second) it is cancelled with DEADLINE_EXCEEDED. Streams a client
/// drives (BatchCheck, Health.Watch) are exempt: flow control and the connection limits bound them.
struct CallTimeLimitInterceptor: ServerInterceptor {
  let limit: Duration
  let exempt: Set<MethodDescriptor>
  /// The calls' deadlines; the server runs its watch (`run`) for as long as it serves.
  let deadlines: CallDeadlines

  init(limit: Duration, exempt: Set<MethodDescriptor>) {
    self.limit = limit
    self.exempt = exempt
    deadlines = CallDeadlines(tick: min(max(limit / 4, .milliseconds(10)), .seconds(1)))
  }

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next:
      @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard request.metadata[stringValues: "grpc-timeout"].first(where: { _ in true }) == nil,
      !exempt.contains(context.descriptor)
    else {
      return try await next(request, context)
    }
    // Every method that is not exempt is unary, and a unary handler does all its work inside
    // `next` (its response's producer only writes the message it returned).
    let deadline = ContinuousClock.now + limit
    return try await withoutActuallyEscaping(next) { next in
      try await finish(before: deadline) { try await next(request, context) }
    }
  }

  /// Runs `body` in a child task while this task waits for it or for `deadline`, whichever comes
  /// first; at the deadline the body is cancelled and the call ends with DEADLINE_EXCEEDED.
  private func finish<T: Sendable>(
    before deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    let id = deadlines.add(deadline: deadline)
    let outcome = Outcome<T>()
    return try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { [deadlines] in
        do {
          outcome.set(.success(try await body()))
        } catch {
          outcome.set(.failure(error))
        }
        deadlines.end(id)
      }
      await deadlines.wait(id)
      group.cancelAll()
      if let result = outcome.get() { return try result.get() }
      try Task.checkCancellation()
      throw RPCError(
        code: .deadlineExceeded,
        message: "the call ran longer than the server's limit of \(limit) without a deadline")
    }
  }
}

/// What a call's body came to, once it has.
private final class Outcome<T: Sendable>: Sendable {
  private let result = Mutex<Result<T, any Error>?>(nil)

  func set(_ value: Result<T, any Error>) { result.withLock { $0 = value } }
  func get() -> Result<T, any Error>? { result.withLock { $0 } }
}
