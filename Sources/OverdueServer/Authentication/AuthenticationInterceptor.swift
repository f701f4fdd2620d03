import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import OverdueAPI
import OverdueCertificates
import OverdueCore

/// On the member listener: names the caller from its verified client certificate (SAN URI),
/// refuses revoked certificates on every call, and lets only operators reach `Operator` and only
/// members reach `Members`. Every refusal is audited.
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
      throw refuse(
        RegistryError(
          .unauthenticated, reason: "NO_REGISTRY_IDENTITY",
          message: "the client certificate names no registry member or operator"),
        by: "certificate:\(certificate.serialHex)", call: call)
    }
    if try registry.isRevoked(serialHex: certificate.serialHex) {
      throw refuse(
        RegistryError(
          .unauthenticated, reason: "CERTIFICATE_REVOKED",
          message: "the client certificate has been revoked"),
        by: actor.description, call: call)
    }
    switch (context.descriptor.service, actor) {
    case (Overdue_V1_Operator.descriptor, .member):
      throw refuse(
        RegistryError(
          .permissionDenied, reason: "OPERATORS_ONLY",
          message: "only operators may call the Operator service"),
        by: actor.description, call: call)
    case (Overdue_V1_Members.descriptor, .operator):
      throw refuse(
        RegistryError(
          .permissionDenied, reason: "MEMBERS_ONLY",
          message: "only members may call the Members service"),
        by: actor.description, call: call)
    default:
      break
    }
    var authenticated = context
    authenticated.transportSpecific = AuthenticatedPeer(actor: actor)
    return try await next(request, authenticated)
  }

  /// Audits a refusal (who, which call, why) and gives the status to answer it with.
  private func refuse(_ error: RegistryError, by actor: String, call: String) -> RPCError {
    registry.auditRefusal(actor: actor, operation: call, target: "", error: error)
    return RPCError(error.googleRPCStatus)
  }
}
