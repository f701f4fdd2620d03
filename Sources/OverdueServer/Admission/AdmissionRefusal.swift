import GRPCCore
import GRPCProtobuf

/// The statuses a call gets when it is not admitted, each with a stable `ErrorInfo` reason.
enum AdmissionRefusal {
  static func status(_ refusal: ListenerBudget.Refusal, peer: String, limits: ListenerBudget.Limits)
    -> RPCError
  {
    switch refusal {
    case .listenerFull:
      return error(
        .unavailable, "AT_CAPACITY", "the registry is at capacity; retry shortly",
        retryIn: .milliseconds(250))
    case .peerFull:
      return error(
        .resourceExhausted, "TOO_MANY_CALLS_IN_FLIGHT",
        "\(peer) has \(limits.maxInFlightPerPeer) calls running, the most allowed at once; "
          + "retry when one ends", retryIn: .milliseconds(250))
    case .peerStreamsFull:
      return error(
        .resourceExhausted, "TOO_MANY_STREAMS",
        "\(peer) has \(limits.maxStreamsPerPeer) streams open, the most allowed at once; "
          + "close one first", retryIn: .seconds(1))
    }
  }

  static func rateLimited(_ principal: String, retryIn wait: Duration) -> RPCError {
    error(
      .resourceExhausted, "RATE_LIMITED", "too many calls from \(principal); retry in \(wait)",
      retryIn: wait)
  }

  /// A status with `ErrorInfo` and `RetryInfo`, plus `grpc-retry-pushback-ms`, which gRPC clients
  /// with a retry policy honour.
  private static func error(
    _ code: RPCError.Code, _ reason: String, _ message: String, retryIn wait: Duration
  ) -> RPCError {
    var error = RPCError(
      GoogleRPCStatus(
        code: code, message: message,
        details: [
          .errorInfo(reason: reason, domain: "overdue.v1", metadata: [:]),
          .retryInfo(delay: wait),
        ]))
    let milliseconds =
      wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
    error.metadata.addString(String(max(milliseconds, 1)), forKey: "grpc-retry-pushback-ms")
    return error
  }
}
