import GRPCCore

/// Caps how long a call that brought no deadline (`grpc-timeout`) may run: past `limit` it is
/// cancelled with DEADLINE_EXCEEDED. Streams a client drives (BatchCheck, Health.Watch) are exempt:
/// flow control and the connection limits bound them.
struct CallTimeLimitInterceptor: ServerInterceptor {
  let limit: Duration
  let exempt: Set<MethodDescriptor>

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
    // A unary handler runs inside `next`; a streaming one in the response's producer.
    let deadline = ContinuousClock.now + limit
    var response = try await withoutActuallyEscaping(next) { next in
      try await Self.finish(before: deadline, limit) { try await next(request, context) }
    }
    guard case .success(var contents) = response.accepted else { return response }
    let producer = contents.producer
    contents.producer = { [limit] writer in
      try await Self.finish(before: deadline, limit) { try await producer(writer) }
    }
    response.accepted = .success(contents)
    return response
  }

  /// Runs `body`, cancelling it with DEADLINE_EXCEEDED if it is still running at `deadline`.
  static func finish<T: Sendable>(
    before deadline: ContinuousClock.Instant, _ limit: Duration,
    _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask { try await body() }
      group.addTask {
        try await Task.sleep(until: deadline)
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
