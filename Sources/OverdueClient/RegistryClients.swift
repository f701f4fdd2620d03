import GRPCCore
public import GRPCNIOTransportHTTP2
public import OverdueAPI

/// Typed clients for the registry's services over one connection.
public struct RegistryClients: Sendable {
  public let lookup: Overdue_V1_Lookup.Client<HTTP2ClientTransport.Posix>
  public let members: Overdue_V1_Members.Client<HTTP2ClientTransport.Posix>
  public let `operator`: Overdue_V1_Operator.Client<HTTP2ClientTransport.Posix>
  public let health: Grpc_Health_V1_Health.Client<HTTP2ClientTransport.Posix>

  init(_ client: GRPCClient<HTTP2ClientTransport.Posix>) {
    lookup = .init(wrapping: client)
    members = .init(wrapping: client)
    `operator` = .init(wrapping: client)
    health = .init(wrapping: client)
  }
}
