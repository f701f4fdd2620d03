public import OverdueCore

/// What a listing write returns (and what a retried request id returns again).
public struct ListingReceipt: Codable, Sendable, Equatable {
  public var listingId: String
  public var state: ListingState
  public var sequence: UInt64
}

/// What issuing a certificate returns; the private key is never stored, so a retry returns none.
public struct CertificateReceipt: Codable, Sendable, Equatable {
  public var certificatePEM: String
  public var caCertificatePEM: String
  public var serialHex: String
  public var privateKeyPEM: String?
}

/// What revoking a certificate returns.
public struct RevocationReceipt: Codable, Sendable, Equatable {
  public var serialHex: String
  public var sequence: UInt64
}
