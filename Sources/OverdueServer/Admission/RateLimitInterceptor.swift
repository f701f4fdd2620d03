import GRPCCore
import GRPCProtobuf
import OverdueCore

/// Refuses a principal's calls beyond its rate with RESOURCE_EXHAUSTED and `RetryInfo` saying when
/// to come back. On the member listener the principal is the authenticated member or operator
/// (so this runs after authentication); on the public listener it is the client's address.
struct RateLimitInterceptor: ServerInterceptor {
  let limiter: RateLimiter

  init(_ rate: CallRate) {
    limiter = RateLimiter(rate: rate)
  }

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next:
      @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let principal = context.actor?.description ?? Self.address(of: context.remotePeer)
    if let wait = limiter.admit(principal) {
      var refusal = RPCError(
        GoogleRPCStatus(
          code: .resourceExhausted,
          message: "too many calls from \(principal); retry in \(wait)",
          details: [
            .errorInfo(reason: "RATE_LIMITED", domain: "overdue.v1", metadata: [:]),
            .retryInfo(delay: wait),
          ]))
      // gRPC clients with a retry policy for RESOURCE_EXHAUSTED wait this long, then retry.
      let milliseconds =
        wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
      refusal.metadata.addString(String(milliseconds), forKey: "grpc-retry-pushback-ms")
      throw refusal
    }
    return try await next(request, context)
  }

  /// `ipv4:127.0.0.1:50123` → `ipv4:127.0.0.1`: one bucket per client address, whatever the port.
  static func address(of peer: String) -> String {
    guard let colon = peer.lastIndex(of: ":"), peer.firstIndex(of: ":") != colon else {
      return peer
    }
    return String(peer[..<colon])
  }
}
