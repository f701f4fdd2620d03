import GRPCCore

/// Runs each call's handler under its `RunningCall`, so that ending the call cancels the handler
/// (a unary call's work happens in `next`; a stream's in its response producer). Comes right after
/// the status mapping, which says why a cancelled call ended.
struct CancellableHandlerInterceptor: ServerInterceptor {
  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next:
      @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard let call = RunningCall.current else { return try await next(request, context) }
    guard call.limit == nil else {
      return try await withoutActuallyEscaping(next) { next in
        try await call.runHandler { try await next(request, context) }
      }
    }
    let response = try await next(request, context)
    guard case .success(var contents) = response.accepted else { return response }
    let producer = contents.producer
    contents.producer = { writer in try await call.runHandler { try await producer(writer) } }
    return StreamingServerResponse(accepted: .success(contents))
  }
}
