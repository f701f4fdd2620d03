import OverdueCore

/// What a listing write returns (and what a retried request id returns again).
struct ListingReceipt: Codable, Sendable, Equatable {
  var listingId: String
  var state: ListingState
  var sequence: UInt64
}

/// What issuing a certificate returns; the private key is never stored, so a retry returns none.
struct CertificateReceipt: Codable, Sendable, Equatable {
  var certificatePEM: String
  var caCertificatePEM: String
  var serialHex: String
  var privateKeyPEM: String?
}

/// What revoking a certificate returns.
struct RevocationReceipt: Codable, Sendable, Equatable {
  var serialHex: String
  var sequence: UInt64
}
