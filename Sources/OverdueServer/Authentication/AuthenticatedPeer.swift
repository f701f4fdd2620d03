import GRPCCore
import OverdueCore

/// The caller as the member listener's authentication established it from the client certificate.
/// It replaces the transport's context so handlers (streaming ones too) can read it; clients cannot forge it.
struct AuthenticatedPeer: ServerContext.TransportSpecific {
  var actor: Actor
  /// The serial of the certificate the call came with (its standing is checked again per message).
  var serialHex: String
}

extension ServerContext {
  /// The authenticated caller, or nil on the public listener.
  var actor: Actor? { peer?.actor }

  /// The authenticated caller and its certificate, or nil on the public listener.
  var peer: AuthenticatedPeer? { transportSpecific as? AuthenticatedPeer }

  /// The authenticated caller, or UNAUTHENTICATED.
  func requireActor() throws -> Actor {
    guard let actor else {
      throw RPCError(code: .unauthenticated, message: "a registry client certificate is required")
    }
    return actor
  }
}
