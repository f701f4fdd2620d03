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
