import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import OverdueCertificates
import OverdueCore
import OverdueRegistry

/// The outermost layer of one listener, around every stream the transport hands over: rate
/// limits and budgets are checked before anything else runs (a refused call costs no storage
/// work), and an admitted call is ended (its handler cancelled, see `CancellableHandlerInterceptor`)
/// when its client leaves (grpc-swift only signals `context.cancellation`), at the server's time
/// limit, or at shutdown.
/// The call's places in the budget are given back when its handler returns, however it ends.
struct CallSupervisor: Sendable {
  /// Whose share a call counts against.
  enum Peer: Sendable {
    /// The client's IP address (public listener).
    case address
    /// The holder the client certificate names (member listener).
    case certificate
  }

  let peer: Peer
  let budget: ListenerBudget
  let rate: RateLimiter?
  let calls: RunningCalls
  /// Methods whose calls are long-lived streams: exempt from the time limit, counted as streams.
  let streams: Set<MethodDescriptor>
  /// How long any other call may run; a client deadline can only end it sooner.
  let timeLimit: Duration

  func supervise<Bytes: GRPCContiguousBytes>(
    _ stream: RPCStream<
      RPCAsyncSequence<RPCRequestPart<Bytes>, any Error>, RPCWriter<RPCResponsePart<Bytes>>.Closable
    >,
    context: ServerContext,
    handler:
      @escaping @Sendable (
        RPCStream<
          RPCAsyncSequence<RPCRequestPart<Bytes>, any Error>,
          RPCWriter<RPCResponsePart<Bytes>>.Closable
        >,
        ServerContext
      ) async -> Void
  ) async {
    let isStream = streams.contains(stream.descriptor)
    let principal = principal(of: context)
    if let wait = rate?.admit(principal) {
      return await refuse(stream, with: AdmissionRefusal.rateLimited(principal, retryIn: wait))
    }
    if let refusal = budget.admit(peer: principal, isStream: isStream) {
      return await refuse(
        stream, with: AdmissionRefusal.status(refusal, peer: principal, limits: budget.limits))
    }
    defer { budget.release(peer: principal, isStream: isStream) }

    let call = RunningCall(limit: isStream ? nil : timeLimit)
    let id = calls.add(call, deadline: isStream ? nil : .now + timeLimit, isStream: isStream)
    defer { calls.remove(id) }
    await withRPCCancellationHandler {
      await RunningCall.$current.withValue(call) { await handler(stream, context) }
    } onCancelRPC: { [calls] in
      calls.clientLeft(id)
    }
  }

  private func principal(of context: ServerContext) -> String {
    switch peer {
    case .address:
      return Self.address(of: context.remotePeer)
    case .certificate:
      guard
        let certificate = (context.transportSpecific as? HTTP2ServerTransport.Posix.Context)?
          .peerCertificate
      else { return Self.address(of: context.remotePeer) }
      return certificate.uniformResourceIdentifiers.first ?? "certificate:\(certificate.serialHex)"
    }
  }

  /// `ipv4:127.0.0.1:50123` → `ipv4:127.0.0.1`: one share per client address, whatever the port.
  static func address(of peer: String) -> String {
    guard let colon = peer.lastIndex(of: ":"), peer.firstIndex(of: ":") != colon else {
      return peer
    }
    return String(peer[..<colon])
  }

  /// Answers a call that was not admitted with its status, before reading anything of it.
  private func refuse<Bytes: GRPCContiguousBytes>(
    _ stream: RPCStream<
      RPCAsyncSequence<RPCRequestPart<Bytes>, any Error>, RPCWriter<RPCResponsePart<Bytes>>.Closable
    >,
    with refusal: RPCError
  ) async {
    let status = Status(code: Status.Code(refusal.code), message: refusal.message)
    try? await stream.outbound.write(.status(status, refusal.metadata))
    await stream.outbound.finish()
  }
}
