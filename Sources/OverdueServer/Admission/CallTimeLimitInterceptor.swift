import GRPCCore

/// Caps how long a call that brought no deadline (`grpc-timeout`) may run: past `limit` (within a
/// quarter of it, at most a second) it is cancelled with DEADLINE_EXCEEDED. Streams a client drives (BatchCheck, Health.Watch) are exempt:
/// flow control and the connection limits bound them.
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

  /// Runs `body`, cancelling it with DEADLINE_EXCEEDED if it is still running at `deadline`.
  private func finish<T: Sendable>(
    before deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask { try await body() }
      group.addTask { [deadlines] in
        await deadlines.wait(until: deadline)
        return nil
      }
      defer { group.cancelAll() }
      guard let value = try await group.next()! else {
        throw RPCError(
          code: .deadlineExceeded,
          message: "the call ran longer than the server's limit of \(limit) without a deadline")
      }
      return value
    }
  }
}
