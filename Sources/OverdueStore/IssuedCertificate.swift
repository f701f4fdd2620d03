public import Foundation

/// A client certificate the registry issued, as recorded for revocation checks.
public struct IssuedCertificate: Sendable, Equatable {
  public var serialHex: String
  public var principal: String
  public var notAfter: Date
  public var revokedAt: Date?

  public init(serialHex: String, principal: String, notAfter: Date, revokedAt: Date? = nil) {
    self.serialHex = serialHex
    self.principal = principal
    self.notAfter = notAfter
    self.revokedAt = revokedAt
  }
}

/// What the registry knows of a client certificate's serial.
public enum CertificateStatus: Sendable, Equatable {
  /// Issued and recorded here, not revoked.
  case valid
  case revoked
  /// Issued to a member that is suspended now.
  case suspended
  /// Never recorded: not issued by this registry (fails closed).
  case unknown
}
