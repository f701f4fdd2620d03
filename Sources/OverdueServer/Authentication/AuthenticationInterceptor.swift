import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import OverdueAPI
import OverdueCertificates
import OverdueCore
import OverdueStore

/// On the member listener: names the caller from its verified client certificate (SAN URI),
/// refuses on every call a certificate the registry did not record issuing, a revoked one, and a
/// suspended member's, and lets only operators reach `Operator` and only members reach `Members`.
/// Refusals are audited (a flood of them is aggregated, see `RefusalAudit`).
struct AuthenticationInterceptor: ServerInterceptor {
  let registry: Registry

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next:
      @Sendable (StreamingServerRequest<Input>, ServerContext) async throws ->
      StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard
      let certificate = (context.transportSpecific as? HTTP2ServerTransport.Posix.Context)?
        .peerCertificate
    else {
      throw RPCError(code: .unauthenticated, message: "a registry client certificate is required")
    }
    let call = "\(context.descriptor.service.fullyQualifiedService)/\(context.descriptor.method)"
    guard let actor = certificate.uniformResourceIdentifiers.lazy.compactMap(Actor.init(uri:)).first
    else {
      throw await registry.refuse(
        RegistryError(
          .unauthenticated, reason: "NO_REGISTRY_IDENTITY",
          message: "the client certificate names no registry member or operator"),
        by: "certificate:\(certificate.serialHex)", call: call)
    }
    let peer = AuthenticatedPeer(actor: actor, serialHex: certificate.serialHex)
    try await registry.requireStanding(of: peer, call: call)
    switch (context.descriptor.service, actor) {
    case (Overdue_V1_Operator.descriptor, .member):
      throw await registry.refuse(
        RegistryError(
          .permissionDenied, reason: "OPERATORS_ONLY",
          message: "only operators may call the Operator service"),
        by: actor.description, call: call)
    case (Overdue_V1_Members.descriptor, .operator):
      throw await registry.refuse(
        RegistryError(
          .permissionDenied, reason: "MEMBERS_ONLY",
          message: "only members may call the Members service"),
        by: actor.description, call: call)
    default:
      break
    }
    var authenticated = context
    authenticated.transportSpecific = peer
    return try await next(request, authenticated)
  }
}

extension Registry {
  /// Refuses a caller whose certificate is unknown, revoked or a suspended member's: on every
  /// call, and on every message of a stream, so a connection opened before the change is refused
  /// from its next message on.
  func requireStanding(of peer: AuthenticatedPeer, call: String) async throws(RegistryError) {
    let refusal: RegistryError
    switch try await certificateStatus(serialHex: peer.serialHex) {
    case .valid:
      return
    case .unknown:
      refusal = RegistryError(
        .unauthenticated, reason: "CERTIFICATE_UNKNOWN",
        message: "the client certificate was not issued by this registry")
    case .revoked:
      refusal = RegistryError(
        .unauthenticated, reason: "CERTIFICATE_REVOKED",
        message: "the client certificate has been revoked")
    case .suspended:
      refusal = RegistryError(
        .permissionDenied, reason: "MEMBER_SUSPENDED",
        message: "\(peer.actor) is suspended; the member listener refuses its calls")
    }
    throw await refuse(refusal, by: peer.actor.description, call: call)
  }

  /// Audits a refusal (who, which call, why) and gives it back to throw.
  func refuse(_ error: RegistryError, by actor: String, call: String) async -> RegistryError {
    await blocking.runIgnoringFailure { [refusals] in
      refusals.record(actor: actor, operation: call, target: "", error: error)
    }
    return error
  }
}
