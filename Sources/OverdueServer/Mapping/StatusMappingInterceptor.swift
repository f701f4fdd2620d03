import GRPCCore
import Logging
import OverdueCore
import OverdueRegistry

/// The first interceptor on both listeners: whatever a handler, its response producer or a later
/// interceptor throws leaves as a deliberate status, never UNKNOWN. Registry refusals carry their
/// details; a call the supervisor cancelled says why (DEADLINE_EXCEEDED at the server's time limit,
/// UNAVAILABLE at shutdown, CANCELLED when the client left); anything unexpected is INTERNAL with a
/// generic message (the details go to the log, not to the caller).
struct StatusMappingInterceptor: ServerInterceptor {
  let logger: Logger

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next:
      @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let response: StreamingServerResponse<Output>
    do {
      response = try await next(request, context)
    } catch {
      throw status(for: error, context: context)
    }
    var contents: StreamingServerResponse<Output>.Contents
    switch response.accepted {
    case .success(let accepted):
      contents = accepted
    case .failure(let refusal):
      // A handler's error reaches here as a refused response, not as a throw.
      return StreamingServerResponse(error: status(for: refusal, context: context))
    }
    let producer = contents.producer
    contents.producer = { writer in
      do {
        return try await producer(writer)
      } catch {
        throw status(for: error, context: context)
      }
    }
    return StreamingServerResponse(accepted: .success(contents))
  }

  private func status(for error: any Error, context: ServerContext) -> RPCError {
    switch RunningCall.current?.endedBy {
    case .timeLimit:
      let limit = RunningCall.current?.limit.map { " of \($0)" } ?? ""
      return RPCError(
        code: .deadlineExceeded, message: "the call ran longer than the server's limit\(limit)")
    case .shutdown:
      return RPCError(code: .unavailable, message: "the server is shutting down; retry shortly")
    case .clientLeft:
      return RPCError(code: .cancelled, message: "the client went away")
    case .running, nil:
      break
    }
    if let error = error as? RegistryError {
      if let underlying = error.underlying {
        logger.error(
          "storage failed",
          metadata: ["method": "\(context.descriptor)", "error": "\(underlying)"])
      }
      return RPCError(error.googleRPCStatus)
    }
    if let error = error as? RPCError { return error }
    // The transport cancels a call's task itself when its connection goes: the client left.
    if error is CancellationError {
      return RPCError(code: .cancelled, message: "the call was cancelled")
    }
    if let convertible = error as? any RPCErrorConvertible { return RPCError(convertible) }
    logger.error(
      "a call failed unexpectedly",
      metadata: [
        "method": "\(context.descriptor)", "error": "\(String(reflecting: error))",
      ])
    return RPCError(code: .internalError, message: "the registry failed to answer; retry later")
  }
}
