import GRPCCore
import Synchronization

/// Sheds load: beyond `maxInFlight` calls running at once (across both listeners), new calls get
/// UNAVAILABLE at once instead of queueing. A call counts until its response has been produced.
final class LoadSheddingInterceptor: ServerInterceptor {
  let maxInFlight: Int
  private let inFlight = Atomic<Int>(0)

  init(maxInFlight: Int) {
    self.maxInFlight = maxInFlight
  }

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next:
      @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard inFlight.add(1, ordering: .relaxed).newValue <= maxInFlight else {
      inFlight.subtract(1, ordering: .relaxed)
      throw RPCError(
        code: .unavailable, message: "the registry is at capacity; retry shortly")
    }
    let response: StreamingServerResponse<Output>
    do {
      response = try await next(request, context)
    } catch {
      inFlight.subtract(1, ordering: .relaxed)
      throw error
    }
    guard case .success(var contents) = response.accepted else {
      inFlight.subtract(1, ordering: .relaxed)
      return response
    }
    let producer = contents.producer
    contents.producer = { [inFlight = self] writer in
      defer { inFlight.release() }
      return try await producer(writer)
    }
    return StreamingServerResponse(accepted: .success(contents))
  }

  private func release() {
    inFlight.subtract(1, ordering: .relaxed)
  }
}
