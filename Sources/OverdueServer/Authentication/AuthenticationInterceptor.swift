import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import OverdueAPI
import OverdueCertificates
import OverdueCore
import OverdueRegistry
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
    try await registry.requireStanding(serialHex: peer.serialHex, actor: peer.actor, call: call)
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
