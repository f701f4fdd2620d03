public import Foundation
public import Logging
public import OverdueCertificates
public import OverdueCore
public import OverdueStore

/// What a seed (the demo registry, a benchmark's fixtures) gets on start, before the server serves.
public struct RegistrySeedContext: Sendable {
  public var eventStore: EventStore
  public var readModel: ReadModel
  public var authority: CertificateAuthority
  public var policy: FilingPolicy
  /// The development PKI's directory, where a seed may write identity directories.
  public var certificates: URL
  public var logger: Logger

  public init(
    eventStore: EventStore, readModel: ReadModel, authority: CertificateAuthority,
    policy: FilingPolicy, certificates: URL, logger: Logger
  ) {
    self.eventStore = eventStore
    self.readModel = readModel
    self.authority = authority
    self.policy = policy
    self.certificates = certificates
    self.logger = logger
  }
}
