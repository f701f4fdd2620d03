import GRPCCore
import GRPCNIOTransportHTTP2
import OverdueAPI
import OverdueCertificates
import OverdueCore

/// On the member listener: names the caller from its verified client certificate (SAN URI),
/// refuses revoked certificates on every call, and lets only operators reach `Operator` and only
/// members reach `Members`.
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
    guard let actor = certificate.uniformResourceIdentifiers.lazy.compactMap(Actor.init(uri:)).first
    else {
      throw RPCError(
        code: .unauthenticated,
        message: "the client certificate names no registry member or operator")
    }
    if try registry.isRevoked(serialHex: certificate.serialHex) {
      throw RPCError(code: .unauthenticated, message: "the client certificate has been revoked")
    }
    switch (context.descriptor.service, actor) {
    case (Overdue_V1_Operator.descriptor, .member):
      throw RPCError(
        code: .permissionDenied, message: "only operators may call the Operator service")
    case (Overdue_V1_Members.descriptor, .operator):
      throw RPCError(code: .permissionDenied, message: "only members may call the Members service")
    default:
      break
    }
    var authenticated = context
    authenticated.transportSpecific = AuthenticatedPeer(actor: actor)
    return try await next(request, authenticated)
  }
}
