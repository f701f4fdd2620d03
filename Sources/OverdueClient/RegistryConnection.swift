import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
public import OverdueCertificates

/// How to reach the registry: an address, the CA that signed the server's certificate, and for
/// member and operator work an identity directory (mutual TLS).
public struct RegistryConnection: Sendable {
  public var host: String
  public var port: Int
  public var caFile: String
  public var identity: IdentityDirectory?
  /// Whether calls refused for rate are retried after the wait the server asks for.
  public var retriesRateLimitedCalls = true

  public init(host: String, port: Int, caFile: String, identity: IdentityDirectory? = nil) {
    self.host = host
    self.port = port
    self.caFile = caFile
    self.identity = identity
  }

  /// Parses `host:port`.
  public init?(address: String, caFile: String, identity: IdentityDirectory? = nil) {
    guard let colon = address.lastIndex(of: ":"),
      let port = Int(address[address.index(after: colon)...])
    else { return nil }
    self.init(host: String(address[..<colon]), port: port, caFile: caFile, identity: identity)
  }

  /// Connects, runs `body` with typed clients, then closes the connection.
  public func withClients<Result: Sendable>(_ body: (RegistryClients) async throws -> Result)
    async throws -> Result
  {
    let security = transportSecurity()
    let transport: HTTP2ClientTransport.Posix = try HTTP2ClientTransport.Posix(
      target: .ipv4(address: host, port: port), transportSecurity: security,
      serviceConfig: retriesRateLimitedCalls ? Self.serviceConfig : ServiceConfig())
    return try await withGRPCClient(transport: transport) { client in
      try await body(RegistryClients(client))
    }
  }

  /// Calls the registry refused for rate (RESOURCE_EXHAUSTED) are retried after the wait the
  /// server asked for. Every call can be: writes carry request ids, so a retry is never a second
  /// write. BatchCheck streams are not retried (their items would be sent twice).
  static let serviceConfig = ServiceConfig(
    methodConfig: ["overdue.v1.Members", "overdue.v1.Operator", "overdue.v1.Lookup"].map {
      service in
      MethodConfig(
        names: [MethodConfig.Name(service: service)],
        executionPolicy: .retry(
          RetryPolicy(
            maxAttempts: 5, initialBackoff: .milliseconds(100), maxBackoff: .seconds(5),
            backoffMultiplier: 2, retryableStatusCodes: [.resourceExhausted])))
    } + [
      MethodConfig(names: [MethodConfig.Name(service: "overdue.v1.Lookup", method: "BatchCheck")])
    ])

  private func transportSecurity() -> HTTP2ClientTransport.Posix.TransportSecurity {
    let trust = TLSConfig.TrustRootsSource.certificates([.file(path: caFile, format: .pem)])
    guard let identity else {
      return .tls { $0.trustRoots = trust }
    }
    return .mTLS(
      certificateChain: [.file(path: identity.certificateFile.path, format: .pem)],
      privateKey: .file(path: identity.keyFile.path, format: .pem)
    ) { $0.trustRoots = trust }
  }
}
